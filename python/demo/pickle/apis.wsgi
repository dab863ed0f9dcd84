# Demo page: the same failure through several pickle entry points; one log
# entry per failure, also when the application catches the exception.
import io
import pickle

import pickle_demo

# --- scenario: runs once, when the server loads this script
def price(item):
    return 3


saved = price
del price


class MyPickler(pickle.Pickler):     # a subclass made by the application
    pass
# --- end


def forking_dumps(obj):
    from multiprocessing.reduction import ForkingPickler   # imported now, long after startup
    return ForkingPickler.dumps(obj)


CALLS = [
    ('pickle.dumps(saved)', lambda: pickle.dumps(saved)),
    ('pickle.dump(saved, io.BytesIO())', lambda: pickle.dump(saved, io.BytesIO())),
    ('pickle.Pickler(io.BytesIO()).dump(saved)', lambda: pickle.Pickler(io.BytesIO()).dump(saved)),
    ('MyPickler(io.BytesIO()).dump(saved)', lambda: MyPickler(io.BytesIO()).dump(saved)),
    ('multiprocessing.reduction.ForkingPickler.dumps(saved)', lambda: forking_dumps(saved)),
]


def application(environ, start_response):
    window = pickle_demo.LogWindow(environ)
    rows = []
    for code, call in CALLS:
        ok, value = pickle_demo.attempt(call)
        rows.append('<tr><td><code>%s</code></td><td class="%s">%s</td></tr>' % (
            pickle_demo.esc(code), 'ok' if ok else 'bad',
            'worked' if ok else pickle_demo.esc('%s (caught)' % type(value).__name__)))
    lines = window.lines()
    body = """<h2>What happens</h2>
<p>The function from <a href="/pickle/not-found">the not-found page</a>,
pickled through five different entry points. The application catches every
exception itself; the server still writes exactly one entry per failure
(%d failures, %d entries below), and the exception the application gets is
the one pickle raised, unchanged.</p>
<h2>The code</h2>%s
<h2>What the application saw</h2><table>%s</table>
<h2>What the server logged</h2>%s
<h2>Remedy</h2>%s
""" % (len(CALLS), len(lines), pickle_demo.code_html(pickle_demo.scenario_source(__file__)),
       ''.join(rows), pickle_demo.log_html(window, lines), pickle_demo.REMEDY)
    return pickle_demo.page(environ, start_response, 'Pickle: every entry point, one entry per failure', body)


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
