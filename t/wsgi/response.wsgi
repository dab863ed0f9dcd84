# Response features: status with reason, repeated headers, the write()
# callable, and wsgi.file_wrapper (of t/logs/response_file.txt, written by the test).
import os
import wsgitest_util


def application(environ, start_response):
    what = environ.get('PATH_INFO', '')
    if what == '/status':
        start_response('201 Created', [('Content-Type', 'text/plain'),
                                       ('X-Custom', 'custom-value'),
                                       ('Set-Cookie', 'a=1'),
                                       ('Set-Cookie', 'b=2')])
        return [b'created']
    if what == '/write':
        write = start_response('200 OK', [('Content-Type', 'text/plain')])
        write(b'from-write;')
        return [b'from-iterable']
    if what == '/file':
        path = os.path.join(wsgitest_util.logs_dir(__file__), 'response_file.txt')
        size = os.path.getsize(path)
        start_response('200 OK', [('Content-Type', 'text/plain'),
                                  ('Content-Length', str(size))])
        return environ['wsgi.file_wrapper'](open(path, 'rb'), 8192)
    start_response('404 Not Found', [('Content-Type', 'text/plain')])
    return [b'unknown']
