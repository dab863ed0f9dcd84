# t/proxy/env.wsgi, in a directory whose .htaccess sets the directives.
import os

_here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(_here, '..', 'env.wsgi')) as _f:
    exec(compile(_f.read(), __file__, 'exec'))
