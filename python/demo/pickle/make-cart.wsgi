# Demo page, step 1 of "another application group": this script runs in
# application group demo-pickle-maker and pickles an instance of its class.
import base64
import pickle

import pickle_demo

# --- scenario: this script, in application group demo-pickle-maker
class Cart:
    def __init__(self):
        self.items = ['apple', 'pear']


data = pickle.dumps(Cart())
# --- end


def application(environ, start_response):
    window = pickle_demo.LogWindow(environ)
    ok, value = pickle_demo.attempt(lambda: pickle.loads(data).items)
    encoded = base64.b64encode(data).decode('ascii')
    body = """<h2>What happens</h2>
<p>A WSGI script is not an importable module: it is kept in
<code>sys.modules</code> as <code>%s</code> only in the interpreter that loaded
it. Each application group is its own interpreter. This page runs in group
<code>demo-pickle-maker</code> and pickled a <code>Cart</code>; the bytes name
the class as <code>%s.Cart</code>.</p>
<h2>The code</h2>%s
<h2>The bytes</h2><pre>%s</pre>
<h2>Loading them here, in the same interpreter</h2>%s
%s
<h2>Step 2: load the same bytes in another application group</h2>
<form method="post" action="/pickle/read-cart">
<input type="hidden" name="data" value="%s">
<label><input type="radio" name="api" value="loads" checked> <code>pickle.loads(data)</code></label><br>
<label><input type="radio" name="api" value="unpickler"> <code>pickle.Unpickler(io.BytesIO(data)).load()</code></label><br>
<button>Send them to /pickle/read-cart (group demo-pickle-reader)</button>
</form>
""" % (pickle_demo.esc(__name__), pickle_demo.esc(__name__),
       pickle_demo.code_html(pickle_demo.scenario_source(__file__)), pickle_demo.esc(repr(data)),
       pickle_demo.outcome_html(ok, value, 'pickle.loads(data) works here: %r' % (value,)),
       pickle_demo.log_html(window, window.lines()), pickle_demo.esc(encoded))
    return pickle_demo.page(environ, start_response, 'Pickle: data from another application group', body)


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
