# sys.stdout/sys.stderr partial lines (t/12_output/output.t).
#   /partial?text=T   write T to sys.stdout without a newline
#   /line?text=T      print(T)
#   /long?kib=N       write N KiB to sys.stderr without any newline
import sys
import urllib.parse


def application(environ, start_response):
    op = environ.get('PATH_INFO', '').strip('/')
    q = dict(urllib.parse.parse_qsl(environ.get('QUERY_STRING', '')))
    if op == 'partial':
        sys.stdout.write(q['text'])
    elif op == 'line':
        print(q['text'])
    elif op == 'long':
        chunk = 'L' * 1024
        for _ in range(int(q['kib'])):
            sys.stderr.write(chunk)
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', '2')])
    return [b'ok']
