"""The application of t/14_lifecycle and the lifecycle standalone tests: one
script, served in every lc_* daemon process group; the query string says what
to do (each action is one lifecycle option's trigger or probe).

    ?mark=NAME      first of all, write this process's pid to LOGS/lc/NAME
                    (a side effect the tests look for: did the app run?)
    ?do=pid         (the default) answer facts: pid, group, ...
    ?do=sleep&s=N   time.sleep(N) in application() itself, then answer
    ?do=hold&release=NAME&s=N  wait until LOGS/lc/NAME exists (at most N s,
                    default 30), then answer (released: whether it came)
    ?do=alloc&mb=N  allocate N MiB, touch it, keep it (memory-limit)
    ?do=vmalloc&mb=N  take N MiB of address space (not touched) and drop it
                    (virtual-memory-limit: MemoryError, uncaught: 500 and
                    a traceback)
    ?do=spin&s=N    burn N s of CPU (cpu-time-limit)
    ?do=gil&s=N     libc sleep(N) through ctypes.PyDLL, which keeps the GIL
                    (deadlock-timeout)
    ?do=header&n=N  answer a header X-Big of N bytes (header-buffer-size)
    ?do=big&n=N     answer N bytes of a known pattern in 64 KiB pieces
                    (response-buffer-size); the client checks every byte
    ?do=stream&mb=N  yield N MiB in 1 MiB pieces; close() writes how much
                    was taken to LOGS/lc/<mark>.closed (response-socket-timeout)
    ?do=echo        read the request body: answer its length and MD5
    ?do=info        the process's settings: nice value, switch interval,
                    this thread's stack size, a recursion that works
    ?done=NAME      last, write LOGS/lc/NAME (the request ran to its end)
"""
import ctypes
import hashlib
import json
import os
import sys
import threading
import time
from urllib.parse import parse_qs

import mod_wsgi
import wsgitest_util

MARKS = os.path.join(wsgitest_util.logs_dir(__file__), 'lc')
HELD = []  # memory-limit: what ?do=alloc keeps alive
PATTERN = bytes(range(256)) * 256  # 64 KiB


def write_whole(name, text):
    """LOGS/lc/NAME with text, whole or not at all: a test that sees the
    file reads what is in it."""
    path = os.path.join(MARKS, os.path.basename(name))
    tmp = '%s.%d.%d.tmp' % (path, os.getpid(), threading.get_ident())
    with open(tmp, 'w') as f:
        f.write(text)
    os.rename(tmp, path)


def mark(name):
    write_whole(name, '%d %.6f\n' % (os.getpid(), time.time()))


def answer(start_response, data, headers=()):
    data.setdefault('pid', os.getpid())
    data.setdefault('group', mod_wsgi.process_group)
    data.setdefault('script', os.path.basename(__file__))
    body = json.dumps(data, sort_keys=True).encode()
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(body)))] + list(headers))
    return [body]


def thread_stack_size():
    """The stack size of the calling thread, as pthread sees it."""
    libc = ctypes.CDLL(None)
    libc.pthread_self.restype = ctypes.c_ulong
    attr = ctypes.create_string_buffer(256)  # pthread_attr_t is 56 bytes on x86_64
    if libc.pthread_getattr_np(ctypes.c_ulong(libc.pthread_self()), attr) != 0:
        return None
    addr, size = ctypes.c_void_p(), ctypes.c_size_t()
    libc.pthread_attr_getstack(attr, ctypes.byref(addr), ctypes.byref(size))
    libc.pthread_attr_destroy(attr)
    return size.value


def depth(n):
    return 0 if n == 0 else 1 + depth(n - 1)


def nested(n):
    v = []
    for _ in range(n):
        v = [v]
    return v


class Stream:
    """?do=stream: 1 MiB pieces; close() notes how many were taken."""

    def __init__(self, pieces, name):
        self.pieces, self.name, self.taken = pieces, name, 0
        self.started = time.time()

    def __iter__(self):
        for _ in range(self.pieces):
            self.taken += 1
            yield PATTERN * 16

    def close(self):
        if self.name:
            write_whole(self.name + '.closed', '%d %d %.3f\n' % (os.getpid(), self.taken, time.time() - self.started))


def application(environ, start_response):
    q = {k: v[-1] for k, v in parse_qs(environ.get('QUERY_STRING', '')).items()}
    if 'mark' in q:
        mark(q['mark'])
    do = q.get('do', 'pid')
    data = {}
    if do == 'sleep':
        time.sleep(float(q['s']))
    elif do == 'hold':
        release = os.path.join(MARKS, os.path.basename(q['release']))
        end = time.time() + float(q.get('s', 30))
        while not os.path.exists(release) and time.time() < end:
            time.sleep(0.02)
        data['released'] = os.path.exists(release)
    elif do == 'alloc':
        block = b'\x01' * (int(q['mb']) << 20)  # written, so resident
        HELD.append(block)
        data['held_mb'] = sum(len(b) for b in HELD) >> 20
    elif do == 'vmalloc':
        block = bytes(int(q['mb']) << 20)  # calloc(): address space, not touched
        data['allocated_mb'] = len(block) >> 20
        del block
    elif do == 'spin':
        end = time.process_time() + float(q['s'])
        while time.process_time() < end:
            pass
    elif do == 'gil':
        ctypes.PyDLL(None).sleep(int(q['s']))
    elif do == 'header':
        return answer(start_response, data, [('X-Big', 'h' * int(q['n']))])
    elif do == 'big':
        n = int(q['n'])
        start_response('200 OK', [('Content-Type', 'application/octet-stream'),
                                  ('Content-Length', str(n)), ('X-Pid', str(os.getpid()))])
        return (PATTERN[:min(len(PATTERN), n - i)] for i in range(0, n, len(PATTERN)))
    elif do == 'stream':
        start_response('200 OK', [('Content-Type', 'application/octet-stream'), ('X-Pid', str(os.getpid()))])
        return Stream(int(q['mb']), q.get('mark'))
    elif do == 'echo':
        body = environ['wsgi.input'].read(int(environ.get('CONTENT_LENGTH') or 0))
        data.update({'length': len(body), 'md5': hashlib.md5(body).hexdigest()})
    elif do == 'info':
        data.update({
            'priority': os.getpriority(os.PRIO_PROCESS, 0),
            'switch_interval': sys.getswitchinterval(),
            'stack_size': thread_stack_size(),
            'recursion': depth(300),
            'json_nested': len(json.dumps(nested(200))),
        })
    if 'done' in q:
        mark(q['done'])
    return answer(start_response, data)
