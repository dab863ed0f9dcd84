# Runs bench/pickle_bench.py inside an Apache child, where the native
# _wsgiscript.guard exists, and returns its report (bench/pickle_in_apache).
import contextlib
import io
import os
import runpy
import sys


def application(environ, start_response):
    rounds = environ.get('QUERY_STRING') or '61'
    out = io.StringIO()
    saved = sys.argv
    sys.argv = ['pickle_bench.py', '--rounds', rounds, '--guard', 'native']
    status = '200 OK'
    try:
        with contextlib.redirect_stdout(out):
            runpy.run_path(environ['PICKLE_BENCH'], run_name='__main__')
    except SystemExit as e:
        if e.code:
            status = '500 Internal Server Error'
            out.write('\nexit: %r\n' % (e.code,))
    finally:
        sys.argv = saved
    start_response(status, [('Content-Type', 'text/plain; charset=utf-8')])
    return [out.getvalue().encode()]
