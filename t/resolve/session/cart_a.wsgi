# Script A of t/standalone/19_resolve_redis.t (copied, with the Redis socket
# filled in): a Flask app whose session lives in Redis (Flask-Session, which
# pickles it) keeps a Cart, a class defined here, in the WSGI script.
import os

import redis
from flask import Flask, jsonify, request, session
from flask_session import Session

REDIS_SOCKET = '@REDIS_SOCKET@'


class Cart:
    def __init__(self, items):
        self.items = list(items)


app = Flask(__name__)
app.config.update(SECRET_KEY='19_resolve', SESSION_TYPE='redis', SESSION_USE_SIGNER=False,
                  SESSION_PERMANENT=False, SESSION_REDIS=redis.Redis(unix_socket_path=REDIS_SOCKET))
Session(app)


@app.route('/put')
def put():
    session['cart'] = Cart(request.args.get('items', 'apple,pear').split(','))
    return jsonify(stored=session['cart'].items, pid=os.getpid())


application = app
