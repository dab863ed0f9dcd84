# The facts of the process and interpreter serving a request, for the
# 13_daemon tests (the same script runs embedded and in daemon groups).
# The first segment of PATH_INFO picks what to do:
#   /info             process facts (uid, gid, cwd, umask, sys.prefix,
#                     sys.path, locale, title, mod_wsgi.*, generation, ...)
#   /environ          the whole environ: str values as they are, other
#                     values by type (for comparing embedded and daemon)
#   /count            a per-interpreter counter (+1 per request)
#   /exit?code=N      os._exit(N) before any response
#   /exit-mid?code=N  part of the body sent, then os._exit(N)
#   /kill?sig=N       the process sends itself signal N
#   /barrier?n=N&timeout=S   wait at a barrier of N parties
#   /sleep?s=S        sleep S seconds, then answer with the pid
#   /stream?mib=N     N MiB from a generator, 1 MiB per item
#   /file?path=P      the file P through wsgi.file_wrapper
#   /upload?block=N[&max=M]  reads wsgi.input in N-byte reads (M bytes at
#                     most): bytes, md5, VmRSS
# (the big responses name the serving pid in X-D13-Pid)
import hashlib
import json
import locale
import os
import signal
import sys
import threading
import time
import urllib.parse

import mod_wsgi

TOKEN = os.urandom(8).hex()   # one per load of this script (per interpreter)
LOADED_AT = time.time()
LOCK = threading.Lock()
COUNT = 0
BARRIERS = {}


def query(environ):
    return {k: v[0] for k, v in urllib.parse.parse_qs(environ.get('QUERY_STRING', '')).items()}


def title():
    with open('/proc/self/cmdline', 'rb') as f:
        raw = f.read()
    return raw.replace(b'\0', b' ').decode('latin-1').strip()


def comm():
    with open('/proc/self/comm') as f:
        return f.read().strip()


def current_umask():
    with LOCK:
        old = os.umask(0o022)
        os.umask(old)
    return '%04o' % old


def vmrss_kib():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return None


def importable(name):
    try:
        __import__(name)
        return True
    except ImportError:
        return False


def info(environ):
    try:
        import _xxsubinterpreters as interpreters
        is_main = interpreters.get_current() == interpreters.get_main()
    except ImportError:
        is_main = None
    return {
        'pid': os.getpid(), 'ppid': os.getppid(),
        'uid': os.getuid(), 'euid': os.geteuid(), 'gid': os.getgid(), 'egid': os.getegid(),
        'groups': sorted(os.getgroups()),
        'cwd': os.getcwd(), 'umask': current_umask(),
        'prefix': sys.prefix, 'base_prefix': sys.base_prefix, 'path': sys.path,
        'env': {k: os.environ.get(k) for k in ('LANG', 'LC_ALL', 'PYTHON_EGG_CACHE', 'HOME')},
        'lc_ctype': locale.setlocale(locale.LC_CTYPE),
        'preferred_encoding': locale.getpreferredencoding(False),
        'title': title(), 'comm': comm(),
        'process_group': mod_wsgi.process_group,
        'application_group': mod_wsgi.application_group,
        'maximum_processes': mod_wsgi.maximum_processes,
        'threads_per_process': mod_wsgi.threads_per_process,
        'environ_process_group': environ.get('mod_wsgi.process_group'),
        'environ_application_group': environ.get('mod_wsgi.application_group'),
        'multithread': repr(environ['wsgi.multithread']),
        'multiprocess': repr(environ['wsgi.multiprocess']),
        'generation': globals().get('__wsgiscript_generation__'),
        'name': __name__, 'token': TOKEN, 'is_main': is_main, 'loaded_at': LOADED_AT,
        'importable': {m: importable(m) for m in ('d13_venv_marker', 'd13_extra_marker',
                                                  'wsgitest_util')},
        'thread': threading.current_thread().name,
        'rss': vmrss_kib(),
    }


def plain(environ):
    out = {}
    for k, v in environ.items():
        out[k] = v if isinstance(v, str) else '<%s %s>' % (
            type(v).__name__, repr(v) if isinstance(v, (bool, int, tuple)) else '')
    return out


def respond(start_response, data, status='200 OK'):
    body = json.dumps(data, sort_keys=True).encode('utf-8')
    start_response(status, [('Content-Type', 'application/json'),
                            ('Content-Length', str(len(body)))])
    return [body]


def stream(mib):
    chunk = b'0123456789abcdef' * 65536
    for i in range(mib):
        yield b'%016x' % i + chunk[16:]


def application(environ, start_response):
    global COUNT
    what = '/' + environ.get('PATH_INFO', '').lstrip('/').split('/')[0]
    q = query(environ)
    if what == '/environ':
        return respond(start_response, plain(environ))
    if what == '/count':
        with LOCK:
            COUNT += 1
            n = COUNT
        return respond(start_response, {'count': n, 'pid': os.getpid(), 'token': TOKEN})
    if what == '/exit':
        os._exit(int(q.get('code', '3')))
    if what == '/exit-mid':
        start_response('200 OK', [('Content-Type', 'text/plain')])

        def cut():
            yield b'x' * 100000
            time.sleep(0.2)
            os._exit(int(q.get('code', '4')))
        return cut()
    if what == '/kill':
        os.kill(os.getpid(), int(q.get('sig', '9')))
        time.sleep(5)
        return respond(start_response, {'survived': True})
    if what == '/barrier':
        n = int(q['n'])
        with LOCK:
            b = BARRIERS.setdefault(n, threading.Barrier(n))
        try:
            b.wait(float(q.get('timeout', '5')))
            ok = True
        except threading.BrokenBarrierError:
            ok = False
            with LOCK:
                if BARRIERS.get(n) is b:
                    del BARRIERS[n]
        return respond(start_response, {'passed': ok, 'pid': os.getpid(),
                                        'thread': threading.current_thread().name})
    if what == '/sleep':
        time.sleep(float(q.get('s', '1')))
        return respond(start_response, {'pid': os.getpid(), 'slept': True})
    if what == '/stream':
        mib = int(q.get('mib', '1'))
        start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                                  ('Content-Length', str(mib << 20)),
                                  ('X-D13-Pid', str(os.getpid()))])
        return stream(mib)
    if what == '/file':
        path = q['path']
        f = open(path, 'rb')
        start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                                  ('Content-Length', str(os.path.getsize(path))),
                                  ('X-D13-Pid', str(os.getpid()))])
        return environ['wsgi.file_wrapper'](f, 65536)
    if what == '/upload':
        inp = environ['wsgi.input']
        block = int(q.get('block', '65536'))
        limit = int(q.get('max', '-1'))
        h = hashlib.md5()
        n = 0
        before = peak = vmrss_kib()
        i = 0
        while limit < 0 or n < limit:
            piece = inp.read(block if limit < 0 else min(block, limit - n))
            if not piece:
                break
            h.update(piece)
            n += len(piece)
            i += 1
            if i % 16 == 0:
                peak = max(peak, vmrss_kib())
        after = vmrss_kib()
        return respond(start_response, {
            'pid': os.getpid(), 'bytes': n, 'md5': h.hexdigest(),
            'rss_before': before, 'rss_peak': max(peak, after), 'rss_after': after,
            'content_length': environ.get('CONTENT_LENGTH')})
    return respond(start_response, info(environ))
