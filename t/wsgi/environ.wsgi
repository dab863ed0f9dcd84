# Echoes the WSGI environ as JSON. With ?close=ID the response iterable's
# close() writes t/logs/close-ID.marker.
import json
import os
import urllib.parse
import wsgitest_util


class Body:
    def __init__(self, chunks, marker):
        self.chunks = chunks
        self.marker = marker

    def __iter__(self):
        return iter(self.chunks)

    def close(self):
        if self.marker:
            with open(self.marker, 'w') as f:
                f.write('closed\n')


def application(environ, start_response):
    length = environ.get('CONTENT_LENGTH') or '0'
    body = environ['wsgi.input'].read(int(length)) if int(length) > 0 else b''
    data = {k: v for k, v in environ.items()
            if k.startswith('HTTP_') or k in (
                'REQUEST_METHOD', 'SCRIPT_NAME', 'PATH_INFO', 'QUERY_STRING',
                'CONTENT_LENGTH', 'CONTENT_TYPE', 'SERVER_NAME', 'SERVER_PORT',
                'SERVER_PROTOCOL', 'REMOTE_ADDR', 'wsgi.url_scheme',
                'wsgi.multithread', 'wsgi.multiprocess', 'wsgi.run_once',
                'mod_wsgi.extra', 'SETENV_VAR')}
    data['wsgi.version'] = list(environ['wsgi.version'])
    data['mod_wsgi.version'] = list(environ['mod_wsgi.version'])
    data['wsgi.version_is_tuple'] = isinstance(environ['wsgi.version'], tuple)
    data['body'] = body.decode('latin-1')
    data['has_wsgi_errors'] = hasattr(environ.get('wsgi.errors'), 'write')
    query = urllib.parse.parse_qs(environ.get('QUERY_STRING', ''))
    marker = None
    if 'close' in query:
        marker = os.path.join(wsgitest_util.logs_dir(__file__),
                              'close-%s.marker' % query['close'][0])
    out = json.dumps(data, sort_keys=True).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(out)))])
    return Body([out], marker)
