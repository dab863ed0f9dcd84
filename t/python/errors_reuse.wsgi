"""wsgi.errors across requests (t/17_python/errors_reuse.t). ?do= says what
this request does with its stream; ?tag= marks the lines it writes."""
import json
import os
from urllib.parse import parse_qsl

KEPT = []


def application(environ, start_response):
    q = dict(parse_qsl(environ.get('QUERY_STRING', '')))
    do, tag = q.get('do', 'plain'), q.get('tag', '')
    err = environ['wsgi.errors']
    out = {'id': id(err), 'pid': os.getpid()}
    if do == 'keep':
        KEPT[:] = [err]
        err.write('kept-%s\n' % tag)
    elif do == 'stale':
        out['same_as_kept'] = bool(KEPT) and KEPT[0] is err
        KEPT[0].write('stale-%s\n' % tag)
        err.write('fresh-%s\n' % tag)
        del KEPT[:]
    elif do == 'reconf':
        err.reconfigure(write_through=False)
        err.write('held-%s\n' % tag)  # held in the wrapper until it is flushed
    elif do == 'attr':
        err.mine = tag
    else:
        out['mine'] = getattr(err, 'mine', None)
        out['write_through'] = err.write_through
        out['encoding'] = err.encoding
        err.write('plain-%s\n' % tag)
    body = json.dumps(out).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]
