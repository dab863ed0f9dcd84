# t/19_resolve: GET ?what=instance|class|function answers pickle.dumps of
# this script's Cart(), Cart or discount: the bytes name this script's module.
# ?registry=1: what this interpreter has loaded (after a resolve, a request
# here finds the script loaded, generation 1).
import pickle

import resolvetest

resolvetest.note_load(__file__)


class Cart:
    def __init__(self):
        self.items = ['apple', 'pear']


def discount(x):
    return x


def application(environ, start_response):
    q = resolvetest.query(environ)
    if 'registry' in q:
        return resolvetest.respond(start_response, {'registry': resolvetest.registry(),
                                                    'loads': resolvetest.loads.get(__file__, 0)}, globals())
    obj = {'instance': Cart(), 'class': Cart, 'function': discount}[q.get('what', 'instance')]
    data = pickle.dumps(obj)
    start_response('200 OK', [('Content-Type', 'application/octet-stream'), ('Content-Length', str(len(data)))])
    return [data]
