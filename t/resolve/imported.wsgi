# t/19_resolve: a WSGIImportScript file (preloaded into its own group).
import resolvetest

resolvetest.note_load(__file__)


class Cart:
    items = ['imported']


def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'imported\n']
