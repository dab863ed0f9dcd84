"""An ordinary module (on sys.path through WSGIPythonPath) where the reload
demo page keeps objects. It is imported once per interpreter and is NOT
re-run when a WSGI script is reloaded, so what a script keeps here outlives
the script's reloads (like a cache, a session store or a worker thread
would)."""

STORE = {}
