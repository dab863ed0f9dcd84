"""wsgiscript.resolve: by-name pickling of objects left behind by a reload,
and the manifest finder for processes outside Apache."""

import io
import json
import os
import pickle
import sys
import tempfile
import threading
import unittest

import wsgiscript
from wsgiscript import _host, _manifest, _resolve_pickle, pickle_diagnostics, resolve

from .support import HostTestCase

PATH = '/srv/shop/shop.wsgi'
MOD = wsgiscript.mangle(PATH)

V1 = '''
class Cart:
    def __init__(self):
        self.items = ['apple']
    def total(self):
        return len(self.items)

class Plain:
    pass

def discount(x):
    return x
'''
V2 = V1 + '\nVERSION = 2\n'
V3_NO_CART = '''
def discount(x):
    return x
'''


class ByNameTest(HostTestCase):
    def setUp(self):
        super().setUp()
        self.addCleanup(_resolve_pickle.uninstall)
        self.addCleanup(pickle_diagnostics.uninstall)   # before: it wraps ours
        self.addCleanup(_resolve_pickle._reset)
        resolve._install_server()

    def load(self, code):
        module = self.host.load(PATH, code)
        resolve._note_loaded(MOD, module.__wsgiscript_generation__)
        return module

    def test_reloaded_function_class_instance_pickle_by_name(self):
        old = self.load(V1)
        cart, cls, fn, plain = old.Cart(), old.Cart, old.discount, old.Plain
        new = self.load(V2)
        for obj, current in ((fn, new.discount), (cls, new.Cart), (plain, new.Plain)):
            data = pickle.dumps(obj)
            self.assertIs(pickle.loads(data), current)
            self.assertEqual(data, pickle.dumps(current))
        back = pickle.loads(pickle.dumps(cart))
        self.assertIsInstance(back, new.Cart)
        self.assertEqual(back.items, ['apple'])
        self.assertEqual(back.total(), 1)
        # also dump() and Pickler(...).dump(), and every protocol
        for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
            f = io.BytesIO()
            pickle.dump(cart, f, proto)
            self.assertIsInstance(pickle.loads(f.getvalue()), new.Cart)
            f = io.BytesIO()
            p = pickle.Pickler(f, proto)
            p.dump([cart, cart])
            p.dump(fn)
            f.seek(0)
            u = pickle.Unpickler(f)
            a, b = u.load()
            self.assertIs(a, b)
            self.assertIs(u.load(), new.discount)
        entries = self.host.entries('WSGIS0323')
        self.assertEqual(len(entries), 3, entries)   # once per (script, name)
        levels = {l for (l, m) in self.host.lines if m.startswith('WSGIS0323')}
        self.assertEqual(levels, {_host.APLOG_INFO})
        self.assertIn("pickled function 'discount' of script %s (module %s) by name: the object "
                      "comes from generation 1, the script is now at generation 2" % (PATH, MOD),
                      '\n'.join(entries))
        self.assertTrue(any("class 'Cart'" in e for e in entries))

    def test_stale_and_current_together_every_protocol(self):
        old = self.load(V1)
        fn, cls, cart = old.discount, old.Cart, old.Cart()
        new = self.load(V2)
        for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
            back = pickle.loads(pickle.dumps([fn, fn, new.discount, cls, new.Cart, cart, cart, {'k': fn}], proto))
            self.assertEqual(back[:5], [new.discount] * 3 + [new.Cart] * 2, proto)
            self.assertIs(back[5], back[6])
            self.assertIsInstance(back[5], new.Cart)
            self.assertIs(back[7]['k'], new.discount)

    def test_instance_entry_says_so(self):
        old = self.load(V1)
        cart = old.Cart()
        self.load(V2)
        pickle.dumps(cart)
        entry, = self.host.entries('WSGIS0323')
        self.assertIn("class 'Cart' of script %s (module %s), for an instance of it" % (PATH, MOD), entry)

    def test_name_gone_still_fails_with_the_same_exception(self):
        old = self.load(V1)
        cart = old.Cart()
        self.load(V3_NO_CART)
        with self.assertRaises(pickle.PicklingError) as caught:
            pickle.dumps(cart)
        self.assertIn('Cart', str(caught.exception))
        self.assertEqual(self.host.entries('WSGIS0323'), [])

    def test_rebound_by_the_script_itself_still_fails(self):
        module = self.load(V1)
        fn = module.discount
        module.discount = lambda x: x       # same generation: not a reload
        module.discount.__qualname__ = 'discount'
        with self.assertRaises(pickle.PicklingError):
            pickle.dumps(fn)

    def test_other_kind_now_fails(self):
        old = self.load(V1)
        fn = old.discount
        self.load(V1.replace('def discount(x):\n    return x', 'class discount:\n    pass'))
        with self.assertRaises(pickle.PicklingError):
            pickle.dumps(fn)

    def test_diagnostics_on_top_see_only_what_by_name_cannot_fix(self):
        pickle_diagnostics.install()
        old = self.load(V1)
        cart, fn = old.Cart(), old.discount
        self.load(V2)
        pickle.dumps(cart)
        self.assertEqual(self.host.entries('WSGIS0301'), [])
        self.load(V3_NO_CART)
        with self.assertRaises(pickle.PicklingError):
            pickle.dumps(cart)
        self.assertEqual(len(self.host.entries('WSGIS0301')), 1)
        self.assertIs(pickle.loads(pickle.dumps(fn)), sys.modules[MOD].discount)

    def test_resolve_installed_after_diagnostics_relayers(self):
        _resolve_pickle.uninstall()
        pickle_diagnostics.install()
        resolve._install_server()
        old = self.load(V1)
        cart = old.Cart()
        self.load(V2)
        pickle.dumps(cart)
        self.assertEqual(self.host.entries('WSGIS0301'), [])

    def test_file_with_big_payload_not_retried(self):
        old = self.load(V1)
        cart = old.Cart()
        cart.blob = b'x' * (70 * 1024)
        self.load(V2)
        self.assertIsInstance(pickle.loads(pickle.dumps(cart)), sys.modules[MOD].Cart)
        with self.assertRaises(pickle.PicklingError):
            pickle.dump(cart, io.BytesIO())

    def test_success_path_unchanged(self):
        data = {'a': [1, 2.5, 'x', b'y', None, (True,)]}
        self.assertEqual(pickle.dumps(data), pickle._dumps(data))
        self.assertEqual(self.host.lines, [])
        self.assertIs(pickle.dumps.__wrapped__, _resolve_pickle._state.originals['dumps'])

    def test_uninstall_puts_back(self):
        _resolve_pickle.uninstall()
        import _pickle
        self.assertIs(pickle.dumps, _pickle.dumps)
        self.assertIs(pickle.Pickler, _pickle.Pickler)


class RetryFallbackTest(unittest.TestCase):
    def test_fallback_result_or_original_exception(self):
        def fails(x, y=0):
            raise KeyError(x)
        seen = []

        def fallback(exc, args, kwargs):
            seen.append((type(exc), args, kwargs))
            return 'ok' if args[0] == 'fix' else NotImplemented
        wrapped = _host.fallback_retry(fails, fallback)
        self.assertEqual(wrapped('fix', y=1), 'ok')
        with self.assertRaises(KeyError):
            wrapped('other')
        self.assertEqual(seen[0], (KeyError, ('fix',), {'y': 1}))
        self.assertIs(wrapped.__wrapped__, fails)


def write_manifest(path, scripts, case_sensitive=True):
    doc = {'format': 'wsgiscript-manifest', 'version': 1, 'generated_at': 1.0, 'server': 'test',
           'case_sensitive': case_sensitive, 'scripts': scripts}
    with open(path, 'w') as f:
        json.dump(doc, f)


class FinderTest(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.mkdtemp()
        self.addCleanup(self.cleanup)
        self.apps = os.path.join(self.dir, 'apps')
        os.mkdir(self.apps)
        self.app = os.path.join(self.apps, 'app.wsgi')
        with open(self.app, 'w', encoding='latin-1') as f:
            f.write('# -*- coding: latin-1 -*-\nNAME = "caf\xe9"\nclass Cart:\n    pass\n'
                    'LOADS = globals().get("LOADS", 0) + 1\n')
        self.outside = os.path.join(self.dir, 'outside.wsgi')
        with open(self.outside, 'w') as f:
            f.write('raise SystemExit("must never run")\n')
        self.link = os.path.join(self.apps, 'link.wsgi')
        os.symlink(self.app, self.link)
        self.manifest = os.path.join(self.dir, 'manifest.json')
        self.lines = []
        self.names = []

    def entry(self, path, kind='tree', root=None):
        name = wsgiscript.mangle(path)
        self.names.append(name)
        return name, {'path': path, 'root': root or (self.apps if kind == 'tree' else path), 'kind': kind,
                      'source': 'WSGIScriptAlias /x (test.conf:1)'}

    def cleanup(self):
        resolve.uninstall()
        for name in self.names:
            sys.modules.pop(name, None)
        _host.fallback_forget()
        import shutil
        shutil.rmtree(self.dir, ignore_errors=True)

    def install(self, scripts):
        write_manifest(self.manifest, dict(scripts))
        return resolve.install(self.manifest, log=lambda level, tag, text: self.lines.append((level, tag, text)))

    def test_loads_as_the_server_does(self):
        name, value = self.entry(self.app)
        self.assertEqual(self.install([(name, value)]), 1)
        module = __import__(name)
        self.assertEqual(module.NAME, 'caf\xe9')
        self.assertEqual(module.__file__, self.app)
        self.assertEqual(module.__wsgiscript_generation__, 1)
        self.assertEqual(module.__mtime__, os.stat(self.app).st_mtime_ns // 1000)
        self.assertEqual(wsgiscript.loaded_scripts()[name].path, self.app)
        data = pickle.dumps(module.Cart())
        del sys.modules[name]
        self.assertEqual(type(pickle.loads(data)).__module__, name)
        self.assertEqual(self.lines[0][1], 'WSGIS0322')

    def test_concurrent_imports_load_once(self):
        name, value = self.entry(self.app)
        self.install([(name, value)])
        results = []
        threads = [threading.Thread(target=lambda: results.append(__import__(name))) for _ in range(20)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(len({id(m) for m in results}), 1)
        self.assertEqual(results[0].LOADS, 1)

    def test_unlisted_and_escaping_names_are_not_loaded(self):
        name, value = self.entry(self.app)
        out_name, out_value = self.entry(self.outside, root=self.apps)   # a tree entry outside its root
        self.install([(name, value)])
        with self.assertRaises(ModuleNotFoundError):
            __import__(wsgiscript.mangle(self.outside))
        # a manifest whose tree entry's file is outside its directory
        link_name, link_value = self.entry(self.link)
        self.install([(out_name, out_value), (link_name, link_value)])
        with self.assertRaises(ModuleNotFoundError):
            __import__(out_name)
        self.assertIn('outside', self.lines[-1][2])
        self.assertEqual(self.lines[-1][1], 'WSGIS0324')
        # a link inside: loads; then the link is pointed outside
        self.assertEqual(__import__(link_name).NAME, 'caf\xe9')
        del sys.modules[link_name]
        os.remove(self.link)
        os.symlink(self.outside, self.link)
        with self.assertRaises(ModuleNotFoundError):
            __import__(link_name)

    def test_bad_manifests_are_refused(self):
        name, value = self.entry(self.app)
        for bad in ({'format': 'other'},
                    {'format': 'wsgiscript-manifest', 'version': 2, 'scripts': {}},
                    {'format': 'wsgiscript-manifest', 'version': 1,
                     'scripts': {wsgiscript.mangle('/elsewhere'): value}},
                    {'format': 'wsgiscript-manifest', 'version': 1,
                     'scripts': {name: dict(value, path='relative/app.wsgi')}},
                    {'format': 'wsgiscript-manifest', 'version': 1, 'scripts': {'os': value}}):
            with open(self.manifest, 'w') as f:
                json.dump(bad, f)
            with self.assertRaises(ValueError):
                resolve.install(self.manifest)
        with open(self.manifest, 'w') as f:
            f.write('not json')
        with self.assertRaises(ValueError):
            resolve.install(self.manifest)

    def test_case_insensitive_manifest(self):
        name = wsgiscript.mangle(self.app.lower())
        self.names.append(name)
        write_manifest(self.manifest, {name: {'path': self.app, 'root': self.app, 'kind': 'file',
                                              'source': 's'}}, case_sensitive=False)
        resolve.install(self.manifest)
        self.assertEqual(__import__(name).__file__, self.app)

    def test_manifest_check_rule(self):
        e = _manifest.Entry('m', self.link, self.apps, 'tree', '')
        self.assertEqual(_manifest.check(e), '')
        self.assertNotEqual(_manifest.check(_manifest.Entry('m', self.outside, self.apps, 'tree', '')), '')
        self.assertEqual(_manifest.check(_manifest.Entry('m', self.outside, self.outside, 'file', '')), '')
        self.assertNotEqual(_manifest.check(_manifest.Entry('m', self.apps, self.apps, 'file', '')), '')


if __name__ == '__main__':
    unittest.main()
