# Number of memory blocks Python has allocated (process wide), after a
# collection: grows steadily if something leaks per request.
import gc
import os
import sys

KEPT = []


def application(environ, start_response):
    if environ.get('QUERY_STRING') == 'leak':
        KEPT.append(object())          # the positive control: one block per request
        body = b'leaked'
    else:
        gc.collect()
        body = ('%d %d' % (sys.getallocatedblocks(), os.getpid())).encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
