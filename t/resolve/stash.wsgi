# t/19_resolve (copied to t/logs/rw/resolve/stash.wsgi, rewritten by the
# test): ?do=keep keeps this generation's Cart instance, Cart and discount in
# resolvetest.kept (an ordinary module: it outlives reloads); ?do=pickle
# pickles each kept object, unpickles the bytes and says what came back.
import pickle
import sys

import resolvetest

VERSION = 1


class Cart:
    def __init__(self):
        self.items = ['kept']

    def version(self):
        return VERSION


def discount(x):
    return x


def attempt(obj):
    try:
        data = pickle.dumps(obj)
    except Exception as exc:
        return resolvetest.describe(exc)
    back = pickle.loads(data)
    me = sys.modules[__name__]
    if isinstance(obj, type):
        current = back is me.Cart
    elif type(obj).__name__ == 'function':
        current = back is me.discount
    else:
        current = type(back) is me.Cart and back.items == ['kept'] and back.version() == VERSION
    return {'ok': True, 'current': current, 'same_object': back is obj, 'bytes': len(data)}


def application(environ, start_response):
    do = resolvetest.query(environ).get('do')
    out = {'version': VERSION}
    if do == 'keep':
        resolvetest.kept.update(instance=Cart(), cls=Cart, function=discount)
    elif do == 'pickle':
        for key in ('instance', 'cls', 'function'):
            out[key] = attempt(resolvetest.kept[key])
    return resolvetest.respond(start_response, out, globals())
