"""Explain pickle failures caused by WSGI script loading (WSGIPickleDiagnostics).

A WSGI script file is loaded as the module ``_mod_wsgi_<md5 of its path>``,
kept out of the import system and replaced by a new module object when it is
reloaded.  Functions, classes and instances defined in a script therefore stop
being picklable once their name is deleted, rebound or swapped by a reload,
and pickled data naming a script module cannot be loaded where that module is
not loaded.  Python's messages name neither the file nor the reload.

:func:`install` wraps ``pickle.dumps``, ``pickle.dump``, ``pickle.loads``,
``pickle.load``, ``pickle.Pickler`` and ``pickle.Unpickler`` so that every such
failure writes exactly one warning (tag ``WSGIS0301``) to the error log, even
when the application catches the exception.  The exception itself is not
touched, except that it gets the attribute ``_wsgiscript_pickle_diagnosed``
(so nested wrapped calls log it once).

The success path costs one wrapper call: ``_wsgiscript.guard`` (C) where the
host provides it, a Python closure otherwise.  All the work is done on the
failure path, including re-running the pickling with a pure-Python pickler to
find the object that could not be stored (user ``__reduce__``/``__getstate__``
methods run a second time then, with logging of nested failures suppressed).
"""

import sys

from . import _host
from . import _registry
from . import SCRIPT_MODULE_PREFIX, is_script_module_name

TAG = 'WSGIS0301'          # one entry per diagnosed failure, level warning
TAG_INTERNAL = 'WSGIS0303'  # examining a failure failed, level error (0302: install failed, C++)

CATEGORY_NOT_FOUND = 'not-found'
CATEGORY_NOT_SAME_OBJECT = 'not-same-object'
CATEGORY_MODULE_NOT_IMPORTABLE = 'module-not-importable'

_MARK = '_wsgiscript_pickle_diagnosed'
_MISSING = object()
_WRAPPED = '_wsgiscript_pickle_wrapped'
_NAMES = ('dumps', 'dump', 'loads', 'load', 'Pickler', 'Unpickler')

# Per-interpreter state: None when not installed, else a dict holding the
# original pickle attributes and the logger.
_state = None
# Per-thread flag: set while the failure path re-runs a pickling, so failures
# the re-run provokes are not logged a second time.
_tls = None


def installed():
    """True if :func:`install` is in effect in this interpreter."""
    return _state is not None


def install(log=None):
    """Replace pickle's entry points with diagnosing ones; idempotent.

    Called by the C++ module once per interpreter when
    ``WSGIPickleDiagnostics On``, before any script is loaded.  ``log`` is
    ``log(level, message)``; by default the host's (the Apache error log).
    Returns True if this call installed, False if already installed.
    """
    global _state, _tls
    if _state is not None:
        if log is not None:
            _state['log'] = log
        return False
    import pickle
    import _thread
    guard = _host.guard
    originals = {name: getattr(pickle, name) for name in _NAMES}
    state = {'originals': originals, 'log': log, 'pickle': pickle}
    _tls = _thread._local()
    replacements = {
        'dumps': guard(originals['dumps'], _on_dumps_error),
        'dump': guard(originals['dump'], _on_dump_error),
        'loads': guard(originals['loads'], _on_loads_error),
        'load': guard(originals['load'], _on_load_error),
        'Pickler': _make_pickler(originals['Pickler']),
        'Unpickler': _make_unpickler(originals['Unpickler']),
    }
    state['replacements'] = replacements
    _state = state
    for name, value in replacements.items():
        setattr(pickle, name, value)
    return True


def uninstall():
    """Put back the pickle attributes :func:`install` replaced; idempotent.

    Attributes someone else replaced after install are left alone.  Classes
    already derived from the diagnosing Pickler/Unpickler keep working, and
    stop logging.  Returns True if this call uninstalled.
    """
    global _state
    state = _state
    if state is None:
        return False
    _state = None
    pickle = state['pickle']
    for name, value in state['originals'].items():
        if getattr(pickle, name, None) is state['replacements'][name]:
            setattr(pickle, name, value)
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


# on_error callbacks: (exc, args, kwargs) of the wrapped call

def _skip(exc):
    if _state is None or getattr(_tls, 'rerun', False):
        return True
    try:
        return bool(getattr(exc, _MARK, False))
    except Exception:
        return True


def _on_dumps_error(exc, args, kwargs):
    # dumps(obj, protocol=None, *, fix_imports=True, buffer_callback=None)
    if _skip(exc):
        return
    obj = args[0] if args else kwargs.get('obj', _MISSING)
    protocol = args[1] if len(args) > 1 else kwargs.get('protocol')
    _run(_diagnose_pickling, exc, obj, protocol)


def _on_dump_error(exc, args, kwargs):
    # dump(obj, file, protocol=None, *, fix_imports=True, buffer_callback=None)
    if _skip(exc):
        return
    obj = args[0] if args else kwargs.get('obj', _MISSING)
    protocol = args[2] if len(args) > 2 else kwargs.get('protocol')
    _run(_diagnose_pickling, exc, obj, protocol)


def _on_pickler_dump_error(exc, args, kwargs):
    # Pickler.dump(self, obj); the pickler's protocol is not readable
    if _skip(exc):
        return
    obj = args[1] if len(args) > 1 else kwargs.get('obj', _MISSING)
    _run(_diagnose_pickling, exc, obj, None)


def _on_loads_error(exc, args, kwargs):
    # loads(data, /, *, fix_imports=True, encoding='ASCII', errors='strict', buffers=())
    if _skip(exc):
        return
    data = args[0] if args else kwargs.get('data')
    _run(_diagnose_unpickling, exc, data)


def _on_load_error(exc, args, kwargs):
    # load(file, ...) and Unpickler.load(self): the bytes are gone by now
    if _skip(exc):
        return
    _run(_diagnose_unpickling, exc, None)


def _run(diagnose, exc, *args):
    """Diagnose, log once, mark the exception; never raise."""
    try:
        message = diagnose(exc, *args)
        if message is None:
            return
        try:
            setattr(exc, _MARK, True)
        except Exception:
            pass
        _log(_host.APLOG_WARNING, message)
    except Exception as err:
        try:
            _log(_host.APLOG_ERR, '%s: pickle diagnostics failed while examining '
                 '%s: %s: %s' % (TAG_INTERNAL, type(exc).__name__,
                                 type(err).__name__, _clean(str(err))))
        except Exception:
            _host.report_unraisable(err, diagnose)


def _log(level, message):
    state = _state
    log = state.get('log') if state is not None else None
    (log or _host.log)(level, message)


# -- pickling failures -----------------------------------------------------

def _diagnose_pickling(exc, obj, protocol):
    """Return the log entry for a pickling failure, or None if not ours."""
    pickle = _state['pickle']
    text = _exc_text(exc)
    if not (isinstance(exc, pickle.PicklingError)
            or (isinstance(exc, AttributeError) and text.startswith("Can't pickle"))
            or SCRIPT_MODULE_PREFIX in text):
        return None
    facts = None
    if obj is not _MISSING:
        found = _find_failing_global(obj, protocol)
        if found is not None:
            facts = _facts_from_object(found[0], found[1], obj, text)
    if facts is None:
        facts = _facts_from_pickling_message(text)
    if facts is None:
        return None
    return _format(facts)


def _find_failing_global(obj, protocol):
    """Re-pickle ``obj`` in pure Python; return (object, name) whose save_global failed."""
    import io
    pickle = _state['pickle']
    base = pickle._Pickler
    base_save_global = base.save_global
    base_dump = base.dump

    class Recorder(base):
        failed = None

        def save_global(self, o, name=None):
            try:
                return base_save_global(self, o, name)
            except Exception:
                if self.failed is None:
                    self.failed = (o, name)
                raise

    # pure-Python pickle dispatches functions through its class-level table,
    # which holds the base save_global: point it at ours.
    Recorder.dispatch = dict(base.dispatch)
    Recorder.dispatch[type(_find_failing_global)] = Recorder.save_global

    protocols = []
    for p in (protocol, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL, 2, 0):
        if p not in protocols:
            protocols.append(p)
    _tls.rerun = True
    try:
        for p in protocols:
            try:
                recorder = Recorder(io.BytesIO(), p)
            except Exception:
                continue
            try:
                base_dump(recorder, obj)
            except Exception:  # including RecursionError
                pass
            if recorder.failed is not None:
                return recorder.failed
    finally:
        _tls.rerun = False
    return None


def _facts_from_object(obj, name, top, text):
    qualname = name or getattr(obj, '__qualname__', None) or getattr(obj, '__name__', None)
    module_name = getattr(obj, '__module__', None)
    if not is_script_module_name(module_name) or not isinstance(qualname, str):
        return None
    facts = _new_facts('pickle', module_name, qualname)
    facts['kind'] = _kind(obj)
    facts['instance'] = top is not obj and isinstance(obj, type) and isinstance(top, obj)
    facts['local'] = '<locals>' in qualname or '<lambda>' in qualname
    module = sys.modules.get(module_name)
    if module is None:
        facts['category'] = CATEGORY_MODULE_NOT_IMPORTABLE
    else:
        current = module
        for part in qualname.split('.'):
            if part == '<locals>':
                current = _MISSING
                break
            try:
                current = getattr(current, part, _MISSING)
            except Exception:
                current = _MISSING
            if current is _MISSING:
                break
        if current is _MISSING:
            facts['category'] = CATEGORY_NOT_FOUND
        elif current is not obj:
            facts['category'] = CATEGORY_NOT_SAME_OBJECT
        else:
            # Resolvable now: a reload raced us.  Trust the message.
            from_text = _facts_from_pickling_message(text)
            if from_text is None:
                return None
            facts['category'] = from_text['category']
    facts['object_generation'] = _object_generation(obj)
    _add_script_facts(facts, module)
    return facts


def _facts_from_pickling_message(text):
    import re
    patterns = (
        (r"attribute lookup (.+) on (%s) failed" % _MODRE, CATEGORY_NOT_FOUND, 1, 2),
        (r"it's not found as (%s)\.(.+)$" % _MODRE, CATEGORY_NOT_FOUND, 2, 1),
        (r"it's not the same object as (%s)\.(.+)$" % _MODRE, CATEGORY_NOT_SAME_OBJECT, 2, 1),
        (r"import of module '(%s)' failed" % _MODRE, CATEGORY_MODULE_NOT_IMPORTABLE, None, 1),
    )
    for pattern, category, qual_group, mod_group in patterns:
        match = re.search(pattern, text)
        if match:
            module_name = match.group(mod_group)
            qualname = match.group(qual_group) if qual_group else None
            facts = _new_facts('pickle', module_name, qualname)
            facts['category'] = category
            kind = re.match(r"Can't pickle <(function|class|built-in function) ", text)
            facts['kind'] = kind.group(1) if kind else 'object'
            facts['local'] = bool(qualname) and ('<locals>' in qualname or '<lambda>' in qualname)
            _add_script_facts(facts, sys.modules.get(module_name))
            return facts
    return None


_MODRE = SCRIPT_MODULE_PREFIX + '[0-9a-f]{32}'


def _kind(obj):
    if isinstance(obj, type):
        return 'class'
    if hasattr(obj, '__code__'):
        return 'function'
    return type(obj).__name__


def _object_generation(obj):
    """Generation of the script load that created ``obj``, or None if unknown."""
    generation = _registry.origin_generation(obj)
    if generation is not None:
        return generation
    candidates = [obj]
    if isinstance(obj, type):
        candidates = []
        for value in list(vars(obj).values()):
            for attr in ('__func__', 'fget', 'fset', 'fdel'):
                inner = getattr(value, attr, None)
                if inner is not None:
                    candidates.append(inner)
            candidates.append(value)
    for candidate in candidates:
        namespace = getattr(candidate, '__globals__', None)
        if isinstance(namespace, dict):
            generation = namespace.get('__wsgiscript_generation__')
            if isinstance(generation, int):
                return generation
    return None


# -- unpickling failures ---------------------------------------------------

def _diagnose_unpickling(exc, data):
    """Return the log entry for an unpickling failure, or None if not ours."""
    import re
    text = _exc_text(exc)
    if isinstance(exc, ImportError):
        module_name = getattr(exc, 'name', None)
        if not is_script_module_name(module_name):
            match = re.search("'(%s)'" % _MODRE, text)
            if not match:
                return None
            module_name = match.group(1)
        facts = _new_facts('unpickle', module_name, None)
        facts['category'] = CATEGORY_MODULE_NOT_IMPORTABLE
    elif isinstance(exc, AttributeError):
        match = re.match(r"""Can't get attribute (['"])(.+)\1 on <module '(%s)'""" % _MODRE, text)
        if not match:
            return None
        module_name = match.group(3)
        facts = _new_facts('unpickle', module_name, match.group(2))
        facts['category'] = CATEGORY_NOT_FOUND
    else:
        return None
    if facts['qualname'] is None and data is not None:
        for module, qualname in _globals_in_data(data):
            if module == module_name:
                facts['qualname'] = qualname
                break
    _add_script_facts(facts, sys.modules.get(module_name))
    return _format(facts)


_STRING_OPS = frozenset(('SHORT_BINUNICODE', 'BINUNICODE', 'BINUNICODE8', 'UNICODE',
                         'SHORT_BINSTRING', 'BINSTRING', 'STRING'))
_NO_PUSH_OPS = frozenset(('FRAME', 'PROTO', 'STOP', 'MEMOIZE', 'PUT', 'BINPUT',
                          'LONG_BINPUT', 'MARK', 'POP', 'POP_MARK'))


def _globals_in_data(data):
    """(module, qualname) of every global the pickle names, read without executing it."""
    import pickletools
    found = []
    memo = {}
    pushed = []
    try:
        for op, arg, _pos in pickletools.genops(bytes(data)):
            name = op.name
            if name == 'GLOBAL':
                module, _, qualname = arg.partition(' ')
                found.append((module, qualname))
                pushed.append(None)
            elif name == 'STACK_GLOBAL':
                if len(pushed) >= 2:
                    found.append((pushed[-2], pushed[-1]))
                pushed.append(None)
            elif name in _STRING_OPS:
                pushed.append(arg)
            elif name in ('GET', 'BINGET', 'LONG_BINGET'):
                pushed.append(memo.get(arg))
            elif name == 'MEMOIZE':
                memo[len(memo)] = pushed[-1] if pushed else None
            elif name in ('PUT', 'BINPUT', 'LONG_BINPUT'):
                memo[arg] = pushed[-1] if pushed else None
            elif name not in _NO_PUSH_OPS:
                pushed.append(None)
            if len(pushed) > 64:
                del pushed[:-2]
    except Exception:  # truncated or corrupt data: keep what was read
        pass
    return found


# -- the log entry ---------------------------------------------------------

def _new_facts(op, module_name, qualname):
    return {'op': op, 'module_name': module_name, 'qualname': qualname,
            'category': None, 'kind': None, 'instance': False, 'local': False,
            'path': None, 'object_generation': None, 'current_generation': None,
            'record': None}


def _add_script_facts(facts, module):
    module_name = facts['module_name']
    record = _registry.get(module_name)
    facts['record'] = record
    path = record.path if record is not None else None
    generation = record.generation if record is not None else None
    if module is not None:
        if path is None:
            path = getattr(module, '__file__', None)
        if generation is None:
            generation = getattr(module, '__wsgiscript_generation__', None)
    if path is None:
        try:
            path = _host.configured_scripts().get(module_name)
        except Exception:
            path = None
    facts['path'] = path
    facts['current_generation'] = generation if isinstance(generation, int) else None


def _format(facts):
    category = facts['category']
    module_name = facts['module_name']
    path = facts['path']
    qualname = facts['qualname']
    name = repr(qualname) if qualname else '(name not recoverable: data read from a stream)'
    where = ('script %s (module %s)' % (path, module_name) if path
             else 'module %s (script unknown to this server)' % module_name)
    parts = []
    if facts['op'] == 'pickle':
        what = '%s %s' % (facts['kind'] or 'object', name)
        head = 'cannot pickle %s of %s' % (what, where)
        if facts['instance']:
            head += ', needed to pickle an instance of it'
        if category == CATEGORY_NOT_SAME_OBJECT:
            reason = 'the name %s in the script now refers to another object' % name
        elif category == CATEGORY_MODULE_NOT_IMPORTABLE:
            reason = 'the script module is no longer in sys.modules and cannot be imported'
        elif facts['local']:
            reason = ('it is a lambda or is defined inside a function, and pickle can '
                      'only store objects reachable by name from their module')
        else:
            reason = 'the script no longer has anything named %s' % name
    else:
        head = 'cannot unpickle %s of %s' % (name, where)
        if category == CATEGORY_MODULE_NOT_IMPORTABLE:
            reason = ('that script is not loaded in this interpreter, and script modules '
                      'cannot be imported by name (was the data written by another '
                      'application group, process or server?)')
        else:
            reason = 'the loaded script has no attribute %s' % name
    parts.append(head + ': ' + reason)
    reload_note = _reload_note(facts)
    if reload_note:
        parts.append(reload_note)
    target = ('the script %s' % path) if path else 'the script that defines it'
    builtin = ('Remedy: pickle only builtin types (str, bytes, int, float, bool, None, '
               'tuple, list, dict, set) from a WSGI script, or ')
    if facts['local']:
        remedy = builtin + ('replace %s in %s by a function or class defined at the top '
                            'level of a module imported from sys.path.' % (name, target))
    else:
        remedy = builtin + ('move the definition of %s out of %s into a module imported '
                            'from sys.path.' % (qualname or 'the class or function', target))
    line = '%s: pickle diagnostics: %s: %s. %s' % (TAG, category, '; '.join(parts), remedy)
    try:
        info = _host.request_info()
    except Exception:
        info = None
    if info:
        line += ' (request: %s %s)' % (info[1], info[2])
    return _clean(line)


def _reload_note(facts):
    current = facts['current_generation']
    record = facts['record']
    if current is None or current <= 1:
        return None
    origin = facts['object_generation']
    latest = _when(record.reloaded_at if record is not None else None)
    if origin is not None and origin < current:
        first = _when(record.generation_loaded_at(origin + 1) if record is not None else None)
        note = ('the script was reloaded since the object was created: the object comes '
                'from generation %d, the script is now at generation %d (reloaded at %s'
                % (origin, current, first))
        if current > origin + 1:
            note += ', last reloaded at %s' % latest
        return note + ')'
    if origin is None:
        if facts['op'] == 'pickle':
            return ('the script has been reloaded (now generation %d, last reloaded at %s); '
                    'the generation the object came from is unknown' % (current, latest))
        return ('the script has been reloaded (now generation %d, last reloaded at %s); '
                'the data may come from an earlier generation' % (current, latest))
    return None


def _when(t):
    if t is None:
        return 'an unknown time'
    import time
    return time.strftime('%Y-%m-%d %H:%M:%S %z', time.localtime(t))


def _exc_text(exc):
    try:
        return str(exc)
    except Exception:
        return ''


def _clean(text):
    """One log line: escape control characters."""
    if text.isprintable():
        return text
    return ''.join(c if c.isprintable() else c.encode('unicode_escape').decode('ascii')
                   for c in text)
