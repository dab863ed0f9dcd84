"""The scripts this interpreter has loaded, read from the server's script table.

The C++ module keeps one record per script and interpreter (path, generation,
mtime, load times, the latest loads) and is the only keeper of those facts:
this module holds no state, it turns what ``_host.loaded_scripts()`` returns
into immutable :class:`ScriptRecord` objects.  In a plain Python the table is
``_host``'s fallback, filled with ``_host.fallback_note_loaded()``.

Read it through :func:`wsgiscript.loaded_scripts`.
"""

_mappingproxy = type(type.__dict__)  # types.MappingProxyType without the import


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
                     (the latest 64 loads: older ones are dropped)
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


def _record(module_name, raw):
    path, generation, mtime, loaded_at, reloaded_at, history = raw
    return ScriptRecord(module_name, path, generation, mtime, loaded_at, reloaded_at,
                        [LoadEvent(*event) for event in history])


def loaded_scripts():
    """Read-only snapshot mapping of this interpreter's scripts (see wsgiscript.loaded_scripts())."""
    from . import _host
    return _mappingproxy({name: _record(name, raw)
                          for name, raw in _host.loaded_scripts().items()})


def get(module_name):
    """The :class:`ScriptRecord` of ``module_name`` in this interpreter, or None."""
    from . import _host
    raw = _host.loaded_scripts().get(module_name)
    return None if raw is None else _record(module_name, raw)
