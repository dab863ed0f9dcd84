# Reads the whole request body through wsgi.input in 64 KiB reads (as a
# framework does), then answers with a 12-byte body like hello.wsgi.
BODY = b"Hello world!"
HEADERS = [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    stream = environ["wsgi.input"]
    left = int(environ.get("CONTENT_LENGTH") or 0)
    while left > 0:
        chunk = stream.read(min(left, 65536))
        if not chunk:
            break
        left -= len(chunk)
    if left:
        start_response("400 Bad Request", HEADERS)
        return [BODY]
    start_response("200 OK", HEADERS)
    return [BODY]
