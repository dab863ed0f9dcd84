# Request bodies through a daemon process (t/hardening/input.wsgi in d13-b,
# /d13/input), as embedded (t/06_input/limit_body.t, input_memory.t):
# - LimitRequestBody: a Content-Length over it is 413 before the request
#   reaches the daemon (WSGIS0407, the app does not run); under it the body
#   arrives; a chunked body growing past it makes the app's read raise
#   OSError, the answer is 413, once, and WSGIS0401 names the limit;
# - what a client announces is not what is allocated: a Content-Length of
#   1 GB or 1 TB with 3 bytes sent, read with read(CONTENT_LENGTH) or
#   readline(), grows neither the daemon process nor the Apache child by
#   1 MiB, and the app gets OSError (never MemoryError) when the client goes;
# - a body trickled in 1000-byte pieces arrives whole and in order.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 ();
use Time::HiRes ();
use WsgiTest qw(log_offset);
use PepTest qw(raw_http parse_http connect_to hostport logs_dir wait_file json_of read_response vmrss_kib
               send_all settled_log_since);

my $hp = hostport();
my $dir = logs_dir();

# --- LimitRequestBody -------------------------------------------------------------------------------
{
    my $id = "d13-cl-over-$$";
    unlink "$dir/hard-$id.reading";
    my $off = log_offset();
    my $r = parse_http(raw_http("POST /d13/input/limited?id=$id HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n"
                                . "Content-Length: 2000\r\n\r\n" . ('x' x 2000)));
    is $r->{code}, 413, 'Content-Length over LimitRequestBody: 413';
    ok !-e "$dir/hard-$id.reading", 'the application did not run';
    like settled_log_since($off), qr/\[wsgiscript:info\] [^\n]*WSGIS0407: request body of 2000 bytes is larger than LimitRequestBody \(1000 bytes\)/,
        'WSGIS0407 says why';
}
{
    my $id = "d13-cl-under-$$";
    my $r = parse_http(raw_http("POST /d13/input/limited?id=$id HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n"
                                . "Content-Length: 900\r\n\r\n" . ('y' x 900)));
    is $r->{code}, 200, 'under the limit: 200';
    my $rec = json_of(wait_file("$dir/hard-$id.json", 30)) || {};
    is $rec->{received}, 900, 'under the limit: the whole body';
    isnt $rec->{pid}, undef, "under the limit: read in daemon process $rec->{pid}";
}
for my $raise (0, 1) {
    my $id = "d13-chunked-$raise-$$";
    my $chunks = join '', map { sprintf("%x\r\n%s\r\n", 500, 'z' x 500) } 1 .. 4;
    my $off = log_offset();
    my $raw = raw_http("POST /d13/input/limited?id=$id&raise=$raise HTTP/1.1\r\nHost: $hp\r\n"
                       . "Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n$chunks" . "0\r\n\r\n");
    my $r = parse_http($raw);
    my $rec = json_of(wait_file("$dir/hard-$id.json", 30)) || {};
    like $rec->{error} // '', qr/^OSError: wsgi\.input: request body could not be read after \d+ bytes/,
        "chunked over the limit (raise=$raise): the app's read raises OSError";
    is $r->{code}, 413, "chunked over the limit (raise=$raise): 413";
    is scalar(() = $raw =~ m{HTTP/1\.1 \d\d\d}g), 1, "chunked over the limit (raise=$raise): one response on the wire";
    my $log = settled_log_since($off);
    like $log, qr/WSGIS0401: [^\n]*larger than LimitRequestBody \(1000 bytes\)/,
        "chunked over the limit (raise=$raise): WSGIS0401 names LimitRequestBody";
    unlike $log, qr/WSGIS0005|WSGIS060[12]/, "chunked over the limit (raise=$raise): no internal error, no relay failure";
}

# --- announced, not sent ----------------------------------------------------------------------------------
# One connection: the Apache child's pid (the same script embedded), the
# daemon's pid, a warm-up of the operation, then the hostile request.
for my $case (['readcl', 1_000_000_000], ['readcl', 1_000_000_000_000], ['readline', 1_000_000_000]) {
    my($op, $cl) = @$case;
    my $id = "d13-$op-$cl-$$";
    my $off = log_offset();
    my $sock = connect_to();
    send_all($sock, "GET /d13/embedded/info HTTP/1.1\r\nHost: $hp\r\n\r\n");
    my $child = (json_of(read_response($sock)->{body}) || {})->{pid};
    send_all($sock, "GET /d13/input/noop HTTP/1.1\r\nHost: $hp\r\n\r\n");
    my($dpid) = (read_response($sock)->{body} // '') =~ /^(\d+)$/;
    ok $child && $dpid, "$op/$cl: Apache child $child, daemon process $dpid" or next;
    send_all($sock, "POST /d13/input/$op?id=warm-$id&n=100 HTTP/1.1\r\nHost: $hp\r\nContent-Length: 3\r\n\r\nab\n");
    is read_response($sock)->{code}, 200, "$op/$cl: warm-up read answered 200";
    Time::HiRes::sleep(0.3);
    my %before = (child => vmrss_kib($child), daemon => vmrss_kib($dpid));
    send_all($sock, "POST /d13/input/$op?id=$id HTTP/1.1\r\nHost: $hp\r\nContent-Length: $cl\r\n\r\nabc");
    ok wait_file("$dir/hard-$id.reading", 30), "$op/$cl: the app is inside wsgi.input";
    Time::HiRes::sleep(1.0);
    for my $who ('daemon', 'child') {
        my $growth = vmrss_kib($who eq 'daemon' ? $dpid : $child) - $before{$who};
        cmp_ok $growth, '<', 1024, "$op/$cl: the $who grew by $growth KiB (< 1 MiB) while the app waits for the body";
    }
    close $sock;
    my $rec = json_of(wait_file("$dir/hard-$id.json", 30)) || {};
    like $rec->{error} // '', qr/^OSError: wsgi\.input: request body could not be read after 3 bytes/,
        "$op/$cl: the app gets an OSError when the client goes";
    my $log = settled_log_since($off);
    unlike $log, qr/WSGIS0005|bad_alloc|MemoryError/, "$op/$cl: no internal error, no MemoryError";
}

# --- a trickled body ----------------------------------------------------------------------------------------
{
    my $id = "d13-trickle-$$";
    my $body = join '', map { chr(32 + $_ % 90) } 1 .. 200_000;
    my $sock = connect_to();
    send_all($sock, "POST /d13/input/readcl?id=$id HTTP/1.1\r\nHost: $hp\r\nContent-Length: " . length($body) . "\r\n\r\n");
    for (my $i = 0; $i < length $body; $i += 1000) {
        send_all($sock, substr($body, $i, 1000));
        Time::HiRes::sleep(0.002);
    }
    my $res = read_response($sock);
    close $sock;
    is $res->{code}, 200, 'trickle: 200';
    my $rec = json_of(wait_file("$dir/hard-$id.json", 30)) || {};
    is $rec->{received}, length $body, 'trickle: every byte arrived';
    is $rec->{md5}, Digest::MD5::md5_hex($body), 'trickle: in order';
}

done_testing;
