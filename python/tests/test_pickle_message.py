"""The words of the log entry, from hand-made PickleFailure facts.

The expected lines are docs/pickle.md's examples, byte for byte.
"""

import calendar
import os
import time
import unittest

from wsgiscript._pickle_facts import PickleFailure
from wsgiscript._pickle_message import entry_text, internal_error_text, one_line
from wsgiscript._registry import LoadEvent, ScriptRecord

PATH = '/srv/shop/shop.wsgi'
MOD = '_mod_wsgi_f89bcb438b3eec9dbc65bafac38adb60'
DOCS = os.path.join(os.path.dirname(__file__), '..', '..', 'docs', 'pickle.md')
REMEDY = ('Remedy: pickle only builtin types (str, bytes, int, float, bool, None, tuple, list, '
          'dict, set) from a WSGI script, or ')


def utc(text):
    return float(calendar.timegm(time.strptime(text, '%Y-%m-%d %H:%M:%S')))


def script(generation, reloads):
    """A record at ``generation``; ``reloads``: {generation: 'YYYY-mm-dd HH:MM:SS' UTC}."""
    history = [LoadEvent(g, 1, utc(reloads[g]) if g in reloads else 1.0)
               for g in range(1, generation + 1)]
    return ScriptRecord(MOD, PATH, generation, 1, 1.0, history[-1].at if generation > 1 else None,
                        history)


class EntryTextTest(unittest.TestCase):
    def setUp(self):
        saved = os.environ.get('TZ')
        os.environ['TZ'] = 'UTC'
        time.tzset()

        def restore():
            if saved is None:
                os.environ.pop('TZ', None)
            else:
                os.environ['TZ'] = saved
            time.tzset()
        self.addCleanup(restore)

    def check(self, failure, expected):
        line = 'WSGIS0301: ' + entry_text(failure)
        self.assertEqual(line, expected)
        if os.path.exists(DOCS):
            with open(DOCS, encoding='utf-8') as f:
                self.assertIn(expected + '\n', f.read(), 'docs/pickle.md example out of date')

    def test_not_found(self):
        self.check(PickleFailure('pickle', 'not-found', MOD, 'price', kind='function',
                                 script=script(1, {}), path=PATH,
                                 request=('POST', '/shop/cart/save')),
                   "WSGIS0301: pickle diagnostics: not-found: cannot pickle function 'price' of "
                   "script %s (module %s): the script no longer has anything named 'price'. "
                   "%smove the definition of price out of the script %s into a module imported "
                   "from sys.path. (request: POST /shop/cart/save)" % (PATH, MOD, REMEDY, PATH))

    def test_unpickle_not_found_after_reloads(self):
        self.check(PickleFailure('unpickle', 'not-found', MOD, 'Cart',
                                 script=script(4, {4: '2025-11-25 20:19:55'}), path=PATH),
                   "WSGIS0301: pickle diagnostics: not-found: cannot unpickle 'Cart' of script %s "
                   "(module %s): the loaded script has no attribute 'Cart'; the script has been "
                   "reloaded (now generation 4, last reloaded at 2025-11-25 20:19:55 +0000); the "
                   "data may come from an earlier generation. %smove the definition of Cart out of "
                   "the script %s into a module imported from sys.path." % (PATH, MOD, REMEDY, PATH))

    def test_not_same_object_after_reload(self):
        self.check(PickleFailure('pickle', 'not-same-object', MOD, 'discount', kind='function',
                                 object_generation=1, script=script(2, {2: '2025-11-25 20:20:00'}),
                                 path=PATH, request=('GET', '/shop/checkout')),
                   "WSGIS0301: pickle diagnostics: not-same-object: cannot pickle function "
                   "'discount' of script %s (module %s): the name 'discount' in the script now "
                   "refers to another object; the script was reloaded since the object was "
                   "created: the object comes from generation 1, the script is now at generation 2 "
                   "(reloaded at 2025-11-25 20:20:00 +0000). %smove the definition of discount out "
                   "of the script %s into a module imported from sys.path. (request: GET "
                   "/shop/checkout)" % (PATH, MOD, REMEDY, PATH))

    def test_module_not_importable(self):
        self.check(PickleFailure('unpickle', 'module-not-importable', MOD, 'Cart', path=PATH),
                   "WSGIS0301: pickle diagnostics: module-not-importable: cannot unpickle 'Cart' of "
                   "script %s (module %s): that script is not loaded in this interpreter, and "
                   "script modules cannot be imported by name (was the data written by another "
                   "application group, process or server?). %smove the definition of Cart out of "
                   "the script %s into a module imported from sys.path." % (PATH, MOD, REMEDY, PATH))

    def test_two_reloads_and_the_first_one(self):
        text = entry_text(PickleFailure(
            'pickle', 'not-same-object', MOD, 'Cart', kind='class', instance=True,
            object_generation=1, path=PATH,
            script=script(3, {2: '2025-11-25 20:20:00', 3: '2025-11-25 21:00:00'})))
        self.assertIn(", needed to pickle an instance of it: the name 'Cart'", text)
        self.assertIn('the object comes from generation 1, the script is now at generation 3 '
                      '(reloaded at 2025-11-25 20:20:00 +0000, last reloaded at '
                      '2025-11-25 21:00:00 +0000). ', text)

    def test_reload_time_beyond_the_history(self):
        rec = script(2, {2: '2025-11-25 20:20:00'})
        rec = ScriptRecord(*rec[:6], rec.history[1:])  # generation 1 dropped from the history
        text = entry_text(PickleFailure('pickle', 'not-found', MOD, 'a', kind='function',
                                        object_generation=0, script=rec, path=PATH))
        self.assertIn('the object comes from generation 0, the script is now at generation 2 '
                      '(reloaded at an unknown time, last reloaded at 2025-11-25 20:20:00 +0000)', text)

    def test_unknown_script_and_stream(self):
        text = entry_text(PickleFailure('unpickle', 'module-not-importable', MOD, None))
        self.assertEqual(text, "pickle diagnostics: module-not-importable: cannot unpickle (name not "
                               "recoverable: data read from a stream) of module %s (script unknown "
                               "to this server): that script is not loaded in this interpreter, and "
                               "script modules cannot be imported by name (was the data written by "
                               "another application group, process or server?). %smove the "
                               "definition of the class or function out of the script that defines "
                               "it into a module imported from sys.path." % (MOD, REMEDY))

    def test_lambda(self):
        text = entry_text(PickleFailure('pickle', 'not-found', MOD, '<lambda>', kind='function',
                                        path=PATH))
        self.assertIn(": it is a lambda or is defined inside a function, and pickle can only store "
                      "objects reachable by name from their module. %sreplace '<lambda>' in the "
                      "script %s by a function or class defined at the top level of a module "
                      "imported from sys.path." % (REMEDY, PATH), text)

    def test_one_line(self):
        text = entry_text(PickleFailure('pickle', 'not-found', MOD, 'a', kind='function',
                                        path='/srv/odd\nname\x1b.wsgi', request=('GET', '/x\r\n')))
        self.assertNotIn('\n', text)
        self.assertIn('/srv/odd\\nname\\x1b.wsgi', text)
        self.assertTrue(text.endswith('(request: GET /x\\r\\n)'), text)
        self.assertEqual(one_line('plain'), 'plain')

    def test_internal_error_text(self):
        self.assertEqual(internal_error_text(KeyError('k'), RuntimeError('broke\nhere')),
                         'pickle diagnostics failed while examining KeyError: RuntimeError: '
                         'broke\\nhere')


if __name__ == '__main__':
    unittest.main()
