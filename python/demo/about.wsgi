# Shows how mod_wsgiscript loaded this script. Touch the file (or edit it)
# and reload the page: the generation goes up and the load time changes.
import datetime
import os
import sys
import time

import demo_site
from demo_site import esc

LOADED_AT = time.time()
LOADED_IN_PID = os.getpid()


def _mtime_text(mtime_us):
    if not isinstance(mtime_us, int):
        return repr(mtime_us)
    stamp = datetime.datetime.fromtimestamp(mtime_us / 1e6, datetime.timezone.utc)
    return '%d (%s)' % (mtime_us, stamp.isoformat(timespec='microseconds'))


def about(environ, start_response):
    if environ['REQUEST_METHOD'] == 'POST' and demo_site.touch_allowed(environ):
        error = demo_site.touch(__file__)
        if error:
            return demo_site.page(environ, start_response, 'Could not touch the script',
                                  '<p class="bad">%s</p><p>Run <code>touch %s</code> yourself.</p>'
                                  % (esc(error), esc(__file__)))
        return demo_site.redirect(start_response, '/about')
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
    table = '\n'.join('<tr><th>%s</th><td><code id="%s">%s</code></td></tr>'
                      % (esc(k), esc('v-' + k.strip('_').replace(' ', '-').replace('/', '')), esc(v))
                      for k, v in rows)
    touch = ''
    if demo_site.touch_allowed(environ):
        touch = ('<form method="post" action="/about"><button type="submit">Touch this script</button> '
                 '<span class="muted">(sets its mtime to now, then shows this page again)</span></form>')
    body = """<p class="lead">A WSGI script is not imported: the server runs the file into a module
of its own, named from the file's path, and keeps it in <code>sys.modules</code>. These are the facts
this script sees about itself.</p>
<table class="facts">%s</table>
<h2>Try a reload</h2>
%s
<p>Or run <code>touch %s</code> (or edit the file), then reload this page:
<code>__wsgiscript_generation__</code> goes up by one, <code>__mtime__</code> and
"loaded at" change, and the error log gets a <code>WSGIS0102</code> line.
Each server process has its own interpreters, so a reload shows in each process
the first time that process serves the page.</p>
""" % (table, touch, esc(g.get('__file__')))
    return demo_site.page(environ, start_response, 'About this script', body)


application = demo_site.with_status(about, globals())
