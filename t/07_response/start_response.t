# start_response(): the status line and repeated headers as the app gives
# them, bad status (error the app sees, WSGIS0402), headers with CR/LF/control
# characters or bad names (500, WSGIS0403, nothing injected reaches the
# client), latin-1 and non-latin-1 values, exc_info replacing headers before
# they are sent and re-raising after, a second call, and the write() callable
# it returns. Apps: t/pep3333/resp.wsgi (/pep/resp, raw HTTP) and
# t/wsgi/response.wsgi (/response, through LWP).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use URI::Escape qw(uri_escape);
use WsgiTest qw(ua url log_offset);
use PepTest qw(raw_http parse_http json_of hostport settled_log_since wsgis_lines logs_dir wait_file);

my $hp = hostport();
sub get {
    my $path = shift;
    return parse_http(raw_http("GET $path HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n"));
}

# --- status line and headers as given ---------------------------------------------
my $ua = ua();
my $r = $ua->get(url('/response/status'));
is $r->code, 201, 'status 201';
is $r->message, 'Created', 'reason phrase';
is $r->header('X-Custom'), 'custom-value', 'custom header';
is_deeply [ sort $r->header('Set-Cookie') ], [ 'a=1', 'b=2' ], 'repeated Set-Cookie headers both sent';
is $r->decoded_content, 'created', 'body';

# --- bad status ----------------------------------------------------------------
for my $s ('200', 'OK', '20 OK', '2000 OK', '200OK', '099 Zero', '200 ', "200 OK\r\nX-Injected: yes",
           "200 O\x01K", 'abc OK') {
    (my $label = $s) =~ s/([^ -~])/sprintf '\\x%02x', ord $1/ge;
    my $off = log_offset();
    my $res = get('/pep/resp/status_caught?s=' . uri_escape($s));
    is $res->{code}, 200, "status '$label' caught: the app answered";
    my $d = json_of($res->{body}) || {};
    like $d->{error} // '', qr/^ValueError: status must be "NNN Reason", got /, "status '$label': ValueError the app sees";
    unlike $res->{head} // "", qr/X-Injected/i, "status '$label': nothing injected";
    my $log = settled_log_since($off);
    my @l = wsgis_lines($log, 'WSGIS0402');
    is scalar(@l), 1, "status '$label': one WSGIS0402 line although the app caught it";
    like $l[0] // '', qr/\[wsgiscript:error\] .*WSGIS0402: start_response\(\): status '.*' is not "NNN Reason"/,
        "status '$label': WSGIS0402 text";
    unlike $log, qr/WSGIS0110/, "status '$label': caught, so no WSGIS0110";
}
for my $s ('200', 'OK', "200 OK\r\nX-Injected: yes") {
    (my $label = $s) =~ s/([^ -~])/sprintf '\\x%02x', ord $1/ge;
    my $off = log_offset();
    my $res = get('/pep/resp/status_uncaught?s=' . uri_escape($s));
    is $res->{code}, 500, "status '$label' uncaught: 500";
    unlike $res->{raw}, qr/should not be seen|X-Injected/, "status '$label' uncaught: neither the body nor an injected header";
    my $log = settled_log_since($off);
    like $log, qr/WSGIS0402/, "status '$label' uncaught: WSGIS0402";
    like $log, qr/WSGIS0110: Exception occurred processing WSGI script '[^']*resp\.wsgi'/, "status '$label' uncaught: WSGIS0110";
    like $log, qr/WSGIS0110: [^\n]*ValueError: status must be "NNN Reason"/, "status '$label' uncaught: traceback ends with the ValueError";
}

# --- bad headers ----------------------------------------------------------------
my %logged = map { $_ => 1 } qw(crlf lf cr nul ctl del name_crlf name_space name_colon name_empty);
for my $h (qw(crlf lf cr nul ctl del name_crlf name_space name_colon name_empty nonlatin1 name_nonlatin1)) {
    my $off = log_offset();
    my $res = get("/pep/resp/header_caught?h=$h");
    is $res->{code}, 200, "header $h caught: the app answered";
    my $d = json_of($res->{body}) || {};
    like $d->{error} // '', qr/^ValueError: /, "header $h: ValueError the app sees";
    like $d->{error} // '', qr/control characters or bad name/, "header $h: the message names the problem"
        if $logged{$h};
    unlike $res->{head} // '', qr/X-Injected|X-Evil|X Evil/i, "header $h: nothing of it reached the client";
    my $log = settled_log_since($off);
    if ($logged{$h}) {
        my @l = wsgis_lines($log, 'WSGIS0403');
        is scalar(@l), 1, "header $h: one WSGIS0403 line although the app caught it";
        like $l[0] // '', qr/\[wsgiscript:error\] .*WSGIS0403: start_response\(\): refused header .* with a control character or an invalid name; nothing of it was sent/,
            "header $h: WSGIS0403 text";
    }
    unlike $log, qr/WSGIS0110/, "header $h: caught, so no WSGIS0110";
}
for my $h (qw(crlf lf name_crlf nul nonlatin1)) {
    my $off = log_offset();
    my $res = get("/pep/resp/header_uncaught?h=$h");
    is $res->{code}, 500, "header $h uncaught: 500";
    unlike $res->{raw}, qr/X-Injected|X-Evil|should not be seen/i, "header $h uncaught: nothing injected, no app body";
    my $log = settled_log_since($off);
    like $log, qr/WSGIS0403/, "header $h uncaught: WSGIS0403" if $logged{$h};
    like $log, qr/WSGIS0110: [^\n]*ValueError/, "header $h uncaught: WSGIS0110 with the ValueError";
}

# --- latin-1 values and tab are fine ----------------------------------------------
my $res = get('/pep/resp/latin1');
is $res->{code}, 200, 'latin-1 header: 200';
is $res->{header}->('X-Latin1'), "caf\xe9 \xff", 'latin-1 header value sent as its latin-1 bytes';
is $res->{header}->('X-Tab'), "a\tb", 'tab inside a value is allowed';

# --- exc_info ---------------------------------------------------------------------
my $off = log_offset();
$res = get('/pep/resp/excinfo_before');
is $res->{code}, 503, 'exc_info before sending: the replacement status';
like $res->{status}, qr/^HTTP\/1\.1 503 Replaced$/, 'exc_info before sending: the replacement reason';
is $res->{header}->('X-New'), 'new', 'exc_info before sending: the replacement headers';
ok !defined $res->{header}->('X-Old'), 'exc_info before sending: the first headers are gone';
is $res->{body}, 'replacement body', 'exc_info before sending: body';
ok $res->{complete}, 'exc_info before sending: complete response';

$res = get('/pep/resp/excinfo_after');
is $res->{code}, 200, 'exc_info after sending: the status already sent stays';
is $res->{body}, 'part1;reraised-same=1', 'exc_info after sending: start_response re-raised the same exception';
ok $res->{complete}, 'exc_info after sending, caught: complete response';
my $log = settled_log_since($off);
unlike $log, qr/WSGIS0110/, 'exc_info cases handled by the app: no WSGIS0110';

my $id = "ea$$";
$off = log_offset();
$res = get("/pep/resp/excinfo_after_uncaught?id=$id");
is $res->{code}, 200, 'exc_info after sending, uncaught: status line already sent';
is $res->{body}, 'part1;', 'exc_info after sending, uncaught: only what was sent';
ok !$res->{complete}, 'exc_info after sending, uncaught: the response is visibly incomplete';
$log = settled_log_since($off);
like $log, qr/WSGIS0110: [^\n]*ValueError: reraised-to-server-$id/, 'exc_info re-raised to the server: WSGIS0110 with the traceback';

# mod_wsgi's rule: a second call before any output replaces status and headers;
# after output it raises (docs/compat.md).
$res = get('/pep/resp/second_call');
is $res->{code}, 201, 'second call without exc_info before output: its status replaces the first';
is $res->{body}, 'no error', 'second call without exc_info before output: no exception';
$res = get('/pep/resp/second_after_output');
is $res->{code}, 200, 'second call after output: the status already sent stays';
is $res->{body}, 'sent;RuntimeError: headers have already been sent', 'second call after output: RuntimeError';

# --- write() ----------------------------------------------------------------------
$id = "w$$";
unlink logs_dir() . "/pep-write-$id";
$res = get("/pep/resp/write?id=$id");
is $res->{code}, 200, 'write(): 200';
is $res->{body}, 'one;two;three;four', 'write() data, then the iterable';
ok $res->{complete}, 'write(): complete response';
is wait_file(logs_dir() . "/pep-write-$id", 10), "close consumed=3\n", 'write(): close() once';
$res = get('/pep/resp/write_cl');
is $res->{header}->('Content-Length'), 12, 'write() with Content-Length: header kept';
is $res->{body}, 'written;iter', 'write() with Content-Length: body';
ok $res->{complete}, 'write() with Content-Length: complete';
$res = get('/pep/resp/write_str');
like $res->{body}, qr/^TypeError: response body items must be bytes, not str/, 'write(str): TypeError';

# response.wsgi: write() output, then the iterable
$r = $ua->get(url('/response/write'));
is $r->code, 200, 'write(): status 200';
is $r->decoded_content, 'from-write;from-iterable', 'write() output comes before the iterable';

done_testing;
