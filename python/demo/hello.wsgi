# The smallest WSGI application: mod_wsgiscript calls "application".
def application(environ, start_response):
    body = b'Hello, World!\n'
    start_response('200 OK', [('Content-Type', 'text/plain; charset=utf-8'),
                              ('Content-Length', str(len(body)))])
    return [body]


# The demo's addition: GET /hello?wsgiscript-status answers what this
# interpreter has loaded, for the dashboard (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
