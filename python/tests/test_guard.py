import io
import sys
import unittest
from unittest import mock

from wsgiscript import _host


class Boom(Exception):
    pass


class FallbackGuardTest(unittest.TestCase):
    def test_success_returns_value_and_passes_arguments(self):
        calls = []
        g = _host.fallback_guard(lambda *a, **k: (a, k), lambda *x: calls.append(x))
        self.assertEqual(g(1, 2, x=3), ((1, 2), {'x': 3}))
        self.assertEqual(calls, [])

    def test_argument_shapes(self):
        seen = []

        def func(*a, **k):
            if k.get('fail'):
                raise Boom()
            return a, k

        g = _host.fallback_guard(func, lambda e, a, k: seen.append((a, k)))
        self.assertEqual(g(), ((), {}))
        self.assertEqual(g(first=1), ((), {'first': 1}))
        self.assertEqual(g(None), ((None,), {}))
        self.assertEqual(g(1, 1), ((1, 1), {}))
        for call, expected in ((lambda: g(fail=1), ((), {'fail': 1})),
                               (lambda: g(7, 7, fail=1), ((7, 7), {'fail': 1}))):
            with self.assertRaises(Boom):
                call()
            self.assertEqual(seen.pop(), expected)

    def test_reraises_same_object_with_chaining(self):
        cause = ValueError('cause')
        exc = Boom('original')
        seen = []

        def func(a, b=None):
            try:
                raise KeyError('context')
            except KeyError:
                raise exc from cause

        g = _host.fallback_guard(func, lambda e, a, k: seen.append((e, a, k)))
        with self.assertRaises(Boom) as cm:
            g(1, b=2)
        self.assertIs(cm.exception, exc)
        self.assertIs(cm.exception.__cause__, cause)
        self.assertIsInstance(cm.exception.__context__, KeyError)
        self.assertEqual(str(cm.exception), 'original')
        self.assertEqual(seen, [(exc, (1,), {'b': 2})])

    def test_on_error_failure_is_unraisable_not_raised(self):
        def on_error(e, a, k):
            raise RuntimeError('diagnostics broke')

        def func():
            raise Boom('original')

        reported = []
        g = _host.fallback_guard(func, on_error)
        with mock.patch.object(sys, 'unraisablehook', reported.append):
            with self.assertRaises(Boom):
                g()
        self.assertEqual(len(reported), 1)
        self.assertIsInstance(reported[0].exc_value, RuntimeError)
        self.assertIs(reported[0].object, on_error)

    def test_unraisable_default_hook_writes_stderr(self):
        err = io.StringIO()
        with mock.patch.object(sys, 'stderr', err):
            try:
                raise RuntimeError('x')
            except RuntimeError as e:
                _host.report_unraisable(e, 'obj')
        self.assertIn('Exception ignored in', err.getvalue())
        self.assertIn('RuntimeError: x', err.getvalue())

    def test_base_exceptions_pass_untouched(self):
        seen = []

        def func():
            raise KeyboardInterrupt

        g = _host.fallback_guard(func, lambda *x: seen.append(x))
        with self.assertRaises(KeyboardInterrupt):
            g()
        self.assertEqual(seen, [])

    def test_metadata(self):
        import pickle
        g = _host.fallback_guard(pickle.dumps, lambda *x: None)
        self.assertEqual(g.__name__, 'dumps')
        self.assertIs(g.__wrapped__, pickle.dumps)


if __name__ == '__main__':
    unittest.main()
