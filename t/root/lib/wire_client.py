#!/usr/bin/python3
"""A client of a daemon process group's socket that speaks mod/core/wire.h's
protocol, for t/root/02_socket.t: what another local user (or a process of
Apache's User that does not know the secret) gets when it connects directly.

  wire_client.py connect SOCKET
      connect() only: {"connect": "ok"} or {"connect": "EACCES"} (the errno name)
  wire_client.py request SOCKET SECRET_HEX SCRIPT [NAME=VALUE ...]
      hello (magic + the 32-byte secret) and one request frame for SCRIPT
      with the CGI variables given, then every message until the response
      ends or the daemon closes: {"connect", "messages": [types], "pid",
      "status", "headers", "body", "closed": how the connection ended}
  wire_client.py capture SOCKET OUT_FILE UID
      (root) put a relay in the place of SOCKET (owned by UID, mode 0600)
      that writes the hello of the first connection (the server's secret,
      hex) to OUT_FILE and relays both ways to the real socket; on SIGTERM
      the real socket is put back. Prints "ready" once listening.

Message format: type byte, u32 little-endian length, payload; strings are
u32 length, bytes, NUL. Output is one JSON object on stdout.
"""
import errno
import json
import os
import select
import signal
import socket
import struct
import sys
import time

MAGIC = b'WSG1'
SECRET_SIZE = 32
TIMEOUT = 10.0


def connect(path):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    try:
        s.connect(path)
    except OSError as e:
        s.close()
        return None, errno.errorcode.get(e.errno, str(e.errno))
    return s, 'ok'


def put_str(b):
    if isinstance(b, str):
        b = b.encode()
    return struct.pack('<I', len(b)) + b + b'\0'


def message(kind, payload):
    return kind + struct.pack('<I', len(payload)) + payload


def request_frame(script, variables, flags=0):
    try:
        mtime = int(os.stat(script).st_mtime * 1000000)
    except OSError:
        mtime = 0
    p = struct.pack('<BQQ', flags, mtime, int(time.time() * 1000000))
    p += put_str(script) + put_str('application') + put_str('')
    p += struct.pack('<I', len(variables))
    for k, v in variables:
        p += put_str(k) + put_str(v)
    return message(b'Q', p)


def read_exact(s, n):
    buf = b''
    while len(buf) < n:
        chunk = s.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def get_str(p, at):
    (n,) = struct.unpack_from('<I', p, at)
    return p[at + 4:at + 4 + n].decode('latin-1'), at + 5 + n


def cmd_request(path, secret_hex, script, pairs):
    out = {'messages': []}
    s, out['connect'] = connect(path)
    if not s:
        return out
    variables = [tuple(a.split('=', 1)) for a in pairs]
    data = MAGIC + bytes.fromhex(secret_hex) + request_frame(script, variables)
    try:
        s.sendall(data)
    except OSError as e:
        out['send'] = errno.errorcode.get(e.errno, str(e.errno))
    body = b''
    try:
        while True:
            head = read_exact(s, 5)
            if head is None:
                out['closed'] = 'eof'
                break
            kind = head[:1].decode('latin-1')
            (n,) = struct.unpack('<I', head[1:])
            p = read_exact(s, n) if n else b''
            if p is None:
                out['closed'] = 'eof in a message'
                break
            out['messages'].append(kind)
            if kind == 'P':
                out['pid'] = struct.unpack('<I', p)[0]
            elif kind == 'H':
                (out['status'],) = struct.unpack_from('<I', p, 0)
                line, at = get_str(p, 4)
                (count,) = struct.unpack_from('<I', p, at)
                at += 4
                headers = []
                for _ in range(count):
                    k, at = get_str(p, at)
                    v, at = get_str(p, at)
                    headers.append([k, v])
                out['headers'] = headers
            elif kind == 'B':
                body += p
            elif kind == 'R':
                s.sendall(message(b'D', b''))  # no request body
            elif kind == 'S':
                out['status'] = struct.unpack('<I', p)[0]
                out['closed'] = 'status message'
                break
            elif kind in ('E', 'Z'):
                out['closed'] = 'end message'
                break
    except socket.timeout:
        out['closed'] = 'timeout'
    except OSError as e:
        out['closed'] = errno.errorcode.get(e.errno, str(e.errno))
    out['body'] = body.decode('latin-1')
    s.close()
    return out


def cmd_capture(path, out_file, uid):
    real = path + '.real'
    os.rename(path, real)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o077)
    listener.bind(path)
    os.umask(old)
    os.chown(path, int(uid), -1)
    listener.listen(8)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    pairs = {}  # fd -> peer socket
    socks = {}
    print('ready', flush=True)
    captured = False
    try:
        while not stop:
            r, _, _ = select.select([listener] + list(socks.values()), [], [], 0.2)
            for s in r:
                if s is listener:
                    c, _ = listener.accept()
                    hello = read_exact(c, len(MAGIC) + SECRET_SIZE)
                    if hello is None:
                        c.close()
                        continue
                    if not captured:
                        with open(out_file, 'w') as f:
                            f.write(hello[len(MAGIC):].hex())
                        captured = True
                    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    u.connect(real)
                    u.sendall(hello)
                    socks[c.fileno()] = c
                    socks[u.fileno()] = u
                    pairs[c.fileno()] = u
                    pairs[u.fileno()] = c
                    continue
                try:
                    data = s.recv(65536)
                except OSError:
                    data = b''
                peer = pairs.get(s.fileno())
                if not data or peer is None:
                    for x in (s, peer):
                        if x is not None and x.fileno() in socks:
                            del pairs[x.fileno()]
                            del socks[x.fileno()]
                            x.close()
                    continue
                peer.sendall(data)
    finally:
        for s in socks.values():
            s.close()
        listener.close()
        os.unlink(path)
        os.rename(real, path)
    return {'captured': captured}


def main(argv):
    if argv[1] == 'connect':
        s, result = connect(argv[2])
        if s:
            s.close()
        out = {'connect': result}
    elif argv[1] == 'request':
        out = cmd_request(argv[2], argv[3], argv[4], argv[5:])
    elif argv[1] == 'capture':
        out = cmd_capture(argv[2], argv[3], argv[4])
    else:
        raise SystemExit('usage: see the docstring')
    out['uid'] = os.getuid()
    out['pid'] = out.get('pid')
    out['client_pid'] = os.getpid()
    print(json.dumps(out), flush=True)


if __name__ == '__main__':
    main(sys.argv)
