"""mod_wsgiscript's Python side.

This package is compiled into mod_wsgiscript.so and importable in every
interpreter the module runs (main and sub-interpreters).  Importing it is
cheap: submodules are imported when first used.

Public API
----------
``loaded_scripts()``
    Read-only mapping of the WSGI script files loaded by this interpreter.
``mangle(path)``
    The module name a script file is loaded under.
``wsgiscript.pickle_diagnostics``
    Logging of pickle failures caused by script loading; installed by the
    ``WSGIPickleDiagnostics On`` directive (see docs/pickle.md).
"""

__all__ = ['loaded_scripts', 'mangle', 'SCRIPT_MODULE_PREFIX']

SCRIPT_MODULE_PREFIX = '_mod_wsgi_'


def mangle(path):
    """Return the module name a script file is loaded under.

    ``'_mod_wsgi_' + md5(path).hexdigest()``, the same scheme as mod_wsgi;
    ``path`` is the absolute path as the server configuration names it
    (encoded as UTF-8, undecodable bytes kept via surrogateescape).

    >>> mangle('/srv/app/app.wsgi')
    '_mod_wsgi_...'
    """
    import hashlib
    data = path.encode('utf-8', 'surrogateescape')
    try:
        digest = hashlib.md5(data, usedforsecurity=False)
    except TypeError:  # hashlib without usedforsecurity
        digest = hashlib.md5(data)
    return SCRIPT_MODULE_PREFIX + digest.hexdigest()


def is_script_module_name(name):
    """True if ``name`` has the form of a script module name (prefix + 32 hex)."""
    return (type(name) is str and len(name) == 42
            and name.startswith(SCRIPT_MODULE_PREFIX)
            and all(c in '0123456789abcdef' for c in name[10:]))


def loaded_scripts():
    """Return the script files this interpreter has loaded, read-only.

    The result is a read-only mapping (a ``types.MappingProxyType`` over a
    snapshot taken at the call) from the mangled module name
    (``'_mod_wsgi_' + md5 hex of the path``, see :func:`mangle`) to an
    immutable record with these attributes (it is also a tuple, in this
    order):

    ``module_name``  the mangled name (the key)
    ``path``         absolute path of the script file
    ``generation``   1 after the first load, +1 for each reload since
    ``mtime``        the file's mtime the current generation was loaded from,
                     as Apache's apr_time_t: int microseconds since the epoch
    ``loaded_at``    ``time.time()`` of the first load in this interpreter
    ``reloaded_at``  ``time.time()`` of the latest reload, ``None`` if the
                     script was never reloaded
    ``history``      tuple of ``(generation, mtime, at)`` records (attributes
                     of the same names), one per load, oldest first: the
                     latest 64 loads (older ones are dropped)

    Only scripts loaded by *this* interpreter (application group) appear;
    each interpreter has its own registry.  Take a new snapshot to see later
    loads.  The records come from the server's own script table.
    """
    from . import _registry
    return _registry.loaded_scripts()
