# The demo's home page: every script the configuration maps, as the
# interpreter running it reports it, and a button per script that touches
# the file (demo configuration only).
#
# A script sees only its own interpreter (wsgiscript.loaded_scripts() is per
# interpreter, and each process has its own interpreters). So this page asks
# each configured URL, from the server side, for GET <url>?wsgiscript-status
# (answered by demo_site.with_status() in every demo script) and shows the
# answers as they come: nothing here is computed in place of the server. An
# alias of a <VirtualHost> (the shared-store pages' second port) is asked on
# its own port and has a row of its own, keyed by its absolute URL.
import concurrent.futures
import json
import os
import urllib.error
import urllib.request

import demo_site
from demo_site import esc

STATUS_TIMEOUT = 20      # a daemon process being replaced answers after its restart
LOAD_TAGS = ('WSGIS0101', 'WSGIS0102', 'WSGIS0103')

PAGES = [
    ('/about', 'About a script', 'How one script was loaded: module name, __file__, __mtime__, generation.'),
    ('/hello', 'Hello, World', 'The smallest WSGI application, embedded; /daemon/hello is the same file in the daemon.'),
    ('/daemon', 'Daemon mode', 'A script in a WSGIDaemonProcess group: touch it and the process is replaced (new pid).'),
    ('/pickle', 'Pickle diagnostics', 'WSGIPickleDiagnostics: one page per pickle failure that script loading causes, '
                                      'with the log entry it wrote.'),
    ('/pickle/shared-store', 'Shared store', 'WSGIPickleResolve: two scripts sharing a Redis-backed session: '
                                             'the object lost with it Off (and the log entry), delivered with it On.'),
]


def fetch_status(host, main_port, alias):
    """(status dict or None, error text or None) of one configured URL, asked at host on
    its virtual host's port (main_port for the main server's aliases)."""
    if alias.url is None:
        return None, 'a pattern (%s): no single URL to ask' % alias.pattern
    if os.path.isdir(alias.path):
        return None, 'a directory of scripts: ask a script in it'
    url = 'http://%s:%s%s?%s' % (host, alias.port or main_port, alias.url, demo_site.STATUS_QUERY)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=STATUS_TIMEOUT) as response:
            data = json.loads(response.read().decode('utf-8'))
    except urllib.error.HTTPError as exc:
        return None, 'HTTP %d %s from %s' % (exc.code, exc.reason, alias.url)
    except (OSError, ValueError) as exc:
        return None, '%s: %s' % (type(exc).__name__, exc)
    if not isinstance(data, dict) or 'pid' not in data:
        return None, 'not a status answer (does the script wrap its application with demo_site.with_status?)'
    return data, None


def statuses_of(environ, aliases):
    """[(status, error)] of every alias, asked concurrently.

    A request for a changed script replaces its daemon process; requests for
    the group's other scripts that ran meanwhile were answered by the old
    process. So a group that answered from more than one pid is asked once
    more: every answer then comes from the process serving now.
    """
    host = environ.get('SERVER_ADDR') or '127.0.0.1'
    if ':' in host:
        host = '[%s]' % host
    port = demo_site.setting(environ, demo_site.ENV_PORT) or environ.get('SERVER_PORT', '80')
    with concurrent.futures.ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda a: fetch_status(host, port, a), aliases))
        pids = {}
        for status, _ in results:
            if status and status.get('process_group'):
                pids.setdefault(status['process_group'], set()).add(status['pid'])
        again = [i for i, (status, _) in enumerate(results)
                 if status and len(pids.get(status.get('process_group'), ())) > 1]
        for i, answer in zip(again, pool.map(lambda i: fetch_status(host, port, aliases[i]), again)):
            results[i] = answer
    return results


def latest(lines, *needles, tags=()):
    for line in reversed(lines):
        if all(n in line for n in needles) and (not tags or any(t in line for t in tags)):
            return line
    return None


def log_lines_for(lines, alias, status):
    """The latest load line of this script in that interpreter and process; for a daemon
    process, first the line of its start (WSGIS0607 when it replaced another, else WSGIS0600)."""
    out = []
    if status is None:
        return out
    pid = status['pid']
    group = status.get('process_group') or ''
    if group:
        line = (latest(lines, "of group '%s'" % group, 'replaced by %d' % pid, tags=('WSGIS0607',)) or
                latest(lines, "daemon process %d of group '%s' started" % (pid, group), tags=('WSGIS0600',)))
        if line:
            out.append(line)
    line = latest(lines, "'%s'" % alias.path, "in interpreter '%s'" % status.get('application_group', ''),
                  '[pid %d:' % pid, tags=LOAD_TAGS)
    if line:
        out.append(line)
    return out


def process_html(status):
    if status.get('process_group'):
        return '<span class="daemon">daemon</span> <code>%s</code><br>pid <b class="pid">%d</b>' % (
            esc(status['process_group']), status['pid'])
    return '<span class="embedded">embedded</span><br>pid <b class="pid">%d</b>' % status['pid']


def url_html(environ, alias):
    """The link to a configured URL; a virtual host's with its port."""
    if not alias.url:
        return '<code>%s</code>' % esc(alias.pattern)
    if alias.port:
        return '<a href="%s">%s</a> <span class="muted">on port %s</span>' % (
            esc(demo_site.site_url(environ, alias.port, alias.url)), esc(alias.url), esc(alias.port))
    return '<a href="%s">%s</a>' % (esc(alias.url), esc(alias.url))


def row_html(environ, alias, status, error, lines, touched, touch_on):
    script_cell = '%s<span class="file" title="%s">%s</span>' % (
        url_html(environ, alias), esc(alias.path), esc(os.path.basename(alias.path)))
    rec = (status or {}).get('script')
    attrs = {'id': alias.anchor, 'data-url': alias.key or '', 'data-path': alias.path}
    if status:
        attrs['data-pid'] = status['pid']
        attrs['data-process-group'] = status.get('process_group', '')
        attrs['data-application-group'] = status.get('application_group', '')
    if rec:
        attrs['data-module'] = rec['module_name']
        attrs['data-generation'] = rec['generation']
    cls = ' class="touched"' if touched else ''
    head = '<tbody%s %s>' % (cls, ' '.join('%s="%s"' % (k, esc(v)) for k, v in attrs.items()))
    touch = ''
    if touch_on and alias.url:
        touch = ('<form class="touch" method="post" action="/">'
                 '<input type="hidden" name="touch" value="%s">'
                 '<input type="hidden" name="generation" value="%s">'
                 '<input type="hidden" name="pid" value="%s">'
                 '<button type="submit" title="set the mtime of %s to now">Touch</button></form>'
                 % (esc(alias.key), esc(rec['generation'] if rec else ''),
                    esc(status['pid'] if status else ''), esc(alias.path)))
    if status is None:
        main = ('<tr class="main"><td data-label="Script">%s</td><td colspan="6" class="bad">no answer: %s</td>'
                '<td>%s</td></tr>' % (script_cell, esc(error), touch))
        return head + main + '</tbody>'
    group = status.get('application_group', '')
    group_html = '<code class="group">%s</code>' % esc(group) if group else '<span class="muted">(main interpreter)</span>'
    if rec:
        module = '<code class="module">%s</code>' % esc(rec['module_name'])
        generation = '<span class="generation">%d</span>' % rec['generation']
        loaded = demo_site.time_html(rec['loaded_at'])
        reloaded = demo_site.time_html(rec['reloaded_at'])
    else:
        module = '<span class="bad">not in loaded_scripts()</span>'
        generation = loaded = reloaded = ''
    main = ('<tr class="main"><td data-label="Script">%s</td><td data-label="Process">%s</td>'
            '<td data-label="Interpreter">%s</td><td data-label="Module">%s</td>'
            '<td data-label="Generation" class="num">%s</td><td data-label="Loaded">%s</td>'
            '<td data-label="Reloaded">%s</td><td>%s</td></tr>'
            % (script_cell, process_html(status), group_html, module, generation, loaded, reloaded, touch))
    log = ''.join(demo_site.log_html(line) for line in lines) or \
        '<p class="muted">no load line of this interpreter in the error log</p>'
    return head + main + '<tr class="log"><td colspan="8">%s</td></tr>' % log + '</tbody>'


def touched_html(environ, aliases, results, lines, q):
    url = q.get('touched')
    alias = next((a for a in aliases if a.key == url), None)
    if alias is None:
        return ''
    i = aliases.index(alias)
    status, error = results[i]
    if q.get('error'):
        return '<div class="notice bad" id="touch-result">Could not touch <code>%s</code>: %s</div>' % (
            esc(alias.path), esc(q['error']))
    before_gen, before_pid = q.get('generation', ''), q.get('pid', '')
    parts = ['You touched <code>%s</code> (its mtime is now the time of the click).' % esc(alias.path)]
    rec = (status or {}).get('script')
    if status is None:
        parts.append('Asked again, <a href="%s">%s</a> gave no answer: %s' % (esc(url), esc(url), esc(error)))
    elif status.get('process_group'):
        if before_pid and str(status['pid']) != before_pid:
            parts.append('The daemon process of group <code>%s</code> noticed the change at the next request '
                         'and was replaced: pid <b>%s</b> &rarr; <b>%d</b>; its fresh interpreter loaded the '
                         'script again (generation %s).' % (
                             esc(status['process_group']), esc(before_pid), status['pid'],
                             esc(rec['generation'] if rec else '?')))
        else:
            parts.append('The daemon process is still pid %d.' % status['pid'])
    elif rec:
        parts.append('The interpreter noticed it at the next request and ran the script again: generation '
                     '<b>%s</b> &rarr; <b>%d</b>, reloaded at %s.' % (
                         esc(before_gen or '?'), rec['generation'], demo_site.time_html(rec['reloaded_at'])))
    logged = ''.join(demo_site.log_html(line) for line in log_lines_for(lines, alias, status))
    if logged:
        parts.append('The server logged:</p>' + logged + '<p>')
    parts.append('Its row: <a href="#%s">%s</a>.' % (esc(alias.anchor), esc(alias.key)))
    same = [a for a in aliases if a.path == alias.path and a is not alias]
    if same:
        parts.append('The same file also serves %s: it changed there too (rows highlighted).' %
                     ', '.join('<a href="#%s">%s</a>' % (esc(a.anchor), esc(a.key)) for a in same))
    return '<div class="notice" id="touch-result"><p>%s</p></div>' % ' '.join(parts)


def processes_html(aliases, results):
    embedded, daemons, parents = set(), {}, set()
    for status, _ in results:
        if not status:
            continue
        parents.add(status.get('ppid'))
        if status.get('process_group'):
            daemons.setdefault(status['process_group'], set()).add(status['pid'])
        else:
            embedded.add(status['pid'])
    parts = []
    if len(parents) == 1:
        parts.append('Apache parent pid <b>%s</b>' % esc(next(iter(parents))))
    if embedded:
        parts.append('embedded: Apache child pid %s' % ', '.join('<b>%d</b>' % p for p in sorted(embedded)))
    for name, pids in sorted(daemons.items()):
        parts.append('daemon group <code>%s</code>: pid %s' % (esc(name), ', '.join('<b>%d</b>' % p for p in sorted(pids))))
    answered = sum(1 for s, _ in results if s)
    parts.append('%d scripts configured, %d answered' % (len(aliases), answered))
    return '<p class="processes">%s</p>' % ' · '.join(parts)


def pages_html(environ, urls):
    items = []
    for url, title, text in PAGES:
        if url in urls:
            items.append('<li><a href="%s">%s</a><br>%s</li>' % (esc(url), esc(title), esc(text)))
        else:
            items.append('<li class="slot"><b>%s</b> <span class="muted">(not in this build)</span><br>%s'
                         '<br><span class="muted">Its scripts go to python/demo/, its aliases to a '
                         'conf/demo-*.conf.in; the page appears here at <code>%s</code>.</span></li>'
                         % (esc(title), esc(text), esc(url)))
    return '<ul class="pages">%s</ul>' % ''.join(items)


def handle_touch(environ, start_response):
    from urllib.parse import urlencode
    form = demo_site.read_form(environ)
    aliases, _ = demo_site.read_config(environ)
    alias = next((a for a in aliases if a.url and a.key == form.get('touch')), None)
    if alias is None or not demo_site.touch_allowed(environ):
        return demo_site.page(environ, start_response, 'Not touched',
                              '<p class="bad">Only a configured script of the demo configuration can be '
                              'touched.</p><p><a href="/">Back to the dashboard</a></p>',
                              status='400 Bad Request')
    q = {'touched': alias.key}
    for key in ('generation', 'pid'):
        if form.get(key, '').isdigit():
            q[key] = form[key]
    error = demo_site.touch(alias.path)
    if error:
        q['error'] = error
    return demo_site.redirect(start_response, '/?%s#touch-result' % urlencode(q))


def dashboard(environ, start_response):
    if environ['REQUEST_METHOD'] == 'POST':
        return handle_touch(environ, start_response)
    q = demo_site.query(environ)
    aliases, groups = demo_site.read_config(environ)
    results = statuses_of(environ, aliases)       # first: they may load or reload scripts
    lines = demo_site.log_lines(environ)          # then: the lines those loads wrote
    touched = next((a for a in aliases if a.key == q.get('touched')), None)
    touch_on = demo_site.touch_allowed(environ)
    rows = ''.join(row_html(environ, a, s, e, log_lines_for(lines, a, s),
                            touched is not None and a.path == touched.path, touch_on)
                   for a, (s, e) in zip(aliases, results))
    group_notes = ''.join('<li><code>%s</code>: %s</li>' % (
        esc(name), esc(' '.join('%s=%s' % kv for kv in opts.items()) or 'defaults'))
        for name, opts in groups.items())
    body = """<p class="lead">Every script this server's configuration maps, as the interpreter that runs
it reports it right now. A touch changes the file's modification time; the next request for it reloads
it (embedded) or replaces the daemon process (daemon mode), and this page shows the result and the
<code>WSGIS</code> line the server logged.</p>
%(touched)s
%(processes)s
<table class="scripts">
<thead><tr><th>Script</th><th>Process</th><th>Interpreter (application group)</th><th>Module</th>
<th>Gen.</th><th>Loaded</th><th>Reloaded</th><th>%(touch_head)s</th></tr></thead>
%(rows)s
</table>
<h2>Pages</h2>
%(pages)s
<h2>How this page knows</h2>
<p>The list of scripts is read from the configuration (<code>%(config)s</code> and the files it
includes): every <code>WSGIScriptAlias</code> and <code>WSGIScriptAliasMatch</code>. For each URL the
dashboard sends <code>GET URL?%(query)s</code> to this server; the script answers from its own
interpreter with <code>wsgiscript.loaded_scripts()</code>, <code>os.getpid()</code> and the
<code>mod_wsgi</code> module (<a href="/hello?%(query)s">example</a>). The first view loads every script.
The log lines are the latest ones of each script's interpreter in <code>%(log)s</code>.</p>
<p>Daemon process groups: </p><ul>%(groups)s</ul>
""" % {'touched': touched_html(environ, aliases, results, lines, q) if touched else '',
       'processes': processes_html(aliases, results),
       'touch_head': 'Touch' if touch_on else '',
       'rows': rows, 'pages': pages_html(environ, {a.url for a in aliases}),
       'config': esc(demo_site.setting(environ, demo_site.ENV_CONFIG)),
       'query': demo_site.STATUS_QUERY, 'log': esc(demo_site.log_path(environ)),
       'groups': group_notes or '<li>none</li>'}
    return demo_site.page(environ, start_response, 'The server right now', body)


application = demo_site.with_status(dashboard, globals())
