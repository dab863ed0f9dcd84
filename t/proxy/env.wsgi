# The environ as JSON (every str value, and which process served it), for
# t/16_proxy: WSGITrustedProxyHeaders and WSGITrustedProxies.
import json
import os

import mod_wsgi


def application(environ, start_response):
    data = {k: v for k, v in environ.items() if isinstance(v, str)}
    data['_process_group'] = mod_wsgi.process_group
    data['_pid'] = os.getpid()
    out = json.dumps(data, sort_keys=True).encode('utf-8')
    start_response('200 OK', [('Content-Type', 'application/json'),
                              ('Content-Length', str(len(out)))])
    return [out]
