"""Helpers for the test WSGI scripts (found through WSGIPythonPath)."""
import json
import os
import sys
import threading
import uuid

# One token per interpreter: two scripts share it iff they share an interpreter.
INTERPRETER_TOKEN = uuid.uuid4().hex
LOCK = threading.Lock()
HITS = 0


def is_main_interpreter():
    try:
        import _xxsubinterpreters as interpreters
    except ImportError:
        return None
    return interpreters.get_current() == interpreters.get_main()


def module_info(g):
    """Facts about the script module whose globals() is g."""
    import mod_wsgi
    name = g.get('__name__')
    mod = sys.modules.get(name)
    return {
        'name': name,
        'file': g.get('__file__'),
        'mtime': g.get('__mtime__'),
        'generation': g.get('__wsgiscript_generation__'),
        'in_sys_modules': mod is not None and mod.__dict__ is g,
        'pid': os.getpid(),
        'token': INTERPRETER_TOKEN,
        'is_main': is_main_interpreter(),
        'mod_wsgi': {
            'version': list(mod_wsgi.version) if isinstance(mod_wsgi.version, tuple) else repr(mod_wsgi.version),
            'version_is_tuple': isinstance(mod_wsgi.version, tuple),
            'process_group': mod_wsgi.process_group,
            'application_group': mod_wsgi.application_group,
        },
        'sys_prefix': sys.prefix,
        'sys_path': sys.path,
    }


def json_response(start_response, data, status='200 OK'):
    body = json.dumps(data, sort_keys=True).encode('utf-8')
    start_response(status, [('Content-Type', 'application/json'),
                            ('Content-Length', str(len(body)))])
    return [body]


def logs_dir(script_file):
    """t/logs, from a script in t/<dir>/ or t/logs/rw/..."""
    d = os.path.dirname(os.path.abspath(script_file))
    while d != '/' and os.path.basename(d) != 't' and not os.path.isdir(os.path.join(d, 'logs')):
        d = os.path.dirname(d)
    return os.path.join(d, 'logs')
