"""Shared code of the pickle demonstration pages (python/demo/pickle/*.wsgi).

Each page runs one pickle scenario inside its request and shows the visitor
what the application saw (Python's exception) and what the server wrote to
its error log during that request (the WSGIS0301 entry of
WSGIPickleDiagnostics). The error log's path comes from the request
environment variable WSGISCRIPT_DEMO_ERROR_LOG (set with SetEnv in
conf/demo-pickle.conf.in).

This is an ordinary module on sys.path (WSGIPythonPath), not a WSGI script,
so nothing here is affected by the problems the pages demonstrate.
"""
import html
import os

import demo_site

LOG_ENV = 'WSGISCRIPT_DEMO_ERROR_LOG'

class LogWindow:
    """The lines this request appends to the error log.

    Created at the start of a request (remembers the log's size), read after
    the scenario ran. Entries are written synchronously by the pickle call
    that failed, so they are in the file once the call has returned.
    """

    def __init__(self, environ):
        self.environ = environ
        self.path = environ.get(LOG_ENV) or os.environ.get(LOG_ENV)
        self.method = environ.get('REQUEST_METHOD', 'GET')
        uri = environ.get('REQUEST_URI')
        if not uri:
            uri = environ.get('SCRIPT_NAME', '') + environ.get('PATH_INFO', '')
            if environ.get('QUERY_STRING'):
                uri += '?' + environ['QUERY_STRING']
        self.uri = uri
        self.error = None
        self.offset = 0
        if self.path:
            try:
                self.offset = os.path.getsize(self.path)
            except OSError as exc:
                self.error = 'cannot read the error log %s: %s' % (self.path, exc)
        else:
            self.error = ('the server did not pass the error log path (%s is not set); '
                          'look at the error log yourself' % LOG_ENV)

    def lines(self, tags=('WSGIS030',)):
        """Lines of this process appended since the start with one of the tags.

        An entry written inside another request (with a different
        "(request: ...)" part) is left out.
        """
        if self.error:
            return []
        try:
            with open(self.path, 'rb') as f:
                f.seek(self.offset)
                text = f.read().decode('utf-8', 'replace')
        except OSError as exc:
            self.error = 'cannot read the error log %s: %s' % (self.path, exc)
            return []
        pid = '[pid %d:' % os.getpid()
        mine = '(request: %s %s)' % (self.method, self.uri)
        out = []
        for line in text.splitlines():
            if pid not in line or not any(tag in line for tag in tags):
                continue
            if '(request: ' in line and mine not in line:
                continue
            out.append(line)
        return out


def attempt(operation):
    """Run operation(); return (ok, value or exception), as the app would catch it."""
    try:
        return True, operation()
    except Exception as exc:
        return False, exc


def esc(value):
    return html.escape(str(value))


def exception_html(exc):
    return '<pre class="bad">%s: %s</pre>' % (esc(type(exc).__qualname__ if type(exc).__module__ == 'builtins'
                                                 else '%s.%s' % (type(exc).__module__, type(exc).__qualname__)),
                                              esc(exc))


def outcome_html(ok, value, success_text='It worked: no exception.'):
    if ok:
        return '<p class="ok">%s</p>' % esc(success_text)
    return '<p>The application caught this exception (Python\'s own message):</p>' + exception_html(value)


def log_html(window, lines, none_text=None):
    if window.error:
        return '<p class="bad">%s</p>' % esc(window.error)
    if not lines:
        return '<p>%s</p>' % esc(none_text or 'No diagnostics entry was written during this request.')
    parts = ['<p>Written to the error log <code>%s</code> during this request '
             '(%d entr%s):</p>' % (esc(window.path), len(lines), 'y' if len(lines) == 1 else 'ies')]
    for line in lines:
        text = demo_site.TAG_RE.sub(r'<b class="tag">\1</b>', esc(line))
        for category in ('not-found', 'not-same-object', 'module-not-importable'):
            token = ': %s: ' % category
            text = text.replace(token, ': <span class="cat">%s</span>: ' % category, 1)
        parts.append('<pre class="log">%s</pre>' % text)
    return '\n'.join(parts)


def scenario_source(path):
    """The lines of a page's own file between '# --- scenario' and '# --- end'."""
    try:
        with open(path, encoding='utf-8') as f:
            text = f.read()
    except OSError:
        return '(source not readable)'
    start = text.find('# --- scenario')
    end = text.find('# --- end')
    if start < 0 or end < start:
        return text
    start = text.index('\n', start) + 1
    return text[start:end]


def code_html(source):
    return '<pre>%s</pre>' % esc(source.strip('\n'))


def installed_html():
    try:
        from wsgiscript import pickle_diagnostics
        on = pickle_diagnostics.installed()
    except ImportError:
        on = None
    if on:
        return ''
    return ('<p class="bad">WSGIPickleDiagnostics is not On for this server: Python\'s '
            'exception still happens, but no log entry is written.</p>')


NAV = '<p class="subnav"><a href="/pickle">&larr; all pickle scenarios</a></p>'


def page(environ, start_response, title, body, status='200 OK', back=True):
    """A pickle page in the demo's layout, with the link back to the scenarios (back=True)."""
    return demo_site.page(environ, start_response, title,
                          '%s\n%s\n%s' % (NAV if back else '', installed_html(), body), status=status)


def scenario(start_response, window, title, explanation, code, ok, value, remedy,
             extra=''):
    """The usual page: what happens, the code, what the app saw, the log entry, the remedy."""
    body = """<h2>What happens</h2>
%s
<h2>The code this page ran</h2>
%s
<h2>What the application saw</h2>
%s
<h2>What the server logged</h2>
%s
<h2>Remedy</h2>
%s
%s
<p>Reload the page: each request fails again and writes exactly one new entry.</p>
""" % (explanation, code_html(code), outcome_html(ok, value), log_html(window, window.lines()),
       remedy, extra)
    return page(window.environ, start_response, title, body)


REMEDY = """<p>Pickle only builtin types (<code>str</code>, <code>bytes</code>,
<code>int</code>, <code>float</code>, <code>bool</code>, <code>None</code>, and
tuples, lists, dicts and sets of those) from a WSGI script, or move the function
or class into an ordinary module on <code>sys.path</code> (for example with
<code>WSGIPythonPath</code>) and import it from the script: an imported module
has one importable name everywhere and is not re-run when the script is
reloaded. See <a href="/pickle/builtin">the builtin-data page</a>.</p>"""

