"""Helpers for the unit tests: simulate what the C++ module does in Apache.

``ScriptHost`` loads "script files" the way mod_wsgiscript does: a module
object named ``_mod_wsgi_<md5 of path>`` in sys.modules, with ``__file__``,
``__mtime__`` and ``__wsgiscript_generation__`` set before its code runs;
afterwards the load goes into the script table (``_host``'s fallback for
``_wsgiscript.loaded_scripts()``) and, where pickle diagnostics are
installed, to ``pickle_diagnostics.note_loaded``.  A reload makes a new
module object.  It also captures log lines and fakes the request and the
configuration through ``wsgiscript._host``.
"""

import os
import re
import subprocess
import sys
import types
import unittest

import wsgiscript
from wsgiscript import _host, _pickle_origins
from wsgiscript import pickle_diagnostics

TAG_RE = re.compile(r'WSGIS\d{4}\Z')
PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_python(code):
    """Run ``code`` in a fresh ``python -S`` with the package importable; its stdout.

    For what one process cannot show twice: which modules an import adds.
    """
    out = subprocess.run([sys.executable, '-S', '-c', code], capture_output=True, text=True,
                         cwd=PYTHON_DIR)
    if out.returncode != 0:
        raise AssertionError(out.stderr)
    return out.stdout


class ScriptHost:
    def __init__(self):
        self.lines = []          # (level, 'TAG: text') logged
        self.configured = {}     # what _wsgiscript.configured_scripts() returns
        self.request = None      # what _wsgiscript.request_info() returns
        self.generations = {}    # path -> generation loaded last
        self._saved = {}
        self._modules = set()

    # -- the host functions the package calls
    def log(self, level, tag, text):
        """_wsgiscript.log(level, tag, text): the only form the package may use."""
        assert type(level) is int and TAG_RE.match(tag), (level, tag)
        assert type(text) is str, text
        self.lines.append((level, '%s: %s' % (tag, text)))

    def start(self):
        for name in ('log', 'request_info', 'configured_scripts'):
            self._saved[name] = getattr(_host, name)
        _host.log = self.log
        _host.request_info = lambda: self.request
        _host.configured_scripts = lambda: dict(self.configured)
        _host.fallback_forget()
        _pickle_origins._reset()
        return self

    def stop(self):
        pickle_diagnostics.uninstall()
        for name, value in self._saved.items():
            setattr(_host, name, value)
        for name in self._modules:
            sys.modules.pop(name, None)
        _host.fallback_forget()
        _pickle_origins._reset()

    # -- script loading as the C++ does it
    def load(self, path, code, mtime=1700000000000000):
        """(Re)load the script at ``path`` from source ``code``; returns the module."""
        name = wsgiscript.mangle(path)
        generation = self.generations.get(path, 0) + 1
        module = types.ModuleType(name)
        module.__file__ = path
        module.__mtime__ = mtime
        module.__wsgiscript_generation__ = generation
        sys.modules[name] = module
        self._modules.add(name)
        exec(compile(code, path, 'exec'), module.__dict__)
        self.generations[path] = generation
        self.configured[name] = path
        _host.fallback_note_loaded(name, path, generation, mtime)
        if pickle_diagnostics.installed():
            pickle_diagnostics.note_loaded(name, generation)
        return module

    def unload(self, path):
        """Take a script module out of sys.modules (as if never loaded here)."""
        sys.modules.pop(wsgiscript.mangle(path), None)

    def forget(self, path=None):
        """Take a script (default: all) out of this interpreter's script table."""
        _host.fallback_forget(None if path is None else wsgiscript.mangle(path))

    # -- reading the log
    def entries(self, tag='WSGIS0301'):
        return [m for (_l, m) in self.lines if m.startswith(tag + ': ')]


class HostTestCase(unittest.TestCase):
    def setUp(self):
        self.host = ScriptHost().start()
        self.addCleanup(self.host.stop)

    def one_entry(self):
        entries = self.host.entries()
        self.assertEqual(len(entries), 1, 'expected exactly one entry, got %r' % (self.host.lines,))
        levels = [l for (l, m) in self.host.lines]
        self.assertEqual(levels, [4], 'entry must be logged at warning level')
        return entries[0]

    def no_entry(self):
        self.assertEqual(self.host.lines, [])
