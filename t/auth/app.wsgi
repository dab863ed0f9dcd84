# The application of t/15_auth: what Apache's authentication left in the
# environ, and (embedded, application group auth15) what the hooks of this
# request saw: the SEEN lists of t/auth/users.wsgi and t/auth/access.wsgi,
# found in sys.modules under their _mod_wsgi_<md5> names.
import hashlib
import os
import sys

import wsgitest_util

HERE = os.path.dirname(os.path.abspath(__file__))


def _seen(script):
    name = '_mod_wsgi_' + hashlib.md5(os.path.join(HERE, script).encode()).hexdigest()
    module = sys.modules.get(name)
    return {'loaded': module is not None, 'seen': list(getattr(module, 'SEEN', []))}


def application(environ, start_response):
    import mod_wsgi
    data = {key: environ.get(key) for key in (
        'REMOTE_USER', 'AUTH_TYPE', 'A15_SETENV', 'HTTP_AUTHORIZATION', 'PATH_INFO',
        'mod_wsgi.process_group', 'mod_wsgi.application_group')}
    data['pid'] = os.getpid()
    data['process_group'] = mod_wsgi.process_group
    data['users'] = _seen('users.wsgi')
    data['access'] = _seen('access.wsgi')
    return wsgitest_util.json_response(start_response, data)
