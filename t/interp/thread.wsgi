# 08_interpreters: the first request starts a Python thread that ticks every 50 ms;
# later requests report how far it got (it must run between requests too).
import json
import os
import threading
import time

TICKS = 0
THREAD = None
LOCK = threading.Lock()


def _run():
    global TICKS
    while True:
        TICKS += 1
        time.sleep(0.05)


def application(environ, start_response):
    global THREAD
    with LOCK:
        started = THREAD is None
        if started:
            THREAD = threading.Thread(target=_run, name='interp-ticker', daemon=True)
            THREAD.start()
    body = json.dumps({'pid': os.getpid(), 'ticks': TICKS, 'alive': THREAD.is_alive(),
                       'ident': THREAD.ident, 'started_now': started,
                       'time': time.time()}).encode()
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(body)))])
    return [body]
