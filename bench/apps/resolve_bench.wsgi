# bench/resolve_in_apache: times one pickle case inside an Apache child.
# GET ?case=NAME&n=N -> seconds per call, as the thread's CPU time (not wall
# time: on a loaded machine the thread waiting for a CPU is not the code's
# cost) and as wall time, gc disabled while timing (as timeit);
# GET ?info -> what pickle's entry points are here (WSGIPickleResolve installs
# its retry wrappers; the server's audit hook is process-wide).
import datetime
import gc
import io
import json
import pickle
import time


def make_dict100():
    d = {}
    for i in range(100):
        kind = i % 7
        v = (i, i * 1.5, 'value-%d' % i, b'bytes-%d' % i, (i, 'x', None), [i, i + 1, True], {'n': i})[kind]
        d['key%03d' % i] = v
    return d


DICT100 = make_dict100()
INTS = list(range(10000))
P_DICT = pickle.dumps(DICT100)
P_INTS = pickle.dumps(INTS)
DATES = [datetime.date(2020, 1, 1 + i % 28) for i in range(50)]
P_DATES = pickle.dumps(DATES)


def pickler_dict():
    pickle.Pickler(io.BytesIO()).dump(DICT100)


CASES = {
    'dumps-dict100': lambda: pickle.dumps(DICT100),
    'loads-dict100': lambda: pickle.loads(P_DICT),
    'dumps-ints10k': lambda: pickle.dumps(INTS),
    'loads-ints10k': lambda: pickle.loads(P_INTS),
    'pickler-dict100': pickler_dict,
    'unpickler-dict100': lambda: pickle.Unpickler(io.BytesIO(P_DICT)).load(),
    'loads-dates50': lambda: pickle.loads(P_DATES),
}


def application(environ, start_response):
    from urllib.parse import parse_qs
    q = {k: v[-1] for k, v in parse_qs(environ.get('QUERY_STRING', ''), keep_blank_values=True).items()}
    if 'info' in q:
        body = json.dumps({'dumps': repr(pickle.dumps), 'Pickler': repr(pickle.Pickler),
                           'cases': sorted(CASES)})
    else:
        func, n = CASES[q['case']], int(q.get('n', '1000'))
        gc.disable()
        try:
            w0, c0 = time.perf_counter(), time.thread_time()
            for _ in range(n):
                func()
            cpu, wall = time.thread_time() - c0, time.perf_counter() - w0
        finally:
            gc.enable()
        body = json.dumps({'per_call': cpu / n, 'wall_per_call': wall / n})
    data = body.encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(data)))])
    return [data]
