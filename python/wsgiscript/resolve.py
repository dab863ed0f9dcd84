"""Pickled script objects that load wherever the script is served.

A WSGI script file is loaded as the module ``_mod_wsgi_<md5 of its path>``,
which no ``import`` can find, so pickled data naming a function, class or
instance defined in a script cannot be read where that script is not loaded
(another application group, another process, another server, a worker
outside Apache).  ``WSGIPickleResolve On`` makes the server load the script
it serves under that name when something imports the name; this module is
the same for processes outside Apache::

    import wsgiscript.resolve
    wsgiscript.resolve.install('/var/lib/apache2/wsgiscript-manifest.json')
    session = pickle.loads(redis.get(key))   # loads the script named in the data

:func:`install` reads the manifest the server writes (``WSGIScriptManifest``)
and puts a finder first on ``sys.meta_path`` that loads, for a module name
listed there, that script file, as the server does: a new module of that name
with ``__file__``, ``__mtime__`` (microseconds) and
``__wsgiscript_generation__`` (1), the file's text decoded as Python decodes
source (PEP 263), executed once (the import system's module lock makes
concurrent imports wait for it).  The same safety rule as in the server: only
names the manifest lists, a file listed as a file must be a regular file, a
file found in a directory must still lie inside that directory's real path
(no symlink or ``..`` leads out).  Anything else is the ordinary
``ModuleNotFoundError``.  The manifest is read again when it changes (looked
at, at most every 10 s, on a miss).

A script loaded this way stays loaded as any imported module does: restart
the worker to pick up a new version.  :func:`wsgiscript.loaded_scripts` lists
the scripts loaded so.

Inside Apache the server calls :func:`_install_server` (by-name pickling of
objects left behind by a reload: :mod:`wsgiscript._resolve_pickle`); the
imports are resolved by the server itself.
"""

import sys
import threading

from . import _host

TAG_REFUSED = 'WSGIS0324'   # a listed script that may not be loaded (warning)
TAG_LOADED = 'WSGIS0322'    # a script loaded by name (info)
RELOAD_INTERVAL = 10.0      # seconds between looks at a changed manifest, on a miss

_finder = None


def install(manifest, *, log=None):
    """Resolve script module names from ``manifest`` in this process; returns the script count.

    ``manifest`` is the path of the file ``WSGIScriptManifest`` names.
    ``log(level, tag, text)`` receives the lines the server would log (by
    default they go to stderr, as ``TAG: text``).  Installing again replaces
    the manifest.  Raises ``ValueError``/``OSError`` when the manifest cannot
    be used.
    """
    global _finder
    from . import _manifest
    data = _manifest.read(manifest)
    finder = Finder(data, log)
    uninstall()
    sys.meta_path.insert(0, finder)
    _finder = finder
    return len(data.scripts)


def uninstall():
    """Remove what :func:`install` put on ``sys.meta_path``; False if nothing was there."""
    global _finder
    finder, _finder = _finder, None
    if finder is None:
        return False
    try:
        sys.meta_path.remove(finder)
    except ValueError:
        pass
    return True


def installed():
    """The manifest path in use, or None."""
    return _finder.manifest.path if _finder is not None else None


def enabled():
    """Are script modules resolved here?

    Inside Apache: WSGIPickleResolve is On for this interpreter (a server with
    it On has loaded a script here).  Outside: :func:`install` is in effect.
    """
    return _finder is not None or bool(_host.resolve_enabled())


def lookup(module_name):
    """Where ``module_name`` would be loaded from: an entry of the manifest, or None.

    Inside Apache: the server's own index (``(path, kind, root, source)``).
    """
    if _finder is not None:
        return _finder.manifest.scripts.get(module_name)
    return _host.resolve_lookup(module_name)


class Finder:
    """Finds script modules listed in a manifest; loads them as the server does."""

    def __init__(self, manifest, log=None):
        self.manifest = manifest
        self.log = log
        self._lock = threading.Lock()
        self._looked_at = 0.0
        self._refused = set()

    # -- the meta path finder protocol ----------------------------------------------
    def find_spec(self, name, path=None, target=None):
        if path is not None or len(name) != 42 or not name.startswith('_mod_wsgi_'):
            return None
        entry = self.manifest.scripts.get(name)
        if entry is None:
            entry = self._reread(name)
            if entry is None:
                return None
        from . import _manifest
        why = _manifest.check(entry)
        if why:
            if name not in self._refused:
                self._refused.add(name)
                self._log(_host.APLOG_WARNING, TAG_REFUSED,
                          "WSGIPickleResolve: module '%s' names '%s' (%s), which is not loaded: %s"
                          % (name, entry.path, entry.source, why))
            return None
        from _frozen_importlib import ModuleSpec
        return ModuleSpec(name, self, origin=entry.path)

    def create_module(self, spec):
        return None

    def exec_module(self, module):
        import os
        name = module.__spec__.name
        entry = self.manifest.scripts[name]
        with open(entry.path, 'rb') as f:
            mtime = os.fstat(f.fileno()).st_mtime_ns // 1000
            source = f.read()
        code = compile(source, entry.path, 'exec', dont_inherit=True)
        namespace = module.__dict__
        namespace['__file__'] = entry.path
        namespace['__mtime__'] = mtime
        namespace['__wsgiscript_generation__'] = 1
        exec(code, namespace)
        _host.fallback_note_loaded(name, entry.path, 1, mtime)
        self._log(_host.APLOG_INFO, TAG_LOADED,
                  "WSGIPickleResolve: module '%s' imported by name: loaded script '%s' (%s), generation 1"
                  % (name, entry.path, entry.source))

    # -- helpers -----------------------------------------------------------------------
    def _reread(self, name):
        """On a miss: the manifest again if it changed (at most every RELOAD_INTERVAL)."""
        import os
        import time
        from . import _manifest
        now = time.monotonic()
        with self._lock:
            if now - self._looked_at < RELOAD_INTERVAL:
                return None
            self._looked_at = now
            try:
                if os.stat(self.manifest.path).st_mtime_ns == self.manifest.mtime_ns:
                    return None
                self.manifest = _manifest.read(self.manifest.path)
            except (OSError, ValueError) as err:
                self._log(_host.APLOG_WARNING, TAG_REFUSED,
                          'WSGIPickleResolve: the manifest %s could not be read again: %s'
                          % (self.manifest.path, err))
                return None
        return self.manifest.scripts.get(name)

    def _log(self, level, tag, text):
        try:
            (self.log or _host.log)(level, tag, text)
        except Exception as err:
            _host.report_unraisable(err, self._log)

    def __repr__(self):
        return '<wsgiscript.resolve.Finder of %s>' % self.manifest.path


# -- inside Apache ------------------------------------------------------------------

def _install_server(log=None):
    """Called by the server once per interpreter with WSGIPickleResolve On."""
    from . import _registry, _resolve_pickle
    first = _resolve_pickle.install(log)
    if first:
        for module_name, record in _registry.loaded_scripts().items():
            _resolve_pickle.note_loaded(module_name, record.generation)
    return first


def _note_loaded(module_name, generation):
    """Called by the server after each load of a script where _install_server ran."""
    from . import _resolve_pickle
    _resolve_pickle.note_loaded(module_name, generation)
