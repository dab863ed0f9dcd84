# 12-byte hello world, the same body as the static contender's hello.txt.
BODY = b"Hello world!"
HEADERS = [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
