# wsgi.input under hostile sizes (t/06_input/input_memory.t and
# limit_body.t). PATH_INFO names the operation; ?id=ID names the record
# written to t/logs/hard-ID.json:
#   /noop          answer the pid (to find the child a connection talks to)
#   /readcl        read(int(CONTENT_LENGTH)), as most frameworks do
#   /readline      readline(N) with N from ?n= (default 10**12)
#   /readlines     readlines(N) with N from ?n= (default 10**12)
#   /limited       read everything (under LimitRequestBody 1000); ?raise=1
#                  lets a read error propagate
# Before reading, the app writes t/logs/hard-ID.reading so a test knows the
# request is inside wsgi.input. OSError/MemoryError are caught and recorded
# unless ?raise=1.
import hashlib
import json
import os
import urllib.parse

LOGS = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'logs')


def vmrss_kib():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return None


def record(ident, data):
    path = os.path.join(LOGS, 'hard-%s.json' % ident)
    with open(path + '.tmp', 'w') as f:
        json.dump(data, f)
    os.rename(path + '.tmp', path)


def application(environ, start_response):
    op = environ.get('PATH_INFO', '').strip('/')
    q = dict(urllib.parse.parse_qsl(environ.get('QUERY_STRING', '')))
    ident = q.get('id', 'x')
    if op == 'noop':
        body = str(os.getpid()).encode()
        start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
        return [body]
    stream = environ['wsgi.input']
    n = int(q.get('n', 10 ** 12))
    rec = {'op': op, 'pid': os.getpid(), 'rss_before': vmrss_kib()}
    with open(os.path.join(LOGS, 'hard-%s.reading' % ident), 'w') as f:
        f.write(str(os.getpid()))
    try:
        if op == 'readcl':
            data = stream.read(int(environ['CONTENT_LENGTH']))
        elif op == 'readline':
            data = stream.readline(n)
        elif op == 'readlines':
            data = b''.join(stream.readlines(n))
        elif op == 'limited':
            data = stream.read()
        else:
            raise ValueError(op)
        rec['received'] = len(data)
        rec['md5'] = hashlib.md5(data).hexdigest()
    except (OSError, MemoryError) as e:
        rec['error'] = '%s: %s' % (type(e).__name__, e)
        if q.get('raise'):
            record(ident, rec)
            raise
    rec['rss_after'] = vmrss_kib()
    record(ident, rec)
    body = json.dumps(rec).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]
