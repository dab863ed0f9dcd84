"""Objects of reloaded scripts pickle by name (WSGIPickleResolve).

A reload runs the script into a new module object: a function, a class or an
instance of a class made by an earlier load no longer is the object its name
leads to, and pickle refuses it ("it's not the same object as ...").  Pickled
data holds only the name, so the object can be written by name and will
unpickle as the current definition.

:func:`install` wraps ``pickle.dumps``, ``pickle.dump`` (``_host.retry``: one
extra C call on the success path) and ``pickle.Pickler``.  Only when pickle
failed with "not the same object" on a script module is the object pickled
again with :class:`ByName`, a pure-Python pickler whose ``save_global``
writes such an object by its name when

* its module is a script module loaded in this interpreter (the server's
  registry knows it),
* the name leads to the current definition of the same kind (a function for
  a function, a class for a class), defined by that script, and
* the object comes from an earlier generation of that script (its code's
  namespace says which load made it, or the load was noted), so a name the
  script itself rebinds is not papered over.

Anything else fails as before, with the original exception (pickle
diagnostics, if installed, then explain it).  Each (script, name) pickled by
name is logged once per interpreter at level info (``WSGIS0323``).

Writing to a file (``dump``, ``Pickler.dump``) is retried only when the
failed attempt cannot have written part of its output: pickle's C
implementation writes payloads of 64 KiB or more straight to the file, so
data holding such a payload is not retried; nor is a call with a
``buffer_callback``.  After a retried ``Pickler.dump`` the pickler's memo is
cleared (the failed attempt had memoised objects it never wrote).
"""

import sys

from . import _host, _pickle_origins, _registry, is_script_module_name
from ._patch_set import PatchSet

TAG_BY_NAME = 'WSGIS0323'

_BIG = 64 * 1024           # _pickle.c's FRAME_SIZE_TARGET: bigger payloads bypass its buffer
_NAMES = ('dumps', 'dump', 'Pickler')
_MISSING = object()
_function_type = type(lambda: None)

_state = None   # a PatchSet while installed
_said = set()   # (module_name, qualname) already logged
_by_name_class = None


def installed():
    return _state is not None


def install(log=None):
    """Wrap pickle's entry points; False if already installed.

    Pickle diagnostics, when installed here, are put back on top afterwards:
    a failure they see is one pickling by name could not avoid.
    """
    global _state
    if _state is not None:
        if log is not None:
            _state.log = log
        return False
    import pickle
    from . import pickle_diagnostics
    diagnostics_log = None
    relayer = pickle_diagnostics.installed()
    if relayer:
        from . import _pickle_patch
        diagnostics_log = _pickle_patch._state.log
        pickle_diagnostics.uninstall()
    originals = {name: getattr(pickle, name) for name in _NAMES}
    retry = _host.retry
    replacements = {
        'dumps': retry(originals['dumps'], _dumps_fallback),
        'dump': retry(originals['dump'], _dump_fallback),
        'Pickler': _make_pickler(originals['Pickler']),
    }
    _state = PatchSet(pickle, originals, replacements, log)
    _state.apply()
    if relayer:
        pickle_diagnostics.install(diagnostics_log)
    return True


def uninstall():
    """Put back what install() replaced (unless replaced since); False if not installed."""
    global _state
    state = _state
    if state is None:
        return False
    _state = None
    state.restore()
    return True


# -- the fallbacks: (exc, args, kwargs) of the failed call -----------------------

def _stale_failure(exc):
    """Only "not the same object as _mod_wsgi_...": a reload can have caused it."""
    import pickle
    if not isinstance(exc, pickle.PicklingError):
        return False
    try:
        text = str(exc)
    except Exception:
        return False
    return "it's not the same object as _mod_wsgi_" in text


def _dumps_fallback(exc, args, kwargs):
    # dumps(obj, protocol=None, *, fix_imports=True, buffer_callback=None)
    if not _stale_failure(exc) or len(args) > 2 or kwargs.get('buffer_callback') is not None:
        return NotImplemented
    obj = args[0] if args else kwargs.get('obj', _MISSING)
    protocol = args[1] if len(args) > 1 else kwargs.get('protocol')
    if obj is _MISSING:
        return NotImplemented
    data = _again(obj, protocol, kwargs.get('fix_imports', True), None)
    return NotImplemented if data is None else data


def _dump_fallback(exc, args, kwargs):
    # dump(obj, file, protocol=None, *, fix_imports=True, buffer_callback=None)
    if not _stale_failure(exc) or len(args) > 3 or kwargs.get('buffer_callback') is not None:
        return NotImplemented
    obj = args[0] if args else kwargs.get('obj', _MISSING)
    file = args[1] if len(args) > 1 else kwargs.get('file', _MISSING)
    protocol = args[2] if len(args) > 2 else kwargs.get('protocol')
    if obj is _MISSING or file is _MISSING:
        return NotImplemented
    data = _again(obj, protocol, kwargs.get('fix_imports', True), None, to_file=True)
    if data is None:
        return NotImplemented
    file.write(data)
    return None


def _make_pickler(base):
    base_init = base.__init__
    base_dump = base.dump

    class Pickler(base):
        __doc__ = base.__doc__

        def __init__(self, file, protocol=None, *args, **kwargs):
            base_init(self, file, protocol, *args, **kwargs)
            self._wsgiscript_args = (file, protocol, args, kwargs)

        def dump(self, obj):
            try:
                return base_dump(self, obj)
            except Exception as exc:
                if _pickler_fallback(self, exc, obj) is NotImplemented:
                    raise
                return None

    Pickler.__init__.__doc__ = base_init.__doc__
    Pickler.dump.__doc__ = base_dump.__doc__
    Pickler.__module__ = 'pickle'
    Pickler.__qualname__ = 'Pickler'
    Pickler.dump.__qualname__ = 'Pickler.dump'
    return Pickler


def _pickler_fallback(pickler, exc, obj):
    try:
        file, protocol, args, kwargs = pickler._wsgiscript_args
    except Exception:
        return NotImplemented
    if not _stale_failure(exc) or args or kwargs.get('buffer_callback') is not None:
        return NotImplemented
    try:
        data = _again(obj, protocol, kwargs.get('fix_imports', True), pickler, to_file=True)
        if data is None:
            return NotImplemented
        file.write(data)
        pickler.clear_memo()
    except Exception:
        return NotImplemented
    return None


def _again(obj, protocol, fix_imports, like, to_file=False):
    """``obj`` pickled with :class:`ByName`; None when that does not help."""
    import io
    try:
        buf = io.BytesIO()
        pickler = by_name_class()(buf, protocol, fix_imports=fix_imports)
        if like is not None:
            for attr in ('persistent_id', 'dispatch_table', 'reducer_override'):
                value = getattr(like, attr, None)
                if value is not None:
                    setattr(pickler, attr, value)
        pickler.dump(obj)
    except Exception:
        return None
    if not pickler.by_name or (to_file and pickler.big):
        return None
    for facts in pickler.by_name:
        _say(facts, obj)
    return buf.getvalue()


# -- pickling by name ---------------------------------------------------------------

def by_name_class():
    """The pure-Python pickler that writes objects of reloaded scripts by name."""
    global _by_name_class
    if _by_name_class is None:
        _by_name_class = _make_by_name()
    return _by_name_class


def _make_by_name():
    import pickle
    base = pickle._Pickler
    base_save_global = base.save_global

    class ByName(base):
        def __init__(self, *args, **kwargs):
            base.__init__(self, *args, **kwargs)
            self.by_name = []   # facts of each object written by name
            self.big = False    # a payload pickle's C version writes straight to the file
            self.stale = {}     # id(stale object) -> (current definition, stale object)

        def save_global(self, obj, name=None):
            known = self.stale.get(id(obj))
            if known is None:
                try:
                    return base_save_global(self, obj, name)
                except pickle.PicklingError:
                    found = current_definition(obj, name)
                    if found is None:
                        raise
                    current, facts = found
                    self.stale[id(obj)] = (current, obj)
                    self.by_name.append(facts + (obj,))
            else:
                current = known[0]
            # The current definition, written once and referenced after (an
            # entry of our own in the memo would shift protocol 4's implicit
            # MEMOIZE indices).
            entry = self.memo.get(id(current))
            if entry is not None:
                self.write(self.get(entry[0]))
            else:
                base_save_global(self, current, name)

    dispatch = dict(base.dispatch)
    # The pure-Python pickler dispatches functions through its class-level
    # table, which holds the base save_global: point it at ours.
    dispatch[_function_type] = ByName.save_global
    for kind in (bytes, bytearray, getattr(pickle, 'PickleBuffer', None)):
        saver = dispatch.get(kind) if kind is not None else None
        if saver is not None:
            dispatch[kind] = _noting_big(saver)
    ByName.dispatch = dispatch
    return ByName


def _noting_big(saver):
    def save(self, obj):
        try:
            if len(memoryview(obj).cast('B')) >= _BIG:
                self.big = True
        except Exception:
            self.big = True
        return saver(self, obj)
    return save


def current_definition(obj, name=None):
    """``(current, facts)`` when ``obj`` may be pickled by its name, else None.

    ``facts`` is ``(module_name, qualname, kind, origin_generation, record)``.
    """
    module_name = getattr(obj, '__module__', None)
    if not is_script_module_name(module_name):
        return None
    if isinstance(obj, type):
        kind = 'class'
    elif type(obj) is _function_type:
        kind = 'function'
    else:
        return None
    module = sys.modules.get(module_name)
    record = _registry.get(module_name)
    if module is None or record is None:
        return None
    qualname = name or getattr(obj, '__qualname__', None)
    if not isinstance(qualname, str) or '<locals>' in qualname or '<lambda>' in qualname:
        return None
    current = _lookup(module, qualname)
    if current is _MISSING or current is obj or getattr(current, '__module__', None) != module_name:
        return None
    if (kind == 'class') != isinstance(current, type):
        return None
    if kind == 'function' and type(current) is not _function_type:
        return None
    origin = origin_generation(obj, module_name)
    if origin is None or origin >= record.generation:
        return None
    return current, (module_name, qualname, kind, origin, record)


def origin_generation(obj, module_name):
    """The load of script ``module_name`` that made ``obj`` (a function or class), or None."""
    generation = _pickle_origins.generation_of(obj)
    if generation is not None:
        return generation
    for namespace in _pickle_origins._namespaces_of(obj):
        if namespace.get('__name__') == module_name:
            generation = namespace.get('__wsgiscript_generation__')
            if type(generation) is int:
                return generation
    return None


def _lookup(module, qualname):
    current = module
    for part in qualname.split('.'):
        try:
            current = getattr(current, part, _MISSING)
        except Exception:
            return _MISSING
        if current is _MISSING:
            return _MISSING
    return current


# -- the log line ---------------------------------------------------------------------

def by_name_text(module_name, qualname, kind, origin, record, instance=False, request=None):
    """The text of the WSGIS0323 entry (one line, no tag)."""
    from ._pickle_message import _when, one_line
    what = '%s %r of script %s (module %s)' % (kind, qualname, record.path, module_name)
    if instance:
        what += ', for an instance of it,'
    text = ('WSGIPickleResolve: pickled %s by name: the object comes from generation %d, the '
            'script is now at generation %d (reloaded at %s); unpickling gives the current '
            'definition' % (what, origin, record.generation, _when(record.generation_loaded_at(origin + 1)
                                                                     or record.reloaded_at)))
    if request:
        text += ' (request: %s %s)' % request
    return one_line(text)


def _say(facts, top):
    module_name, qualname, kind, origin, record, obj = facts
    key = (module_name, qualname)
    if key in _said:
        return
    _said.add(key)
    try:
        instance = kind == 'class' and top is not obj and isinstance(top, obj)
    except Exception:
        instance = False
    try:
        info = _host.request_info()
        request = (info[1], info[2]) if info else None
    except Exception:
        request = None
    text = by_name_text(module_name, qualname, kind, origin, record, instance, request)
    state = _state
    log = state.log if state is not None and state.log is not None else _host.log
    try:
        log(_host.APLOG_INFO, TAG_BY_NAME, text)
    except Exception as err:
        _host.report_unraisable(err, log)


def note_loaded(module_name, generation):
    """After each load of a script: which load made its functions and classes."""
    module = sys.modules.get(module_name)
    if module is not None:
        _pickle_origins.note(module_name, getattr(module, '__dict__', None), generation)


def _reset():
    """Forget what was logged (tests only)."""
    _said.clear()
