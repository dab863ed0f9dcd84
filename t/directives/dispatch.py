# WSGIDispatchScript for t/18_directives/dispatch.t: chooses by the query string.
def process_group(environ):
    q = environ.get('QUERY_STRING', '')
    if 'pg=d18' in q:
        return 'd18'
    if 'pg=nosuch' in q:
        return 'nosuchgroup'
    if environ.get('REQUEST_URI', '').startswith('/d18/disp/daemon'):
        return 'd18'
    return None


def application_group(environ):
    q = environ.get('QUERY_STRING', '')
    if 'ag=custom' in q:
        return 'custom-group'
    if 'ag=global' in q:
        return '%{GLOBAL}'
    if 'ag=raise' in q:
        raise RuntimeError('dispatch-raised')
    if 'ag=int' in q:
        return 42
    if 'ag=mine' in q:
        # the dispatch script's own interpreter, as the environ names it
        return 'seen-' + (environ['mod_wsgi.application_group'] or 'GLOBAL') + '-' + environ['mod_wsgi.process_group']
    return None


def callable_object(environ):
    if 'cb=other' in environ.get('QUERY_STRING', ''):
        return 'other_app'
    return None
