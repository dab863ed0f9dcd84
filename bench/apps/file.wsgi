# 1 MiB response through wsgi.file_wrapper. The file is the one the static
# contender serves: htdocs/1m.bin next to the staged apps/ directory.
import os

PATH = os.path.join(os.path.dirname(os.path.dirname(__file__)), "htdocs", "1m.bin")
SIZE = os.path.getsize(PATH)
HEADERS = [("Content-Type", "application/octet-stream"), ("Content-Length", str(SIZE))]


def application(environ, start_response):
    start_response("200 OK", HEADERS)
    return environ["wsgi.file_wrapper"](open(PATH, "rb"), 65536)
