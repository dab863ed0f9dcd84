# The application does not catch the pickle error: the server answers 500 and
# logs the traceback (WSGIS0110); diagnostics still add exactly one WSGIS0301.
import pickle


def a():
    return 'a'


z = a
del a


def application(environ, start_response):
    data = pickle.dumps(z)
    start_response('200 OK', [('Content-Type', 'application/octet-stream')])
    return [data]
