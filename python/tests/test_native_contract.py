"""The package against a stand-in for the C++ module's builtin ``_wsgiscript``.

Runs in a fresh interpreter where ``import _wsgiscript`` finds a fake with the
documented interface, as it would inside Apache, and checks that the package
uses it: log(level, tag, text), loaded_scripts(), request_info(),
configured_scripts(), guard().
"""

import os
import subprocess
import sys
import textwrap
import unittest

PYTHON_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

FAKE = textwrap.dedent('''
    import sys, types
    fake = types.ModuleType('_wsgiscript')
    fake.lines = []
    fake.guarded = []
    fake.request = None
    fake.configured = {}
    fake.scripts = {}
    def log(level, tag, text):
        # the tagged form only: the C++ checks the tag the same way
        assert type(level) is int and type(tag) is str and type(text) is str
        assert len(tag) == 9 and tag.startswith('WSGIS') and tag[5:].isdigit(), tag
        fake.lines.append((level, tag, text))
    def loaded_scripts():
        return dict(fake.scripts)
    def request_info():
        return fake.request
    def configured_scripts():
        return dict(fake.configured)
    def guard(func, on_error):
        fake.guarded.append(func)
        def call(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            except Exception as exc:
                try:
                    on_error(exc, args, kwargs)
                except Exception:
                    sys.unraisablehook  # the C guard reports it as unraisable
                raise
        return call
    fake.log, fake.request_info, fake.loaded_scripts = log, request_info, loaded_scripts
    fake.configured_scripts, fake.guard = configured_scripts, guard
    sys.modules['_wsgiscript'] = fake
''')


def run(body):
    code = FAKE + textwrap.dedent(body)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                         cwd=PYTHON_DIR)
    if out.returncode != 0:
        raise AssertionError(out.stderr)
    return out.stdout


class NativeContractTest(unittest.TestCase):
    def test_uses_native_functions(self):
        out = run('''
            import pickle, _pickle, types, io
            import wsgiscript
            from wsgiscript import _host, _registry, pickle_diagnostics
            assert _host.native is fake and _host.guard is fake.guard
            assert _host.loaded_scripts is fake.loaded_scripts
            pickle_diagnostics.install()
            assert set(fake.guarded) == {_pickle.dumps, _pickle.dump, _pickle.loads, _pickle.load}
            path = '/srv/a.wsgi'
            name = wsgiscript.mangle(path)
            m = types.ModuleType(name)
            m.__file__, m.__mtime__, m.__wsgiscript_generation__ = path, 1, 1
            sys.modules[name] = m
            exec('class B: pass', m.__dict__)
            # what the server does after the load: its table, then the diagnostics
            fake.scripts[name] = (path, 1, 1, 1.5, None, ((1, 1, 1.5),))
            pickle_diagnostics.note_loaded(name, 1)
            rec = wsgiscript.loaded_scripts()[name]
            assert (rec.path, rec.generation, rec.loaded_at, rec.history[0].at) == (path, 1, 1.5, 1.5), rec
            data = pickle.dumps(m.B())
            del sys.modules[name]
            fake.request = ('10.1.1.1', 'GET', '/a/b')
            fake.configured = {name: path}
            fake.scripts.clear()  # not loaded in this interpreter
            try:
                pickle.loads(data)
            except ModuleNotFoundError:
                pass
            assert len(fake.lines) == 1, fake.lines
            level, tag, text = fake.lines[0]
            assert level == 4 and tag == 'WSGIS0301', fake.lines
            print(tag + ': ' + text)
        ''')
        self.assertIn('WSGIS0301: pickle diagnostics: module-not-importable: ', out)
        self.assertIn('/srv/a.wsgi', out)
        self.assertTrue(out.rstrip().endswith('(request: GET /a/b)'), out)

    def test_without_guard_falls_back(self):
        out = run('''
            del fake.guard
            from wsgiscript import _host
            print(_host.guard is _host.fallback_guard, _host.log is fake.log)
        ''')
        self.assertEqual(out.strip(), 'True True')


if __name__ == '__main__':
    unittest.main()
