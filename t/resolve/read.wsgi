# t/19_resolve: POST pickled bytes; ?api=loads|load|unpickler unpickles them
# once, ?api=threads&n=20 in n threads at once (a barrier first). Answers
# what came out (its module and name, whether it is that module's current
# definition), or the exception, and what this interpreter has loaded.
import io
import pickle
import sys
import threading

import resolvetest


def unpickle(api, data):
    if api == 'load':
        return pickle.load(io.BytesIO(data))
    if api == 'unpickler':
        return pickle.Unpickler(io.BytesIO(data)).load()
    return pickle.loads(data)


def describe(obj):
    cls = obj if isinstance(obj, type) or callable(obj) and not hasattr(obj, '__dict__') else None
    target = obj if isinstance(obj, type) or type(obj).__name__ == 'function' else type(obj)
    module = sys.modules.get(target.__module__)
    out = {'ok': True, 'module_of': target.__module__, 'name': target.__qualname__,
           'kind': 'class' if isinstance(obj, type) else 'function' if type(obj).__name__ == 'function'
           else 'instance',
           'current': module is not None and getattr(module, target.__qualname__, None) is target,
           'module_generation': getattr(module, '__wsgiscript_generation__', None)}
    if out['kind'] == 'instance':
        out['items'] = getattr(obj, 'items', None)
    del cls
    return out


def application(environ, start_response):
    q = resolvetest.query(environ)
    data = resolvetest.body(environ)
    api = q.get('api', 'loads')
    if api == 'threads':
        n = int(q.get('n', '20'))
        barrier = threading.Barrier(n)
        results = [None] * n

        def work(i):
            barrier.wait()
            try:
                obj = pickle.loads(data)
                results[i] = (True, id(type(obj)), type(obj).__module__)
            except Exception as exc:
                results[i] = (False, repr(exc), None)
        threads = [threading.Thread(target=work, args=(i,)) for i in range(n)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        ok = [r for r in results if r and r[0]]
        module = ok[0][2] if ok else None
        path = sys.modules[module].__file__ if module in sys.modules else None
        return resolvetest.respond(start_response, {
            'ok': len(ok) == n, 'succeeded': len(ok), 'classes': len({r[1] for r in ok}),
            'errors': [r[1] for r in results if r and not r[0]][:3],
            'top_level_runs': resolvetest.loads.get(path, 0), 'module_of': module,
            'registry': resolvetest.registry()}, globals())
    try:
        result = describe(unpickle(api, data))
    except Exception as exc:
        result = resolvetest.describe(exc)
    result['script_modules'] = resolvetest.script_modules()
    result['registry'] = resolvetest.registry()
    result['api'] = api
    return resolvetest.respond(start_response, result, globals())
