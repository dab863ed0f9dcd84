"""Bridge to the C++ module's builtin ``_wsgiscript``, with pure-Python fallbacks.

Inside Apache every interpreter has the builtin module ``_wsgiscript``; in a
plain Python (unit tests, tools) it is absent and the fallbacks below are used.
Everything the package needs from the host goes through this module, so tests
replace one attribute (``_host.log = capture``) instead of patching callers.

Interface relied on (see docs/pickle.md):

``log(level, tag, text)``
    each line of ``text`` to the Apache error log as ``TAG: line``; ``level``
    is an APLOG_* int, ``tag`` ``'WSGISnnnn'``.
``loaded_scripts()``
    ``{module_name: (path, generation, mtime, loaded_at, reloaded_at,
    history)}`` of the scripts this interpreter loaded: the server's script
    table, the one record of what is loaded (see :mod:`wsgiscript._registry`).
    ``history`` is a tuple of ``(generation, mtime, at)``, oldest first, at
    most :data:`HISTORY_LIMIT` of them.
``request_info()``
    ``None`` outside a request, else ``(client_ip, method, uri)``.
``configured_scripts()``
    dict mangled module name -> absolute script path known to this server.
``guard(func, on_error)``
    callable running ``func(*args, **kwargs)``; on an ``Exception`` it calls
    ``on_error(exc, args, kwargs)`` (whose own errors are reported as
    unraisable, never raised) and re-raises the original exception object.
``retry(func, fallback)``
    callable running ``func(*args, **kwargs)``; on an ``Exception`` it calls
    ``fallback(exc, args, kwargs)``: its result is returned instead, unless it
    is ``NotImplemented`` (or ``fallback`` raises: reported as unraisable),
    then the original exception object is raised (WSGIPickleResolve).
``last_find_class(module_name)``
    the name this thread's last unpickling asked of that script module (the
    server's audit hook remembers it), or None; None outside Apache.
``resolve_lookup(module_name)``
    ``(path, kind, root, source)`` of the script this server serves under
    that name (WSGIPickleResolve's index), or None.
``resolve_enabled()``
    WSGIPickleResolve is in effect in this interpreter.
"""

import sys

try:
    import _wsgiscript as native
except ImportError:  # plain Python: no Apache around us
    native = None

# Apache log levels (httpd's APLOG_*), the ones this package uses.
APLOG_ERR = 3
APLOG_WARNING = 4
APLOG_INFO = 6


# Loads a script's history keeps, newest last (the C++ ScriptEntry::kHistory).
HISTORY_LIMIT = 64


def fallback_log(level, tag, text):
    """Write ``TAG: line`` lines to stderr: what the package does outside Apache."""
    try:
        sys.stderr.write(''.join('[wsgiscript:%d] %s: %s\n' % (level, tag, line)
                                 for line in text.split('\n')))
    except Exception:
        pass


# The fallback script table: what the server's table holds in Apache, filled
# by whoever simulates script loading (unit tests, tools).
_fallback_scripts = {}


def fallback_note_loaded(module_name, path, generation, mtime, at=None):
    """Record a load in the fallback table, as the server does after each load.

    ``at`` defaults to now (``time.time()``); a load with ``generation > 1``
    is a reload.  The history keeps the latest :data:`HISTORY_LIMIT` loads.
    """
    if at is None:
        import time
        at = time.time()
    old = _fallback_scripts.get(module_name)
    event = (generation, mtime, at)
    if old is None:
        loaded_at, reloaded_at, history = at, None, ()
    else:
        loaded_at, reloaded_at, history = old[3], old[4], old[5]
    if generation > 1:
        reloaded_at = at
    history = (history + (event,))[-HISTORY_LIMIT:]
    _fallback_scripts[module_name] = (path, generation, mtime, loaded_at, reloaded_at, history)


def fallback_forget(module_name=None):
    """Drop one script (or, without a name, all) from the fallback table."""
    if module_name is None:
        _fallback_scripts.clear()
    else:
        _fallback_scripts.pop(module_name, None)


def fallback_loaded_scripts():
    return dict(_fallback_scripts)


def fallback_request_info():
    return None


def fallback_configured_scripts():
    return {}


def report_unraisable(exc, obj):
    """Report ``exc`` like CPython's PyErr_WriteUnraisable, never raising."""
    try:
        hook = sys.unraisablehook
        if hook is not sys.__unraisablehook__:
            # A user hook accepts any object with these attributes.
            class _Unraisable:
                exc_type = type(exc)
                exc_value = exc
                exc_traceback = exc.__traceback__
                err_msg = 'Exception ignored in'
                object = obj
            hook(_Unraisable)
            return
    except Exception:
        pass
    try:
        import traceback
        sys.stderr.write('Exception ignored in: %r\n' % (obj,))
        traceback.print_exception(type(exc), exc, exc.__traceback__,
                                  file=sys.stderr)
    except Exception:
        pass


_NOARG = object()


def _join(first, rest):
    return rest if first is _NOARG else (first,) + rest


def fallback_guard(func, on_error):
    """Pure-Python equivalent of ``_wsgiscript.guard``.

    Same semantics as the C version, except that the wrapper's own frame shows
    up in the traceback the caller sees (Python cannot re-raise without it).
    The common call with one positional argument takes a shortcut: about half
    the cost of a plain ``*args, **kwargs`` forwarder.
    """
    def guarded(first=_NOARG, /, *rest, **kwargs):
        try:
            if rest or kwargs or first is _NOARG:
                return func(*_join(first, rest), **kwargs)
            return func(first)
        except Exception as exc:
            try:
                on_error(exc, _join(first, rest), kwargs)
            except Exception as err:
                report_unraisable(err, on_error)
            raise
    for attr in ('__module__', '__name__', '__qualname__', '__doc__'):
        try:
            setattr(guarded, attr, getattr(func, attr))
        except (AttributeError, TypeError):
            pass
    guarded.__wrapped__ = func
    return guarded


def fallback_retry(func, fallback):
    """Pure-Python equivalent of ``_wsgiscript.retry``."""
    def retrying(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except Exception as exc:
            try:
                result = fallback(exc, args, kwargs)
            except Exception as err:
                report_unraisable(err, fallback)
                result = NotImplemented
            if result is NotImplemented:
                raise
            return result
    for attr in ('__module__', '__name__', '__qualname__', '__doc__'):
        try:
            setattr(retrying, attr, getattr(func, attr))
        except (AttributeError, TypeError):
            pass
    retrying.__wrapped__ = func
    return retrying


def fallback_last_find_class(module_name):
    return None


def fallback_resolve_lookup(module_name):
    return None


def fallback_resolve_enabled():
    return False


if native is not None:
    log = native.log
    loaded_scripts = native.loaded_scripts
    request_info = native.request_info
    configured_scripts = native.configured_scripts
    guard = getattr(native, 'guard', fallback_guard)
    retry = getattr(native, 'retry', fallback_retry)
    last_find_class = getattr(native, 'last_find_class', fallback_last_find_class)
    resolve_lookup = getattr(native, 'resolve_lookup', fallback_resolve_lookup)
    resolve_enabled = getattr(native, 'resolve_enabled', fallback_resolve_enabled)
else:
    log = fallback_log
    loaded_scripts = fallback_loaded_scripts
    request_info = fallback_request_info
    configured_scripts = fallback_configured_scripts
    guard = fallback_guard
    retry = fallback_retry
    last_find_class = fallback_last_find_class
    resolve_lookup = fallback_resolve_lookup
    resolve_enabled = fallback_resolve_enabled
