# Demo material for the shared-store page (WSGIPickleResolve): script B.
# Another script sharing script A's Redis session store. It does not define
# Cart. With WSGIPickleResolve Off, the session cannot be unpickled here:
# Flask-Session swallows the error and starts an empty session (HTTP 200, the
# data simply gone); WSGIPickleDiagnostics still logs the WSGIS0301 entry that
# explains it. With it On, unpickling loads script A here and the Cart
# arrives. The page shows which, and the error-log lines of the request
# (pickle_demo.LogWindow, python/demo/pickle/lib, on the demo's WSGIPythonPath).
import html
import os
import sys

import redis
from flask import Flask, request, session
from flask_session import Session

import pickle_demo
import wsgiscript.resolve

REDIS_URL = os.environ.get('WSGISCRIPT_DEMO_REDIS', 'unix:///tmp/wsgiscript-demo-redis.sock')

app = Flask(__name__)
app.config.update(SECRET_KEY='wsgiscript-demo', SESSION_TYPE='redis', SESSION_USE_SIGNER=False,
                  SESSION_PERMANENT=False, SESSION_REDIS=redis.Redis.from_url(REDIS_URL))
Session(app)


@app.route('/')
def show():
    window = request.environ['demo.log_window']
    cart = session.get('cart')   # the session was unpickled before this view ran
    lines = window.lines(tags=('WSGIS030', 'WSGIS032', 'WSGIS0101'))
    state = 'On' if wsgiscript.resolve.enabled() else 'Off'
    if cart is not None:
        verdict = ('<p class="ok">The Cart arrived: <code>%s</code>, an instance of <code>%s.Cart</code> '
                   '(script A, loaded here by name).</p>' % (html.escape(repr(cart.items)),
                                                             html.escape(type(cart).__module__)))
    else:
        verdict = ('<p class="bad">The session is empty (HTTP 200): the Cart is gone. '
                   'Flask-Session caught the unpickling error and started an empty session.</p>')
    scripts = sorted(k for k in sys.modules if k.startswith('_mod_wsgi_'))
    body = ('<h1>Script B, WSGIPickleResolve %s</h1>%s'
            '<p>Script modules in this interpreter: <code>%s</code></p>'
            '<h2>Error log lines of this request</h2><pre class="log">%s</pre>'
            % (state, verdict, html.escape(', '.join(scripts)),
               html.escape('\n'.join(lines) if lines else (window.error or '(none)'))))
    return '<!doctype html><meta charset="utf-8"><title>shared session</title>' + body


def application(environ, start_response):
    # The log window opens before Flask opens (unpickles) the session.
    environ['demo.log_window'] = pickle_demo.LogWindow(environ)
    return app(environ, start_response)
