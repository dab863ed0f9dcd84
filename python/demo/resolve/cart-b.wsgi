# The shared-store pages (WSGIPickleResolve), script B, at /resolve/b on both
# sides (conf/demo-resolve.conf.in). Another script sharing script A's Redis
# session store, in another application group; it does not define Cart.
# With WSGIPickleResolve Off, the session cannot be unpickled here:
# Flask-Session swallows the error and starts an empty session (HTTP 200, the
# data simply gone); WSGIPickleDiagnostics still logs the WSGIS0301 entry that
# explains it. With it On, unpickling loads script A here (WSGIS0322) and the
# Cart arrives. The page shows which, what Redis holds, and the error-log
# lines of the request (pickle_demo.LogWindow, python/demo/lib).
import sys

from flask import Flask, request, session

import pickle_demo
import resolve_demo
from demo_site import esc

app = resolve_demo.configure(Flask(__name__))


def verdict_html(cart, data):
    if cart is not None:
        return ('<p class="ok" id="verdict">The Cart arrived: <code class="items">%s</code>, an instance of '
                '<code><span class="cart-module">%s</span>.Cart</code>, script A\'s class, loaded into this interpreter '
                'by its name.</p>' % (esc(', '.join(map(str, cart.items))), esc(type(cart).__module__)))
    if data is not None:
        return ('<p class="bad" id="verdict">The session is empty (HTTP 200): the Cart is gone. Flask-Session '
                'caught the unpickling error and started an empty session; the application saw no '
                'error.</p>')
    return ('<p id="verdict">There is no Cart in this session yet: put one in with '
            '<a href="%s">script A</a>.</p>' % esc(request.script_root.rsplit('/', 1)[0] + '/a'))


@app.route('/', strict_slashes=False)
def show():
    environ = request.environ
    window = environ['demo.log_window']
    cart = session.get('cart')          # the session was unpickled before this view ran
    lines = window.lines(tags=('WSGIS030', 'WSGIS032', 'WSGIS0101'))
    data, _ = resolve_demo.stored(getattr(session, 'sid', None))
    on = resolve_demo.on_side(environ)
    group = environ.get('mod_wsgi.application_group', '')
    if on:
        why = ("""<p>WSGIPickleResolve is On here: inside <code>pickle.loads</code>, the import of A's module
name loaded script A into this interpreter (application group <code>%s</code>) as a first request for
it would, and unpickling went on. The server logs that load (<code>WSGIS0322</code>, and A's
<code>WSGIS0101</code>) once per interpreter: after the first read nothing more is logged.</p>"""
               % esc(group))
        none_text = 'Nothing was logged during this request: script A was already loaded in this interpreter.'
        nxt = ('<p><a id="off-side" href="%s">The same session with WSGIPickleResolve Off</a> · '
               '<a href="%s">put another Cart in (script A, this side)</a></p>'
               % (esc(resolve_demo.side_url(environ, False, '/resolve/b')), esc('/resolve/a')))
    else:
        why = ("""<p>This interpreter (application group <code>%s</code>) has not loaded script A, and
WSGIPickleResolve is Off here, so the import of A's module name inside <code>pickle.loads</code> fails
with <code>ModuleNotFoundError</code>. Flask-Session catches it and the application never sees it; pickle
diagnostics wrote the entry below anyway, naming A's script file. The data is still in Redis.</p>"""
               % esc(group))
        none_text = 'No diagnostics entry was written during this request.'
        nxt = ('<p class="notice"><a id="on-side" href="%s">Read the same session with WSGIPickleResolve On '
               '(port %s) &rarr;</a></p>'
               % (esc(resolve_demo.side_url(environ, True, '/resolve/b')), esc(resolve_demo.ports(environ)[1])))
    scripts = sorted(k for k in sys.modules if k.startswith('_mod_wsgi_'))
    body = """%(back)s
<p>This is script B, %(side)s.</p>
%(verdict)s
%(stored)s
%(why)s
<h2>Written to the error log during this request</h2>
%(log)s
<p>Script modules in this interpreter: <code class="modules">%(scripts)s</code></p>
%(next)s""" % {
        'back': resolve_demo.back_html(environ), 'side': resolve_demo.side_html(environ),
        'verdict': verdict_html(cart, data), 'stored': resolve_demo.stored_html(getattr(session, 'sid', None)),
        'why': '<h2>Why</h2>' + why if (cart is not None or data is not None) else '',
        'log': pickle_demo.log_html(window, lines, none_text), 'scripts': esc(', '.join(scripts)),
        'next': nxt}
    return resolve_demo.view('Shared store: script B, WSGIPickleResolve %s' % ('On' if on else 'Off'), body)


def application(environ, start_response):
    # The log window opens before Flask opens (unpickles) the session.
    environ['demo.log_window'] = pickle_demo.LogWindow(environ)
    return app(environ, start_response)


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
