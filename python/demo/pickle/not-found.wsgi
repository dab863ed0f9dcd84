# Demo page: a function copied, then deleted (not-found).
import pickle

import pickle_demo

# --- scenario: runs once, when the server loads this script
def price(item):
    return 3


saved = price     # another reference to the same function
del price         # the name the function was defined under is gone
# --- end


def application(environ, start_response):
    window = pickle_demo.LogWindow(environ)
    ok, value = pickle_demo.attempt(lambda: pickle.dumps(saved))   # the request
    return pickle_demo.scenario(
        start_response, window, 'Pickle: a function whose name was deleted',
        """<p>pickle stores a function <em>by name</em>: it writes the module
        name and <code>price</code>, and checks that this name still leads to
        the function. This script made the function, kept it as
        <code>saved</code>, then deleted the name <code>price</code>. Pickling
        <code>saved</code> fails: the script no longer has anything named
        <code>price</code>. The module is a WSGI script loaded as
        <code>_mod_wsgi_&lt;md5 of its path&gt;</code>, so Python's message
        names only that; the log entry names the file, the function and the
        category <b>not-found</b>.</p>""",
        pickle_demo.scenario_source(__file__) + '\n# in the request:\npickle.dumps(saved)',
        ok, value, pickle_demo.REMEDY)


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
