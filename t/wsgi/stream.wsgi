# A generator response. After the first chunk it waits (at most 20 s) for the
# client to create t/logs/stream-ID.go, which it does only once it has
# received that chunk: "after=go" proves the chunk was sent before the
# generator finished.
import os
import time
import urllib.parse
import wsgitest_util


def application(environ, start_response):
    query = urllib.parse.parse_qs(environ.get('QUERY_STRING', ''))
    ident = query.get('id', ['x'])[0]
    go = os.path.join(wsgitest_util.logs_dir(__file__), 'stream-%s.go' % ident)
    start_response('200 OK', [('Content-Type', 'text/plain')])

    def generate():
        yield b'first-chunk\n'
        deadline = time.time() + 20
        while not os.path.exists(go) and time.time() < deadline:
            time.sleep(0.05)
        yield b'after=%s\n' % (b'go' if os.path.exists(go) else b'timeout')
        for i in range(3):
            yield b'line %d\n' % i

    return generate()
