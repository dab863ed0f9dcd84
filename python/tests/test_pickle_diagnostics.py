"""Every scenario of the seed (and issue 5), with script modules simulated."""

import io
import os
import pickle
import re
import subprocess
import sys
import textwrap
import types
import unittest

import _pickle

import wsgiscript
from wsgiscript import pickle_diagnostics

from .support import HostTestCase

APP = '/srv/www/app.wsgi'
MOD = wsgiscript.mangle(APP)

SCRIPT = textwrap.dedent('''
    def a():
        pass

    class B:
        pass

    class WithMethod:
        def m(self):
            pass

    square = lambda x: x * x

    def application(environ, start_response):
        pass
''')


def exc_signature(exc):
    """What the application can observe of an exception (minus the traceback)."""
    def one(e):
        return None if e is None else (type(e), str(e), e.args)
    return (type(exc), str(exc), exc.args, one(exc.__cause__), one(exc.__context__),
            exc.__suppress_context__)


class Base(HostTestCase):
    def setUp(self):
        super().setUp()
        self.assertTrue(pickle_diagnostics.install())

    def fail_pickle(self, obj, dumps=None):
        """Pickle ``obj``, expecting a failure; return the exception."""
        with self.assertRaises(Exception) as cm:
            (dumps or pickle.dumps)(obj)
        return cm.exception

    def assert_same_failure(self, obj, exc):
        """The app sees what it would see without diagnostics."""
        with self.assertRaises(Exception) as cm:
            _pickle.dumps(obj)
        self.assertEqual(exc_signature(exc), exc_signature(cm.exception))

    def assert_entry(self, entry, category, qualname, path=APP):
        self.assertTrue(entry.startswith('WSGIS0301: pickle diagnostics: %s: ' % category), entry)
        self.assertIn(MOD, entry)
        self.assertIn(repr(qualname), entry)
        if path:
            self.assertIn(path, entry)
        self.assertRegex(entry, r'Remedy: .*builtin types.* move the definition of %s out of the '
                                r'script %s into a module' % (re.escape(qualname), re.escape(APP)))
        self.assertNotIn('\n', entry)


class PicklingScenarios(Base):
    def test_function_copied_then_deleted(self):
        m = self.host.load(APP, SCRIPT)
        z = m.a
        pickle.dumps(z)
        del m.a
        exc = self.fail_pickle(z)
        self.assert_same_failure(z, exc)
        entry = self.one_entry()
        self.assert_entry(entry, 'not-found', 'a')
        self.assertIn('function', entry)
        self.assertNotIn('reloaded', entry)

    def test_function_redefined(self):
        m = self.host.load(APP, SCRIPT)
        z = m.a
        exec('def a(): pass', m.__dict__)
        exc = self.fail_pickle(z)
        self.assert_same_failure(z, exc)
        self.assert_entry(self.one_entry(), 'not-same-object', 'a')

    def test_class_deleted(self):
        m = self.host.load(APP, SCRIPT)
        C = m.B
        del m.B
        exc = self.fail_pickle(C)
        self.assert_same_failure(C, exc)
        entry = self.one_entry()
        self.assert_entry(entry, 'not-found', 'B')
        self.assertIn('class', entry)

    def test_instance_of_deleted_class(self):
        m = self.host.load(APP, SCRIPT)
        b = m.B()
        pickle.dumps(b)
        del m.B
        exc = self.fail_pickle(b)
        self.assert_same_failure(b, exc)
        entry = self.one_entry()
        self.assert_entry(entry, 'not-found', 'B')
        self.assertIn('instance', entry)

    def test_instance_nested_in_builtin_data(self):
        m = self.host.load(APP, SCRIPT)
        data = {'user': [1, 2, m.B()]}
        del m.B
        self.fail_pickle(data)
        self.assert_entry(self.one_entry(), 'not-found', 'B')

    def test_lambda_in_script(self):
        m = self.host.load(APP, SCRIPT)
        self.fail_pickle(m.square)
        entry = self.one_entry()
        self.assertTrue(entry.startswith('WSGIS0301: pickle diagnostics: not-found: '), entry)
        self.assertIn("function '<lambda>' of script %s (module %s)" % (APP, MOD), entry)
        self.assertIn("Remedy: pickle only builtin types", entry)
        self.assertIn("replace '<lambda>' in the script %s by a function" % APP, entry)

    def test_local_function_in_script(self):
        m = self.host.load(APP, 'def outer():\n    def inner(): pass\n    return inner\n')
        exc = self.fail_pickle(m.outer())
        self.assertIsInstance(exc, AttributeError)  # C pickler: "Can't pickle local object"
        entry = self.one_entry()
        self.assertIn("'outer.<locals>.inner'", entry)
        self.assertIn('not-found', entry)


class ReloadScenarios(Base):
    """Objects stashed in a normal module survive a reload of the script."""

    def setUp(self):
        super().setUp()
        self.cache = types.ModuleType('appcache')
        sys.modules['appcache'] = self.cache
        self.addCleanup(sys.modules.pop, 'appcache', None)
        code = SCRIPT + ('import appcache\n'
                         'if not hasattr(appcache, "stash"):\n'
                         '    appcache.stash = [a, B, B(), WithMethod]\n')
        self.host.load(APP, code)
        self.host.load(APP, code)  # touched: generation 2, new module object

    def check(self, obj, category, qualname, from_gen=1, now_gen=2):
        exc = self.fail_pickle(obj)
        self.assert_same_failure(obj, exc)
        entry = self.one_entry()
        self.assert_entry(entry, category, qualname)
        self.assertIn('reloaded', entry)
        self.assertIn('from generation %d' % from_gen, entry)
        self.assertIn('now at generation %d' % now_gen, entry)
        self.assertRegex(entry, r'reloaded at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d')
        return entry

    def test_function(self):
        self.check(self.cache.stash[0], 'not-same-object', 'a')

    def test_class_without_methods(self):
        self.check(self.cache.stash[1], 'not-same-object', 'B')

    def test_instance(self):
        self.check(self.cache.stash[2], 'not-same-object', 'B')

    def test_class_generation_from_its_methods(self):
        from wsgiscript import _pickle_origins
        # the class itself unnoted (as a nested class would be): only its
        # method's globals, the namespace of generation 1, can tell
        del _pickle_origins._origins[id(self.cache.stash[3])]
        self.check(self.cache.stash[3], 'not-same-object', 'WithMethod')

    def test_generation_unknown_without_origins(self):
        # nothing noted (a load before install() in an earlier generation): the
        # registry still knows the reload, not where the object comes from
        from wsgiscript import _pickle_origins
        _pickle_origins._reset()
        exc = self.fail_pickle(self.cache.stash[3])
        self.assert_same_failure(self.cache.stash[3], exc)
        entry = self.one_entry()
        self.assert_entry(entry, 'not-same-object', 'WithMethod')
        self.assertRegex(entry, r'the script has been reloaded \(now generation 2, last reloaded at '
                                r'\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\); the generation '
                                r'the object came from is unknown\. Remedy: ')

    def test_module_attributes_are_not_read(self):
        # the registry and the origins say generation 1 -> 2; the module
        # attributes (public API for applications) are not consulted
        for module in [sys.modules[MOD]] + [o.__globals__ for o in (self.cache.stash[0],)]:
            ns = module if isinstance(module, dict) else module.__dict__
            ns['__wsgiscript_generation__'] = 77
            ns['__file__'] = '/elsewhere.wsgi'
        entry = self.check(self.cache.stash[0], 'not-same-object', 'a')
        self.assertNotIn('77', entry)
        self.assertNotIn('/elsewhere.wsgi', entry)

    def test_two_reloads(self):
        self.host.load(APP, SCRIPT)  # generation 3, and 'a' still exists
        entry = self.check(self.cache.stash[0], 'not-same-object', 'a', 1, 3)
        self.assertIn('last reloaded at', entry)

    def test_removed_by_reload(self):
        self.host.load(APP, 'def application(e, s): pass\n')
        self.check(self.cache.stash[0], 'not-found', 'a', 1, 3)


class UnpicklingScenarios(Base):
    def make_data(self, proto=pickle.DEFAULT_PROTOCOL):
        m = self.host.load(APP, SCRIPT)
        return pickle.dumps([1, m.B()], protocol=proto)

    def test_module_not_loaded_here(self):
        for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
            with self.subTest(protocol=proto):
                self.host.lines.clear()
                data = self.make_data(proto)
                self.host.unload(APP)
                with self.assertRaises(ModuleNotFoundError) as cm:
                    pickle.loads(data)
                self.assertEqual(str(cm.exception), "No module named '%s'" % MOD)
                entry = self.one_entry()
                self.assert_entry(entry, 'module-not-importable', 'B')
                self.assertIn('not loaded in this interpreter', entry)

    def test_module_unknown_to_server(self):
        data = self.make_data()
        self.host.unload(APP)
        self.host.forget()
        self.host.configured.clear()
        with self.assertRaises(ModuleNotFoundError):
            pickle.loads(data)
        entry = self.one_entry()
        self.assertIn('module-not-importable', entry)
        self.assertIn('script unknown to this server', entry)
        self.assertNotIn(APP, entry)

    def test_path_from_configured_scripts(self):
        # another application group loaded it: not in this registry, but configured
        data = self.make_data()
        self.host.unload(APP)
        self.host.forget()
        with self.assertRaises(ModuleNotFoundError):
            pickle.loads(data)
        self.assert_entry(self.one_entry(), 'module-not-importable', 'B')

    def test_attribute_missing_from_loaded_script(self):
        data = self.make_data()
        m = sys.modules[MOD]
        del m.B
        with self.assertRaises(AttributeError) as cm:
            pickle.loads(data)
        self.assertIn("Can't get attribute 'B'", str(cm.exception))
        self.assert_entry(self.one_entry(), 'not-found', 'B')

    def test_load_from_file(self):
        data = self.make_data()
        self.host.unload(APP)
        with self.assertRaises(ModuleNotFoundError):
            pickle.load(io.BytesIO(data))
        entry = self.one_entry()
        self.assertIn('module-not-importable', entry)
        self.assertIn('not recoverable', entry)
        self.assertIn(APP, entry)

    def test_unpickler_load(self):
        data = self.make_data()
        del sys.modules[MOD].B
        with self.assertRaises(AttributeError):
            pickle.Unpickler(io.BytesIO(data)).load()
        self.assert_entry(self.one_entry(), 'not-found', 'B')

    def test_unpickler_subclass_after_install(self):
        class MyUnpickler(pickle.Unpickler):
            pass
        data = self.make_data()
        self.host.unload(APP)
        with self.assertRaises(ModuleNotFoundError):
            MyUnpickler(io.BytesIO(data)).load()
        self.assertIn('module-not-importable', self.one_entry())

    def test_other_module_not_found_is_ignored(self):
        with self.assertRaises(ModuleNotFoundError):
            pickle.loads(b'cno_such_modx\nf\n.')
        with self.assertRaises(Exception):
            pickle.loads(b'garbage')
        self.no_entry()


class EntryPoints(Base):
    def setUp(self):
        super().setUp()
        self.m = self.host.load(APP, SCRIPT)
        self.z = self.m.a
        del self.m.a

    def test_dump_to_file(self):
        with self.assertRaises(pickle.PicklingError):
            pickle.dump(self.z, io.BytesIO(), 2)
        self.assert_entry(self.one_entry(), 'not-found', 'a')

    def test_keyword_arguments(self):
        with self.assertRaises(pickle.PicklingError):
            pickle.dumps(obj=self.z, protocol=0)
        with self.assertRaises(pickle.PicklingError):
            pickle.dump(file=io.BytesIO(), obj=self.z, protocol=3)
        entries = self.host.entries()
        self.assertEqual(len(entries), 2)
        for entry in entries:
            self.assert_entry(entry, 'not-found', 'a')

    def test_pickler_dump(self):
        with self.assertRaises(pickle.PicklingError):
            pickle.Pickler(io.BytesIO()).dump(self.z)
        self.assert_entry(self.one_entry(), 'not-found', 'a')

    def test_pickler_subclass_created_after_install(self):
        class ForkingStyle(pickle.Pickler):
            def __init__(self, *args):
                super().__init__(*args)
                self.dispatch_table = {}

            @classmethod
            def dumps(cls, obj):
                buf = io.BytesIO()
                cls(buf, 4).dump(obj)
                return buf.getbuffer()
        with self.assertRaises(pickle.PicklingError):
            ForkingStyle.dumps(self.z)
        self.assert_entry(self.one_entry(), 'not-found', 'a')

    def test_subclass_overriding_dump_nested(self):
        class Nested(pickle.Pickler):
            def dump(self, obj):
                pickle.dumps(obj)          # wrapped: logs and marks
                super().dump(obj)
        with self.assertRaises(pickle.PicklingError):
            Nested(io.BytesIO()).dump(self.z)
        self.one_entry()

    def test_subclass_bypassing_our_dump(self):
        class Bypass(pickle.Pickler):
            def dump(self, obj):
                _pickle.Pickler.dump(self, obj)
        with self.assertRaises(pickle.PicklingError):
            Bypass(io.BytesIO()).dump(self.z)
        self.assert_entry(self.one_entry(), 'not-found', 'a')

    def test_multiprocessing_forking_pickler(self):
        # multiprocessing.reduction defines ForkingPickler(pickle.Pickler) at
        # import: import it after install, in a fresh interpreter.
        code = textwrap.dedent('''
            import sys, types, pickle
            import wsgiscript
            from wsgiscript import pickle_diagnostics, _host
            lines = []
            pickle_diagnostics.install(log=lambda l, tag, text: lines.append(tag + ': ' + text))
            from multiprocessing.reduction import ForkingPickler
            name = wsgiscript.mangle('/srv/mp.wsgi')
            m = types.ModuleType(name); m.__file__ = '/srv/mp.wsgi'
            m.__wsgiscript_generation__ = 1
            sys.modules[name] = m
            exec('def job(): pass', m.__dict__)
            _host.fallback_note_loaded(name, '/srv/mp.wsgi', 1, 0)
            pickle_diagnostics.note_loaded(name, 1)
            job = m.job; del m.job
            try:
                ForkingPickler.dumps(job)
            except pickle.PicklingError:
                pass
            print(len(lines), lines[0] if lines else '')
        ''')
        out = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                             cwd=os.path.dirname(os.path.dirname(wsgiscript.__file__)))
        self.assertEqual(out.returncode, 0, out.stderr)
        self.assertTrue(out.stdout.startswith('1 WSGIS0301: pickle diagnostics: not-found:'), out.stdout)
        self.assertIn('/srv/mp.wsgi', out.stdout)


class OncePerFailure(Base):
    def test_app_catches_the_error(self):
        m = self.host.load(APP, SCRIPT)
        z = m.a
        del m.a
        try:
            pickle.dumps(z)
        except pickle.PicklingError:
            caught = True
        self.assertTrue(caught)
        self.one_entry()

    def test_each_failure_is_one_entry(self):
        m = self.host.load(APP, SCRIPT)
        z = m.a
        del m.a
        for _ in range(3):
            self.fail_pickle(z)
        self.assertEqual(len(self.host.entries()), 3)

    def test_reraised_through_outer_pickling(self):
        m = self.host.load(APP, SCRIPT)
        z = m.a
        del m.a

        class Outer:
            def __reduce__(self):
                return (bytes, (pickle.dumps(z),))
        self.fail_pickle(Outer())
        self.one_entry()

    def test_failure_caught_inside_reduce_is_not_repeated_by_the_rerun(self):
        m = self.host.load(APP, SCRIPT)
        z = m.a
        del m.a
        b = m.B()
        del m.B

        class Outer:
            def __reduce__(self):
                try:
                    pickle.dumps(z)       # fails: one entry
                except pickle.PicklingError:
                    pass
                return (list, ([b],))     # fails later: one entry
        self.fail_pickle(Outer())
        entries = self.host.entries()
        self.assertEqual(len(entries), 2, entries)
        self.assertIn("'a'", entries[0])
        self.assertIn("'B'", entries[1])


class NoDiagnosis(Base):
    def test_builtin_data(self):
        data = {'i': 1, 'f': 2.5, 's': 'x', 'b': b'y', 'l': [1, 2], 't': (None, True),
                'd': {'k': {1, 2}}}
        self.assertEqual(pickle.loads(pickle.dumps(data)), data)
        buf = io.BytesIO()
        pickle.dump(data, buf)
        buf.seek(0)
        self.assertEqual(pickle.load(buf), data)
        self.no_entry()

    def test_script_objects_that_are_fine(self):
        m = self.host.load(APP, SCRIPT)
        self.assertIs(pickle.loads(pickle.dumps(m.a)), m.a)
        self.assertIsInstance(pickle.loads(pickle.dumps(m.B())), m.B)
        self.no_entry()

    def test_other_failures(self):
        import threading
        with self.assertRaises(TypeError):
            pickle.dumps(threading.Lock())
        normal = types.ModuleType('normal_mod')
        sys.modules['normal_mod'] = normal
        self.addCleanup(sys.modules.pop, 'normal_mod')
        exec('def f(): pass', normal.__dict__)
        f = normal.f
        del normal.f
        with self.assertRaises(pickle.PicklingError):
            pickle.dumps(f)
        with self.assertRaises(AttributeError):
            pickle.dumps(lambda: 1)
        self.no_entry()

    def test_unpickling_unrelated_errors(self):
        with self.assertRaises(EOFError):
            pickle.loads(b'')
        self.no_entry()


class NotInstalled(HostTestCase):
    def test_nothing_logged_and_identical_exception(self):
        m = self.host.load(APP, SCRIPT)
        z = m.a
        del m.a
        self.assertIs(pickle.dumps, _pickle.dumps)
        with self.assertRaises(pickle.PicklingError) as off:
            pickle.dumps(z)
        self.no_entry()
        pickle_diagnostics.install()
        with self.assertRaises(pickle.PicklingError) as on:
            pickle.dumps(z)
        self.assertEqual(exc_signature(off.exception), exc_signature(on.exception))
        self.assertEqual(len(self.host.entries()), 1)

    def test_install_uninstall(self):
        names = ('dumps', 'dump', 'loads', 'load', 'Pickler', 'Unpickler')
        before = [getattr(pickle, n) for n in names]
        self.assertTrue(pickle_diagnostics.install())
        self.assertFalse(pickle_diagnostics.install())  # idempotent
        self.assertTrue(pickle_diagnostics.installed())
        after = [getattr(pickle, n) for n in names]
        for b, a in zip(before, after):
            self.assertIsNot(a, b)
        self.assertTrue(issubclass(pickle.Pickler, _pickle.Pickler))
        self.assertTrue(issubclass(pickle.Unpickler, _pickle.Unpickler))
        Later = type('Later', (pickle.Pickler,), {})
        self.assertTrue(pickle_diagnostics.uninstall())
        self.assertFalse(pickle_diagnostics.uninstall())
        self.assertEqual([getattr(pickle, n) for n in names], before)
        # a class derived while installed keeps working, silently
        m = self.host.load(APP, SCRIPT)
        z = m.a
        del m.a
        with self.assertRaises(pickle.PicklingError):
            Later(io.BytesIO()).dump(z)
        self.no_entry()

    def test_pickler_instances_behave_like_the_c_one(self):
        pickle_diagnostics.install()
        p = pickle.Pickler(io.BytesIO(), 2)
        with self.assertRaises(AttributeError):
            p.some_new_attribute = 1
        p.dispatch_table = {}
        self.assertEqual(repr(pickle.Pickler), "<class 'pickle.Pickler'>")
        self.assertEqual(repr(pickle.Unpickler), "<class 'pickle.Unpickler'>")
        self.assertEqual(pickle.Pickler.dump.__qualname__, 'Pickler.dump')
        # the classes themselves pickle by reference as before
        self.assertIs(pickle.loads(pickle.dumps(pickle.Pickler)), pickle.Pickler)


class EntryDetails(Base):
    def test_request_suffix(self):
        self.host.request = ('10.0.0.1', 'POST', '/app/save?x=1')
        m = self.host.load(APP, SCRIPT)
        z = m.a
        del m.a
        self.fail_pickle(z)
        self.assertTrue(self.one_entry().endswith(' (request: POST /app/save?x=1)'))

    def test_no_request_suffix_outside_requests(self):
        m = self.host.load(APP, SCRIPT)
        z = m.a
        del m.a
        self.fail_pickle(z)
        self.assertNotIn('(request:', self.one_entry())

    def test_control_characters_escaped(self):
        path = '/srv/odd\nname.wsgi'
        m = self.host.load(path, SCRIPT)
        z = m.a
        del m.a
        self.fail_pickle(z)
        entry = self.host.entries()[0]
        self.assertNotIn('\n', entry)
        self.assertIn('/srv/odd\\nname.wsgi', entry)

    def test_default_logger_is_the_hosts(self):
        pickle_diagnostics.uninstall()
        pickle_diagnostics.install()
        m = self.host.load(APP, SCRIPT)
        z = m.a
        del m.a
        self.fail_pickle(z)
        self.one_entry()

    def test_injected_logger(self):
        pickle_diagnostics.uninstall()
        mine = []
        pickle_diagnostics.install(log=lambda level, tag, text: mine.append((level, tag, text)))
        m = self.host.load(APP, SCRIPT)
        z = m.a
        del m.a
        self.fail_pickle(z)
        self.assertEqual(len(mine), 1)
        self.assertEqual(mine[0][0], 4)
        self.assertEqual(mine[0][1], 'WSGIS0301')
        self.assertTrue(mine[0][2].startswith('pickle diagnostics: not-found: '), mine[0][2])
        self.no_entry()

    def test_diagnostics_failure_is_logged_and_exception_unchanged(self):
        m = self.host.load(APP, SCRIPT)
        z = m.a
        del m.a

        def broken(facts):
            raise RuntimeError('formatter broke')
        from wsgiscript import _pickle_message
        orig = _pickle_message.entry_text
        _pickle_message.entry_text = broken
        self.addCleanup(setattr, _pickle_message, 'entry_text', orig)
        exc = self.fail_pickle(z)
        self.assert_same_failure(z, exc)
        self.assertEqual(self.host.entries(), [])
        internal = self.host.entries('WSGIS0303')
        self.assertEqual(len(internal), 1)
        self.assertIn('formatter broke', internal[0])
        self.assertEqual(self.host.lines[0][0], 3)

    def test_message_fallback_without_object(self):
        # a pickler subclass with a custom reducer the re-run cannot reproduce
        m = self.host.load(APP, SCRIPT)
        z = m.a
        exec('def a(): pass', m.__dict__)

        class Custom(pickle.Pickler):
            def reducer_override(self, obj):
                if obj is Marker:
                    return (str, ('m',))
                return NotImplemented

        class Marker:
            def __reduce__(self):
                raise TypeError('only Custom can pickle me')
        with self.assertRaises(pickle.PicklingError):
            Custom(io.BytesIO()).dump([Marker, z])
        entry = self.one_entry()
        self.assertIn('not-same-object', entry)
        self.assertIn("'a'", entry)
        self.assertIn(APP, entry)


if __name__ == '__main__':
    unittest.main()
