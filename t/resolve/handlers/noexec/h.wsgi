# t/19_resolve: a file of a WSGIScriptAlias directory target.
import pickle

import resolvetest

resolvetest.note_load(__file__)


class Cart:
    def __init__(self):
        self.items = ['dir']


def application(environ, start_response):
    data = pickle.dumps(Cart())
    start_response('200 OK', [('Content-Type', 'application/octet-stream')])
    return [data]
