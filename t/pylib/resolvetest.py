"""Helpers for t/resolve/*.wsgi (t/19_resolve): per-interpreter state that
outlives script reloads, and JSON answers."""
import json
import os
import sys
import threading

_lock = threading.Lock()
loads = {}   # script path -> times its top-level code ran in this interpreter
kept = {}    # objects a script keeps across its reloads


def note_load(path):
    with _lock:
        loads[path] = loads.get(path, 0) + 1


def script_modules():
    return sorted(k for k in sys.modules if k.startswith('_mod_wsgi_'))


def registry():
    import wsgiscript
    return {name: {'path': r.path, 'generation': r.generation}
            for name, r in wsgiscript.loaded_scripts().items()}


def describe(exc):
    return {'ok': False, 'type': '%s.%s' % (type(exc).__module__, type(exc).__qualname__),
            'message': str(exc)}


def respond(start_response, data, g=None):
    import mod_wsgi
    data = dict(data)
    data['pid'] = os.getpid()
    data['group'] = mod_wsgi.application_group
    data['process_group'] = mod_wsgi.process_group
    if g is not None:
        data['module'] = g.get('__name__')
        data['generation'] = g.get('__wsgiscript_generation__')
    body = json.dumps(data, sort_keys=True).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]


def query(environ):
    from urllib.parse import parse_qs
    return {k: v[-1] for k, v in parse_qs(environ.get('QUERY_STRING', '')).items()}


def body(environ):
    n = int(environ.get('CONTENT_LENGTH') or 0)
    return environ['wsgi.input'].read(n) if n else b''
