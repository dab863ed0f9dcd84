# Seed scenario "function redefined": z is the first function 'a'; the script
# then defines another 'a'. pickle.dumps(z) fails with "it's not the same
# object as _mod_wsgi_<md5>.a" -> category not-same-object.
import pickle

import pickletest


def a():
    return 'first'


z = a


def a():  # noqa: F811 (the point of the scenario)
    return 'second'


def application(environ, start_response):
    result = pickletest.attempt(lambda: pickle.dumps(z))
    return pickletest.respond(start_response, globals(), result)
