"""``PickleFailure``: the facts of one pickle failure that script loading caused.

``_pickle_diagnose`` finds them and makes one ``PickleFailure``;
``_pickle_message`` words it.  Read-only once made.  A plain class with
``__slots__``, not a dataclass: ``dataclasses`` imports ``inspect``, ``re``,
``ast``, ``dis``, ``enum`` and 40 more modules (11 ms here) into the
Apache child at its first diagnosed failure.

The log tags and the failure categories live here, at the bottom: the
modules doing the work and the public face ``pickle_diagnostics`` (which
re-exports them) import them from here, so nothing imports back up.
"""

TAG = 'WSGIS0301'           # one entry per diagnosed failure, level warning
TAG_INTERNAL = 'WSGIS0303'  # examining a failure failed, level error (0302: install failed, C++)

CATEGORY_NOT_FOUND = 'not-found'
CATEGORY_NOT_SAME_OBJECT = 'not-same-object'
CATEGORY_MODULE_NOT_IMPORTABLE = 'module-not-importable'


class PickleFailure:
    """What is known about one failure of pickling or unpickling.

    ``op``                 ``'pickle'`` or ``'unpickle'``
    ``category``           ``'not-found'``, ``'not-same-object'`` or ``'module-not-importable'``
    ``module_name``        the script module involved, ``'_mod_wsgi_<md5>'``
    ``qualname``           qualified name of the function or class, None if not recoverable
    ``kind``               pickling: ``'function'``, ``'class'``, ... (None: ``'object'``)
    ``instance``           pickling: the class was needed for an instance of it
    ``object_generation``  pickling: the load that made the object, None if unknown
    ``script``             the script's ``_registry.ScriptRecord`` in this interpreter, or None
    ``path``               the script's path (from ``script``, else the server's
                           configuration), None if unknown to this server
    ``request``            ``(method, uri)`` of the request it happened in, or None
    ``resolve``            unpickling with WSGIPickleResolve On here: ``'not-served'`` (no
                           script of this server has that name) or ``'not-loaded'`` (it has,
                           and loading it failed); None when WSGIPickleResolve is Off here
    """
    __slots__ = ('op', 'category', 'module_name', 'qualname', 'kind', 'instance',
                 'object_generation', 'script', 'path', 'request', 'resolve')

    def __init__(self, op, category, module_name, qualname=None, kind=None, instance=False,
                 object_generation=None, script=None, path=None, request=None, resolve=None):
        values = (op, category, module_name, qualname, kind, instance, object_generation,
                  script, path, request, resolve)
        for name, value in zip(self.__slots__, values):
            object.__setattr__(self, name, value)

    def __setattr__(self, name, value):
        raise AttributeError('PickleFailure is read-only')

    def __delattr__(self, name):
        raise AttributeError('PickleFailure is read-only')

    @property
    def local(self):
        """Pickling a lambda or a function or class defined inside a function."""
        qualname = self.qualname
        return (self.op == 'pickle' and bool(qualname)
                and ('<locals>' in qualname or '<lambda>' in qualname))

    @property
    def current_generation(self):
        """The script's generation now (1 = first load), None if not loaded here."""
        return self.script.generation if self.script is not None else None

    def _values(self):
        return tuple(object.__getattribute__(self, name) for name in self.__slots__)

    def __eq__(self, other):
        if type(other) is not PickleFailure:
            return NotImplemented
        return self._values() == other._values()

    __hash__ = None

    def __repr__(self):
        return 'PickleFailure(%s)' % ', '.join(
            '%s=%r' % item for item in zip(self.__slots__, self._values()))
