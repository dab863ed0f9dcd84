"""Helpers for the t/interp scripts (08_interpreters): every script module and
every interpreter reports who it is, so the tests can tell interpreters and
modules apart."""
import json
import os
import sys
import threading
import time
import uuid

# One token per interpreter: two requests share it iff they share an interpreter.
TOKEN = uuid.uuid4().hex
LOCK = threading.Lock()
HITS = 0
# Each interpreter appends one marker to its own sys.path when the first
# script runs in it; another interpreter must not see it.
MARK = '/nonexistent/interp-marker/'


def interp_id():
    try:
        import _xxsubinterpreters as si
    except ImportError:
        return None, None
    cur = si.get_current()
    return int(cur), cur == si.get_main()


def logs_dir(script_file):
    d = os.path.dirname(os.path.abspath(script_file))
    while d != '/' and os.path.basename(d) != 't':
        d = os.path.dirname(d)
    return os.path.join(d, 'logs')


def json_response(start_response, data, status='200 OK'):
    body = json.dumps(data, sort_keys=True).encode('utf-8')
    start_response(status, [('Content-Type', 'application/json'),
                            ('Content-Length', str(len(body)))])
    return [body]


def add_marker():
    import mod_wsgi
    marker = MARK + mod_wsgi.application_group
    if marker not in sys.path:
        sys.path.append(marker)


def record_import(g):
    """Write the import time of the script module with globals g to
    t/logs/interp/<script>.<pid>.json (one file per child)."""
    import mod_wsgi
    now = time.time()
    iid, is_main = interp_id()
    d = os.path.join(logs_dir(g['__file__']), 'interp')
    os.makedirs(d, exist_ok=True)
    base = os.path.basename(g['__file__']).rsplit('.', 1)[0]
    path = os.path.join(d, '%s.%d.json' % (base, os.getpid()))
    data = {'time': now, 'pid': os.getpid(), 'group': mod_wsgi.application_group,
            'interp_id': iid, 'is_main': is_main, 'name': g.get('__name__'),
            'generation': g.get('__wsgiscript_generation__')}
    with open(path + '.tmp', 'w') as f:
        json.dump(data, f)
    os.rename(path + '.tmp', path)


def make_app(g, script):
    """The WSGI application of the script module whose globals() is g."""
    g.setdefault('MODULE_HITS', 0)
    add_marker()

    def application(environ, start_response):
        global HITS
        import mod_wsgi
        with LOCK:
            g['MODULE_HITS'] += 1
            HITS += 1
            hits = (g['MODULE_HITS'], HITS)
        iid, is_main = interp_id()
        name = g.get('__name__')
        data = {
            'script': script,
            'time': time.time(),
            'pid': os.getpid(),
            'token': TOKEN,
            'interp_id': iid,
            'is_main': is_main,
            'module_hits': hits[0],
            'interpreter_hits': hits[1],
            'name': name,
            'generation': g.get('__wsgiscript_generation__'),
            'in_sys_modules': name in sys.modules and sys.modules[name].__dict__ is g,
            'mod_wsgi_group': mod_wsgi.application_group,
            'mod_wsgi_process_group': mod_wsgi.process_group,
            'environ_group': environ.get('mod_wsgi.application_group'),
            'markers': [p for p in sys.path if p.startswith(MARK)],
            'env': {k: environ.get(k) for k in ('INTERP_GROUP', 'INTERP_IF')},
            'main_thread_ident': threading.main_thread().ident,
            'thread_ident': threading.get_ident(),
        }
        return json_response(start_response, data)
    return application
