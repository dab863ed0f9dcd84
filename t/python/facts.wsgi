# t/17_python: what an interpreter looks like from inside, as JSON, and the
# operations the interpreter-level directives restrict.
#   /facts            sys.std* types, flags, hash, switch interval, warnings
#                     filters, PYTHON_EGG_CACHE, sys.path, modules mod_wsgi
#                     and apache, the environ's keys and values
#   /stdin            read sys.stdin: the exception or what was read
#   /print?text=T     print(T): 'printed' or the exception
#   /buffer?id=ID     sys.stdout.buffer / sys.stderr.buffer / wsgi.errors.buffer
#                     written with bytes, bytearray and memoryview
#   /signal?num=N     signal.signal(N, handler): what it returned or raised,
#                     and signal.getsignal(N) before and after
#   /getsignal?num=N  str(signal.getsignal(N)) (default SIGUSR2)
#   /sigterm          signal.signal(SIGTERM, SIG_IGN), then whether this
#                     process ignores SIGTERM (/proc/self/status SigIgn)
#   /slow?s=S         sleep S seconds
import io
import json
import os
import signal
import _signal
import sys
import threading
import warnings

import mod_wsgi


def _handler(signum, frame):
    pass


def _describe(exc):
    return {'type': type(exc).__name__, 'message': str(exc)}


def facts(environ):
    out = {
        'stdout_type': type(sys.stdout).__name__,
        # type(), not isinstance(): isinstance() asks a restricted object
        # for its __class__, which raises (as under mod_wsgi)
        'stdout_is_textio': type(sys.stdout) is io.TextIOWrapper,
        'stderr_is_textio': type(sys.stderr) is io.TextIOWrapper,
        'errors_is_textio': type(environ['wsgi.errors']) is io.TextIOWrapper,
        'stdin_type': type(sys.stdin).__name__,
        'dont_write_bytecode': sys.dont_write_bytecode,
        'optimize': sys.flags.optimize,
        'debug': __debug__,
        'hash_randomization': sys.flags.hash_randomization,
        'hash_abc': hash('abc'),
        'switch_interval': sys.getswitchinterval(),
        'warnoptions': list(sys.warnoptions),
        'filters': [[f[0], f[2].__name__, getattr(f[3], 'pattern', '').replace('\\Z', '')] for f in warnings.filters[:4]],
        'egg_cache': os.environ.get('PYTHON_EGG_CACHE'),
        'path': sys.path,
        'pid': os.getpid(),
        'signal_intercepted': type(getattr(_signal.signal, '__self__', None)) is tuple,
        'main_thread': threading.current_thread() is threading.main_thread(),
    }
    try:
        import block_marker
        out['block_marker'] = block_marker.WHERE
    except ImportError:
        out['block_marker'] = None
    out['mod_wsgi'] = {k: v if isinstance(v, (str, int, tuple, list)) else type(v).__name__
                       for k, v in vars(mod_wsgi).items() if not k.startswith('__')}
    import apache
    out['apache'] = {k: v for k, v in vars(apache).items() if not k.startswith('__')}
    out['environ'] = {k: (v if isinstance(v, (str, int, bool, tuple)) else type(v).__name__)
                      for k, v in environ.items()}
    return out


def application(environ, start_response):
    op = environ.get('PATH_INFO', '').strip('/')
    q = dict(p.split('=', 1) for p in environ.get('QUERY_STRING', '').split('&') if '=' in p)
    if op == 'facts':
        body = facts(environ)
    elif op == 'stdin':
        try:
            body = {'read': sys.stdin.read()}
        except Exception as e:
            body = _describe(e)
    elif op == 'print':
        try:
            print(q.get('text', 'print-text'))
            body = {'printed': True}
        except Exception as e:
            body = _describe(e)
    elif op == 'buffer':
        tag = q.get('id', 'x')
        sys.stdout.buffer.write(b'stdout-bytes-' + tag.encode() + b'\n')
        sys.stderr.buffer.write(bytearray(b'stderr-bytearray-' + tag.encode() + b'\n'))
        environ['wsgi.errors'].buffer.write(memoryview(b'errors-memoryview-' + tag.encode() + b'\n'))
        environ['wsgi.errors'].write('errors-text-' + tag + '\n')
        body = {'written': True}
    elif op == 'signal':
        num = int(q.get('num', signal.SIGUSR2))
        before = signal.getsignal(num)
        try:
            got = signal.signal(num, _handler)
            body = {'returned_handler': got is _handler}
        except Exception as e:
            body = _describe(e)
        after = signal.getsignal(num)
        body['installed'] = after is _handler
        body['before'] = str(before)
    elif op == 'getsignal':
        body = {'handler': str(signal.getsignal(int(q.get('num', signal.SIGUSR2))))}
    elif op == 'sigterm':
        try:
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            body = {'called': True}
        except Exception as e:
            body = _describe(e)
        with open('/proc/self/status') as f:
            mask = [int(line.split()[1], 16) for line in f if line.startswith('SigIgn:')][0]
        body['ignores_sigterm'] = bool(mask & (1 << (signal.SIGTERM - 1)))
        body['main_thread'] = threading.current_thread() is threading.main_thread()
    elif op == 'slow':
        import time
        time.sleep(float(q.get('s', '1')))
        body = {'slept': True}
    else:
        body = {'op': op}
    data = json.dumps(body, default=str).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(data)))])
    return [data]
