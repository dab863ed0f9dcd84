import hashlib
import subprocess
import sys
import time
import unittest

import wsgiscript
from wsgiscript import _registry

from .support import HostTestCase


class MangleTest(unittest.TestCase):
    def test_mod_wsgi_scheme(self):
        path = '/srv/www/app.wsgi'
        self.assertEqual(wsgiscript.mangle(path),
                         '_mod_wsgi_' + hashlib.md5(path.encode()).hexdigest())

    def test_is_script_module_name(self):
        self.assertTrue(wsgiscript.is_script_module_name(wsgiscript.mangle('/x')))
        for name in ('_mod_wsgi_', '_mod_wsgi_' + 'g' * 32, '_mod_wsgi_' + 'A' * 32,
                     'os', None, '_mod_wsgi_' + 'a' * 33):
            self.assertFalse(wsgiscript.is_script_module_name(name), name)


class RegistryTest(HostTestCase):
    def test_first_load(self):
        before = time.time()
        self.host.load('/srv/a.wsgi', 'x = 1', mtime=123)
        scripts = wsgiscript.loaded_scripts()
        name = wsgiscript.mangle('/srv/a.wsgi')
        self.assertEqual(list(scripts), [name])
        rec = scripts[name]
        self.assertEqual((rec.module_name, rec.path, rec.generation, rec.mtime),
                         (name, '/srv/a.wsgi', 1, 123))
        self.assertGreaterEqual(rec.loaded_at, before)
        self.assertIsNone(rec.reloaded_at)
        self.assertEqual([tuple(e) for e in rec.history], [(1, 123, rec.loaded_at)])

    def test_reload_history(self):
        self.host.load('/srv/a.wsgi', 'x = 1', mtime=1)
        first = wsgiscript.loaded_scripts()[wsgiscript.mangle('/srv/a.wsgi')]
        self.host.load('/srv/a.wsgi', 'x = 2', mtime=2)
        self.host.load('/srv/a.wsgi', 'x = 3', mtime=3)
        rec = wsgiscript.loaded_scripts()[wsgiscript.mangle('/srv/a.wsgi')]
        self.assertEqual(rec.generation, 3)
        self.assertEqual(rec.mtime, 3)
        self.assertEqual(rec.loaded_at, first.loaded_at)
        self.assertEqual(rec.reloaded_at, rec.history[-1].at)
        self.assertEqual([(e.generation, e.mtime) for e in rec.history], [(1, 1), (2, 2), (3, 3)])
        self.assertEqual(rec.generation_loaded_at(2), rec.history[1].at)
        self.assertIsNone(rec.generation_loaded_at(9))
        # the old snapshot did not change
        self.assertEqual(first.generation, 1)

    def test_read_only(self):
        self.host.load('/srv/a.wsgi', 'x = 1')
        scripts = wsgiscript.loaded_scripts()
        rec = next(iter(scripts.values()))
        with self.assertRaises(TypeError):
            scripts['x'] = rec
        with self.assertRaises(AttributeError):
            rec.generation = 5
        with self.assertRaises(TypeError):
            rec[2] = 5
        self.assertIsInstance(rec, tuple)
        self.assertIn('generation=1', repr(rec))

    def test_snapshot_is_detached(self):
        scripts = wsgiscript.loaded_scripts()
        self.host.load('/srv/a.wsgi', 'x = 1')
        self.assertEqual(len(scripts), 0)
        self.assertEqual(len(wsgiscript.loaded_scripts()), 1)

    def test_origin_generation(self):
        m1 = self.host.load('/srv/a.wsgi', 'class B: pass\ndef f(): pass\nimport os\n')
        m2 = self.host.load('/srv/a.wsgi', 'class B: pass\ndef f(): pass\n')
        self.assertEqual(_registry.origin_generation(m1.B), 1)
        self.assertEqual(_registry.origin_generation(m1.f), 1)
        self.assertEqual(_registry.origin_generation(m2.B), 2)
        self.assertIsNone(_registry.origin_generation(m1.os))  # not defined by the script

    def test_origin_entries_leave_with_their_objects(self):
        import gc
        m1 = self.host.load('/srv/a.wsgi', 'class B: pass\ndef f(): pass\n')
        key = id(m1.f)
        self.assertIn(key, _registry._origins)
        self.host.load('/srv/a.wsgi', 'x = 1\n')  # reload: B and f of generation 1 are dropped
        del m1
        gc.collect()
        self.assertNotIn(key, _registry._origins)
        self.assertEqual(len(_registry._origins), 0)

    def test_no_weakref_module(self):
        code = ('import sys\nsys.modules.pop("weakref", None)\nimport wsgiscript._registry as r\n'
                'def f(): pass\nf.__module__ = "m"\n'
                'r._note_origins("m", {"f": f}, 3)\n'
                'assert r.origin_generation(f) == 3\n'
                'print("weakref" in sys.modules)')
        out = subprocess.run([sys.executable, '-S', '-c', code], check=True,
                             capture_output=True, text=True,
                             cwd=wsgiscript.__path__[0] + '/..').stdout
        self.assertEqual(out.strip(), 'False')


class ImportCostTest(unittest.TestCase):
    def test_import_is_light(self):
        code = ('import sys; before = set(sys.modules); import wsgiscript; '
                'print(sorted(set(sys.modules) - before))')
        out = subprocess.run([sys.executable, '-S', '-c', code], check=True,
                             capture_output=True, text=True,
                             cwd=wsgiscript.__path__[0] + '/..').stdout
        self.assertEqual(out.strip(), "['wsgiscript']")


if __name__ == '__main__':
    unittest.main()
