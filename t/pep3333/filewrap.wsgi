# wsgi.file_wrapper: a real file (?path=, Content-Length declared), an
# io.BytesIO that records the sizes it was asked for, and a wrapper result
# passed through a middleware generator. close() calls go to marker files.
import hashlib
import io
import os
import sys

here = os.path.dirname(__file__)
if here not in sys.path:
    sys.path.insert(0, here)
import peputil


class RecordingFile(io.FileIO):
    mark = None

    def close(self):
        if not self.closed and self.mark:
            peputil.append(self.mark, 'file close\n')
        super().close()


class RecordingBytesIO(io.BytesIO):
    def __init__(self, data, mark):
        super().__init__(data)
        self.mark = mark
        self.sizes = []

    def read(self, *args):
        self.sizes.append(args[0] if args else None)
        return super().read(*args)

    def close(self):
        if self.mark and not self.closed:
            peputil.append(self.mark, 'bytesio close reads=%s\n' % ','.join(map(str, self.sizes)))
        super().close()


def middleware(app):
    """Wraps the result in a generator (so the server cannot see the wrapper)
    and closes the inner result itself, as PEP 3333 middleware must."""
    def wrapped(environ, start_response):
        result = app(environ, start_response)
        try:
            for chunk in result:
                yield chunk
        finally:
            if hasattr(result, 'close'):
                result.close()
    return wrapped


def data_for(n):
    return bytes((i * 7 + 3) % 251 for i in range(n))


def inner(environ, start_response):
    what = environ.get('PATH_INFO', '')
    q = peputil.query(environ)
    mark = peputil.marker(__file__, 'fw-%s' % q.get('id', 'x'))
    if what in ('/real', '/real_nocl', '/real_mw'):
        f = RecordingFile(q['path'], 'r')
        f.mark = mark
        if 'offset' in q:
            f.seek(int(q['offset']))
        size = os.path.getsize(q['path']) - f.tell()
        headers = [('Content-Type', 'application/octet-stream')]
        if what != '/real_nocl':
            headers.append(('Content-Length', q.get('cl', str(size))))
        start_response('200 OK', headers)
        return environ['wsgi.file_wrapper'](f, int(q.get('blksize', '8192')))
    if what in ('/bytesio', '/bytesio_mw'):
        data = data_for(int(q.get('size', '100000')))
        start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                                  ('X-MD5', hashlib.md5(data).hexdigest()),
                                  ('Content-Length', str(len(data)))])
        return environ['wsgi.file_wrapper'](RecordingBytesIO(data, mark),
                                            int(q.get('blksize', '8192')))
    start_response('404 Not Found', [('Content-Type', 'text/plain')])
    return [b'unknown']


def application(environ, start_response):
    if environ.get('PATH_INFO', '').endswith('_mw'):
        return middleware(inner)(environ, start_response)
    return inner(environ, start_response)
