# t/19_resolve: never requested: no child has ever served it. Bytes naming
# its Cart are made by the test; a reader unpickles them.
import resolvetest

resolvetest.note_load(__file__)


class Cart:
    items = ['never-served']


def application(environ, start_response):
    start_response('500 Internal Server Error', [('Content-Type', 'text/plain')])
    return [b'never.wsgi must not be requested by the tests\n']
