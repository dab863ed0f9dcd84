# Fails to import while t/logs/import_error.flag exists.
import os
import wsgitest_util

if os.path.exists(os.path.join(wsgitest_util.logs_dir(__file__), 'import_error.flag')):
    raise RuntimeError('import-boom from import_error.wsgi')


def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'imported fine pid=%d' % os.getpid()]
