# WSGIHandlerScript for t/18_directives/handler_script.t: serves the file the
# URL mapped to (whether or not it exists), as a handler script does.
import json
import os


def handle_request(environ, start_response):
    path = environ.get('SCRIPT_FILENAME', '')
    info = {
        'script_filename': path,
        'exists': os.path.exists(path),
        'content': open(path).read() if os.path.isfile(path) else None,
        'group': environ.get('mod_wsgi.process_group'),
        'app_group': environ.get('mod_wsgi.application_group'),
        'callable': environ.get('mod_wsgi.callable_object'),
        'module': __name__,
        'request_handler': environ.get('mod_wsgi.request_handler'),
        'handler_script': environ.get('mod_wsgi.handler_script'),
    }
    body = json.dumps(info).encode()
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [body]
