# Demo index of the pickle scenarios (WSGIPickleDiagnostics).
import demo_site
import pickle_demo

PAGES = [
    ('/pickle/not-found', 'A function copied, then deleted',
     'The name the function was defined under is gone: <b>not-found</b>.'),
    ('/pickle/redefined', 'A function redefined',
     'The name now leads to another function: <b>not-same-object</b>.'),
    ('/pickle/class-deleted', 'A class deleted',
     'Classes are pickled by name too: <b>not-found</b>.'),
    ('/pickle/instance-deleted', 'An instance of a deleted class',
     'An instance needs its class by name: <b>not-found</b>, through the instance.'),
    ('/pickle/reload', 'Objects kept across a reload of the script',
     'A touch re-creates every function and class; kept objects become strangers: '
     '<b>not-same-object</b>, <b>reloaded</b>, with generations.'),
    ('/pickle/make-cart', 'Data from another application group',
     'A script module cannot be imported where it is not loaded: <b>module-not-importable</b>.'),
    ('/pickle/apis', 'Every entry point, one entry per failure',
     'dumps, dump, Pickler, a subclass, multiprocessing\'s ForkingPickler; the app catches the errors.'),
    ('/pickle/builtin', 'The remedy: builtin data',
     'Pickle dicts and lists, not script objects: no failure, no entry.'),
    # The shared-store pages (WSGIPickleResolve), mapped by
    # conf/demo-resolve.conf.in; without it this entry says "not in this build".
    ('/pickle/shared-store', 'Two scripts sharing a Redis-backed session',
     'WSGIPickleResolve: an object pickled by one script, read by another; the silent loss and its log entry.'),
]


def application(environ, start_response):
    configured = demo_site.configured_urls(environ)
    items = '\n'.join(
        ('<li><a href="%s">%s</a><br>%s</li>' if url in configured else
         '<li class="slot"><b>%s</b> <span class="muted">(%s: not in this build yet)</span><br>%s</li>')
        % ((url, pickle_demo.esc(title), text) if url in configured else (pickle_demo.esc(title), url, text))
        for url, title, text in PAGES)
    body = """<p>A WSGI script is loaded as a module named
<code>_mod_wsgi_&lt;md5 of its path&gt;</code> that cannot be imported by name
and is re-run when the file changes. pickle stores functions and classes by
name, so objects defined in a script stop being picklable when their name is
deleted, rebound or re-created by a reload, and pickled data naming a script
module cannot be loaded where that script is not loaded. Python's messages
name only the mangled module.</p>
<p>With <code>WSGIPickleDiagnostics On</code> the server writes one
<code>WSGIS0301</code> warning per such failure, naming the script file, the
object, whether a reload caused it, and what to do. Each page below triggers
one case inside its own request and shows you the entry it produced.</p>
<ul class="pages">%s</ul>
<p>The full description is in <code>docs/pickle.md</code>.</p>""" % items
    return pickle_demo.page(environ, start_response, 'Pickle diagnostics: scenarios', body, back=False)


# The demo dashboard asks GET <url>?wsgiscript-status (python/demo/lib/demo_site.py).
import demo_site  # noqa: E402
application = demo_site.with_status(application, globals())
