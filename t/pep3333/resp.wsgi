# start_response() and body handling; PATH_INFO picks the case, ?id= names the
# marker files (t/logs/pep-*) the app writes for the test to read.
import os
import sys
import time

here = os.path.dirname(__file__)
if here not in sys.path:
    sys.path.insert(0, here)
import peputil

BAD_HEADERS = {
    'crlf': ('X-Evil', 'a\r\nX-Injected: yes'),
    'lf': ('X-Evil', 'a\nX-Injected: yes'),
    'cr': ('X-Evil', 'a\rX-Injected: yes'),
    'nul': ('X-Evil', 'a\x00b'),
    'ctl': ('X-Evil', 'a\x01b'),
    'del': ('X-Evil', 'a\x7fb'),
    'name_crlf': ('X-Evil\r\nX-Injected', 'yes'),
    'name_space': ('X Evil', 'yes'),
    'name_colon': ('X-Evil:', 'yes'),
    'name_empty': ('', 'yes'),
    'nonlatin1': ('X-Evil', 'euro \u20ac'),
    'name_nonlatin1': ('X-\u20ac', 'yes'),
}


def application(environ, start_response):
    what = environ.get('PATH_INFO', '')
    q = peputil.query(environ)
    ident = q.get('id', 'x')
    mark = peputil.marker(__file__, '%s-%s' % (what.strip('/').replace('/', '_'), ident))

    if what == '/status_caught':
        # a bad status: the app sees the error, then answers properly
        try:
            start_response(q['s'], [('Content-Type', 'text/plain')])
            err = 'no error'
        except Exception as e:
            err = '%s: %s' % (type(e).__name__, e)
        return peputil.json_response(start_response, {'error': err})

    if what == '/status_uncaught':
        start_response(q['s'], [('Content-Type', 'text/plain')])
        return [b'should not be seen']

    if what == '/header_caught':
        try:
            start_response('200 OK', [('Content-Type', 'text/plain'), BAD_HEADERS[q['h']]])
            err = 'no error'
        except Exception as e:
            err = '%s: %s' % (type(e).__name__, e)
        return peputil.json_response(start_response, {'error': err})

    if what == '/header_uncaught':
        start_response('200 OK', [('Content-Type', 'text/plain'), BAD_HEADERS[q['h']]])
        return [b'should not be seen']

    if what == '/latin1':
        start_response('200 OK', [('Content-Type', 'text/plain'),
                                  ('X-Latin1', 'caf\u00e9 \u00ff'),
                                  ('X-Tab', 'a\tb')])
        return [b'latin1 ok']

    if what == '/excinfo_before':
        # replace status and headers before anything was sent
        start_response('200 OK', [('Content-Type', 'text/plain'), ('X-Old', 'old')])
        try:
            raise ValueError('replaced')
        except ValueError:
            start_response('503 Replaced', [('Content-Type', 'text/plain'), ('X-New', 'new')],
                           sys.exc_info())
        return [b'replacement body']

    if what == '/excinfo_after':
        # headers sent: start_response(exc_info) must re-raise that exception
        write = start_response('200 OK', [('Content-Type', 'text/plain')])
        write(b'part1;')
        original = ValueError('after-headers')
        try:
            raise original
        except ValueError:
            try:
                start_response('500 Oops', [('Content-Type', 'text/plain')], sys.exc_info())
                res = b'not-reraised'
            except ValueError as e:
                res = b'reraised-same=%d' % (e is original)
            except Exception as e:
                res = ('other %s' % type(e).__name__).encode()
        return [res]

    if what == '/excinfo_after_uncaught':
        write = start_response('200 OK', [('Content-Type', 'text/plain')])
        write(b'part1;')
        try:
            raise ValueError('reraised-to-server-%s' % ident)
        except ValueError:
            start_response('500 Oops', [('Content-Type', 'text/plain')], sys.exc_info())
        return [b'not reached']

    if what == '/second_call':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        try:
            start_response('201 Created', [('Content-Type', 'text/plain')])
            res = b'no error'
        except Exception as e:
            res = ('%s: %s' % (type(e).__name__, e)).encode()
        return [res]

    if what == '/second_after_output':
        write = start_response('200 OK', [('Content-Type', 'text/plain')])
        write(b'sent;')
        try:
            start_response('201 Created', [('Content-Type', 'text/plain')])
            res = b'no error'
        except Exception as e:
            res = ('%s: %s' % (type(e).__name__, e)).encode()
        return [res]

    if what == '/write':
        write = start_response('200 OK', [('Content-Type', 'text/plain')])
        write(b'one;')
        write(b'')
        write(b'two;')
        return peputil.Closing([b'three;', b'', b'four'], mark) if 'id' in q else [b'three;four']

    if what == '/write_cl':
        write = start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '12')])
        write(b'written;')
        return [b'iter']

    if what == '/write_str':
        write = start_response('200 OK', [('Content-Type', 'text/plain')])
        try:
            write('a str')
            res = b'no error'
        except Exception as e:
            res = ('%s: %s' % (type(e).__name__, e)).encode()
        return [res]

    if what == '/str_body':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return peputil.Closing(['a str item %s' % ident], mark)

    if what == '/str_list':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return [b'bytes first', 'then a str %s' % ident]

    if what == '/str_after_bytes':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return peputil.Closing([b'first-bytes;', 'str-later-%s' % ident], mark)

    if what == '/close_normal':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return peputil.Closing([b'a', b'b', b'c'], mark)

    if what == '/close_error_before':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return peputil.Closing([RuntimeError('close-error-before-%s' % ident)], mark)

    if what == '/close_error_mid':
        start_response('200 OK', [('Content-Type', 'text/plain')])
        return peputil.Closing([b'chunk-one;', RuntimeError('close-error-mid-%s' % ident)], mark)

    if what == '/gen_raise':
        start_response('200 OK', [('Content-Type', 'text/plain')])

        def gen():
            yield b'gen-first;'
            yield b'gen-second;'
            raise RuntimeError('mid-stream-failure-%s' % ident)
        return gen()

    if what == '/gen_raise_cl':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '1000')])

        def gen():
            yield b'declared-1000;'
            raise RuntimeError('mid-stream-cl-failure-%s' % ident)
        return gen()

    if what == '/too_long':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '5')])
        return peputil.Closing([b'012', b'3456789', b'should-not-be-consumed'], mark)

    if what == '/too_short':
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '20')])
        return peputil.Closing([b'short'], mark)

    if what == '/head':
        peputil.append(mark + '.ran', 'method=%s\n' % environ['REQUEST_METHOD'])
        body = b'head-body-' + ident.encode()
        start_response('200 OK', [('Content-Type', 'text/plain'), ('X-Head', 'yes'),
                                  ('Content-Length', str(len(body)))])
        return peputil.Closing([body], mark)

    if what == '/head_gen':
        peputil.append(mark + '.ran', 'method=%s\n' % environ['REQUEST_METHOD'])
        start_response('200 OK', [('Content-Type', 'text/plain'), ('X-Head', 'yes')])
        return peputil.Closing([b'streamed-', b'head-body'], mark)

    if what == '/disconnect':
        # a long generator; the client reads a little and disconnects
        start_response('200 OK', [('Content-Type', 'application/octet-stream')])
        total = int(q.get('items', '16384'))
        block = b'D' * 65536

        class Gen:
            def __init__(self):
                self.n = 0

            def __iter__(self):
                return self

            def __next__(self):
                if self.n >= total:
                    raise StopIteration
                self.n += 1
                return block

            def close(self):
                peputil.append(mark, 'close items=%d of %d\n' % (self.n, total))
        return Gen()

    if what == '/disconnect_write':
        # write() to a client that has gone: the app sees OSError
        write = start_response('200 OK', [('Content-Type', 'application/octet-stream')])
        total = int(q.get('items', '16384'))
        block = b'W' * 65536
        n = 0
        err = None
        try:
            for n in range(1, total + 1):
                write(block)
        except OSError as e:
            err = '%s: %s' % (type(e).__name__, e)
        peputil.append(mark, 'write items=%d of %d error=%s\n' % (n, total, err))
        return peputil.Closing([], mark)

    start_response('404 Not Found', [('Content-Type', 'text/plain')])
    return [b'unknown case ' + what.encode()]
