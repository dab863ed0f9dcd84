# 08_interpreters: reports its interpreter and module state (t/interp/lib/interp_util.py).
import os
import sys

_lib = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'lib')
if _lib not in sys.path:
    sys.path.append(_lib)
import interp_util  # noqa: E402

application = interp_util.make_app(globals(), 'other')
