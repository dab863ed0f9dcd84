# App "b" of the two-app scenario: hello world, its own script (and interpreter with default groups).
BODY = b"Hello world!"
HEADERS = [("Content-Type", "text/plain"), ("Content-Length", str(len(BODY)))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
