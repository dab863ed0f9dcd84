# wsgi.input: runs the operations named in ?ops= (comma separated:
# read, read:N, readline, readline:N, readlines, readlines:N, iter, readn:N
# = read(N) until b''; OP*K repeats OP K times) on wsgi.input and reports each result. If the request
# has an X-Body-Hex header, the same operations run on io.BytesIO of that body
# and the answers are compared ("same_as_bytesio").
# ?catch=ID: reading errors (OSError) are caught and recorded with the bytes
# received to t/logs/pep-input-ID.json; the response is then 200.
import binascii
import hashlib
import io
import os
import sys

here = os.path.dirname(__file__)
if here not in sys.path:
    sys.path.insert(0, here)
import peputil


def run(stream, ops):
    out = []
    expanded = []
    for op in ops:
        op, _, count = op.partition('*')
        expanded.extend([op] * int(count or '1'))
    for op in expanded:
        name, _, arg = op.partition(':')
        if name == 'read':
            r = stream.read(int(arg)) if arg else stream.read()
        elif name == 'readline':
            r = stream.readline(int(arg)) if arg else stream.readline()
        elif name == 'readlines':
            r = stream.readlines(int(arg)) if arg else stream.readlines()
        elif name == 'iter':
            r = list(stream)
        elif name == 'readn':
            r = []
            while True:
                piece = stream.read(int(arg))
                r.append(piece)
                if not piece:
                    break
        else:
            raise ValueError('unknown op %r' % op)
        out.append(r)
    return out


def jsonable(r):
    if isinstance(r, bytes):
        return {'type': 'bytes', 'value': r.decode('latin-1')}
    if isinstance(r, list):
        return [jsonable(x) for x in r]
    return {'type': type(r).__name__, 'value': repr(r)}


def application(environ, start_response):
    q = peputil.query(environ)
    ops = [o for o in q.get('ops', 'read').split(',') if o]
    inp = environ['wsgi.input']
    if 'catch' in q:
        path = peputil.marker(__file__, 'input-%s.json' % q['catch'])
        got = b''
        record = {}
        try:
            while True:
                piece = inp.read(int(q.get('block', '4096')))
                if not piece:
                    break
                got += piece
            record['error'] = None
        except OSError as e:
            record['error'] = '%s: %s' % (type(e).__name__, e)
        record['received'] = len(got)
        record['later_reads'] = [len(inp.read(4096)) for _ in range(3)]
        record['later_read_all'] = len(inp.read())
        peputil.write_json(path, record)
        return peputil.json_response(start_response, record)
    results = run(inp, ops)
    data = {'results': jsonable(results),
            'CONTENT_LENGTH': environ.get('CONTENT_LENGTH'),
            'HTTP_TRANSFER_ENCODING': environ.get('HTTP_TRANSFER_ENCODING'),
            'input_terminated': environ.get('wsgi.input_terminated')}
    whole = b''.join(x if isinstance(x, bytes) else b''.join(
        y if isinstance(y, bytes) else b'' for y in x) for x in results)
    data['md5'] = hashlib.md5(whole).hexdigest()
    data['length'] = len(whole)
    if 'HTTP_X_BODY_HEX' in environ:
        ref = run(io.BytesIO(binascii.unhexlify(environ['HTTP_X_BODY_HEX'])), ops)
        data['same_as_bytesio'] = ref == results
        if ref != results:
            data['bytesio'] = jsonable(ref)
    return peputil.json_response(start_response, data)
