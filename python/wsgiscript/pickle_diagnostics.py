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

This module is the public face; the work is split by concern, one flat module
each (the package is embedded without subpackages):

``_pickle_patch``     wraps pickle's entry points, hands each failure to the
                      diagnosis once, logs the entry
``_patch_set``        what was replaced in ``pickle`` and putting it back (shared with
                      pickle resolve's ``_resolve_pickle``)
``_pickle_origins``   which load of a script made each of its functions and classes
``_pickle_diagnose``  what failed and why: a :class:`_pickle_facts.PickleFailure`
``_pickle_facts``     ``PickleFailure``, the facts of one failure; the tags and categories
``_pickle_globals``   the globals pickled data names, read without executing it
``_pickle_message``   the log entry and its remedy

Everything but ``_pickle_patch``, ``_patch_set``, ``_pickle_origins`` and
``_pickle_facts`` (plain names and one class) is imported on the first failure
only.
"""

import sys

from . import _pickle_origins, _pickle_patch
from ._pickle_facts import (CATEGORY_MODULE_NOT_IMPORTABLE, CATEGORY_NOT_FOUND,  # noqa: F401 (public names)
                            CATEGORY_NOT_SAME_OBJECT, TAG, TAG_INTERNAL)


def installed():
    """True if :func:`install` is in effect in this interpreter."""
    return _pickle_patch.installed()


def install(log=None):
    """Replace pickle's entry points with diagnosing ones; idempotent.

    Called by the C++ module once per interpreter when
    ``WSGIPickleDiagnostics On``, before the first script it loads there with
    that setting.  ``log`` is ``log(level, tag, text)``, the signature of
    ``_wsgiscript.log``; by default the host's (the Apache error log).
    Returns True if this call installed, False if already installed.

    Scripts the interpreter loaded before (an interpreter shared with a
    virtual host that has diagnostics Off) are noted as by
    :func:`note_loaded`, at their current generation.
    """
    if not _pickle_patch.install(log):
        return False
    from . import _registry
    for module_name, record in _registry.loaded_scripts().items():
        note_loaded(module_name, record.generation)
    return True


def uninstall():
    """Put back the pickle attributes :func:`install` replaced; idempotent.

    Attributes someone else replaced after install are left alone.  Classes
    already derived from the diagnosing Pickler/Unpickler keep working, and
    stop logging.  Returns True if this call uninstalled.
    """
    return _pickle_patch.uninstall()


def note_loaded(module_name, generation):
    """Note a successful (re)load of a script; the server calls it after each one.

    Called (where :func:`install` ran) once the script module
    ``sys.modules[module_name]`` has run as load ``generation`` (1 = first
    load): remembers that generation for each function and class the script
    defined at its top level, so that a stale object can be traced back to
    its load.  Never raises.
    """
    module = sys.modules.get(module_name)
    if module is not None:
        _pickle_origins.note(module_name, getattr(module, '__dict__', None), generation)
