# Demo page: objects kept across a reload of the script (not-same-object,
# "reloaded", with generations).
import datetime
import os
import pickle
import time

import demo_stash
import pickle_demo
import wsgiscript

GENERATION = globals().get('__wsgiscript_generation__')

# --- scenario: runs every time the server (re)loads this script
def discount(total):
    return total * 0.9


class Cart:
    def __init__(self):
        self.items = ['apple', 'pear']


def keep():
    """Keep objects of this generation in an ordinary module."""
    demo_stash.STORE.update(discount=discount, cart=Cart(), generation=GENERATION)
# --- end


def _when(t):
    if t is None:
        return 'never'
    return datetime.datetime.fromtimestamp(t).astimezone().isoformat(sep=' ', timespec='seconds')


def registry_html():
    rec = wsgiscript.loaded_scripts().get(__name__)
    if rec is None:
        return '<p>(this script is not in wsgiscript.loaded_scripts())</p>'
    rows = [('module_name', rec.module_name), ('path', rec.path), ('generation', rec.generation),
            ('loaded_at', _when(rec.loaded_at)), ('reloaded_at', _when(rec.reloaded_at))]
    rows += [('history: generation %d' % h.generation, 'loaded %s, file mtime %s'
              % (_when(h.at), _when(h.mtime / 1e6))) for h in rec.history]
    return '<table>%s</table>' % ''.join(
        '<tr><th>%s</th><td><code>%s</code></td></tr>' % (pickle_demo.esc(k), pickle_demo.esc(v))
        for k, v in rows)


def touch_form():
    return ("""<form method="post" action="/pickle/reload"><input type="hidden" name="action" value="touch">
<button>Touch the script (change its mtime)</button></form>
<p>or run <code>touch %s</code> yourself, then reload this page.</p>""" % pickle_demo.esc(__file__))


def reset_form():
    return ("""<form method="post" action="/pickle/reload"><input type="hidden" name="action" value="keep">
<button>Start again: keep fresh objects of generation %s</button></form>""" % GENERATION)


def read_form(environ):
    from urllib.parse import parse_qs
    try:
        length = int(environ.get('CONTENT_LENGTH') or 0)
    except ValueError:
        length = 0
    data = environ['wsgi.input'].read(length).decode('utf-8', 'replace') if length > 0 else ''
    return {k: v[-1] for k, v in parse_qs(data).items()}


def redirect(start_response, message=''):
    start_response('303 See Other', [('Location', '/pickle/reload' + message),
                                     ('Content-Length', '0')])
    return [b'']


def application(environ, start_response):
    if environ['REQUEST_METHOD'] == 'POST':
        action = read_form(environ).get('action')
        if action == 'touch':
            try:
                now = time.time()
                os.utime(__file__, (now, now))
            except OSError as exc:
                return pickle_demo.page(environ, start_response, 'Could not touch the script', """
<p>The server process may not change <code>%s</code>: %s.</p>
<p>Run <code>touch %s</code> yourself, then <a href="/pickle/reload">go back</a>.</p>"""
                    % (pickle_demo.esc(__file__), pickle_demo.esc(exc), pickle_demo.esc(__file__)))
            return redirect(start_response)
        if action == 'keep':
            keep()
        return redirect(start_response)

    window = pickle_demo.LogWindow(environ)
    stored = demo_stash.STORE.get('generation')
    explanation = """<p>When a WSGI script changes (even a <code>touch</code>), the
    server runs it again into a new module object: every <code>def</code> and
    <code>class</code> makes <em>new</em> objects. Objects the old generation
    left in an ordinary module (here <code>demo_stash</code>, which is not
    re-run) are now strangers: the names <code>discount</code> and
    <code>Cart</code> lead to the new objects, so pickle refuses the old ones
    (category <b>not-same-object</b>). The log entry says the script was
    <b>reloaded</b>, which generation the object came from, the current
    generation and when the reload happened.</p>"""
    if stored is None or stored == GENERATION:
        if stored is None:
            keep()
        ok, value = pickle_demo.attempt(
            lambda: pickle.dumps([demo_stash.STORE['discount'], demo_stash.STORE['cart']]))
        body = """<h2>What happens</h2>%s
<h2>Step 1: objects kept (done)</h2>
<p>This is generation <b>%s</b> of the script. It keeps its function
<code>discount</code> and a <code>Cart</code> instance in
<code>demo_stash</code>. Right now they pickle fine:</p>%s
<h2>Step 2: reload the script</h2>%s
<h2>The code</h2>%s
<h2>wsgiscript.loaded_scripts() for this script</h2>%s
""" % (explanation, GENERATION, pickle_demo.outcome_html(ok, value, 'pickle.dumps worked.'),
            touch_form(), pickle_demo.code_html(pickle_demo.scenario_source(__file__)),
            registry_html())
        return pickle_demo.page(environ, start_response, 'Pickle: objects kept across a reload', body)

    ok_f, value_f = pickle_demo.attempt(lambda: pickle.dumps(demo_stash.STORE['discount']))
    ok_c, value_c = pickle_demo.attempt(lambda: pickle.dumps(demo_stash.STORE['cart']))
    body = """<h2>What happens</h2>%s
<h2>Step 3: pickling the kept objects after the reload</h2>
<p>The objects were kept by generation <b>%s</b>; the script is now at
generation <b>%s</b>.</p>
<h3>pickle.dumps(demo_stash.STORE['discount'])</h3>%s
<h3>pickle.dumps(demo_stash.STORE['cart'])</h3>%s
<h2>What the server logged</h2>%s
<h2>Remedy</h2>%s
<p>Or do not keep script objects where they outlive a reload, or turn
reloading off (<code>WSGIScriptReloading Off</code>) for this application.</p>
%s
<p>Touch the script again to see the generations grow:</p>%s
<h2>The code</h2>%s
<h2>wsgiscript.loaded_scripts() for this script</h2>%s
""" % (explanation, stored, GENERATION, pickle_demo.outcome_html(ok_f, value_f),
        pickle_demo.outcome_html(ok_c, value_c), pickle_demo.log_html(window, window.lines()),
        pickle_demo.REMEDY, reset_form(), touch_form(),
        pickle_demo.code_html(pickle_demo.scenario_source(__file__)), registry_html())
    return pickle_demo.page(environ, start_response, 'Pickle: objects kept across a reload', body)


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
