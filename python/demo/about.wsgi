# Shows how mod_wsgiscript loaded this script. Touch the file (or edit it)
# and reload the page: the generation goes up and the load time changes.
import datetime
import html
import os
import sys
import time

LOADED_AT = time.time()
LOADED_IN_PID = os.getpid()


def _mtime_text(mtime_us):
    if not isinstance(mtime_us, int):
        return repr(mtime_us)
    stamp = datetime.datetime.fromtimestamp(mtime_us / 1e6, datetime.timezone.utc)
    return '%d (%s)' % (mtime_us, stamp.isoformat(timespec='microseconds'))


def application(environ, start_response):
    try:
        import mod_wsgi
        mw = 'version %r, application group %r, process group %r' % (
            mod_wsgi.version, mod_wsgi.application_group, mod_wsgi.process_group)
    except ImportError as exc:
        mw = 'not importable: %s' % exc
    g = globals()
    rows = [
        ('__name__', __name__),
        ('__file__', g.get('__file__')),
        ('__mtime__', _mtime_text(g.get('__mtime__'))),
        ('__wsgiscript_generation__', g.get('__wsgiscript_generation__')),
        ('in sys.modules', sys.modules.get(__name__) is not None),
        ('loaded at', datetime.datetime.fromtimestamp(LOADED_AT).isoformat(timespec='seconds')),
        ('loaded in pid / serving pid', '%d / %d' % (LOADED_IN_PID, os.getpid())),
        ('mod_wsgi module', mw),
        ('Python', sys.version.split()[0] + ' (' + sys.executable + ')'),
        ('SCRIPT_NAME / PATH_INFO', '%r / %r' % (environ.get('SCRIPT_NAME'), environ.get('PATH_INFO'))),
    ]
    table = '\n'.join('<tr><th>%s</th><td><code>%s</code></td></tr>'
                      % (html.escape(k), html.escape(str(v))) for k, v in rows)
    page = """<!doctype html>
<html><head><meta charset="utf-8"><title>mod_wsgiscript: about this script</title>
<style>body{font-family:sans-serif;margin:2em}th{text-align:left;padding-right:1em}
td,th{border-bottom:1px solid #ddd;padding:.3em}</style></head>
<body><h1>About this script</h1>
<table>%s</table>
<h2>Try a reload</h2>
<p>Run <code>touch %s</code> (or edit the file), then reload this page:
<code>__wsgiscript_generation__</code> goes up by one, <code>__mtime__</code> and
"loaded at" change, and the error log gets a <code>WSGIS0102</code> line.
Each server process has its own interpreters, so a reload shows in each process
the first time that process serves the page.</p>
</body></html>
""" % (table, html.escape(str(g.get('__file__'))))
    body = page.encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/html; charset=utf-8'),
                              ('Content-Length', str(len(body)))])
    return [body]
