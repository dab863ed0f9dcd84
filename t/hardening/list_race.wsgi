# A list response whose items another thread replaces while Apache writes
# them (t/07_response/list_race.t). ?size=MiB of b'a' in one item; the
# thread waits until the list has been returned, then replaces the item and
# allocates fresh memory of the same size filled with b'Z', so freed memory
# would be reused at once.
import threading
import time
import urllib.parse


def application(environ, start_response):
    q = dict(urllib.parse.parse_qsl(environ.get('QUERY_STRING', '')))
    size = int(q.get('size', '32')) * 1024 * 1024
    body = [b'a' * size]
    returned = threading.Event()

    def meddle():
        returned.wait(10)
        time.sleep(0.2)
        junk = []
        for _ in range(8):
            body[0] = None
            junk.append(b'Z' * size)
            body[0] = junk[-1]
            time.sleep(0.05)
        del junk[:]

    threading.Thread(target=meddle, daemon=True).start()
    start_response('200 OK', [('Content-Type', 'application/octet-stream'), ('Content-Length', str(size))])
    try:
        return body
    finally:
        returned.set()
