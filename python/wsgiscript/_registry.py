"""Per-interpreter registry of the WSGI script modules loaded so far.

The C++ module calls :func:`note_loaded` after every successful load or reload
of a script file.  State is module-level, and every interpreter imports its own
copy of this module, so the registry is naturally per interpreter.

Read it through :func:`wsgiscript.loaded_scripts`.
"""

import _weakref
import sys
import time

_mappingproxy = type(type.__dict__)  # types.MappingProxyType without the import

# mangled module name -> ScriptRecord
_scripts = {}
# function or class defined by a script -> generation of the load that made it,
# kept as {id(obj): (weak reference to obj, generation)}; an entry leaves with
# its object. Created on first use. Built on the built-in _weakref: the weakref
# module would import four modules (~120 KB) into every Apache child.
_origins = None


class LoadEvent(tuple):
    """One load of a script file: ``(generation, mtime, at)``.

    ``generation``  1 for the first load, +1 for every reload;
    ``mtime``       the file's modification time the load saw, as Apache's
                    ``apr_time_t`` (int, microseconds since the epoch);
    ``at``          when the load finished, ``time.time()`` seconds.
    """
    __slots__ = ()

    def __new__(cls, generation, mtime, at):
        return tuple.__new__(cls, (generation, mtime, at))

    generation = property(lambda self: self[0], doc='load generation (1 = first load)')
    mtime = property(lambda self: self[1], doc='file mtime seen, apr_time_t microseconds')
    at = property(lambda self: self[2], doc='time.time() when the load finished')

    def __repr__(self):
        return 'LoadEvent(generation=%r, mtime=%r, at=%r)' % tuple(self)


class ScriptRecord(tuple):
    """Immutable description of one script module in this interpreter.

    Fields (also available by index, in this order):

    ``module_name``  the mangled name, ``'_mod_wsgi_' + md5(path)``
    ``path``         absolute path of the script file
    ``generation``   current load generation: 1 after the first load, +1 per reload
    ``mtime``        file mtime of the current generation (apr_time_t, microseconds)
    ``loaded_at``    ``time.time()`` of the FIRST load in this interpreter
    ``reloaded_at``  ``time.time()`` of the LATEST reload, or ``None`` if never reloaded
    ``history``      tuple of :class:`LoadEvent`, one per load, oldest first
    """
    __slots__ = ()
    _fields = ('module_name', 'path', 'generation', 'mtime', 'loaded_at',
               'reloaded_at', 'history')

    def __new__(cls, module_name, path, generation, mtime, loaded_at,
                reloaded_at, history):
        return tuple.__new__(cls, (module_name, path, generation, mtime,
                                   loaded_at, reloaded_at, tuple(history)))

    module_name = property(lambda self: self[0], doc='mangled module name')
    path = property(lambda self: self[1], doc='absolute path of the script file')
    generation = property(lambda self: self[2], doc='current load generation')
    mtime = property(lambda self: self[3], doc='mtime of the current generation (us)')
    loaded_at = property(lambda self: self[4], doc='time.time() of the first load')
    reloaded_at = property(lambda self: self[5], doc='time.time() of the latest reload or None')
    history = property(lambda self: self[6], doc='tuple of LoadEvent, oldest first')

    def generation_loaded_at(self, generation):
        """``time.time()`` when ``generation`` was loaded, or None if unknown."""
        for event in self[6]:
            if event[0] == generation:
                return event[2]
        return None

    def __repr__(self):
        return ('ScriptRecord(module_name=%r, path=%r, generation=%r, mtime=%r, '
                'loaded_at=%r, reloaded_at=%r, history=%r)' % tuple(self))


def note_loaded(module_name, path, generation, mtime):
    """Record that ``path`` was (re)loaded as ``module_name``; called by the C++.

    Records the load time (now); for ``generation > 1`` that is also the
    reload time.  Also remembers which generation each function and class
    defined at the top level of the module came from, so pickle diagnostics
    can tell a stale object's generation even when it has no methods.
    Returns the new :class:`ScriptRecord`.
    """
    now = time.time()
    generation = int(generation)
    old = _scripts.get(module_name)
    event = LoadEvent(generation, mtime, now)
    if old is None:
        record = ScriptRecord(module_name, path, generation, mtime, now,
                              now if generation > 1 else None, (event,))
    else:
        record = ScriptRecord(module_name, path, generation, mtime, old[4],
                              now if generation > 1 else old[5],
                              old[6] + (event,))
    _scripts[module_name] = record
    module = sys.modules.get(module_name)
    if module is not None:
        _note_origins(module_name, getattr(module, '__dict__', None), generation)
    return record


def _note_origins(module_name, namespace, generation):
    """Remember the generation of the functions and classes the script defined.

    Never raises: a failure here must not fail the script load.
    """
    global _origins
    if not namespace:
        return
    try:
        if _origins is None:
            _origins = {}
        function_type = type(_note_origins)
        for value in list(namespace.values()):
            if not (isinstance(value, type) or type(value) is function_type):
                continue
            try:
                if value.__module__ == module_name:
                    _remember_origin(value, generation)
            except Exception:  # odd metaclass: no __module__, no weak reference, ...
                pass
    except Exception:
        pass


def _remember_origin(obj, generation):
    key = id(obj)

    def forget(ref, key=key):
        try:
            origins = _origins
            if origins is not None and origins.get(key, (None,))[0] is ref:
                del origins[key]
        except Exception:  # interpreter shutdown: module globals already gone
            pass

    _origins[key] = (_weakref.ref(obj, forget), generation)


def origin_generation(obj):
    """Generation recorded at load time for a script's function or class, or None."""
    if _origins is None:
        return None
    entry = _origins.get(id(obj))
    if entry is None or entry[0]() is not obj:
        return None
    return entry[1]


def get(module_name):
    """The :class:`ScriptRecord` of ``module_name``, or None."""
    return _scripts.get(module_name)


def snapshot():
    """Read-only snapshot mapping of the registry (see loaded_scripts())."""
    return _mappingproxy(dict(_scripts))


def _reset():
    """Forget everything (tests only)."""
    global _origins
    _scripts.clear()
    _origins = None
