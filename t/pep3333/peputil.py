"""Helpers for the t/pep3333 scripts (each script puts this directory on sys.path)."""
import json
import os
import urllib.parse


def logs_dir(script_file):
    """t/logs, from a script in t/pep3333/."""
    return os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(script_file))), 'logs')


def query(environ):
    return {k: v[0] for k, v in urllib.parse.parse_qs(environ.get('QUERY_STRING', ''),
                                                        keep_blank_values=True).items()}


def marker(script_file, name):
    return os.path.join(logs_dir(script_file), 'pep-%s' % name)


def append(path, text):
    with open(path, 'a') as f:
        f.write(text)
        f.flush()


def write_json(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(data, f, sort_keys=True)
    os.rename(tmp, path)


def vmrss_kib(pid='self'):
    with open('/proc/%s/status' % pid) as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return None


def json_response(start_response, data, status='200 OK', extra=()):
    body = json.dumps(data, sort_keys=True).encode('utf-8')
    start_response(status, [('Content-Type', 'application/json'),
                            ('Content-Length', str(len(body)))] + list(extra))
    return [body]


class Closing:
    """An iterable over items whose close() appends a line to a marker file.
    An item that is an exception instance is raised instead of yielded."""

    def __init__(self, items, path):
        self.items = items
        self.path = path
        self.consumed = 0

    def __iter__(self):
        for item in self.items:
            if isinstance(item, BaseException):
                raise item
            self.consumed += 1
            yield item

    def close(self):
        if self.path:
            append(self.path, 'close consumed=%d\n' % self.consumed)
