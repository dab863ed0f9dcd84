"""The pickletools walker alone: globals named by pickled data, never executed."""

import pickle
import sys
import types
import unittest

from wsgiscript._pickle_globals import globals_in_data


class GlobalsInDataTest(unittest.TestCase):
    def setUp(self):
        self.mod = types.ModuleType('walker_mod')
        sys.modules['walker_mod'] = self.mod
        self.addCleanup(sys.modules.pop, 'walker_mod', None)
        exec('class C: pass\nclass D: pass\ndef f(): pass\nclass Outer:\n    class Inner: pass\n',
             self.mod.__dict__)

    def test_every_protocol(self):
        for proto in range(0, pickle.HIGHEST_PROTOCOL + 1):
            with self.subTest(protocol=proto):
                data = pickle.dumps([1, 'x', self.mod.C(), self.mod.f], protocol=proto)
                found = globals_in_data(data)
                self.assertIn(('walker_mod', 'C'), found)
                self.assertIn(('walker_mod', 'f'), found)

    def test_strings_from_the_memo(self):
        # protocol 4: the module name is memoized once, the second STACK_GLOBAL gets it by BINGET
        data = pickle.dumps([self.mod.C(), self.mod.D(), self.mod.Outer.Inner()], protocol=4)
        found = [g for g in globals_in_data(data) if g[0] == 'walker_mod']
        self.assertEqual(found, [('walker_mod', 'C'), ('walker_mod', 'D'),
                                 ('walker_mod', 'Outer.Inner')])

    def test_global_opcode(self):
        self.assertEqual(globals_in_data(b"cos\nsystem\n(S'echo hi'\ntR."), [('os', 'system')])

    def test_damaged_data(self):
        data = pickle.dumps([self.mod.C(), list(range(100)), self.mod.D()], protocol=2)
        self.assertEqual(globals_in_data(data[:len(data) // 2]), [('walker_mod', 'C')])
        self.assertEqual(globals_in_data(b'garbage'), [])
        self.assertEqual(globals_in_data(b''), [])
        self.assertEqual(globals_in_data(bytearray(pickle.dumps(self.mod.C, protocol=0))),
                         [('walker_mod', 'C')])

    def test_long_data_keeps_the_last_strings(self):
        data = pickle.dumps([str(i) for i in range(500)] + [self.mod.C()], protocol=4)
        self.assertIn(('walker_mod', 'C'), globals_in_data(data))


if __name__ == '__main__':
    unittest.main()
