"""Helpers for the t/pickle/*.wsgi scripts (found through WSGIPythonPath).

Every scenario script runs one pickle operation per request through
``attempt()``, which catches the exception the way an application would, and
answers JSON describing it, so the test can compare what the application saw
with what the error log says.
"""
import json
import os
import sys


def attempt(operation):
    """Run operation(); describe its result or the exception it raised."""
    try:
        value = operation()
    except Exception as exc:
        return describe_exception(exc)
    out = {'ok': True}
    if isinstance(value, (bytes, bytearray)):
        out['length'] = len(value)
    elif value is not None:
        out['value'] = repr(value)
    return out


def describe_exception(exc):
    return {
        'ok': False,
        'type': '%s.%s' % (type(exc).__module__, type(exc).__qualname__),
        'message': str(exc),
        'cause': repr(exc.__cause__),
        'context': repr(exc.__context__),
        'diagnosed_mark': bool(getattr(exc, '_wsgiscript_pickle_diagnosed', False)),
    }


def diagnostics_installed():
    try:
        from wsgiscript import pickle_diagnostics
    except ImportError:
        return None
    return pickle_diagnostics.installed()


def script_record(module_name):
    """This interpreter's wsgiscript.loaded_scripts() record for a module, as JSON data."""
    import wsgiscript
    rec = wsgiscript.loaded_scripts().get(module_name)
    if rec is None:
        return None
    return {
        'module_name': rec.module_name,
        'path': rec.path,
        'generation': rec.generation,
        'mtime': rec.mtime,
        'loaded_at': rec.loaded_at,
        'reloaded_at': rec.reloaded_at,
        'history': [[h.generation, h.mtime, h.at] for h in rec.history],
    }


def respond(start_response, script_globals, result, status='200 OK', extra=None):
    data = dict(result)
    data['module'] = script_globals.get('__name__')
    data['file'] = script_globals.get('__file__')
    data['generation'] = script_globals.get('__wsgiscript_generation__')
    data['pid'] = os.getpid()
    data['installed'] = diagnostics_installed()
    if extra:
        data.update(extra)
    body = json.dumps(data, sort_keys=True).encode('utf-8')
    start_response(status, [('Content-Type', 'application/json'),
                            ('Content-Length', str(len(body)))])
    return [body]


def query(environ):
    from urllib.parse import parse_qs
    return {k: v[-1] for k, v in parse_qs(environ.get('QUERY_STRING', '')).items()}


def read_body(environ):
    try:
        length = int(environ.get('CONTENT_LENGTH') or 0)
    except ValueError:
        length = 0
    return environ['wsgi.input'].read(length) if length > 0 else b''
