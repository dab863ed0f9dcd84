# Hook script of t/15_auth: allow_access answers by the X-A15-Access header
# and records the call in SEEN.
SEEN = []


def allow_access(environ, host):
    SEEN.append({'host': host, 'keys': sorted(k for k in environ if k != 'wsgi.errors'),
                 'group': environ['mod_wsgi.application_group']})
    del SEEN[:-10]
    mode = environ.get('HTTP_X_A15_ACCESS', 'allow')
    if mode == 'allow':
        return True
    if mode == 'deny':
        return False
    if mode == 'none':
        return None
    if mode == 'raise':
        raise ValueError('a15 allow_access failure')
    if mode == 'print':
        print('a15 print from allow_access')
        return True
    return 'yes'
