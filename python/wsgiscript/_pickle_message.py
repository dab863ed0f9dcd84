"""The words of a pickle diagnostics log entry, from a ``PickleFailure``.

One line, without the tag: ``pickle diagnostics: CATEGORY: what: why[; reload
note]. Remedy: ...[ (request: METHOD URI)]``, control characters escaped.
The formats are the contract of docs/pickle.md and the tests: change a word
here and the tests must change with it.
"""

from ._pickle_facts import CATEGORY_MODULE_NOT_IMPORTABLE, CATEGORY_NOT_SAME_OBJECT

_BUILTIN_REMEDY = ('Remedy: pickle only builtin types (str, bytes, int, float, bool, None, '
                   'tuple, list, dict, set) from a WSGI script, or ')


def entry_text(failure):
    """The text of the WSGIS0301 entry for ``failure`` (one line, no tag)."""
    category = failure.category
    path = failure.path
    qualname = failure.qualname
    name = repr(qualname) if qualname else '(name not recoverable: data read from a stream)'
    where = ('script %s (module %s)' % (path, failure.module_name) if path
             else 'module %s (script unknown to this server)' % failure.module_name)
    if failure.op == 'pickle':
        what = '%s %s' % (failure.kind or 'object', name)
        head = 'cannot pickle %s of %s' % (what, where)
        if failure.instance:
            head += ', needed to pickle an instance of it'
        if category == CATEGORY_NOT_SAME_OBJECT:
            reason = 'the name %s in the script now refers to another object' % name
        elif category == CATEGORY_MODULE_NOT_IMPORTABLE:
            reason = 'the script module is no longer in sys.modules and cannot be imported'
        elif failure.local:
            reason = ('it is a lambda or is defined inside a function, and pickle can '
                      'only store objects reachable by name from their module')
        else:
            reason = 'the script no longer has anything named %s' % name
    else:
        head = 'cannot unpickle %s of %s' % (name, where)
        if category == CATEGORY_MODULE_NOT_IMPORTABLE and failure.resolve == 'not-served':
            reason = ('that script is not loaded in this interpreter, and WSGIPickleResolve '
                      'loads only scripts this server serves: no script of this server has '
                      'that module name')
        elif category == CATEGORY_MODULE_NOT_IMPORTABLE and failure.resolve == 'not-loaded':
            reason = ('that script is not loaded in this interpreter, and WSGIPickleResolve '
                      'could not load it (see the lines logged before this one)')
        elif category == CATEGORY_MODULE_NOT_IMPORTABLE:
            reason = ('that script is not loaded in this interpreter, and script modules '
                      'cannot be imported by name (was the data written by another '
                      'application group, process or server?)')
        else:
            reason = 'the loaded script has no attribute %s' % name
    parts = [head + ': ' + reason]
    reload_note = _reload_note(failure)
    if reload_note:
        parts.append(reload_note)
    target = ('the script %s' % path) if path else 'the script that defines it'
    if failure.local:
        remedy = _BUILTIN_REMEDY + ('replace %s in %s by a function or class defined at '
                                    'the top level of a module imported from sys.path.'
                                    % (name, target))
    else:
        remedy = _BUILTIN_REMEDY + ('move the definition of %s out of %s into a module '
                                    'imported from sys.path.'
                                    % (qualname or 'the class or function', target))
    line = 'pickle diagnostics: %s: %s. %s' % (category, '; '.join(parts), remedy)
    if failure.request:
        line += ' (request: %s %s)' % failure.request
    return one_line(line)


def internal_error_text(exc, err):
    """The text of the WSGIS0303 entry: examining ``exc`` raised ``err``."""
    return ('pickle diagnostics failed while examining %s: %s: %s'
            % (type(exc).__name__, type(err).__name__, one_line(str(err))))


def _reload_note(failure):
    current = failure.current_generation
    if current is None or current <= 1:
        return None
    record = failure.script
    origin = failure.object_generation
    latest = _when(record.reloaded_at)
    if origin is not None and origin < current:
        first = _when(record.generation_loaded_at(origin + 1))
        note = ('the script was reloaded since the object was created: the object comes '
                'from generation %d, the script is now at generation %d (reloaded at %s'
                % (origin, current, first))
        if current > origin + 1:
            note += ', last reloaded at %s' % latest
        return note + ')'
    if origin is None:
        if failure.op == 'pickle':
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


def one_line(text):
    """``text`` as one log line: control characters escaped."""
    if text.isprintable():
        return text
    return ''.join(c if c.isprintable() else c.encode('unicode_escape').decode('ascii')
                   for c in text)
