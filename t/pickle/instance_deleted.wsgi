# Seed scenario "instance of a deleted class": pickling an instance stores its
# class by name, and 'B' is gone -> category not-found, class 'B', needed to
# pickle an instance of it.
import pickle

import pickletest


class B:
    def __init__(self):
        self.items = ['apple', 'pear']


b = B()
del B


def application(environ, start_response):
    result = pickletest.attempt(lambda: pickle.dumps(b))
    return pickletest.respond(start_response, globals(), result)
