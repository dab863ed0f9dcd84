# Reports the interpreter a request ran in (t/08_interpreters/group_spellings.t).
import json
import os

import mod_wsgi


def application(environ, start_response):
    body = json.dumps({'group': environ['mod_wsgi.application_group'],
                       'module_group': mod_wsgi.application_group,
                       'pid': os.getpid(),
                       'script_name': environ.get('SCRIPT_NAME'),
                       'path_info': environ.get('PATH_INFO')}).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]
