# Demo material for the shared-store page (WSGIPickleResolve): script A.
# A Flask app whose session lives in Redis (Flask-Session's Redis backend
# pickles the whole session) keeps a Cart, a class defined HERE, in the WSGI
# script, in the session. Script B (cart-b.wsgi), another file at another URL,
# reads the same session. Redis: $WSGISCRIPT_DEMO_REDIS of the Apache process
# (a redis:// or unix:// URL; default unix:///tmp/wsgiscript-demo-redis.sock).
# See conf/demo-resolve.conf.in.
import os

import redis
from flask import Flask, redirect, request, session
from flask_session import Session

REDIS_URL = os.environ.get('WSGISCRIPT_DEMO_REDIS', 'unix:///tmp/wsgiscript-demo-redis.sock')


class Cart:
    """Defined in the WSGI script: pickled as _mod_wsgi_<md5 of this file>.Cart."""

    def __init__(self, items):
        self.items = list(items)

    def __repr__(self):
        return 'Cart(%r)' % (self.items,)


app = Flask(__name__)
app.config.update(SECRET_KEY='wsgiscript-demo', SESSION_TYPE='redis', SESSION_USE_SIGNER=False,
                  SESSION_PERMANENT=False, SESSION_REDIS=redis.Redis.from_url(REDIS_URL))
Session(app)


@app.route('/')
def put():
    items = request.args.get('items', 'apple,pear').split(',')
    session['cart'] = Cart(items)
    # Back to script B on this server (the demo page links both sides).
    return redirect(request.args.get('next') or request.script_root.rsplit('/', 1)[0] + '/b')


application = app
