# print() and wsgi.errors both belong in the error log.
import sys
import urllib.parse


def application(environ, start_response):
    query = urllib.parse.parse_qs(environ.get('QUERY_STRING', ''))
    ident = query.get('id', ['x'])[0]
    print('print-marker-%s' % ident)
    sys.stdout.flush()
    environ['wsgi.errors'].write('errors-marker-%s\n' % ident)
    environ['wsgi.errors'].flush()
    print('stderr-marker-%s' % ident, file=sys.stderr)
    sys.stderr.flush()
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'logged ' + ident.encode('ascii')]
