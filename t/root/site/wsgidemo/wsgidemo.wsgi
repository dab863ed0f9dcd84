# wsgidemo: the WSGI entry point, as a Debian package installs it in
# /usr/share/wsgidemo. Loaded at the start of each daemon process
# (WSGIImportScript) into the main interpreter, then used by every request.
import json
import os
import sys
import threading
import time
import types

# Each import of this file is recorded in a module that outlives it, with
# the thread that ran it (the process's main thread: at the process's start).
_state = sys.modules.get('_wsgidemo_state')
if _state is None:
    _state = sys.modules['_wsgidemo_state'] = types.ModuleType('_wsgidemo_state')
    _state.imports = []
    _state.requests = 0
    _state.lock = threading.Lock()
_state.imports.append({'pid': os.getpid(), 'tid': threading.get_native_id(), 'at': time.time()})


def whoami(environ):
    with open('/proc/self/cmdline', 'rb') as f:
        title = f.read().split(b'\0')[0].decode('latin-1')
    try:
        import mod_wsgi
        module_group = mod_wsgi.process_group
    except (ImportError, AttributeError):
        module_group = None
    return {'pid': os.getpid(), 'uid': os.getuid(), 'gid': os.getgid(), 'groups': sorted(os.getgroups()),
            'cwd': os.getcwd(), 'title': title, 'imports': _state.imports, 'requests': _state.requests,
            'process_group': environ.get('mod_wsgi.process_group'), 'module_process_group': module_group,
            'application_group': environ.get('mod_wsgi.application_group')}


def application(environ, start_response):
    with _state.lock:
        _state.requests += 1
    path = environ.get('PATH_INFO', '')
    if path == '/whoami':
        body = json.dumps(whoami(environ)).encode()
        ctype = 'application/json'
    else:
        body = (b'<!DOCTYPE html><html><head><title>wsgidemo</title>'
                b'<link rel="stylesheet" href="' + environ['SCRIPT_NAME'].encode() + b'/static/style.css">'
                b'</head><body><h1>wsgidemo</h1></body></html>')
        ctype = 'text/html; charset=utf-8'
    start_response('200 OK', [('Content-Type', ctype), ('Content-Length', str(len(body)))])
    return [body]
