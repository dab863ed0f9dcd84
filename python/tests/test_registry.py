import hashlib
import time
import unittest

import wsgiscript
from wsgiscript import _host, _registry

from .support import HostTestCase, run_python


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

    def test_records_come_from_the_hosts_table(self):
        # what _wsgiscript.loaded_scripts() returns in Apache, as is
        raw = {'_mod_wsgi_' + 'a' * 32: ('/srv/x.wsgi', 3, 30, 100.0, 300.5,
                                        ((1, 10, 100.0), (2, 20, 200.25), (3, 30, 300.5)))}
        saved = _host.loaded_scripts
        _host.loaded_scripts = lambda: dict(raw)
        self.addCleanup(setattr, _host, 'loaded_scripts', saved)
        rec = wsgiscript.loaded_scripts()['_mod_wsgi_' + 'a' * 32]
        self.assertIsInstance(rec, _registry.ScriptRecord)
        self.assertEqual(tuple(rec), ('_mod_wsgi_' + 'a' * 32, '/srv/x.wsgi', 3, 30, 100.0, 300.5,
                                      ((1, 10, 100.0), (2, 20, 200.25), (3, 30, 300.5))))
        self.assertTrue(all(isinstance(e, _registry.LoadEvent) for e in rec.history))
        self.assertEqual(rec.generation_loaded_at(2), 200.25)
        self.assertEqual(_registry.get('_mod_wsgi_' + 'a' * 32), rec)
        self.assertIsNone(_registry.get('_mod_wsgi_' + 'b' * 32))

    def test_registry_keeps_no_state(self):
        self.host.load('/srv/a.wsgi', 'x = 1')
        self.assertEqual(len(wsgiscript.loaded_scripts()), 1)
        self.host.forget()  # the host's table is the only record
        self.assertEqual(len(wsgiscript.loaded_scripts()), 0)
        self.assertIsNone(_registry.get(wsgiscript.mangle('/srv/a.wsgi')))
        self.assertEqual([n for n, v in vars(_registry).items()
                          if isinstance(v, (dict, list, set)) and not n.startswith('__')], [])

    def test_history_keeps_the_latest_64_loads(self):
        for mtime in range(1, 71):
            self.host.load('/srv/a.wsgi', 'x = 1', mtime=mtime)
        rec = wsgiscript.loaded_scripts()[wsgiscript.mangle('/srv/a.wsgi')]
        self.assertEqual(_host.HISTORY_LIMIT, 64)
        self.assertEqual(rec.generation, 70)
        self.assertEqual(len(rec.history), 64)
        self.assertEqual([e.generation for e in rec.history], list(range(7, 71)))
        self.assertEqual(rec.history[-1].mtime, 70)
        self.assertIsNone(rec.generation_loaded_at(6))
        self.assertLessEqual(rec.loaded_at, rec.history[0].at)  # the first load is still known

    def test_fallback_note_loaded_times(self):
        name = wsgiscript.mangle('/srv/a.wsgi')
        _host.fallback_note_loaded(name, '/srv/a.wsgi', 1, 5, at=10.0)
        _host.fallback_note_loaded(name, '/srv/a.wsgi', 2, 6, at=20.0)
        _host.fallback_note_loaded(name, '/srv/a.wsgi', 3, 7, at=30.0)
        self.assertEqual(_host.loaded_scripts()[name],
                         ('/srv/a.wsgi', 3, 7, 10.0, 30.0, ((1, 5, 10.0), (2, 6, 20.0), (3, 7, 30.0))))
        _host.fallback_forget(name)
        self.assertEqual(_host.loaded_scripts(), {})


if __name__ == '__main__':
    unittest.main()
