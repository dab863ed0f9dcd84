# t/17_python/metrics.t, t/standalone/17_python_metrics.t: mod_wsgi 5.0's
# metrics API from inside a request, as JSON.
#   /server         mod_wsgi.server_metrics() (None, or the scoreboard with
#                   only the processes that have a pid, to keep it small),
#                   and this process's pid
#   /process        mod_wsgi.process_metrics()
#   /request        mod_wsgi.request_metrics()
#   /data?v=V       request_data() is a dict; set 'v' in it; it is
#                   active_requests[environ['mod_wsgi.request_id']]; from
#                   another thread request_data() raises RuntimeError
#   /after          the request_data() object of the previous /data request:
#                   no longer in active_requests
#   /slow?s=S       sleep S seconds (a request in flight for the others)
#   /attrs          the names of the module mod_wsgi
import json
import os
import threading
import time

import mod_wsgi

_kept = {}


def _server():
    m = mod_wsgi.server_metrics()
    import apache
    if m is None:
        return {'metrics': None, 'pid': os.getpid()}
    procs = [p for p in m['processes'] if p['pid']]
    m['processes'] = procs
    m['process_count'] = len(m['processes'])
    return {'metrics': m, 'pid': os.getpid(), 'maximum_processes': mod_wsgi.maximum_processes,
            'threads_per_process': mod_wsgi.threads_per_process,
            'apache': [apache.maximum_processes, apache.threads_per_process]}


def application(environ, start_response):
    op = environ.get('PATH_INFO', '').strip('/')
    q = dict(p.split('=', 1) for p in environ.get('QUERY_STRING', '').split('&') if '=' in p)
    if op == 'server':
        body = _server()
    elif op == 'process':
        body = mod_wsgi.process_metrics()
        body['environ_thread_id'] = environ['mod_wsgi.thread_id']
    elif op == 'request':
        body = mod_wsgi.request_metrics()
    elif op == 'data':
        d = mod_wsgi.request_data()
        d['v'] = q.get('v')
        rid = environ.get('mod_wsgi.request_id')
        _kept['data'] = d
        _kept['rid'] = rid
        out = {}

        def other():
            try:
                mod_wsgi.request_data()
                out['other'] = 'no error'
            except RuntimeError as e:
                out['other'] = str(e)
        t = threading.Thread(target=other)
        t.start()
        t.join()
        body = {'is_dict': type(d) is dict, 'same': mod_wsgi.request_data() is d,
                'active': mod_wsgi.active_requests.get(rid) is d,
                'active_v': mod_wsgi.active_requests.get(rid, {}).get('v'),
                'other_thread': out['other'], 'request_id': rid}
    elif op == 'after':
        rid = _kept.get('rid')
        body = {'still_active': rid in mod_wsgi.active_requests, 'kept_v': _kept.get('data', {}).get('v'),
                'active_count': len(mod_wsgi.active_requests)}
    elif op == 'slow':
        time.sleep(float(q.get('s', '1')))
        body = {'slept': True}
    elif op == 'attrs':
        body = sorted(k for k in vars(mod_wsgi) if not k.startswith('__'))
    else:
        body = {'op': op}
    data = json.dumps(body, default=str).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(data)))])
    return [data]
