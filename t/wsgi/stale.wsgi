# Objects of a finished request, kept by the application and used by the
# next request (t/07_response/stale_objects.t): wsgi.input reads b'',
# start_response and write() raise RuntimeError, wsgi.errors writes to the
# server's log.
import json

KEPT = {}


def application(environ, start_response):
    op = environ.get('PATH_INFO', '').strip('/')
    if op == 'keep':
        write = start_response('200 OK', [('Content-Type', 'text/plain')])
        KEPT.update(input=environ['wsgi.input'], start_response=start_response, write=write,
                    errors=environ['wsgi.errors'])
        return [b'kept']
    result = {}
    try:
        result['input'] = KEPT['input'].read(100).decode()
    except Exception as e:
        result['input'] = type(e).__name__
    for name, call in (('start_response', lambda: KEPT['start_response']('200 OK', [])),
                       ('write', lambda: KEPT['write'](b'x'))):
        try:
            call()
            result[name] = 'no error'
        except Exception as e:
            result[name] = '%s: %s' % (type(e).__name__, e)
    try:
        KEPT['errors'].write('stale wsgi.errors line\n')
        KEPT['errors'].flush()
        result['errors'] = 'written'
    except Exception as e:
        result['errors'] = type(e).__name__
    body = json.dumps(result).encode()
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [body]
