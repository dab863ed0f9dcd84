"""wsgiscript.doctor: reads pickled data without running it, says whether it would load."""

import contextlib
import io
import json
import os
import pickle
import shutil
import sys
import tempfile
import types
import unittest

import wsgiscript
from wsgiscript import doctor

SCRIPT = '''
import os
class Cart:
    class Line:
        pass
    def total(self):
        return 0
def discount(x):
    return x
if os.environ.get('X'):
    class Optional:
        pass
else:
    Optional = None
VALUE = 1
'''


class DoctorTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.dir, True)
        self.path = os.path.join(self.dir, 'app.wsgi')
        self.write(SCRIPT)
        self.name = wsgiscript.mangle(self.path)
        self.module = types.ModuleType(self.name)
        self.module.__file__ = self.path
        sys.modules[self.name] = self.module
        self.addCleanup(sys.modules.pop, self.name, None)
        exec(compile(SCRIPT, self.path, 'exec'), self.module.__dict__)
        self.scripts = doctor.scripts_under(self.dir)

    def write(self, text, path=None):
        with open(path or self.path, 'w') as f:
            f.write(text)

    def report(self, obj, protocol=pickle.DEFAULT_PROTOCOL):
        return doctor.examine(pickle.dumps(obj, protocol), self.scripts)

    def only(self, report, name):
        items = [i for i in report['globals'] if i['module'] == self.name and i['name'] == name]
        self.assertEqual(len(items), 1, report)
        return items[0]

    def test_instance_needs_the_class_every_protocol(self):
        for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
            r = self.report(self.module.Cart(), proto)
            item = self.only(r, 'Cart')
            self.assertIn('class', item['uses'], proto)
            self.assertEqual(item['status'], 'loads', proto)
            self.assertEqual(item['script'], self.path)
            self.assertTrue(r['would_load'], r)

    def test_references_and_nested(self):
        r = self.report([self.module.discount, self.module.Cart, self.module.Cart.Line])
        self.assertEqual(self.only(r, 'discount')['uses'], ['reference'])
        self.assertEqual(self.only(r, 'Cart.Line')['status'], 'loads')
        self.assertTrue(r['would_load'])

    def test_script_changed(self):
        data = pickle.dumps([self.module.Cart(), self.module.discount])
        self.write('def Cart():\n    pass\n')
        r = doctor.examine(data, self.scripts)
        self.assertEqual(self.only(r, 'Cart')['status'], 'kind-differs')
        self.assertEqual(self.only(r, 'discount')['status'], 'name-missing')
        self.assertFalse(r['would_load'])
        self.write('class Cart(:\n')
        self.assertEqual(self.only(doctor.examine(data, self.scripts), 'Cart')['status'], 'script-error')
        os.remove(self.path)
        self.assertEqual(self.only(doctor.examine(data, self.scripts), 'Cart')['status'], 'missing-script')

    def test_conditional_and_assigned_definitions(self):
        self.module.Optional = type('Optional', (), {'__module__': self.name, '__qualname__': 'Optional'})
        item = self.only(self.report(self.module.Optional()), 'Optional')
        self.assertEqual(item['status'], 'loads')   # the class statement in the if block
        self.assertEqual(self.only(self.report(self.module.Optional), 'Optional')['defined_as'], 'class')

    def test_unknown_script_and_missing_module(self):
        r = doctor.examine(pickle.dumps(self.module.Cart()), {})
        self.assertEqual(r['globals'][0]['status'], 'unknown-script')
        data = b'\x80\x04\x95\x15\x00\x00\x00\x00\x00\x00\x00\x8c\x07nosuchm\x94\x8c\x01x\x94\x93\x94.'
        r = doctor.examine(data, {})
        self.assertEqual(r['globals'][0]['status'], 'module-not-found')
        self.assertFalse(r['would_load'])

    def test_never_runs_anything(self):
        marker = os.path.join(self.dir, 'ran')
        evil = (b'cos\nsystem\n(Vtouch ' + marker.encode() + b'\ntR.')
        r = doctor.examine(evil, {})
        self.assertFalse(os.path.exists(marker))
        self.assertEqual(r['globals'][0]['module'], 'os')
        self.assertEqual(r['globals'][0]['uses'], ['called'])
        before = set(sys.modules)
        doctor.examine(pickle.dumps(self.module.Cart()).replace(b'Cart', b'Cart'), self.scripts)
        doctor.examine(b'\x80\x04\x95\x12\x00\x00\x00\x00\x00\x00\x00\x8c\tantigravi\x94\x8c\x01x\x94\x93\x94.', {})
        self.assertEqual(set(sys.modules) - before, set())

    def test_not_pickle_data(self):
        for bad in (b'', b'garbage', pickle.dumps({'a': 1})[:-3]):
            with self.assertRaises(doctor.DoctorError):
                doctor.read_globals(bad)

    def test_manifest_rule_applies(self):
        outside = os.path.join(os.path.dirname(self.dir), os.path.basename(self.dir) + '-out.wsgi')
        self.write(SCRIPT, outside)
        self.addCleanup(os.remove, outside)
        link = os.path.join(self.dir, 'link.wsgi')
        os.symlink(outside, link)
        manifest = os.path.join(self.dir, 'm.json')
        name = wsgiscript.mangle(link)
        with open(manifest, 'w') as f:
            json.dump({'format': 'wsgiscript-manifest', 'version': 1, 'case_sensitive': True,
                       'scripts': {name: {'path': link, 'root': self.dir, 'kind': 'tree', 'source': 's'},
                                   self.name: {'path': self.path, 'root': self.dir, 'kind': 'tree',
                                               'source': 'WSGIScriptAlias /x (t.conf:1)'}}}, f)
        scripts = doctor.scripts_from_manifest(manifest)
        data = pickle.dumps(self.module.Cart()).replace(self.name.encode(), name.encode())
        self.assertEqual(doctor.examine(data, scripts)['globals'][0]['status'], 'refused')
        r = doctor.examine(pickle.dumps(self.module.Cart()), scripts)
        self.assertEqual(r['globals'][0]['source'], 'WSGIScriptAlias /x (t.conf:1)')
        self.assertTrue(r['would_load'])

    def run_main(self, *argv, stdin=None):
        out, err = io.StringIO(), io.StringIO()
        old_cwd = os.getcwd()
        os.chdir(self.dir)
        old_stdin = sys.stdin
        if stdin is not None:
            sys.stdin = io.TextIOWrapper(io.BytesIO(stdin))
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                code = doctor.main(list(argv))
        finally:
            os.chdir(old_cwd)
            sys.stdin = old_stdin
        return code, out.getvalue(), err.getvalue()

    def test_exit_status_and_output(self):
        blob = os.path.join(self.dir, 'blob')
        with open(blob, 'wb') as f:
            f.write(pickle.dumps(self.module.Cart()) + b'\n')   # redis-cli --raw adds a newline
        code, out, _ = self.run_main(blob)
        self.assertEqual(code, 0, out)
        self.assertIn('ok  %s.Cart (class of an instance)' % self.name, out)
        self.assertIn('script %s' % self.path, out)
        self.assertIn('1 bytes after the end of the pickle ignored', out)
        code, out, _ = self.run_main('--json', '-', stdin=pickle.dumps(self.module.Cart()))
        self.assertEqual(code, 0)
        self.assertTrue(json.loads(out)['would_load'])
        self.write('')
        self.assertEqual(self.run_main(blob)[0], 1)
        self.assertEqual(self.run_main(os.path.join(self.dir, 'nope'))[0], 2)
        self.assertEqual(self.run_main('-', stdin=b'not a pickle')[0], 2)
        self.assertEqual(self.run_main('--manifest', os.path.join(self.dir, 'nope'), blob)[0], 2)


if __name__ == '__main__':
    unittest.main()
