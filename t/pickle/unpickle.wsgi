# Runs in application group pickle-*-reader: make.wsgi is not loaded in this
# interpreter. POST pickled bytes; ?api=loads|load|unpickler|subclass picks
# the entry point. Unpickling data that names make.wsgi's module fails with
# ModuleNotFoundError -> category module-not-importable.
import io
import pickle

import pickletest


class ScriptUnpickler(pickle.Unpickler):
    """An Unpickler subclass made after startup."""


OPERATIONS = {
    'loads': lambda data: pickle.loads(data),
    'load': lambda data: pickle.load(io.BytesIO(data)),
    'unpickler': lambda data: pickle.Unpickler(io.BytesIO(data)).load(),
    'subclass': lambda data: ScriptUnpickler(io.BytesIO(data)).load(),
}


def application(environ, start_response):
    api = pickletest.query(environ).get('api', 'loads')
    operation = OPERATIONS.get(api)
    if operation is None:
        return pickletest.respond(start_response, globals(), {'error': 'unknown api %r' % api},
                                  status='400 Bad Request')
    data = pickletest.read_body(environ)
    result = pickletest.attempt(lambda: operation(data))
    return pickletest.respond(start_response, globals(), result, extra={'api': api})
