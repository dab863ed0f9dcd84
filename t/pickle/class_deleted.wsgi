# Seed scenario "class deleted": C is the class created as 'B', and 'B' is
# deleted. pickle.dumps(C) fails with "it's not found as _mod_wsgi_<md5>.B"
# -> category not-found, class 'B'.
import pickle

import pickletest


class B:
    pass


C = B
del B


def application(environ, start_response):
    result = pickletest.attempt(lambda: pickle.dumps(C))
    return pickletest.respond(start_response, globals(), result)
