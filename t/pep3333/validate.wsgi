# Apps wrapped in wsgiref.validate.validator: any PEP 3333 violation by the
# server (environ, wsgi.input, start_response, write, iteration, close) makes
# the validator raise AssertionError (logged as WSGIS0110 + traceback) or
# print a WSGIWarning (logged as WSGIS0201). /gc (not validated) collects
# garbage so validator objects' __del__ checks run before the test reads the log.
import gc
import hashlib
import os
import sys
import warnings
from wsgiref.validate import validator, WSGIWarning

here = os.path.dirname(__file__)
if here not in sys.path:
    sys.path.insert(0, here)
import peputil

warnings.simplefilter('always', WSGIWarning)


def read_body(inp):
    h = hashlib.md5()
    n = 0
    # readline() first, then read(n) blocks (the validator requires an argument)
    line = inp.readline()
    h.update(line)
    n += len(line)
    while True:
        piece = inp.read(65536)
        if not piece:
            break
        h.update(piece)
        n += len(piece)
    return n, h.hexdigest()


def app(environ, start_response):
    what = environ.get('PATH_INFO', '')
    if what in ('/get', '/head'):
        body = b'validated ' + environ['REQUEST_METHOD'].encode()
        start_response('200 OK', [('Content-Type', 'text/plain'),
                                  ('Content-Length', str(len(body)))])
        return [body]
    if what in ('/post', '/chunked'):
        n, md5 = read_body(environ['wsgi.input'])
        body = ('%d %s' % (n, md5)).encode()
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [body]
    if what == '/stream':
        start_response('200 OK', [('Content-Type', 'text/plain')])

        def gen():
            for i in range(5):
                yield b'stream %d\n' % i
        return gen()
    if what == '/write':
        write = start_response('200 OK', [('Content-Type', 'text/plain')])
        write(b'written;')
        return [b'returned']
    if what == '/file':
        path = os.path.join(here, 'peputil.py')
        start_response('200 OK', [('Content-Type', 'text/plain'),
                                  ('Content-Length', str(os.path.getsize(path)))])
        return environ['wsgi.file_wrapper'](open(path, 'rb'), 4096)
    start_response('404 Not Found', [('Content-Type', 'text/plain')])
    return [b'unknown']


validated = validator(app)


def application(environ, start_response):
    if environ.get('PATH_INFO') == '/gc':
        n = gc.collect()
        body = b'collected %d' % n
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [body]
    return validated(environ, start_response)
