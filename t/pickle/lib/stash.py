"""An ordinary module (imported from WSGIPythonPath): it is not re-executed
when a WSGI script is reloaded, so whatever a script stores here outlives the
script's reloads. t/pickle/stash.wsgi keeps functions, an instance and pickled
bytes here and pickles them again after the script has been reloaded."""

STORE = {}
