# Big bodies. /pid: the serving child's pid and VmRSS. /upload: reads
# wsgi.input in blocks, reports bytes, md5 and VmRSS (KiB) before, the maximum
# while reading, and after. /download?path=: the file through wsgi.file_wrapper.
import hashlib
import os
import sys

here = os.path.dirname(__file__)
if here not in sys.path:
    sys.path.insert(0, here)
import peputil


def application(environ, start_response):
    what = environ.get('PATH_INFO', '')
    q = peputil.query(environ)
    if what == '/pid':
        return peputil.json_response(start_response, {'pid': os.getpid(),
                                                      'rss': peputil.vmrss_kib()})
    if what == '/upload':
        inp = environ['wsgi.input']
        block = int(q.get('block', '65536'))
        h = hashlib.md5()
        n = 0
        before = peputil.vmrss_kib()
        peak = before
        i = 0
        while True:
            piece = inp.read(block)
            if not piece:
                break
            h.update(piece)
            n += len(piece)
            i += 1
            if i % 16 == 0:
                peak = max(peak, peputil.vmrss_kib())
        after = peputil.vmrss_kib()
        peak = max(peak, after)
        return peputil.json_response(start_response, {
            'pid': os.getpid(), 'bytes': n, 'md5': h.hexdigest(),
            'rss_before': before, 'rss_peak': peak, 'rss_after': after,
            'content_length': environ.get('CONTENT_LENGTH')})
    if what == '/download':
        path = q['path']
        f = open(path, 'rb')
        start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                                  ('Content-Length', str(os.path.getsize(path)))])
        if q.get('mode') == 'bytesio_like':
            # not a regular-file wrapper: read in blocks through Python
            class Reader:
                def read(self, n):
                    return f.read(n)

                def close(self):
                    f.close()
            return environ['wsgi.file_wrapper'](Reader(), 65536)
        return environ['wsgi.file_wrapper'](f, 65536)
    start_response('404 Not Found', [('Content-Type', 'text/plain')])
    return [b'unknown']
