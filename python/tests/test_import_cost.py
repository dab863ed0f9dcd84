"""What importing the package, installing the diagnostics and a failure import.

The package is imported in every interpreter of every Apache child: importing
it must add nothing but itself, the diagnostics only what they use, and the
diagnosis modules only on a failure.
"""

import json
import textwrap
import unittest

from .support import run_python

HEAVY = ('dataclasses', 'inspect', 'weakref', 'ast', 'dis', 'typing', 'importlib', 'warnings')


def run(body):
    code = textwrap.dedent('''
        import json, sys
        def step(fn):
            before = set(sys.modules)
            fn()
            return sorted(set(sys.modules) - before)
    ''') + textwrap.dedent(body)
    return json.loads(run_python(code))


class ImportCostTest(unittest.TestCase):
    def test_import_is_light(self):
        code = ('import sys; before = set(sys.modules); import wsgiscript; '
                'print(sorted(set(sys.modules) - before))')
        self.assertEqual(run_python(code).strip(), "['wsgiscript']")

    def test_each_step_imports_only_what_it_uses(self):
        steps = run('''
            import pickle, types  # the server has pickle by the time a script pickles
            out = {}
            out['import'] = step(lambda: __import__('wsgiscript'))
            import wsgiscript
            out['loaded_scripts'] = step(wsgiscript.loaded_scripts)
            def install():
                from wsgiscript import pickle_diagnostics
                pickle_diagnostics.install(log=lambda level, tag, text: None)
            out['install'] = step(install)
            from wsgiscript import _host, pickle_diagnostics
            name = wsgiscript.mangle('/srv/a.wsgi')
            m = types.ModuleType(name); sys.modules[name] = m
            exec('def a(): pass\\nclass B: pass', m.__dict__)
            def load():
                _host.fallback_note_loaded(name, '/srv/a.wsgi', 1, 0)
                pickle_diagnostics.note_loaded(name, 1)
            out['note_loaded'] = step(load)
            def fail_pickling():
                z = m.a; del m.a
                try: pickle.dumps(z)
                except pickle.PicklingError: pass
            out['pickling failure'] = step(fail_pickling)
            def fail_unpickling():
                data = pickle.dumps(m.B()); del sys.modules[name]
                try: pickle.loads(data)
                except ImportError: pass
            out['unpickling failure'] = step(fail_unpickling)
            print(json.dumps(out))
        ''')
        ours = {k: [m for m in v if m.startswith('wsgiscript')] for k, v in steps.items()}
        self.assertEqual(ours['import'], ['wsgiscript'])
        self.assertEqual(ours['loaded_scripts'], ['wsgiscript._host', 'wsgiscript._registry'])
        # _pickle_facts holds the tags and categories every pickle module
        # uses (a class and five names, no imports), and _patch_set the
        # replacing and putting back of pickle's attributes: both come with install
        self.assertEqual(ours['install'], ['wsgiscript._patch_set', 'wsgiscript._pickle_facts',
                                           'wsgiscript._pickle_origins', 'wsgiscript._pickle_patch',
                                           'wsgiscript.pickle_diagnostics'])
        self.assertEqual(steps['note_loaded'], [])
        self.assertEqual(ours['pickling failure'], ['wsgiscript._pickle_diagnose',
                                                    'wsgiscript._pickle_message'])
        self.assertEqual(ours['unpickling failure'], ['wsgiscript._pickle_globals'])
        everything = [m for v in steps.values() for m in v]
        for heavy in HEAVY:
            self.assertNotIn(heavy, everything)


if __name__ == '__main__':
    unittest.main()
