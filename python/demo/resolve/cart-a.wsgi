# The shared-store pages (WSGIPickleResolve), script A, at /resolve/a on both
# sides (conf/demo-resolve.conf.in). A Flask app whose session lives in Redis
# (Flask-Session's Redis backend pickles the whole session) keeps a Cart, a
# class defined HERE, in the WSGI script, in the session; the POST then goes
# on to script B (cart-b.wsgi) on the same side, which reads the same session.
# Redis: $WSGISCRIPT_DEMO_REDIS of the Apache process (python/demo/lib/resolve_demo.py).
import re

from flask import Flask, redirect, request, session

import pickle_demo
import resolve_demo
from demo_site import esc


# --- scenario: script A's class, pickled into the session by its module name
class Cart:
    """Defined in the WSGI script: pickled as _mod_wsgi_<md5 of this file>.Cart."""

    def __init__(self, items):
        self.items = list(items)

    def __repr__(self):
        return 'Cart(%r)' % (self.items,)
# --- end


app = resolve_demo.configure(Flask(__name__))


def items_of(text):
    """The visitor's items: words, at most 8 of them, each at most 24 characters."""
    return [w[:24] for w in re.split(r'[\s,]+', text or '') if w][:8] or ['apple', 'pear']


@app.route('/', methods=['GET', 'POST'], strict_slashes=False)
def put():
    environ = request.environ
    if request.method == 'POST':
        session['cart'] = Cart(items_of(request.form.get('items')))
        # On to script B, on this side (this server's /resolve/b).
        return redirect(request.script_root.rsplit('/', 1)[0] + '/b', code=303)
    body = """%(back)s
<p>This is script A, %(side)s. It runs in application group <code>%(group)s</code> as module
<code class="module-a">%(module)s</code>, and defines:</p>
%(code)s
<form method="post" action="%(action)s">
<label>Items <input name="items" value="apple,pear" size="24"></label>
<button type="submit">Put a Cart in the session</button>
</form>
<p>Flask-Session pickles the session, <code>{'cart': Cart([...])}</code>, into Redis; the button then
takes you to script B on this side.</p>""" % {
        'back': resolve_demo.back_html(environ), 'side': resolve_demo.side_html(environ),
        'group': esc(environ.get('mod_wsgi.application_group', '')), 'module': esc(__name__),
        'action': esc(request.script_root or '/resolve/a'),
        'code': pickle_demo.code_html(pickle_demo.scenario_source(__file__))}
    return resolve_demo.view('Shared store: script A', body)


application = app


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
