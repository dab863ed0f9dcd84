# Demo page, step 2 of "another application group": this script runs in
# application group demo-pickle-reader, where make-cart.wsgi is not loaded.
import base64
import binascii
import io
import pickle

import pickle_demo


def read_form(environ):
    from urllib.parse import parse_qs
    try:
        length = int(environ.get('CONTENT_LENGTH') or 0)
    except ValueError:
        length = 0
    text = environ['wsgi.input'].read(length).decode('ascii', 'replace') if length > 0 else ''
    return {k: v[-1] for k, v in parse_qs(text).items()}


def application(environ, start_response):
    form = read_form(environ) if environ['REQUEST_METHOD'] == 'POST' else {}
    if 'data' not in form:
        return pickle_demo.page(environ, start_response, 'Pickle: data from another application group', """
<p>This page loads pickled bytes made elsewhere. Start at
<a href="/pickle/make-cart">/pickle/make-cart</a>, which makes them and sends
them here.</p>""")
    try:
        data = base64.b64decode(form['data'], validate=True)
    except (binascii.Error, ValueError) as exc:
        return pickle_demo.page(environ, start_response, 'Bad data', '<p>%s</p>' % pickle_demo.esc(exc),
                                status='400 Bad Request')
    api = form.get('api', 'loads')
    window = pickle_demo.LogWindow(environ)
    if api == 'unpickler':
        code = 'pickle.Unpickler(io.BytesIO(data)).load()'
        ok, value = pickle_demo.attempt(lambda: pickle.Unpickler(io.BytesIO(data)).load())
        stream_note = """<p>With a stream (<code>pickle.load</code>,
        <code>Unpickler(...).load()</code>) the bytes are consumed by the time
        the failure is seen, so the entry cannot name the class; with
        <code>pickle.loads(data)</code> it reads the name out of the data.</p>"""
    else:
        code = 'pickle.loads(data)'
        ok, value = pickle_demo.attempt(lambda: pickle.loads(data))
        stream_note = ''
    return pickle_demo.scenario(
        start_response, window, 'Pickle: data from another application group',
        """<p>This page runs in application group <code>demo-pickle-reader</code>,
        another interpreter. The script that defined <code>Cart</code>
        (<code>make-cart.wsgi</code>) is not loaded here, and pickle cannot
        import a script module by name, so loading fails with
        <code>ModuleNotFoundError</code>. The same happens with data written
        by another process or server. The log entry finds the script's path
        from the module name (the server configures that script) and uses
        category <b>module-not-importable</b>.</p>""" + stream_note,
        '# in application group demo-pickle-reader\n' + code,
        ok, value, pickle_demo.REMEDY + """<p>Data shared between application groups,
        processes or servers must not name a script module at all.</p>""")


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
