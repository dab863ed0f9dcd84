"""PickleFailure: the facts of one failure."""

import unittest

from wsgiscript._pickle_facts import PickleFailure
from wsgiscript._registry import LoadEvent, ScriptRecord

from .support import run_python

MOD = '_mod_wsgi_' + 'a' * 32


def record(generation=2):
    return ScriptRecord(MOD, '/srv/a.wsgi', generation, 5, 10.0, 20.0 if generation > 1 else None,
                        [LoadEvent(g, 5, 10.0 * g) for g in range(1, generation + 1)])


class PickleFailureTest(unittest.TestCase):
    def test_fields_and_defaults(self):
        f = PickleFailure('pickle', 'not-found', MOD, 'a')
        self.assertEqual((f.op, f.category, f.module_name, f.qualname), ('pickle', 'not-found', MOD, 'a'))
        self.assertEqual((f.kind, f.instance, f.object_generation, f.script, f.path, f.request),
                         (None, False, None, None, None, None))
        self.assertIsNone(f.current_generation)
        self.assertFalse(hasattr(f, '__dict__'))

    def test_read_only(self):
        f = PickleFailure('pickle', 'not-found', MOD, 'a')
        with self.assertRaises(AttributeError):
            f.category = 'not-same-object'
        with self.assertRaises(AttributeError):
            del f.qualname
        with self.assertRaises(AttributeError):
            f.extra = 1
        self.assertEqual(f.category, 'not-found')

    def test_local(self):
        for op, qualname, local in (('pickle', '<lambda>', True),
                                    ('pickle', 'outer.<locals>.inner', True),
                                    ('pickle', 'a', False),
                                    ('pickle', None, False),
                                    ('unpickle', 'outer.<locals>.inner', False)):
            with self.subTest(op=op, qualname=qualname):
                self.assertIs(PickleFailure(op, 'not-found', MOD, qualname).local, local)

    def test_current_generation_is_the_registrys(self):
        f = PickleFailure('unpickle', 'not-found', MOD, 'B', script=record(3), path='/srv/a.wsgi')
        self.assertEqual(f.current_generation, 3)

    def test_equality_and_repr(self):
        a = PickleFailure('pickle', 'not-found', MOD, 'a', kind='function', request=('GET', '/'))
        b = PickleFailure('pickle', 'not-found', MOD, 'a', kind='function', request=('GET', '/'))
        self.assertEqual(a, b)
        self.assertNotEqual(a, PickleFailure('pickle', 'not-found', MOD, 'b', kind='function'))
        self.assertNotEqual(a, 'x')
        with self.assertRaises(TypeError):
            hash(a)
        self.assertEqual(repr(a), "PickleFailure(op='pickle', category='not-found', module_name=%r, "
                                  "qualname='a', kind='function', instance=False, "
                                  "object_generation=None, script=None, path=None, "
                                  "request=('GET', '/'), resolve=None)" % MOD)

    def test_no_dataclasses_import(self):
        code = ('import sys\nimport wsgiscript._pickle_facts\n'
                'print(sorted(m for m in ("dataclasses", "inspect", "re") if m in sys.modules))')
        out = run_python(code)
        self.assertEqual(out.strip(), '[]')


if __name__ == '__main__':
    unittest.main()
