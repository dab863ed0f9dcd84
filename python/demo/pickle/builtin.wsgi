# Demo page: the remedy. Builtin data pickles fine from a script, and no
# diagnostics entry is written.
import pickle

import pickle_demo

# --- scenario: in the request
class Cart:
    def __init__(self, items):
        self.items = items

    def to_data(self):                 # builtin types only
        return {'items': list(self.items)}

    @classmethod
    def from_data(cls, data):
        return cls(data['items'])


def save_and_load(cart):
    data = pickle.dumps(cart.to_data())        # no class of the script in the bytes
    return Cart.from_data(pickle.loads(data))
# --- end


def application(environ, start_response):
    window = pickle_demo.LogWindow(environ)
    ok, value = pickle_demo.attempt(lambda: save_and_load(Cart(['apple', 'pear'])).items)
    body = """<h2>What happens</h2>
<p>Convert objects to builtin data (a dict of fields) before pickling and
back after loading. The bytes then name no script module, so they survive
reloads and can be read by any application group, process or server.</p>
<h2>The code</h2>%s
<h2>What the application saw</h2>%s
<h2>What the server logged</h2>%s
""" % (pickle_demo.code_html(pickle_demo.scenario_source(__file__)),
       pickle_demo.outcome_html(ok, value, 'Saved and loaded: items %r' % (value,)),
       pickle_demo.log_html(window, window.lines(),
                            'Nothing: no diagnostics entry was written during this request.'))
    return pickle_demo.page(environ, start_response, 'Pickle: builtin data works', body)


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
