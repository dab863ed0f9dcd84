"""The pure-Python fallbacks of wsgiscript._host (plain Python: no _wsgiscript)."""

import io
import sys
import unittest
from unittest import mock

from wsgiscript import _host


class FallbackLogTest(unittest.TestCase):
    def test_every_line_tagged(self):
        err = io.StringIO()
        with mock.patch.object(sys, 'stderr', err):
            _host.fallback_log(4, 'WSGIS0301', 'pickle diagnostics: one')
            _host.fallback_log(3, 'WSGIS0303', 'first\nsecond')
        self.assertEqual(err.getvalue(), '[wsgiscript:4] WSGIS0301: pickle diagnostics: one\n'
                                         '[wsgiscript:3] WSGIS0303: first\n'
                                         '[wsgiscript:3] WSGIS0303: second\n')

    def test_plain_python_uses_the_fallbacks(self):
        if _host.native is not None:
            self.skipTest('a _wsgiscript module is importable here')
        self.assertIs(_host.log, _host.fallback_log)
        self.assertIs(_host.loaded_scripts, _host.fallback_loaded_scripts)
        self.assertIsNone(_host.request_info())
        self.assertEqual(_host.configured_scripts(), {})


if __name__ == '__main__':
    unittest.main()
