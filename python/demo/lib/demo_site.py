"""What every page of the demonstration server shares (python/demo/*.wsgi).

An ordinary module on sys.path (WSGIPythonPath in conf/demo.conf.in), not a
WSGI script: it is imported once per interpreter and never reloaded.

* ``page()``: the layout (one stylesheet, /demo.css; no script, no external
  resource) with a footer saying which process, interpreter, module and
  generation served the page.
* ``with_status()``: wraps a script's ``application`` so that
  ``GET <url>?wsgiscript-status`` answers, as JSON, what *this* interpreter
  has loaded (``wsgiscript.loaded_scripts()``), its pid and its process
  group. A script can only see its own interpreter, so the dashboard asks
  every script's URL in turn, from the server side.
* ``configured_scripts()``: the WSGIScriptAlias lines of the demo's own
  configuration (its path comes from ``WSGISCRIPT_DEMO_CONFIG``).
* ``log_lines()``: the end of the demo's error log (``WSGISCRIPT_DEMO_ERROR_LOG``).
* ``site_url()``: a URL of this host on one of the demo's ports (the
  shared-store pages have a second port, a virtual host with
  WSGIPickleResolve On; ``WSGISCRIPT_DEMO_PORT`` and ``WSGISCRIPT_DEMO_PORT_ON``).
"""
import datetime
import glob
import html
import json
import os
import re
import shlex

ENV_CONFIG = 'WSGISCRIPT_DEMO_CONFIG'
ENV_ERROR_LOG = 'WSGISCRIPT_DEMO_ERROR_LOG'
ENV_TOUCH = 'WSGISCRIPT_DEMO_TOUCH'
ENV_PORT = 'WSGISCRIPT_DEMO_PORT'          # the main server's port
ENV_PORT_ON = 'WSGISCRIPT_DEMO_PORT_ON'    # the virtual host with WSGIPickleResolve On
STATUS_QUERY = 'wsgiscript-status'

# The pages in the navigation bar: (URL, label). A URL that the
# configuration does not map is left out (/pickle/shared-store is mapped by
# conf/demo-resolve.conf.in).
NAV = [
    ('/', 'Dashboard'),
    ('/about', 'About'),
    ('/hello', 'Hello'),
    ('/daemon', 'Daemon mode'),
    ('/pickle', 'Pickle'),
    ('/pickle/shared-store', 'Shared store'),
]


def esc(value):
    return html.escape(str(value))


def setting(environ, name):
    """A demo setting: from the request (SetEnv), else the process environment."""
    return (environ or {}).get(name) or os.environ.get(name)


def touch_allowed(environ):
    return (setting(environ, ENV_TOUCH) or '').lower() == 'on'


def site_url(environ, port, path='/'):
    """path on this host (as the browser named it) at another port: the session
    cookie of a host is sent to all its ports, so both sides share it."""
    host = environ.get('HTTP_HOST') or environ.get('SERVER_NAME') or '127.0.0.1'
    if host.startswith('['):
        host = host[:host.index(']') + 1]
    else:
        host = host.rsplit(':', 1)[0]
    return '%s://%s:%s%s' % (environ.get('wsgi.url_scheme', 'http'), host, port, path)


def home(environ):
    """'' on the main server; its origin when this page is served on another port."""
    port = setting(environ, ENV_PORT)
    if not port or environ.get('SERVER_PORT') == port:
        return ''
    return site_url(environ, port, '')


# ---- time ---------------------------------------------------------------------

def clock(t):
    """HH:MM:SS (local time) of a time.time() value; '' for None."""
    if t is None:
        return ''
    return datetime.datetime.fromtimestamp(t).strftime('%H:%M:%S')


def stamp(t):
    """Full local date and time with the zone, for title attributes."""
    if t is None:
        return ''
    return datetime.datetime.fromtimestamp(t).astimezone().isoformat(sep=' ', timespec='milliseconds')


def time_html(t, empty='never'):
    if t is None:
        return '<span class="muted">%s</span>' % esc(empty)
    return '<time datetime="%s" title="%s">%s</time>' % (
        esc(datetime.datetime.fromtimestamp(t).astimezone().isoformat()), esc(stamp(t)), esc(clock(t)))


# ---- this process and interpreter ---------------------------------------------

def process_started_at():
    """time.time() when this process started, from /proc (None if unknown)."""
    try:
        with open('/proc/self/stat') as f:
            fields = f.read().rsplit(')', 1)[1].split()
        ticks = int(fields[19])           # field 22, starttime, in clock ticks since boot
        with open('/proc/stat') as f:
            btime = next(int(line.split()[1]) for line in f if line.startswith('btime '))
        return btime + ticks / os.sysconf('SC_CLK_TCK')
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def process_title():
    try:
        with open('/proc/self/cmdline', 'rb') as f:
            return f.read().replace(b'\0', b' ').decode('utf-8', 'replace').strip()
    except OSError:
        return ''


def record_dict(rec):
    """A wsgiscript.loaded_scripts() record as plain JSON data."""
    return {
        'module_name': rec.module_name,
        'path': rec.path,
        'generation': rec.generation,
        'mtime_us': rec.mtime,
        'loaded_at': rec.loaded_at,
        'reloaded_at': rec.reloaded_at,
        'generation_loaded_at': rec.generation_loaded_at(rec.generation),
        'history': [[e.generation, e.mtime, e.at] for e in rec.history[-8:]],
    }


def interpreter_status(environ, module_name):
    """What the interpreter running module_name can say about itself."""
    import mod_wsgi
    import wsgiscript
    scripts = wsgiscript.loaded_scripts()
    return {
        'url': environ.get('SCRIPT_NAME', ''),
        'module_name': module_name,
        'script': record_dict(scripts[module_name]) if module_name in scripts else None,
        'pid': os.getpid(),
        'ppid': os.getppid(),
        'process_started_at': process_started_at(),
        'process_title': process_title(),
        'process_group': mod_wsgi.process_group,
        'application_group': mod_wsgi.application_group,
        'multiprocess': bool(environ.get('wsgi.multiprocess')),
        'multithread': bool(environ.get('wsgi.multithread')),
        'interpreter_scripts': [record_dict(r) for r in scripts.values()],
    }


def with_status(application, script_globals):
    """Answer GET <url>?wsgiscript-status with interpreter_status(), else run application."""
    module_name = script_globals['__name__']

    def status_or_application(environ, start_response):
        if environ.get('QUERY_STRING') == STATUS_QUERY and environ.get('REQUEST_METHOD') in ('GET', 'HEAD'):
            body = json.dumps(interpreter_status(environ, module_name), indent=1).encode('utf-8')
            start_response('200 OK', [('Content-Type', 'application/json'),
                                      ('Content-Length', str(len(body))),
                                      ('Cache-Control', 'no-store')])
            return [body]
        return application(environ, start_response)

    status_or_application.__wrapped__ = application
    return status_or_application


# ---- the configuration ----------------------------------------------------------

class Alias:
    """One WSGIScriptAlias (or WSGIScriptAliasMatch) line of the configuration."""

    def __init__(self, directive, url, path, options, where, vhost=None):
        self.directive = directive
        self.vhost = vhost          # 'addr:port' of its <VirtualHost>, None: the main server
        self.pattern = url if directive == 'WSGIScriptAliasMatch' else None
        self.url = url_of_pattern(url) if self.pattern else url
        self.path = path
        self.options = options      # {'process-group': ..., 'application-group': ...}
        self.where = where          # 'file:line'

    @property
    def process_group(self):
        return self.options.get('process-group', '')

    @property
    def port(self):
        """The port of its virtual host, None for the main server."""
        return self.vhost.rsplit(':', 1)[1] if self.vhost and ':' in self.vhost else None

    @property
    def key(self):
        """The URL, absolute (http://addr:port/url) for a virtual host's alias: one per row."""
        if self.url is None or not self.vhost:
            return self.url
        return 'http://%s%s' % (self.vhost, self.url)

    @property
    def anchor(self):
        """An id for the dashboard's row of this URL."""
        return 's' + (re.sub(r'[^A-Za-z0-9]+', '-', (self.url or '') + ('-' + self.port if self.port else ''))
                      .strip('-') or '-root')


def url_of_pattern(pattern):
    """The one URL a simple WSGIScriptAliasMatch pattern matches ('^/pickle/?$' -> '/pickle'), else None."""
    p = pattern
    if p.startswith('^'):
        p = p[1:]
    if p.endswith('$'):
        p = p[:-1]
    if p.endswith('/?') and len(p) > 2:
        p = p[:-2]
    if re.search(r'[\\^$.|?*+()\[\]{}]', p):
        return None
    return p or '/'


def _config_lines(path, seen, server_root):
    if path in seen or len(seen) > 64:
        return
    seen.add(path)
    try:
        with open(path, encoding='utf-8', errors='replace') as f:
            text = f.read()
    except OSError:
        return
    pending = ''
    for number, line in enumerate(text.splitlines(), 1):
        if line.endswith('\\'):
            pending += line[:-1]
            continue
        line, pending = pending + line, ''
        stripped = line.strip()
        if not stripped or stripped.startswith('#'):
            continue
        try:
            words = shlex.split(stripped, comments=False, posix=True)
        except ValueError:
            continue
        name = words[0].lower()
        if name in ('include', 'includeoptional') and len(words) > 1:
            pattern = words[1] if os.path.isabs(words[1]) else os.path.join(server_root, words[1])
            for included in sorted(glob.glob(pattern)):
                yield from _config_lines(included, seen, server_root)
            continue
        yield '%s:%d' % (path, number), words


def read_config(environ):
    """(aliases, daemon groups) of the demo's configuration file and what it includes.

    aliases: [Alias] in the file's order (an alias inside <VirtualHost addr:port>
    knows its virtual host); daemon groups: {name: {option: value}}.
    """
    path = setting(environ, ENV_CONFIG)
    aliases, groups = [], {}
    if not path:
        return aliases, groups
    server_root = os.path.dirname(path)
    vhost = None
    for where, words in _config_lines(path, set(), server_root):
        name = words[0]
        if name.lower() == '<virtualhost' and len(words) >= 2:
            vhost = words[1].rstrip('>')
        elif name.lower() == '</virtualhost>':
            vhost = None
        elif name in ('WSGIScriptAlias', 'WSGIScriptAliasMatch') and len(words) >= 3:
            options = dict(w.split('=', 1) for w in words[3:] if '=' in w)
            aliases.append(Alias(name, words[1], words[2], options, where, vhost))
        elif name == 'WSGIDaemonProcess' and len(words) >= 2:
            groups[words[1]] = dict(w.split('=', 1) for w in words[2:] if '=' in w)
        elif name == 'ServerRoot' and len(words) >= 2:
            server_root = words[1]
    return aliases, groups


def configured_urls(environ):
    return {a.url for a in read_config(environ)[0] if a.url}


# ---- the error log --------------------------------------------------------------

def log_path(environ):
    return setting(environ, ENV_ERROR_LOG)


def log_lines(environ, limit=1 << 20):
    """The last `limit` bytes of the error log, as lines ([] if not readable)."""
    path = log_path(environ)
    if not path:
        return []
    try:
        with open(path, 'rb') as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - limit))
            data = f.read()
    except OSError:
        return []
    lines = data.decode('utf-8', 'replace').splitlines()
    if size > limit and lines:
        lines = lines[1:]            # the first one is cut
    return lines


TAG_RE = re.compile(r'\b(WSGIS\d{4})\b')


def log_html(line):
    """One error log line, the tag marked."""
    return '<pre class="log">%s</pre>' % TAG_RE.sub(r'<b class="tag">\1</b>', esc(line))


# ---- the page -------------------------------------------------------------------

def this_script(environ):
    """(module name, record or None) of the script serving this request."""
    try:
        import wsgiscript
    except ImportError:
        return None, None
    path = environ.get('SCRIPT_FILENAME')
    if not path:
        return None, None
    name = wsgiscript.mangle(path)
    return name, wsgiscript.loaded_scripts().get(name)


def footer_html(environ):
    try:
        import mod_wsgi
        group, app_group = mod_wsgi.process_group, mod_wsgi.application_group
    except ImportError:
        group, app_group = '', ''
    name, rec = this_script(environ)
    where = ('daemon process group <b>%s</b>' % esc(group)) if group else 'an Apache child (embedded)'
    parts = ['This page: %s, pid <b class="pid">%d</b>' % (where, os.getpid()),
             'interpreter <code class="group">%s</code>' % esc(app_group or '(main)')]
    if name:
        parts.append('module <code class="module">%s</code>' % esc(name))
    if rec is not None:
        parts.append('generation <b class="generation">%d</b>, loaded %s'
                     % (rec.generation, time_html(rec.generation_loaded_at(rec.generation))))
    return '<footer class="served" data-pid="%d">%s</footer>' % (os.getpid(), ' · '.join(parts))


def nav_html(environ, current):
    """The navigation bar; its links lead to the main server also from the second port."""
    urls = configured_urls(environ)
    shown = [(url, label) for url, label in NAV if url == '/' or url in urls]
    here = max((url for url, _ in shown
                if url == current or (url != '/' and current.startswith(url + '/'))), key=len, default=None)
    origin = home(environ)
    return '<nav>%s</nav>' % ''.join(
        '<a href="%s"%s>%s</a>' % (esc(origin + url), ' aria-current="page"' if url == here else '', esc(label))
        for url, label in shown)


def page(environ, start_response, title, body, status='200 OK', headers=(), current=None):
    """The page in the demo's layout. current: the navigation entry to mark (default: this URL)."""
    current = current or environ.get('SCRIPT_NAME') or '/'
    doc = """<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s · mod_wsgiscript demo</title>
<link rel="icon" href="/favicon.ico">
<link rel="stylesheet" href="/demo.css">
</head><body>
<header class="top"><a class="brand" href="%(home)s/">mod_wsgiscript <span>demo</span></a>%(nav)s</header>
<main>
<h1>%(title)s</h1>
%(body)s
</main>
%(footer)s
</body></html>
""" % {'title': esc(title), 'nav': nav_html(environ, current), 'body': body, 'home': esc(home(environ)),
       'footer': footer_html(environ)}
    data = doc.encode('utf-8')
    start_response(status, [('Content-Type', 'text/html; charset=utf-8'),
                            ('Content-Length', str(len(data))),
                            ('Cache-Control', 'no-store')] + list(headers))
    return [data]


def redirect(start_response, location):
    start_response('303 See Other', [('Location', location), ('Content-Length', '0'),
                                     ('Cache-Control', 'no-store')])
    return [b'']


def read_form(environ, limit=65536):
    """The urlencoded POST body as {name: last value}."""
    from urllib.parse import parse_qs
    try:
        length = int(environ.get('CONTENT_LENGTH') or 0)
    except ValueError:
        length = 0
    data = environ['wsgi.input'].read(min(length, limit)) if length > 0 else b''
    return {k: v[-1] for k, v in parse_qs(data.decode('utf-8', 'replace')).items()}


def query(environ):
    from urllib.parse import parse_qs
    return {k: v[-1] for k, v in parse_qs(environ.get('QUERY_STRING', '')).items()}


def touch(path):
    """Set a script file's mtime to now. Returns None or the error text."""
    import time
    try:
        now = time.time()
        os.utime(path, (now, now))
    except OSError as exc:
        return str(exc)
    return None
