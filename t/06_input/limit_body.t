# LimitRequestBody is honoured with 413 (issue 10): a Content-Length above
# the limit is refused before the application runs (as mod_wsgi and
# Apache's own handlers do); a chunked body that grows past it makes the
# app's read raise OSError, and if the app lets it propagate the answer is
# 413, not 500. Under the limit, bodies pass.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes ();
use WsgiTest qw(log_offset);
use PepTest qw(raw_http parse_http hostport logs_dir wait_file json_of settled_log_since);

my $hp = hostport();
my $dir = logs_dir();

{
    my $id = "cl-over-$$";
    unlink "$dir/hard-$id.reading";
    my $off = log_offset();
    my $r = parse_http(raw_http("POST /hard/input/limited?id=$id HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n"
                                . "Content-Length: 2000\r\n\r\n" . ('x' x 2000)));
    is $r->{code}, 413, 'Content-Length over LimitRequestBody: 413';
    ok !-e "$dir/hard-$id.reading", 'the application did not run';
    like settled_log_since($off), qr/\[wsgiscript:info\] [^\n]*WSGIS0407: request body of 2000 bytes is larger than LimitRequestBody \(1000 bytes\)/,
        'WSGIS0407 says why';
}

{
    my $id = "cl-under-$$";
    my $r = parse_http(raw_http("POST /hard/input/limited?id=$id HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n"
                                . "Content-Length: 900\r\n\r\n" . ('y' x 900)));
    is $r->{code}, 200, 'under the limit: 200';
    my $rec = json_of(wait_file("$dir/hard-$id.json", 30)) || {};
    is $rec->{received}, 900, 'under the limit: the whole body';
}

for my $raise (0, 1) {
    my $id = "chunked-$raise-$$";
    my $chunks = join '', map { sprintf("%x\r\n%s\r\n", 500, 'z' x 500) } 1 .. 4;
    my $off = log_offset();
    my $raw = raw_http("POST /hard/input/limited?id=$id&raise=$raise HTTP/1.1\r\nHost: $hp\r\n"
                       . "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n$chunks" . "0\r\n\r\n");
    my $r = parse_http($raw);
    my $rec = json_of(wait_file("$dir/hard-$id.json", 30)) || {};
    like $rec->{error} // '', qr/^OSError: wsgi\.input: request body could not be read after \d+ bytes/,
        "chunked over the limit (raise=$raise): the app's read raises OSError";
    # Apache's input filter answers 413 itself when the limit is passed;
    # whatever the app does next is not sent after it.
    is $r->{code}, 413, "chunked over the limit (raise=$raise): 413";
    is scalar(() = $raw =~ m{HTTP/1\.1 \d\d\d}g), 1, "chunked over the limit (raise=$raise): one response on the wire";
    my $log = settled_log_since($off);
    like $log, qr/WSGIS0401: [^\n]*larger than LimitRequestBody \(1000 bytes\)/,
        "chunked over the limit (raise=$raise): WSGIS0401 names LimitRequestBody";
    unlike $log, qr/WSGIS0005/, "chunked over the limit (raise=$raise): no internal error";
}

done_testing;
