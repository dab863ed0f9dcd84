"""What failed and why: the facts of a pickle failure that script loading caused.

:func:`pickling` and :func:`unpickling` look at an exception pickle raised
(and the object or data it was given) and return a
:class:`~wsgiscript._pickle_facts.PickleFailure`, or None when the failure
has nothing to do with a script module.  What is loaded comes from the
registry (the server's script table) and the origins pickle diagnostics
noted, never from a script module's own attributes.

Runs on the failure path only, with logging of nested failures suppressed by
the caller (:mod:`wsgiscript._pickle_patch`): finding the object pickle
rejected re-runs the pickling.
"""

import sys

from . import SCRIPT_MODULE_PREFIX, _host, _pickle_origins, _registry, is_script_module_name
from ._pickle_facts import (CATEGORY_MODULE_NOT_IMPORTABLE, CATEGORY_NOT_FOUND, CATEGORY_NOT_SAME_OBJECT,
                            PickleFailure)

_MISSING = object()
_MODRE = SCRIPT_MODULE_PREFIX + '[0-9a-f]{32}'


# -- pickling ----------------------------------------------------------------

def pickling(exc, obj, protocol):
    """Facts of a failure of pickling ``obj`` (with ``protocol``), or None if not ours."""
    text = _exc_text(exc)
    if not _may_be_ours(exc, text):
        return None
    failure = None
    found = find_failing_global(obj, protocol)
    if found is not None:
        failure = _from_object(found[0], found[1], obj, text)
    if failure is None:
        failure = _from_message(text)
    return failure


def pickling_message(exc):
    """Facts of a pickling failure whose object is not known: from pickle's message alone."""
    text = _exc_text(exc)
    return _from_message(text) if _may_be_ours(exc, text) else None


def _may_be_ours(exc, text):
    import pickle
    return (isinstance(exc, pickle.PicklingError)
            or (isinstance(exc, AttributeError) and text.startswith("Can't pickle"))
            or SCRIPT_MODULE_PREFIX in text)


def find_failing_global(obj, protocol):
    """Re-pickle ``obj`` in pure Python; return (object, name) whose save_global failed.

    None if the re-run does not fail there (a custom reducer it cannot
    reproduce, say).  Tries ``protocol`` first, then the usual ones.
    """
    import io
    import pickle
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
    Recorder.dispatch[type(find_failing_global)] = Recorder.save_global

    protocols = []
    for p in (protocol, pickle.DEFAULT_PROTOCOL, pickle.HIGHEST_PROTOCOL, 2, 0):
        if p not in protocols:
            protocols.append(p)
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
    return None


def _from_object(obj, name, top, text):
    """Facts from the object pickle could not save, needed for ``top``; None if not a script's."""
    qualname = name or getattr(obj, '__qualname__', None) or getattr(obj, '__name__', None)
    module_name = getattr(obj, '__module__', None)
    if not is_script_module_name(module_name) or not isinstance(qualname, str):
        return None
    module = sys.modules.get(module_name)
    if module is None:
        category = CATEGORY_MODULE_NOT_IMPORTABLE
    else:
        current = _lookup(module, qualname)
        if current is _MISSING:
            category = CATEGORY_NOT_FOUND
        elif current is not obj:
            category = CATEGORY_NOT_SAME_OBJECT
        else:
            # Resolvable now: a reload raced us.  Trust the message.
            parsed = _parse_message(text)
            if parsed is None:
                return None
            category = parsed[0]
    script, path = _script(module_name)
    return PickleFailure(
        'pickle', category, module_name, qualname, kind=_kind(obj),
        instance=top is not obj and isinstance(obj, type) and isinstance(top, obj),
        object_generation=_pickle_origins.object_generation(obj),
        script=script, path=path, request=_request())


def _lookup(module, qualname):
    """What ``qualname`` leads to in ``module`` now, or _MISSING."""
    current = module
    for part in qualname.split('.'):
        if part == '<locals>':
            return _MISSING
        try:
            current = getattr(current, part, _MISSING)
        except Exception:
            return _MISSING
        if current is _MISSING:
            return _MISSING
    return current


def _from_message(text):
    """Facts read from pickle's message alone, or None if it names no script module."""
    parsed = _parse_message(text)
    if parsed is None:
        return None
    category, module_name, qualname, kind = parsed
    script, path = _script(module_name)
    return PickleFailure('pickle', category, module_name, qualname, kind=kind,
                         script=script, path=path, request=_request())


def _parse_message(text):
    """(category, module_name, qualname or None, kind) from a pickling message, or None."""
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
            kind = re.match(r"Can't pickle <(function|class|built-in function) ", text)
            return (category, match.group(mod_group),
                    match.group(qual_group) if qual_group else None,
                    kind.group(1) if kind else 'object')
    return None


def _kind(obj):
    if isinstance(obj, type):
        return 'class'
    if hasattr(obj, '__code__'):
        return 'function'
    return type(obj).__name__


# -- unpickling --------------------------------------------------------------

def unpickling(exc, data):
    """Facts of a failure of unpickling (``data``: the bytes, None for a stream), or None."""
    import re
    text = _exc_text(exc)
    qualname = None
    if isinstance(exc, ImportError):
        module_name = getattr(exc, 'name', None)
        if not is_script_module_name(module_name):
            match = re.search("'(%s)'" % _MODRE, text)
            if not match:
                return None
            module_name = match.group(1)
        category = CATEGORY_MODULE_NOT_IMPORTABLE
    elif isinstance(exc, AttributeError):
        match = re.match(r"""Can't get attribute (['"])(.+)\1 on <module '(%s)'""" % _MODRE, text)
        if not match:
            return None
        module_name = match.group(3)
        qualname = match.group(2)
        category = CATEGORY_NOT_FOUND
    else:
        return None
    if qualname is None and data is not None:
        from ._pickle_globals import globals_in_data
        for module, name in globals_in_data(data):
            if module == module_name:
                qualname = name
                break
    if qualname is None:
        # pickle.load(f), Unpickler(f).load(): the bytes are gone, but the
        # server saw the unpickler ask for the name (audit event).
        try:
            qualname = _host.last_find_class(module_name)
        except Exception:
            qualname = None
    resolve = None
    if category == CATEGORY_MODULE_NOT_IMPORTABLE:
        try:
            if _host.resolve_enabled():
                resolve = 'not-loaded' if _host.resolve_lookup(module_name) else 'not-served'
        except Exception:
            resolve = None
    script, path = _script(module_name)
    return PickleFailure('unpickle', category, module_name, qualname,
                         script=script, path=path, request=_request(), resolve=resolve)


# -- where -------------------------------------------------------------------

def _script(module_name):
    """(ScriptRecord or None, path or None) of a script module.

    The record of this interpreter's load; else the path the server knows
    (configured, or loaded by another interpreter of the process).
    """
    script = _registry.get(module_name)
    if script is not None:
        return script, script.path
    try:
        path = _host.configured_scripts().get(module_name)
    except Exception:
        path = None
    if path is None:
        try:
            found = _host.resolve_lookup(module_name)
            path = found[0] if found else None
        except Exception:
            path = None
    return None, path


def _request():
    """(method, uri) of the request this thread serves, or None."""
    try:
        info = _host.request_info()
    except Exception:
        return None
    return (info[1], info[2]) if info else None


def _exc_text(exc):
    try:
        return str(exc)
    except Exception:
        return ''
