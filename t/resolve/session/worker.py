"""A worker outside Apache (t/standalone/19_resolve_redis.t): reads the
session script A wrote, with wsgiscript.resolve.install(manifest).

    python worker.py MANIFEST REDIS_SOCKET KEY
"""
import json
import pickle
import sys

import redis

import wsgiscript
import wsgiscript.resolve

manifest, sock, key = sys.argv[1:4]
count = wsgiscript.resolve.install(manifest)
data = redis.Redis(unix_socket_path=sock).get(key)
session = pickle.loads(data)
cart = session.get('cart')
module = type(cart).__module__
print(json.dumps({'scripts': count, 'cart': cart.items, 'cart_module': module,
                  'script': sys.modules[module].__file__,
                  'generation': sys.modules[module].__wsgiscript_generation__,
                  'loaded': {k: r.path for k, r in wsgiscript.loaded_scripts().items()},
                  'package': wsgiscript.__file__}))
