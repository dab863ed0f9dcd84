# Builtin data pickles and unpickles fine through every entry point, with no
# WSGIS0301 entry: the remedy the log recommends works.
import io
import pickle

import pickletest

DATA = {
    'mixed': {('k%d' % i): (i, str(i), float(i) / 3, i % 2 == 0, None, [i], (i,), {i}, b'x' * (i % 5))
              for i in range(100)},
    'ints': list(range(10000)),
}


def roundtrips():
    out = {}
    out['dumps/loads'] = pickle.loads(pickle.dumps(DATA)) == DATA
    f = io.BytesIO()
    pickle.dump(DATA, f)
    f.seek(0)
    out['dump/load'] = pickle.load(f) == DATA
    f = io.BytesIO()
    pickle.Pickler(f, pickle.HIGHEST_PROTOCOL).dump(DATA)
    f.seek(0)
    out['Pickler/Unpickler'] = pickle.Unpickler(f).load() == DATA
    from multiprocessing.reduction import ForkingPickler
    out['ForkingPickler'] = pickle.loads(ForkingPickler.dumps(DATA)) == DATA
    for protocol in range(pickle.HIGHEST_PROTOCOL + 1):
        out['protocol %d' % protocol] = pickle.loads(pickle.dumps(DATA, protocol)) == DATA
    return out


def application(environ, start_response):
    checks = {}
    result = pickletest.attempt(lambda: checks.update(roundtrips()))
    return pickletest.respond(start_response, globals(), result, extra={'checks': checks})
