# Reference counts of the names of the modules mod_wsgiscript puts into
# sys.modules (t/08_interpreters/module_refs.t): a name str is referenced by
# the module's __name__, by its sys.modules key and by each function the
# module defines in C (their __module__), nothing else. A module made the
# same way from Python is the control.
import json
import sys
import types


def application(environ, start_response):
    name = ''.join(['control', '_probe'])  # a fresh str, no code constant
    control = types.ModuleType(name)
    del name
    sys.modules[control.__name__] = control
    counts = {}
    for m in ('mod_wsgi', '_wsgiscript'):
        mod = sys.modules[m]
        # functions defined by a C module keep their module's name (__module__)
        own = sum(1 for v in vars(mod).values()
                  if isinstance(v, types.BuiltinFunctionType) and v.__self__ is mod)
        counts[m] = sys.getrefcount(mod.__name__) - own
    counts['control'] = sys.getrefcount(control.__name__)
    del sys.modules[control.__name__]
    body = json.dumps(counts).encode()
    start_response('200 OK', [('Content-Type', 'application/json')])
    return [body]
