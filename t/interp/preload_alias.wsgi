# 08_interpreters: preloaded at child start; writes its import time and pid to
# t/logs/interp/preload_alias.<pid>.json.
import os
import sys

_lib = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib')
if _lib not in sys.path:
    sys.path.append(_lib)
import interp_util  # noqa: E402

interp_util.record_import(globals())
application = interp_util.make_app(globals(), 'preload_alias')
