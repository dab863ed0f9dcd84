# Runs in application group pickle-*-maker. GET: answers pickle.dumps(Cart())
# (the bytes name this script's module, _mod_wsgi_<md5 of this path>, and
# 'Cart'). POST the bytes back (?api=loads): they load fine here, where the
# script is loaded. t/09_pickle/unpickle.t posts them to /pickle/unpickle,
# which runs in another application group.
import pickle

import pickletest


class Cart:
    def __init__(self):
        self.items = ['apple', 'pear']


def application(environ, start_response):
    if environ['REQUEST_METHOD'] == 'POST':
        data = pickletest.read_body(environ)
        result = pickletest.attempt(lambda: pickle.loads(data).items)
        return pickletest.respond(start_response, globals(), result)
    data = pickle.dumps(Cart())
    start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                              ('Content-Length', str(len(data)))])
    return [data]
