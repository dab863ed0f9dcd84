# The response body: str items are errors (500 when nothing was sent,
# WSGIS0110 with the TypeError), close() exactly once on the normal and error
# paths (and called at all for t/wsgi/environ.wsgi's iterable), a generator
# raising mid-stream leaves a visibly incomplete response (no final chunk,
# connection closed) with the traceback logged, a body longer than its
# Content-Length is cut (and not consumed further), a shorter one is
# WSGIS0406 with the connection closed.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes ();
use WsgiTest qw(t_root ua url log_offset wait_log);
use PepTest qw(raw_http parse_http hostport settled_log_since wsgis_lines logs_dir wait_file slurp
               connect_to read_all);

my $hp = hostport();
sub get {
    my($path, $conn) = @_;
    $conn ||= 'close';
    return parse_http(raw_http("GET $path HTTP/1.1\r\nHost: $hp\r\nConnection: $conn\r\n\r\n"));
}
# A request on a kept-alive connection with a second one pipelined behind it:
# if the server closes the connection after the first (as it must after an
# incomplete body), the second response never comes, and the bytes after
# the first response's head are exactly its body.
sub get_pipelined {
    my $path = shift;
    my $res = parse_http(raw_http("GET $path HTTP/1.1\r\nHost: $hp\r\n\r\n"
                                  . "GET /pep/resp/close_normal HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n"));
    my $raw = $res->{raw} // '';
    $res->{second_response} = ($raw =~ /\r\n\r\n.*HTTP\/1\.1 \d\d\d /s) ? 1 : 0;
    return $res;
}
# close() markers are written by the app; wait for the first, then a little
# for a (wrong) second call.
sub closes {
    my $name = shift;
    my $path = logs_dir() . "/pep-$name";
    my $s = wait_file($path, 10);
    settled_log_since(log_offset(), 1);
    $s = slurp($path) // '';
    return $s;
}

# --- str items --------------------------------------------------------------------
my $id = "s$$";
my $off = log_offset();
my $res = get("/pep/resp/str_body?id=$id");
is $res->{code}, 500, 'str item, nothing sent: 500';
unlike $res->{raw}, qr/a str item/, 'str item: not sent';
is closes("str_body-$id"), "close consumed=1\n", 'str item: close() called once';
my $log = settled_log_since($off);
like $log, qr/\[wsgiscript:error\] [^\n]*WSGIS0110: Exception occurred processing WSGI script '[^']*resp\.wsgi'/, 'str item: WSGIS0110';
like $log, qr/WSGIS0110: [^\n]*TypeError: response body items must be bytes, not str/, 'str item: the TypeError in the log';

$off = log_offset();
$res = get("/pep/resp/str_list?id=$id");
is $res->{code}, 500, 'list with a str item after a bytes item: 500 (a list is checked before sending)';
unlike $res->{raw}, qr/bytes first/, 'list with a str item: nothing of it sent';
$log = settled_log_since($off);
like $log, qr/WSGIS0110: [^\n]*TypeError: response body items must be bytes, not str/, 'list with a str item: TypeError logged';

$off = log_offset();
$res = get("/pep/resp/str_after_bytes?id=$id");
is $res->{code}, 200, 'str item after bytes were streamed: the 200 was already sent';
is $res->{body}, 'first-bytes;', 'str item after bytes: what was sent';
ok !$res->{complete}, 'str item after bytes: incomplete (no final chunk)';
is closes("str_after_bytes-$id"), "close consumed=2\n", 'str item after bytes: close() once';
$log = settled_log_since($off);
like $log, qr/WSGIS0110: [^\n]*TypeError: response body items must be bytes, not str/, 'str item after bytes: TypeError logged';

# --- close() exactly once -----------------------------------------------------------
# environ.wsgi (?close=ID): its iterable's close() writes a marker file
{
    my $cid = "c$$";
    my $marker = t_root() . "/logs/close-$cid.marker";
    unlink $marker;
    my $r = ua()->get(url("/environ?close=$cid"));
    is $r->code, 200, 'environ.wsgi: status 200';
    my $deadline = Time::HiRes::time() + 10;
    Time::HiRes::sleep(0.05) until -e $marker or Time::HiRes::time() > $deadline;
    ok -e $marker, 'environ.wsgi: close() was called on the response iterable';
}

# resp.wsgi: the marker counts the calls
$res = get("/pep/resp/close_normal?id=$id");
is $res->{body}, 'abc', 'normal: body';
ok $res->{complete}, 'normal: complete';
is closes("close_normal-$id"), "close consumed=3\n", 'normal: close() once after all items';

$off = log_offset();
$res = get("/pep/resp/close_error_before?id=$id");
is $res->{code}, 500, 'iteration raises before any item: 500';
is closes("close_error_before-$id"), "close consumed=0\n", 'iteration raises before any item: close() once';
$log = settled_log_since($off);
like $log, qr/WSGIS0110: [^\n]*RuntimeError: close-error-before-$id/, 'iteration raises before any item: traceback logged';

$off = log_offset();
$res = get("/pep/resp/close_error_mid?id=$id");
is $res->{code}, 200, 'iteration raises after an item: 200 already sent';
is $res->{body}, 'chunk-one;', 'iteration raises after an item: what was sent';
ok !$res->{complete}, 'iteration raises after an item: incomplete';
is closes("close_error_mid-$id"), "close consumed=1\n", 'iteration raises after an item: close() once';
$log = settled_log_since($off);
like $log, qr/WSGIS0110: [^\n]*RuntimeError: close-error-mid-$id/, 'iteration raises after an item: traceback logged';

# positive control for get_pipelined(): a complete response keeps the connection
$res = get_pipelined("/pep/resp/close_normal?id=pc$id");
ok $res->{complete} && $res->{second_response}, 'control: after a complete response the pipelined request is answered';

# --- generator raising mid-stream ------------------------------------------------------
$off = log_offset();
$res = get_pipelined("/pep/resp/gen_raise?id=$id");   # the server must close it
is $res->{code}, 200, 'generator raises mid-stream: 200 was sent';
ok $res->{chunked}, 'generator raises mid-stream: chunked';
is $res->{body}, 'gen-first;gen-second;', 'generator raises mid-stream: the items before';
ok !$res->{complete}, 'generator raises mid-stream: no terminating chunk';
ok !$res->{second_response}, 'generator raises mid-stream: connection closed (pipelined request not answered)';
unlike $res->{raw}, qr/\r\n0\r\n\r\n\z/, 'generator raises mid-stream: raw response does not end with 0-chunk';
$log = settled_log_since($off);
like $log, qr/\[wsgiscript:error\] [^\n]*WSGIS0110: Exception occurred processing WSGI script/, 'generator raises: WSGIS0110';
like $log, qr/WSGIS0110: [^\n]*Traceback \(most recent call last\)/, 'generator raises: traceback';
like $log, qr/WSGIS0110: [^\n]*in gen\n/, 'generator raises: traceback names the generator';
like $log, qr/WSGIS0110: [^\n]*RuntimeError: mid-stream-failure-$id/, 'generator raises: the exception';

$off = log_offset();
$res = get_pipelined("/pep/resp/gen_raise_cl?id=$id");
is $res->{code}, 200, 'generator raises with Content-Length: 200 was sent';
is $res->{header}->('Content-Length'), 1000, 'generator raises with Content-Length: declared 1000';
is $res->{body}, 'declared-1000;', 'generator raises with Content-Length: the short body';
ok !$res->{complete}, 'generator raises with Content-Length: body short of its length';
ok !$res->{second_response}, 'generator raises with Content-Length: connection closed (pipelined request not answered)';
$log = settled_log_since($off);
like $log, qr/WSGIS0110: [^\n]*RuntimeError: mid-stream-cl-failure-$id/, 'generator raises with Content-Length: logged';

# --- Content-Length too small / too large -----------------------------------------------
$off = log_offset();
$res = get("/pep/resp/too_long?id=$id");
is $res->{code}, 200, 'body longer than Content-Length: 200';
is $res->{header}->('Content-Length'), 5, 'body longer than Content-Length: declared length';
is $res->{body}, '01234', 'body longer than Content-Length: cut at it';
is $res->{rest}, '', 'body longer than Content-Length: nothing after it on the wire';
is closes("too_long-$id"), "close consumed=2\n", 'body longer than Content-Length: the rest not consumed, close() once';
$log = settled_log_since($off);
unlike $log, qr/WSGIS0406|WSGIS0110/, 'body longer than Content-Length: no error logged';

# over a kept-alive connection: the next response must still parse
{
    my $sock = connect_to();
    print $sock "GET /pep/resp/too_long?id=ka$id HTTP/1.1\r\nHost: $hp\r\n\r\n"
              . "GET /pep/resp/close_normal?id=ka$id HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n";
    my $raw = read_all($sock, 30);
    close $sock;
    my $first = parse_http($raw);
    is $first->{body}, '01234', 'pipelined after a cut body: first body';
    my $second = parse_http($first->{rest} // '');
    is $second->{code}, 200, 'pipelined after a cut body: the next response is intact';
    is $second->{body}, 'abc', 'pipelined after a cut body: its body';
}

$off = log_offset();
$res = get_pipelined("/pep/resp/too_short?id=$id");
is $res->{code}, 200, 'body shorter than Content-Length: 200';
is $res->{body}, 'short', 'body shorter than Content-Length: the short body';
ok !$res->{complete}, 'body shorter than Content-Length: short of its length';
ok !$res->{second_response}, 'body shorter than Content-Length: connection closed (pipelined request not answered)';
is closes("too_short-$id"), "close consumed=1\n", 'body shorter than Content-Length: close() once';
$log = wait_log($off, qr/WSGIS0406/);
my @l = wsgis_lines($log, 'WSGIS0406');
is scalar(@l), 1, 'body shorter than Content-Length: one WSGIS0406';
like $l[0] // '', qr/\[wsgiscript:error\] [^\n]*WSGIS0406: application sent 5 bytes of body, less than its Content-Length 20; the connection is closed/,
    'WSGIS0406 text';

done_testing;
