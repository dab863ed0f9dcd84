# Demo page: a class deleted (not-found).
import pickle

import pickle_demo

# --- scenario: runs once, when the server loads this script
class Cart:
    pass


CartType = Cart    # another reference to the class
del Cart           # the class's own name is gone
# --- end


def application(environ, start_response):
    window = pickle_demo.LogWindow(environ)
    ok, value = pickle_demo.attempt(lambda: pickle.dumps(CartType))
    return pickle_demo.scenario(
        start_response, window, 'Pickle: a class whose name was deleted',
        """<p>Classes are pickled by name like functions. The class was made
        as <code>Cart</code> and kept as <code>CartType</code>; with the name
        <code>Cart</code> deleted, pickle cannot store it. Category
        <b>not-found</b>, class <code>'Cart'</code>.</p>""",
        pickle_demo.scenario_source(__file__) + '\n# in the request:\npickle.dumps(CartType)',
        ok, value, pickle_demo.REMEDY)


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
