# t/19_resolve: loaded by name only, by 20 threads at once: its top-level
# code must run once (it counts its runs and takes its time).
import time

import resolvetest

resolvetest.note_load(__file__)
time.sleep(0.3)


class Thing:
    pass


def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'once\n']
