# Seed scenario "function copied then deleted": z still refers to the function
# created as 'a', but the script no longer has a name 'a'. pickle.dumps(z)
# fails with "it's not found as _mod_wsgi_<md5>.a" -> category not-found.
import pickle

import pickletest


def a():
    return 'a'


z = a
del a


def application(environ, start_response):
    result = pickletest.attempt(lambda: pickle.dumps(z))
    return pickletest.respond(start_response, globals(), result)
