# The shared-store walkthrough (WSGIPickleResolve), /pickle/shared-store: what
# the two scripts of python/demo/resolve/ show, on which side, and the form
# that starts it (a Cart put in the session by script A on the Off side).
import demo_site
import resolve_demo
from demo_site import esc


def application(environ, start_response):
    off_port, on_port = resolve_demo.ports(environ)

    def link(on, path):
        url = resolve_demo.side_url(environ, on, path)
        return '<a href="%s">%s</a>' % (esc(url), esc(url))

    body = """%(explain)s
<table class="facts sides">
<tr><th>WSGIPickleResolve Off</th><td>the main server, port %(off_port)s: script A %(off_a)s
(application group <code>demo-resolve-a</code>), script B %(off_b)s (<code>demo-resolve-b</code>)</td></tr>
<tr><th>WSGIPickleResolve On</th><td>a virtual host on port %(on_port)s: the same files at the same
paths, so the same module names: %(on_a)s (<code>demo-resolve-on-a</code>), %(on_b)s
(<code>demo-resolve-on-b</code>)</td></tr>
</table>
<p>A browser sends a host's cookies to all its ports, so both sides see your one session.</p>
<h2>Step 1: script A puts a Cart in the session</h2>
<form method="post" action="%(put)s" id="put">
<label>Items <input name="items" value="apple,pear" size="24"></label>
<button type="submit">Put it in the cart (script A, Off side)</button>
</form>
<h2>Step 2: script B reads it with WSGIPickleResolve Off</h2>
<p>The button above goes on to %(off_b)s: the session comes back empty and the page shows the
<code>WSGIS0301</code> entry the server wrote about it.</p>
<h2>Step 3: script B reads it with WSGIPickleResolve On</h2>
<p>From there, a link leads to %(on_b)s, which reads the same bytes from Redis: the Cart arrives, and the
page shows the <code>WSGIS0322</code> line of the load that made it possible.</p>
<p>More: <a href="/pickle/make-cart">the failure without a store</a> (another application group),
<code>docs/pickle.md</code> and <code>docs/directives/WSGIPickleResolve.md</code>.</p>
""" % {'explain': resolve_demo.EXPLAIN, 'off_port': esc(off_port), 'on_port': esc(on_port),
       'off_a': link(False, '/resolve/a'), 'off_b': link(False, '/resolve/b'),
       'on_a': link(True, '/resolve/a'), 'on_b': link(True, '/resolve/b'),
       'put': esc(resolve_demo.side_url(environ, False, '/resolve/a'))}
    return resolve_demo.page(environ, start_response, 'Shared store: a Redis-backed session', body)


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
application = demo_site.with_status(application, globals())
