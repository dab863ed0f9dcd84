# Demo page: a function redefined (not-same-object).
import pickle

import pickle_demo

# --- scenario: runs once, when the server loads this script
def discount(total):
    return total * 0.9


saved = discount          # keeps the first function


def discount(total):      # a second function now has the name
    return total * 0.8
# --- end


def application(environ, start_response):
    window = pickle_demo.LogWindow(environ)
    ok, value = pickle_demo.attempt(lambda: pickle.dumps(saved))
    return pickle_demo.scenario(
        start_response, window, 'Pickle: a function that was redefined',
        """<p>The name <code>discount</code> still exists, but it leads to a
        newer function than the one kept in <code>saved</code>. pickle refuses:
        reading the data back would give a different function. This is what a
        script <em>reload</em> does to every function and class of the script
        at once (see <a href="/pickle/reload">the reload page</a>). Category
        <b>not-same-object</b>.</p>""",
        pickle_demo.scenario_source(__file__) + '\n# in the request:\npickle.dumps(saved)',
        ok, value, pickle_demo.REMEDY)


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
