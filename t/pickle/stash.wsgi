# Template for t/09_pickle/reload.t, which copies it to t/logs/rw/pickle/
# and serves it as /pickle/stash. Objects made by this script are kept in the
# ordinary module `stash`, which survives reloads of the script:
#   ?store       keep discount, price, a Cart and pickled Cart bytes in stash
#   ?discount    pickle the kept function discount
#   ?cart        pickle the kept Cart instance
#   ?price       pickle the kept function price
#   ?cart_bytes  unpickle the kept bytes
#   (any)        also report wsgiscript.loaded_scripts() for this script
# After a touch (reload) the kept objects come from an older generation:
# not-same-object, "reloaded", generation 1 -> 2. The test then removes the
# lines between the v1-only markers (price and Cart disappear): not-found.
import pickle

import pickletest
import stash


def discount(total):
    return total * 0.9


# BEGIN v1-only
def price(item):
    return 3


class Cart:
    def __init__(self):
        self.items = ['apple', 'pear']
# END v1-only


def store():
    cart = Cart()  # noqa: F821 (gone after the rewrite; only ?store uses it)
    stash.STORE.update(discount=discount, price=price, cart=cart,  # noqa: F821
                       cart_bytes=pickle.dumps(cart),
                       generation=globals().get('__wsgiscript_generation__'))
    # all of it pickles now: same generation, names intact
    return pickle.dumps([discount, price, cart])  # noqa: F821


def kept(name):
    if name not in stash.STORE:
        raise LookupError('nothing stored as %r (request ?store first)' % name)
    return stash.STORE[name]


OPERATIONS = {
    'store': store,
    'discount': lambda: pickle.dumps(kept('discount')),
    'cart': lambda: pickle.dumps(kept('cart')),
    'price': lambda: pickle.dumps(kept('price')),
    'cart_bytes': lambda: pickle.loads(kept('cart_bytes')),
    'registry': lambda: None,
}


def application(environ, start_response):
    op = environ.get('QUERY_STRING', '') or 'registry'
    operation = OPERATIONS.get(op)
    if operation is None:
        return pickletest.respond(start_response, globals(), {'error': 'unknown op %r' % op},
                                  status='400 Bad Request')
    result = pickletest.attempt(operation)
    return pickletest.respond(start_response, globals(), result, extra={
        'op': op,
        'record': pickletest.script_record(__name__),
        'stored_generation': stash.STORE.get('generation'),
    })
