"""Pickle's entry points, wrapped: each failure goes to the diagnosis once.

:func:`install` replaces ``pickle.dumps``, ``dump``, ``loads``, ``load``
(through ``_host.guard``) and ``Pickler``/``Unpickler`` (subclasses whose
``dump``/``load`` catch, and whose own subclasses get the same).  On a
failure the wrapper hands the exception and the call's arguments to
:mod:`wsgiscript._pickle_diagnose`, logs the entry
:mod:`wsgiscript._pickle_message` words, and marks the exception
(``_wsgiscript_pickle_diagnosed``) so that nested or re-raised failures log
once.  Never raises into the application: the exception it sees is pickle's.
"""

from . import _host
from ._patch_set import PatchSet
from ._pickle_facts import TAG, TAG_INTERNAL

_MARK = '_wsgiscript_pickle_diagnosed'
_MISSING = object()
_WRAPPED = '_wsgiscript_pickle_wrapped'
NAMES = ('dumps', 'dump', 'loads', 'load', 'Pickler', 'Unpickler')

# Per-interpreter state: None when not installed, else a PatchSet.
_state = None
# Per-thread flag: set while a failure is being diagnosed, so failures the
# diagnosis provokes (its re-run of the pickling) are not logged again.
_tls = None


def installed():
    return _state is not None


def install(log=None):
    """Wrap pickle's entry points; False (and only ``log`` set) if already done."""
    global _state, _tls
    if _state is not None:
        if log is not None:
            _state.log = log
        return False
    import pickle
    import _thread
    guard = _host.guard
    originals = {name: getattr(pickle, name) for name in NAMES}
    _tls = _thread._local()
    replacements = {
        'dumps': guard(originals['dumps'], _on_dumps_error),
        'dump': guard(originals['dump'], _on_dump_error),
        'loads': guard(originals['loads'], _on_loads_error),
        'load': guard(originals['load'], _on_load_error),
        'Pickler': _make_pickler(originals['Pickler']),
        'Unpickler': _make_unpickler(originals['Unpickler']),
    }
    _state = PatchSet(pickle, originals, replacements, log)
    _state.apply()
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


# -- the wrappers ----------------------------------------------------------

# Methods cannot take the C guard (it is not a descriptor), and a method must
# be a Python function anyway: it catches directly, which costs the same as a
# method calling a guarded callable (try/except is free in Python 3.11) and
# saves a call in the fallback case.

def _on_error(on_error, exc, args, kwargs):
    """What guard() does with an exception: tell on_error, never raise."""
    try:
        on_error(exc, args, kwargs)
    except Exception as err:
        _host.report_unraisable(err, on_error)


def _make_pickler(base):
    base_dump = base.dump

    class Pickler(base):
        __slots__ = ()
        __doc__ = base.__doc__

        def dump(self, obj):
            try:
                return base_dump(self, obj)
            except Exception as exc:
                _on_error(_on_pickler_dump_error, exc, (self, obj), {})
                raise

        def __init_subclass__(cls, **kwargs):
            super().__init_subclass__(**kwargs)
            _wrap_override(cls, 'dump', _on_pickler_dump_error)

    Pickler.dump.__doc__ = base_dump.__doc__
    Pickler.__module__ = 'pickle'
    Pickler.__qualname__ = 'Pickler'
    Pickler.dump.__qualname__ = 'Pickler.dump'
    return Pickler


def _make_unpickler(base):
    base_load = base.load

    class Unpickler(base):
        __slots__ = ()
        __doc__ = base.__doc__

        def load(self):
            try:
                return base_load(self)
            except Exception as exc:
                _on_error(_on_load_error, exc, (self,), {})
                raise

        def __init_subclass__(cls, **kwargs):
            super().__init_subclass__(**kwargs)
            _wrap_override(cls, 'load', _on_load_error)

    Unpickler.load.__doc__ = base_load.__doc__
    Unpickler.__module__ = 'pickle'
    Unpickler.__qualname__ = 'Unpickler'
    Unpickler.load.__qualname__ = 'Unpickler.load'
    return Unpickler


def _wrap_override(cls, name, on_error):
    """A subclass overriding dump/load may bypass ours: guard its method too.

    Nested failures are still logged once (the exception is marked).
    """
    func = cls.__dict__.get(name)
    if func is None or not hasattr(func, '__code__') or getattr(func, _WRAPPED, False):
        return

    def method(self, *args, **kwargs):
        try:
            return func(self, *args, **kwargs)
        except Exception as exc:
            _on_error(on_error, exc, (self,) + args, kwargs)
            raise
    for attr in ('__name__', '__qualname__', '__doc__', '__module__'):
        setattr(method, attr, getattr(func, attr, None))
    method.__wrapped__ = func
    setattr(method, _WRAPPED, True)
    setattr(cls, name, method)


# -- on_error callbacks: (exc, args, kwargs) of the wrapped call -------------

def _skip(exc):
    if _state is None or getattr(_tls, 'rerun', False):
        return True
    try:
        return bool(getattr(exc, _MARK, False))
    except Exception:
        return True


def _on_dumps_error(exc, args, kwargs):
    # dumps(obj, protocol=None, *, fix_imports=True, buffer_callback=None)
    _on_pickling_error(exc, args, kwargs, 1)


def _on_dump_error(exc, args, kwargs):
    # dump(obj, file, protocol=None, *, fix_imports=True, buffer_callback=None)
    _on_pickling_error(exc, args, kwargs, 2)


def _on_pickling_error(exc, args, kwargs, protocol_at):
    """dumps/dump: ``obj`` first, ``protocol`` at position ``protocol_at`` or by keyword."""
    if _skip(exc):
        return
    obj = args[0] if args else kwargs.get('obj', _MISSING)
    protocol = args[protocol_at] if len(args) > protocol_at else kwargs.get('protocol')
    _diagnose_and_log(exc, 'pickle', obj, protocol)


def _on_pickler_dump_error(exc, args, kwargs):
    # Pickler.dump(self, obj); the pickler's protocol is not readable
    if _skip(exc):
        return
    obj = args[1] if len(args) > 1 else kwargs.get('obj', _MISSING)
    _diagnose_and_log(exc, 'pickle', obj, None)


def _on_loads_error(exc, args, kwargs):
    # loads(data, /, *, fix_imports=True, encoding='ASCII', errors='strict', buffers=())
    if _skip(exc):
        return
    _diagnose_and_log(exc, 'unpickle', args[0] if args else kwargs.get('data'))


def _on_load_error(exc, args, kwargs):
    # load(file, ...) and Unpickler.load(self): the bytes are gone by now
    if _skip(exc):
        return
    _diagnose_and_log(exc, 'unpickle', None)


def _diagnose_and_log(exc, op, obj_or_data, protocol=None):
    """Diagnose, log once, mark the exception; never raise."""
    try:
        from . import _pickle_diagnose, _pickle_message
        _tls.rerun = True
        try:
            if op == 'unpickle':
                failure = _pickle_diagnose.unpickling(exc, obj_or_data)
            elif obj_or_data is _MISSING:
                failure = _pickle_diagnose.pickling_message(exc)
            else:
                failure = _pickle_diagnose.pickling(exc, obj_or_data, protocol)
        finally:
            _tls.rerun = False
        if failure is None:
            return
        text = _pickle_message.entry_text(failure)
        try:
            setattr(exc, _MARK, True)
        except Exception:
            pass
        _log(_host.APLOG_WARNING, TAG, text)
    except Exception as err:
        try:
            from ._pickle_message import internal_error_text
            _log(_host.APLOG_ERR, TAG_INTERNAL, internal_error_text(exc, err))
        except Exception:
            _host.report_unraisable(err, _diagnose_and_log)


def _log(level, tag, text):
    state = _state
    log = state.log if state is not None else None
    (log or _host.log)(level, tag, text)
