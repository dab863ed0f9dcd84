# Flask or Django (t/pep3333's apps, picked by the mount point) behind a
# middleware that names the process serving them: X-D13-Pid and
# X-D13-Process-Group on every response.
import os
import runpy

import mod_wsgi

HERE = os.path.dirname(os.path.abspath(__file__))
APPS = {}


def load(name):
    if name not in APPS:
        path = os.path.join(HERE, '..', 'pep3333', '%s_app.wsgi' % name)
        APPS[name] = runpy.run_path(os.path.normpath(path))['application']
    return APPS[name]


def application(environ, start_response):
    app = load(environ['SCRIPT_NAME'].rsplit('/', 1)[-1])

    def named(status, headers, exc_info=None):
        headers = list(headers) + [('X-D13-Pid', str(os.getpid())),
                                   ('X-D13-Process-Group', mod_wsgi.process_group)]
        return start_response(status, headers, exc_info)
    return app(environ, named)
