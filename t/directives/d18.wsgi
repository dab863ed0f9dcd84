# t/18_directives: what the application sees and answers, for the
# request-level directives of mod_wsgi (t/conf/18_directives.conf.in).
import ctypes
import json
import os


def request_line(capsule):
    """The_request of the request_rec in the capsule (WSGIPassApacheRequest)."""
    get = ctypes.pythonapi.PyCapsule_GetPointer
    get.restype = ctypes.c_void_p
    get.argtypes = [ctypes.py_object, ctypes.c_char_p]
    rec = get(capsule, None)
    # request_rec: pool, connection, server, next, prev, main, the_request
    the_request = ctypes.cast(rec + 6 * ctypes.sizeof(ctypes.c_void_p), ctypes.POINTER(ctypes.c_char_p))
    return the_request.contents.value.decode('latin-1')


def application(environ, start_response):
    what = '/' + environ.get('PATH_INFO', '').rsplit('/', 1)[-1]
    if what == '/status':
        code = environ.get('QUERY_STRING') or '404'
        body = ('app-error-page-%s' % code).encode()
        start_response('%s App' % code, [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
        return [body]
    if what == '/file':
        path = os.path.join(os.path.dirname(__file__), 'blob.bin')
        if not os.path.exists(path):
            with open(path + '.tmp', 'wb') as f:
                f.write(bytes(range(256)) * 4096)
            os.replace(path + '.tmp', path)
        start_response('200 OK', [('Content-Type', 'application/octet-stream')])
        return environ['wsgi.file_wrapper'](open(path, 'rb'), 65536)
    info = {
        'method': environ['REQUEST_METHOD'],
        'pid': os.getpid(),
        'group': environ.get('mod_wsgi.process_group'),
        'app_group': environ.get('mod_wsgi.application_group'),
        'callable': environ.get('mod_wsgi.callable_object'),
        'has_request_rec': 'apache.request_rec' in environ,
    }
    if 'apache.request_rec' in environ:
        info['capsule_type'] = type(environ['apache.request_rec']).__name__
        info['the_request'] = request_line(environ['apache.request_rec'])
    length = int(environ.get('CONTENT_LENGTH') or 0)
    data = environ['wsgi.input'].read()
    info['body_len'] = len(data)
    body = json.dumps(info).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('X-Method', environ['REQUEST_METHOD'])])
    return [body]


def other_app(environ, start_response):
    body = json.dumps({'callable': environ.get('mod_wsgi.callable_object'), 'other': True}).encode()
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [body]
