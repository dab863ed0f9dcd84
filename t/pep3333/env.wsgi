# Returns the whole environ as JSON: {key: {"type": ..., "value": ...}}.
import json



def describe(v):
    if isinstance(v, (str, bool, int, float)) or v is None:
        return v
    if isinstance(v, tuple):
        return [describe(x) for x in v]
    return repr(v)


def application(environ, start_response):
    data = {k: {'type': type(v).__name__, 'value': describe(v)} for k, v in environ.items()}
    data['_key_types'] = sorted({type(k).__name__ for k in environ})
    data['_environ_type'] = type(environ).__name__
    inp = environ['wsgi.input']
    data['_input_methods'] = [m for m in ('read', 'readline', 'readlines', '__iter__')
                              if hasattr(inp, m)]
    data['_body'] = inp.read().decode('latin-1')
    out = json.dumps(data, sort_keys=True).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(out)))])
    return [out]
