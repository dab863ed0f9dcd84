# What Mercurial's mercurial/utils/procutil.py does when it is imported
# (hgweb.wsgi imports it): keep sys.stdin.buffer, and sys.stdout.buffer /
# sys.stderr.buffer unless they are io.BufferedIOBase, and ask isatty().
# Under mod_wsgi these are io.TextIOWrapper streams whose buffers take bytes.
import io
import sys

stdin = sys.stdin.buffer if sys.stdin is not None else None
stdout = sys.stdout.buffer
stderr = sys.stderr.buffer
TTY = stdout.isatty()


def application(environ, start_response):
    tag = environ.get('QUERY_STRING', 'x').encode()
    stdout.write(b'hg-like-stdout-' + tag + b'\n')
    stdout.flush()
    stderr.write(memoryview(b'hg-like-stderr-' + tag + b'\n'))
    body = ('tty=%s stdin=%s' % (TTY, type(stdin).__name__)).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
