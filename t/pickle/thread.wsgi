# A pickle failure outside any request: a thread of the application pickles
# the function whose name was deleted. The entry is the server's (no client,
# no "(request: ...)"); still exactly one.
import pickle
import threading

import pickletest


def a():
    return 'a'


z = a
del a


def application(environ, start_response):
    results = []
    worker = threading.Thread(target=lambda: results.append(pickletest.attempt(lambda: pickle.dumps(z))))
    worker.start()
    worker.join(10)
    result = results[0] if results else {'error': 'thread did not finish'}
    return pickletest.respond(start_response, globals(), result)
