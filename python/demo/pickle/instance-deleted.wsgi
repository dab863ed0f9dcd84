# Demo page: an instance of a deleted class (not-found, through the instance).
import pickle

import pickle_demo

# --- scenario: runs once, when the server loads this script
class Cart:
    def __init__(self):
        self.items = ['apple', 'pear']


cart = Cart()      # an instance
del Cart           # its class's name is gone
# --- end


def application(environ, start_response):
    window = pickle_demo.LogWindow(environ)
    ok, value = pickle_demo.attempt(lambda: pickle.dumps(cart))
    return pickle_demo.scenario(
        start_response, window, 'Pickle: an instance of a deleted class',
        """<p>An instance is pickled as "its class, by name, plus its data".
        The data (<code>items</code>) would be fine, but the class can no
        longer be found under its name <code>Cart</code>. The entry names the
        class and says it was <em>needed to pickle an instance of it</em>.
        Category <b>not-found</b>.</p>""",
        pickle_demo.scenario_source(__file__) + '\n# in the request:\npickle.dumps(cart)',
        ok, value, pickle_demo.REMEDY)


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
