"""Which load of a script made each function and class it defined.

A reload runs the script again into a new module object, so every ``def`` and
``class`` makes new objects; an old one kept elsewhere (a cache, a session)
can be told apart only by the load that made it.  Pickle diagnostics note the
top-level functions and classes of a script after each load
(``pickle_diagnostics.note_loaded``) and read the generation back here when
such an object fails to pickle.

Entries are ``{id(obj): (weak reference to obj, generation)}``; an entry
leaves with its object.  Built on the built-in ``_weakref``: the ``weakref``
module would import four modules (~120 KB) into every Apache child.
"""

import _weakref

_origins = {}
_function_type = type(lambda: None)


def note(module_name, namespace, generation):
    """Remember ``generation`` for the functions and classes ``namespace`` defines.

    Only objects whose ``__module__`` is ``module_name`` count (not what the
    script imported).  An object already noted keeps its generation: a script
    may bind an object an earlier load made.  Never raises: a failure here
    must not fail the script load.
    """
    if not namespace:
        return
    try:
        for value in list(namespace.values()):
            if not (isinstance(value, type) or type(value) is _function_type):
                continue
            try:
                if value.__module__ == module_name and generation_of(value) is None:
                    _remember(value, generation)
            except Exception:  # odd metaclass: no __module__, no weak reference, ...
                pass
    except Exception:
        pass


def _remember(obj, generation):
    key = id(obj)

    def forget(ref, key=key):
        try:
            if _origins.get(key, (None,))[0] is ref:
                del _origins[key]
        except Exception:  # interpreter shutdown: module globals already gone
            pass

    _origins[key] = (_weakref.ref(obj, forget), generation)


def generation_of(obj):
    """Generation noted for ``obj`` itself, or None."""
    entry = _origins.get(id(obj))
    if entry is None or entry[0]() is not obj:
        return None
    return entry[1]


def object_generation(obj):
    """Generation of the load that made ``obj`` (a script's function or class), or None.

    The one noted for ``obj``; else, for an object the notes missed (a class
    nested in another, a function made at run time), the one noted for a
    function of the module namespace its code runs in: a function's globals,
    the globals of a class's methods.  That namespace is the module object
    of one load, and its functions were noted with that load.
    """
    generation = generation_of(obj)
    if generation is not None:
        return generation
    for namespace in _namespaces_of(obj):
        for value in list(namespace.values()):
            if type(value) is _function_type and value.__globals__ is namespace:
                generation = generation_of(value)
                if generation is not None:
                    return generation
    return None


def _namespaces_of(obj):
    """The global namespaces the code of ``obj`` runs in (a function, a class's methods)."""
    candidates = [obj]
    if isinstance(obj, type):
        candidates = []
        for value in list(vars(obj).values()):
            for attr in ('__func__', 'fget', 'fset', 'fdel'):
                inner = getattr(value, attr, None)
                if inner is not None:
                    candidates.append(inner)
            candidates.append(value)
    found = []
    for candidate in candidates:
        namespace = getattr(candidate, '__globals__', None)
        if isinstance(namespace, dict) and not any(namespace is seen for seen in found):
            found.append(namespace)
    return found


def _reset():
    """Forget everything (tests only)."""
    _origins.clear()
