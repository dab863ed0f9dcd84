"""Which load made a script's functions and classes: pickle_diagnostics.note_loaded."""

import gc
import unittest

from wsgiscript import _pickle_origins, pickle_diagnostics

from .support import HostTestCase, run_python


class OriginsTest(HostTestCase):
    def setUp(self):
        super().setUp()
        pickle_diagnostics.install()

    def test_origin_generation(self):
        m1 = self.host.load('/srv/a.wsgi', 'class B: pass\ndef f(): pass\nimport os\n')
        m2 = self.host.load('/srv/a.wsgi', 'class B: pass\ndef f(): pass\n')
        self.assertEqual(_pickle_origins.generation_of(m1.B), 1)
        self.assertEqual(_pickle_origins.generation_of(m1.f), 1)
        self.assertEqual(_pickle_origins.generation_of(m2.B), 2)
        self.assertIsNone(_pickle_origins.generation_of(m1.os))  # not defined by the script

    def test_origin_entries_leave_with_their_objects(self):
        m1 = self.host.load('/srv/a.wsgi', 'class B: pass\ndef f(): pass\n')
        key = id(m1.f)
        self.assertIn(key, _pickle_origins._origins)
        self.host.load('/srv/a.wsgi', 'x = 1\n')  # reload: B and f of generation 1 are dropped
        del m1
        gc.collect()
        self.assertNotIn(key, _pickle_origins._origins)
        self.assertEqual(len(_pickle_origins._origins), 0)

    def test_an_object_keeps_its_first_generation(self):
        # a reload that binds an object an earlier load made does not rejuvenate it
        m1 = self.host.load('/srv/a.wsgi', 'def f(): pass\n')
        old_f = m1.f
        m2 = self.host.load('/srv/a.wsgi', 'def g(): pass\n')
        m2.__dict__['f'] = old_f
        pickle_diagnostics.note_loaded(m2.__name__, 2)
        self.assertEqual(_pickle_origins.generation_of(old_f), 1)
        self.assertEqual(_pickle_origins.generation_of(m2.g), 2)

    def test_note_loaded_without_module_or_with_odd_values(self):
        pickle_diagnostics.note_loaded('_mod_wsgi_' + 'f' * 32, 1)  # not in sys.modules: nothing

        class Meta(type):
            def __getattribute__(cls, name):
                if name == '__module__':
                    raise RuntimeError('odd metaclass')
                return super().__getattribute__(name)
        Odd = Meta('Odd', (), {})
        m = self.host.load('/srv/a.wsgi', 'def f(): pass\n')
        m.Odd = Odd
        pickle_diagnostics.note_loaded(m.__name__, 1)  # never raises
        self.assertIsNone(_pickle_origins.generation_of(Odd))
        self.assertEqual(_pickle_origins.generation_of(m.f), 1)

    def test_object_generation_through_the_namespace(self):
        code = ('def f(): pass\n'
                'class Outer:\n'
                '    class Inner:\n'
                '        def m(self): pass\n'
                'def make():\n'
                '    def local(): pass\n'
                '    return local\n')
        m1 = self.host.load('/srv/a.wsgi', code)
        m2 = self.host.load('/srv/a.wsgi', code)
        # not noted themselves (not at the top level): their namespace tells
        self.assertIsNone(_pickle_origins.generation_of(m1.Outer.Inner))
        self.assertEqual(_pickle_origins.object_generation(m1.Outer.Inner), 1)
        self.assertEqual(_pickle_origins.object_generation(m2.Outer.Inner), 2)
        self.assertEqual(_pickle_origins.object_generation(m1.make()), 1)
        self.assertEqual(_pickle_origins.object_generation(m2.make()), 2)
        self.assertIsNone(_pickle_origins.object_generation(len))
        self.assertIsNone(_pickle_origins.object_generation(type('Plain', (), {})))


class NotInstalledTest(HostTestCase):
    def test_loads_before_install_are_noted_at_install(self):
        # an interpreter shared with a virtual host that has diagnostics Off
        old = self.host.load('/srv/a.wsgi', 'def f(): pass\n')
        self.host.load('/srv/a.wsgi', 'def f(): pass\n')
        cur = self.host.load('/srv/a.wsgi', 'def f(): pass\nclass C: pass\n')
        other = self.host.load('/srv/b.wsgi', 'def g(): pass\n')
        self.assertEqual(len(_pickle_origins._origins), 0)  # nothing ran
        self.assertTrue(pickle_diagnostics.install())
        self.assertEqual(_pickle_origins.generation_of(cur.f), 3)
        self.assertEqual(_pickle_origins.generation_of(cur.C), 3)
        self.assertEqual(_pickle_origins.generation_of(other.g), 1)
        self.assertIsNone(_pickle_origins.generation_of(old.f))  # made before: unknown
        self.assertFalse(pickle_diagnostics.install())

    def test_no_weakref_module(self):
        code = ('import sys\nsys.modules.pop("weakref", None)\n'
                'import wsgiscript._pickle_origins as o\n'
                'def f(): pass\nf.__module__ = "m"\n'
                'o.note("m", {"f": f}, 3)\n'
                'assert o.generation_of(f) == 3\n'
                'print("weakref" in sys.modules)')
        out = run_python(code)
        self.assertEqual(out.strip(), 'False')


if __name__ == '__main__':
    unittest.main()
