# Slow to import, so that concurrent first requests overlap while their
# sub-interpreter is being created and the script executed.
import os
import time

time.sleep(0.5)


def application(environ, start_response):
    body = ('race pid=%d' % os.getpid()).encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
