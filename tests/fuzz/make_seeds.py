#!/usr/bin/python3
"""Write the seed corpus of tests/fuzz (corpus/<harness>/<name>).

The committed corpus is this script's output; run it again after changing a
seed here (it rewrites only the files it names). Each harness's input format
is described at the top of its fuzz_<harness>.cpp.
"""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))

OPTIONS = {
    "group-global": b"application-group=%{GLOBAL}",
    "group-resource": b"application-group=%{RESOURCE}",
    "group-server": b"application-group=%{SERVER}\n*server=www.example.com",
    "group-env-set": b"application-group=%{ENV:APP_GROUP}\nAPP_GROUP=tenant-a",
    "group-env-unset": b"application-group=%{ENV:UNSET}",
    "group-env-empty": b"application-group=%{ENV:EMPTY}\nEMPTY",
    "group-mixed": b"application-group=site-%{ENV:SITE}-%{SERVER}|%{RESOURCE}\nSITE=blue\n*script=/app",
    "group-unknown-var": b"application-group=%{BOGUS}",
    "group-unterminated": b"application-group=%{ENV:",
    "group-env-noname": b"application-group=%{ENV:}",
    "group-no-reexpand": b"%{ENV:X}%{ENV:Y}\nX=%{SERVER}\nY\n*server=host:443\n*script=/x/%{ENV:X}",
    "process-group": b"process-group=x",
    "process-group-global": b"process-group=%{GLOBAL}",
    "callable": b"callable-object=app",
    "callable-empty": b"callable-object=",
    "pass-auth-on": b"pass-authorization=On",
    "pass-auth-off-case": b"pass-authorization=oFF",
    "pass-auth-bad": b"pass-authorization=yes",
    "on-off": b"On",
    "no-name": b"=value",
    "no-equals": b"callable-object",
    "unknown-option": b"daemon-process=x",
    "path": b"/var/www/App.wsgi",
}

HTTP_RULES = {
    "status-ok": b"200 OK",
    "status-not-found": b"404 Not Found",
    "status-crlf": b"200 OK\r\nSet-Cookie: x=1",
    "status-leading-zero": b"099 Low",
    "status-four-digits": b"2000 OK",
    "status-no-reason": b"200 ",
    "status-nul": b"500 Internal\x00Error",
    "status-latin1": b"200 Caf\xe9",
    "header-plain": b"Content-Type: text/html; charset=utf-8",
    "header-crlf-injection": b"X-Injected: a\r\nSet-Cookie: evil=1",
    "header-lf": b"X-LF: a\nb",
    "header-tab": b"X-Tab: a\tb",
    "header-del": b"X-Del: a\x7fb",
    "header-bad-name": b"Bad Name: v",
    "header-token-chars": b"X-!#$%&'*+-.^_`|~: v",
    "header-latin1-value": b"X-Latin1: caf\xe9",
    "cl-plain": b"Content-Length: 12345",
    "cl-max": b"Content-Length: 9223372036854775807",
    "cl-over-max": b"Content-Length: 9223372036854775808",
    "cl-negative": b"Content-Length: -1",
    "cl-plus": b"Content-Length: +5",
    "cl-trailing-space": b"Content-Length: 1 ",
    "cl-leading-zeros": b"Content-Length: 00012",
}


def body(block, program, data):
    """fuzz_body_reader input: [block][P][program][body]."""
    prog = bytes(program)
    assert len(prog) < 256
    return bytes([block, len(prog)]) + prog + data


# Program operations (fuzz_body_reader.cpp): op = byte % 10.
READ, READ_ALL, LINE, LINE_ALL, PIECE, FAIL, DETACH, AT_END, READ_HUGE, LINE_HUGE = range(10)
# Size bytes 240-255.
S_MINUS1, S_MINUS2, S_LLMIN, S_0, S_1, S_BLK_M1, S_BLK, S_BLK_P1, S_2BLK, S_2BLK_P1, S_1E12, S_LLMAX = range(240, 252)
TEXT = b"".join(b"line %d of the body\n" % i for i in range(8))

BODY_READER = {
    "lines": body(4, [LINE_ALL, LINE_ALL, LINE_ALL, LINE, 5, READ_ALL], b"one\ntwo\n\nthree\nfour"),
    "trickle-huge-read": body(250, [PIECE, 1, READ_HUGE], b"abc" * 100),
    "trickle-huge-readline": body(8, [PIECE, 3, LINE_HUGE, LINE_HUGE], b"no newline for a while" * 4 + b"\nend"),
    "fail-mid-read": body(8, [PIECE, 3, READ, 20, FAIL, READ, 100, READ, 50, READ_ALL], bytes(range(200))),
    "fail-in-readline": body(4, [PIECE, 5, FAIL, LINE_ALL, LINE_ALL, LINE_ALL], b"partial line\nnext"),
    "fail-first": body(16, [FAIL, READ_ALL, AT_END, READ_ALL], TEXT),
    "detach": body(4, [READ, 1, DETACH, READ_ALL, AT_END, LINE_ALL], b"abcdef"),
    "detach-buffered": body(64, [LINE_ALL, DETACH, LINE_ALL], TEXT),
    "block-boundaries": body(16, [READ, S_BLK_M1, READ, S_BLK, READ, S_BLK_P1, READ, S_2BLK, LINE, S_MINUS1,
                                  PIECE, 0, READ, S_2BLK_P1], TEXT),
    "zero-sizes": body(0, [READ, S_0, LINE, S_0, READ, S_1, LINE, S_1, AT_END, READ_ALL], b"x\ny"),
    "negative-sizes": body(5, [READ, S_MINUS2, LINE, S_LLMIN, READ, S_LLMAX, LINE, S_1E12], TEXT),
    "readline-then-read": body(4, [LINE_ALL, READ, 3, LINE_ALL, READ_ALL], b"a\nbcdefgh\nij"),
    "empty-body": body(10, [READ_ALL, AT_END, LINE_ALL], b""),
    "big-block": body(250, [LINE, 10, READ, 200, FAIL, READ_HUGE, READ_ALL], TEXT * 4),
}

SCRIPT_SOURCE = {
    "cookie-line1": b"# -*- coding: latin-1 -*-\nprint('caf\xe9')\n",
    "cookie-line2-shebang": b"#!/usr/bin/python3\n# vim: set fileencoding=utf-8 :\ndef application(e, s): pass\n",
    "cookie-line2-blank": b"\n# coding: cp1252\nx = 1\n",
    "cookie-after-code": b"x = 1\n# coding: latin-1\n",
    "cookie-line3": b"#!/usr/bin/python3\n\n# coding: latin-1\n",
    "cookie-empty-name": b"#coding:\n",
    "cookie-spaces-crlf": b"\t\f# coding:   euc-jp  \r\nx = 1\r\n",
    "cookie-utf8-variant": b"# coding=utf_8_unix\n",
    "bom-plain": b"\xef\xbb\xbfdef application(environ, start_response):\n    return []\n",
    "bom-utf8-cookie": b"\xef\xbb\xbf# coding=utf-8\n",
    "bom-latin1-cookie": b"\xef\xbb\xbf# coding: latin-1\n",
    "nul": b"def application(environ, start_response):\n    return [b'\x00']\n",
    "nul-late-line": b"a\nb\nc\x00d\n",
    "not-a-comment": b"x = '# coding: latin-1'\n",
}

ALIAS_RULES = {
    "mount-exact": b"/app\n/app",
    "mount-below": b"/app\n/app/x/y?q=1",
    "mount-trailing-slash": b"/app/\n/app/x",
    "mount-prefix-only": b"/app\n/apple",
    "mount-shorter-uri": b"/app\n/ap",
    "mount-root": b"/\n/anything",
    "mount-slashes": b"///\n//x",
    "alias-file": b"/app\n/srv/app.wsgi\n/srv/app.wsgi",
    "alias-root": b"/\n/srv/app.wsgi\n/srv/app.wsgi",
    "alias-dir": b"/Dir/\n/srv/dir/\n/srv/dir//X.wsgi",
    "alias-dir-no-slash": b"/dir\n/srv/dir\n/srv/dir/x.wsgi",
    "alias-not-below": b"/dir\n/srv/dir\n/srv/other/x.wsgi",
    "normalize": b"///A//Sub///\n/Caf\xc3\xa9/\n",
}

DAEMON_OPTIONS = {
    "minimal": b"example processes=2 threads=15 display-name=%{GROUP}",
    "debian-style": b"site user=www-data group=www-data processes=2 threads=25 python-home=/srv/venv "
                    b"python-path=/srv/app:/srv/lib",
    "timeouts": b"g umask=0022 home=/srv inactivity-timeout=300 graceful-timeout=15 shutdown-timeout=5",
    "groups-locale": b"g supplementary-groups=adm,,#33 lang=en_US.UTF-8 locale=C.UTF-8 python-eggs=/tmp/eggs",
    "quoted-display-name": b"g display-name='%{GROUP}'\tdisplay-name=\"x\"",
    "threads-zero": b"g threads=0",
    "processes-over": b"g processes=1001 processes=-1 processes=+1",
    "lifecycle": b"g maximum-requests=1000 restart-interval=3600 request-timeout=60 deadlock-timeout=300 "
                 b"queue-timeout=45 listen-backlog=512 cpu-priority=-5 memory-limit=1073741824 "
                 b"header-buffer-size=4096 response-buffer-size=65536 switch-interval=0.005",
    "lifecycle-out-of-range": b"g listen-backlog=0 cpu-priority=21 header-buffer-size=4095 switch-interval=0 "
                              b"switch-interval=61 switch-interval=nan maximum-requests=1099511627777",
    "refused": b"g interrupt-timeout=5 response-flush-delay=1 chroot=/x",
    "script-owner": b"g socket-user=www-data script-user=#1000 script-group=adm script-group=",
    "unknown": b"g bogus=1",
    "bad-account": b"g user=a:b group=#x user=#2147483648 user=#-0",
    "relative-paths": b"g home=relative python-path=/a:rel python-home=",
    "bad-umask": b"g umask=0999 umask=",
    "no-name": b"g =x noequals",
    "bad-group-name": b"bad%name processes=1",
}


def u32(v):
    return (v & 0xffffffff).to_bytes(4, "little")


def u64(v):
    return (v & 0xffffffffffffffff).to_bytes(8, "little")


def wstr(b):
    return u32(len(b)) + b + b"\0"


def msg(t, payload):
    return t + u32(len(payload)) + payload


def pairs(items):
    return u32(len(items)) + b"".join(wstr(k) + wstr(v) for k, v in items)


REQUEST = (bytes([1 | 2]) + u64(1700000000000000) + u64(1700000000123456) + wstr(b"/srv/app.wsgi") +
           wstr(b"application") + wstr(b"") + pairs([(b"REQUEST_METHOD", b"GET"), (b"PATH_INFO", b"/x")]))
HEAD = u32(200) + wstr(b"200 OK") + pairs([(b"Content-Type", b"text/plain"), (b"Content-Length", b"12")])
FIELDS = b"/srv/app.wsgi\napplication\n%{GLOBAL}\nREQUEST_METHOD\nGET\nHTTP_HOST\nexample.com"

# fuzz_wire: [mode][rest]; even mode: a received message, odd: fields to encode.
WIRE = {
    "request": b"\0" + msg(b"Q", REQUEST),
    "request-no-callable": b"\0" + msg(b"Q", REQUEST.replace(wstr(b"application"), wstr(b""))),
    "request-forged-count": b"\0" + msg(b"Q", REQUEST[:-len(pairs([(b"REQUEST_METHOD", b"GET"), (b"PATH_INFO", b"/x")]))]
                                         + u32(1000000)),
    "request-trailing": b"\0" + msg(b"Q", REQUEST + b"x"),
    "request-no-nul": b"\0" + msg(b"Q", REQUEST.replace(b"app.wsgi\0", b"app.wsgiX")),
    "head": b"\0" + msg(b"H", HEAD),
    "head-status-99": b"\0" + msg(b"H", u32(99) + HEAD[4:]),
    "read": b"\0" + msg(b"R", u32(65536)),
    "end": b"\0" + msg(b"E", b"\x01"),
    "end-bad": b"\0" + msg(b"E", b"\x02"),
    "fail": b"\0" + msg(b"X", u32(-1) + wstr(b"client went away")),
    "pid": b"\0" + msg(b"P", u32(4242)),
    "answered": b"\0" + msg(b"S", u32(0xffffffff)),
    "restart": b"\0" + msg(b"Z", b""),
    "data": b"\0" + msg(b"D", b"body bytes"),
    "unknown-type": b"\0" + msg(b"A", b""),
    "close": b"\0" + msg(b"C", b""),
    "hello-secrets": b"\0" + b"WSG1" + bytes(range(32)) + bytes(range(32)),
    "encode": b"\x01" + b"\x05\x07" + u64(-1) + u64(1700000000000000) + FIELDS,
    "encode-empty-callable": b"\x01" + b"\x00\x00" + bytes(16) + b"/srv/app.wsgi\n\n\nA\nB",
}

CORPORA = {"options": OPTIONS, "alias_rules": ALIAS_RULES, "daemon_options": DAEMON_OPTIONS, "wire": WIRE, "http_rules": HTTP_RULES, "body_reader": BODY_READER, "script_source": SCRIPT_SOURCE}


def main():
    for harness, seeds in CORPORA.items():
        d = os.path.join(HERE, "corpus", harness)
        os.makedirs(d, exist_ok=True)
        for name, data in seeds.items():
            with open(os.path.join(d, name), "wb") as f:
                f.write(data)
    print("wrote", sum(len(s) for s in CORPORA.values()), "seeds", file=sys.stderr)


if __name__ == "__main__":
    main()
