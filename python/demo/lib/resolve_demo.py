"""Shared code of the shared-store pages (python/demo/resolve/*.wsgi).

Script A (cart-a.wsgi) keeps a Cart, a class defined in the script, in a
Flask session that Flask-Session's Redis backend pickles; script B
(cart-b.wsgi) reads the same session. Both are served twice
(conf/demo-resolve.conf.in): by the main server, where WSGIPickleResolve is
Off, and by a virtual host on a second port where it is On. The walkthrough
(shared-store.wsgi, /pickle/shared-store) links the steps.

The Redis URL comes from the Apache process's environment,
WSGISCRIPT_DEMO_REDIS (scripts/demo exports the URL of the private
redis-server it starts); the two ports from WSGISCRIPT_DEMO_PORT and
WSGISCRIPT_DEMO_PORT_ON (SetEnv in conf/demo-resolve.conf.in).

An ordinary module on sys.path (WSGIPythonPath), not a WSGI script: it
defines nothing that is pickled.
"""
import os
import re

import demo_site
from demo_site import esc

REDIS_URL = os.environ.get('WSGISCRIPT_DEMO_REDIS', 'unix:///tmp/wsgiscript-demo-redis.sock')
KEY_PREFIX = 'session:'          # Flask-Session's default SESSION_KEY_PREFIX
SLOT = '/pickle/shared-store'    # the walkthrough; the navigation's "Shared store"
MODULE_RE = re.compile(rb'_mod_wsgi_[0-9a-f]{32}')


def redis_client():
    import redis
    return redis.Redis.from_url(REDIS_URL)


def configure(app):
    """Flask-Session with the demo's Redis on a Flask app (the same settings in A and B)."""
    from flask_session import Session
    app.config.update(SECRET_KEY='wsgiscript-demo', SESSION_TYPE='redis', SESSION_USE_SIGNER=False,
                      SESSION_PERMANENT=False, SESSION_KEY_PREFIX=KEY_PREFIX, SESSION_REDIS=redis_client())
    Session(app)
    return app


def redis_problem():
    """None when the demo's Redis answers PING, else what went wrong."""
    try:
        redis_client().ping()
    except Exception as exc:  # noqa: BLE001 (any failure is shown to the visitor)
        return 'Redis at %s does not answer: %s: %s' % (REDIS_URL, type(exc).__name__, exc)
    return None


def stored(sid):
    """(bytes or None, error text or None): the pickled session of sid in Redis."""
    if not sid:
        return None, None
    try:
        return redis_client().get(KEY_PREFIX + sid), None
    except Exception as exc:  # noqa: BLE001
        return None, '%s: %s' % (type(exc).__name__, exc)


def stored_html(sid):
    """What Redis holds for this session: its size and the script module it names."""
    data, error = stored(sid)
    if error:
        return '<p class="bad">Redis: %s</p>' % esc(error)
    if data is None:
        return '<p id="stored">Redis holds nothing for this session (<code>%s%s</code>).</p>' % (
            esc(KEY_PREFIX), esc(sid or '(no cookie yet)'))
    names = sorted({m.decode('ascii') for m in MODULE_RE.findall(data)})
    return ('<p id="stored">Redis holds the session <code>%s%s</code>: %d bytes of pickle naming the class '
            '<code>Cart</code> of module <code class="stored-module">%s</code>.</p>'
            % (esc(KEY_PREFIX), esc(sid), len(data), esc(', '.join(names) or '(none)')))


def ports(environ):
    """(Off side's port, On side's port), as strings ('' if unknown)."""
    return (demo_site.setting(environ, demo_site.ENV_PORT) or '',
            demo_site.setting(environ, demo_site.ENV_PORT_ON) or '')


def on_side(environ):
    """Is this request served by the virtual host with WSGIPickleResolve On?"""
    return environ.get('SERVER_PORT') == ports(environ)[1]


def side_url(environ, on, path):
    """path on the Off side (on=False) or the On side, on this host."""
    port = ports(environ)[1 if on else 0]
    if not port:
        return path
    return demo_site.site_url(environ, port, path)


def side_html(environ):
    """'served by ..., where WSGIPickleResolve is On|Off'."""
    if on_side(environ):
        return ('served by the virtual host on port %s, where <b class="ok">WSGIPickleResolve is On</b>'
                % esc(environ.get('SERVER_PORT')))
    return ('served by the main server (port %s), where <b class="bad">WSGIPickleResolve is Off</b>'
            % esc(environ.get('SERVER_PORT')))


EXPLAIN = """<p class="lead" id="explain">Script A stores a <code>Cart</code>, a class defined in the
WSGI script itself, in a Flask session that Flask-Session pickles into Redis; script B, another file
in another interpreter, reads the same session. The pickle names the class by A's module,
<code>_mod_wsgi_&lt;md5 of its path&gt;</code>, which no <code>import</code> finds where A is not
loaded: with <code>WSGIPickleResolve Off</code> B's unpickling fails, Flask-Session swallows the error
and gives B an empty session (HTTP 200, the data silently gone), and only the <code>WSGIS0301</code>
entry of pickle diagnostics says why. With it <code>On</code> the server loads script A into B's
interpreter by that name (<code>WSGIS0322</code>) and the Cart arrives.</p>"""


def back_html(environ):
    return '<p class="subnav"><a href="%s">&larr; the shared-store walkthrough</a></p>' % esc(
        side_url(environ, False, SLOT))


def page(environ, start_response, title, body, status='200 OK'):
    """A shared-store page in the demo's layout, "Shared store" marked in the navigation."""
    problem = redis_problem()
    warn = '<p class="bad" id="redis-problem">%s</p>' % esc(problem) if problem else ''
    return demo_site.page(environ, start_response, title, warn + body, status=status, current=SLOT)


def view(title, body, status='200 OK'):
    """A Flask view's answer: the page as a WSGI callable (Flask calls it with the request)."""
    return lambda environ, start_response: page(environ, start_response, title, body, status)
