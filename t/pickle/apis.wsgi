# The same failure (a function whose name was deleted, as in not_found.wsgi)
# through every pickling entry point: ?api=dumps|dump|pickler|subclass|nested|forking.
# Each must give exactly one WSGIS0301 entry.
import io
import pickle

import pickletest


def a():
    return 'a'


z = a
del a


class ScriptPickler(pickle.Pickler):
    """A Pickler subclass made after startup (this script runs after install)."""


class NestedPickler(pickle.Pickler):
    """Overrides dump and calls pickle.dumps inside it: two wrapped calls, one entry."""

    def dump(self, obj):
        data = pickle.dumps(obj)
        self.write_through(data)

    def write_through(self, data):
        pass


def forking(obj):
    # imported here, long after the interpreter started
    from multiprocessing.reduction import ForkingPickler
    return ForkingPickler.dumps(obj)


OPERATIONS = {
    'dumps': lambda: pickle.dumps(z),
    'dump': lambda: pickle.dump(z, io.BytesIO()),
    'pickler': lambda: pickle.Pickler(io.BytesIO()).dump(z),
    'subclass': lambda: ScriptPickler(io.BytesIO(), 2).dump(z),
    'nested': lambda: NestedPickler(io.BytesIO()).dump(z),
    'forking': lambda: forking(z),
}


def application(environ, start_response):
    api = pickletest.query(environ).get('api', 'dumps')
    operation = OPERATIONS.get(api)
    if operation is None:
        return pickletest.respond(start_response, globals(), {'error': 'unknown api %r' % api},
                                  status='400 Bad Request')
    result = pickletest.attempt(operation)
    return pickletest.respond(start_response, globals(), result, extra={'api': api})
