# Script B of t/standalone/19_resolve_redis.t: another script (another file,
# another URL) sharing the session store. It does not define Cart. When the
# session cannot be unpickled, Flask-Session starts an empty one (HTTP 200,
# the data simply gone): the answer says what arrived.
import os
import sys

import mod_wsgi
import redis
from flask import Flask, jsonify, session
from flask_session import Session

REDIS_SOCKET = '@REDIS_SOCKET@'

app = Flask(__name__)
app.config.update(SECRET_KEY='19_resolve', SESSION_TYPE='redis', SESSION_USE_SIGNER=False,
                  SESSION_PERMANENT=False, SESSION_REDIS=redis.Redis(unix_socket_path=REDIS_SOCKET))
Session(app)


@app.route('/get')
def get():
    cart = session.get('cart')
    return jsonify(cart=None if cart is None else cart.items,
                   cart_module=None if cart is None else type(cart).__module__,
                   keys=sorted(session.keys()), pid=os.getpid(), group=mod_wsgi.application_group,
                   scripts=sorted(k for k in sys.modules if k.startswith('_mod_wsgi_')))


application = app
