# Hook script of t/15_auth: check_password, get_realm_hash and
# groups_for_user. Each answers by the user name it is given (the client's
# bytes, decoded as latin-1 by the module; UTF-8 names are re-decoded here)
# and records the call in SEEN, which t/auth/app.wsgi shows.
import hashlib

SEEN = []

PASSWORDS = {
    'alice': 'wonderland',
    'bob': 'builder',
    'carol': 'c',
    'j\u00f6rg': 'stra\u00dfe',
}
GROUPS = {
    'alice': ['staff', 'readers'],
    'bob': ['readers'],
    'carol': [],
    'gbytes': [b'staff'],
    'gupper': ['ADMINS'],
    'gmany': ['g%d' % i for i in range(1000)] + ['staff'],
}


def _record(function, environ, args):
    env = {}
    for key, value in environ.items():
        if key == 'wsgi.errors':
            env[key] = hasattr(value, 'write')
        elif isinstance(value, tuple):
            env[key] = list(value)
        elif isinstance(value, (str, int)):
            env[key] = value
        else:
            env[key] = repr(value)
    SEEN.append({'function': function, 'args': list(args), 'environ': env, 'module': __name__})
    del SEEN[:-10]
    environ['wsgi.errors'].write('a15 hook %s in group %r\n'
                                 % (function, environ['mod_wsgi.application_group']))


def _text(s):
    return s.encode('latin-1').decode('utf-8', 'replace')


def check_password(environ, user, password):
    _record('check_password', environ, (user, password))
    name = _text(user)
    if name == 'raise':
        raise RuntimeError('a15 check_password failure')
    if name == 'wrong':
        return 1
    if name == 'empty':
        return ''
    if name == 'rename':
        return 'Canonical J\u00f6rg' if password == 'x' else False
    if name.startswith('g') and password == 'g':
        return True
    if name not in PASSWORDS:
        return None
    return _text(password) == PASSWORDS[name]


def get_realm_hash(environ, user, realm):
    _record('get_realm_hash', environ, (user, realm))
    name = _text(user)
    if name == 'raise':
        raise RuntimeError('a15 get_realm_hash failure')
    if name == 'wrong':
        return 42
    if name == 'bbob':
        # bytes are accepted too
        return hashlib.md5(b'bbob:' + realm.encode('latin-1') + b':builder').hexdigest().encode('ascii')
    if name not in PASSWORDS:
        return None
    password = PASSWORDS[name].encode('utf-8').decode('latin-1')
    return hashlib.md5(('%s:%s:%s' % (user, realm, password)).encode('latin-1')).hexdigest()


def groups_for_user(environ, user):
    _record('groups_for_user', environ, (user,))
    name = _text(user)
    if name == 'graise':
        raise LookupError('a15 groups_for_user failure')
    if name == 'gstr':
        return 'staff'
    if name == 'gnone':
        return None
    if name == 'gint':
        return ['readers', 7]
    if name == 'ggen':
        return (g for g in ['readers', 'staff'])
    return GROUPS.get(name, [])
