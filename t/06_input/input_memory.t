# wsgi.input allocates by what the client actually sent, never by what it
# announces (issue 10, items 1 and 2): a Content-Length of 1 GB (and 1 TB)
# with 3 bytes sent, read as frameworks do (read(int(CONTENT_LENGTH))), and
# readline/readlines with huge limits, grow the serving child by < 1 MiB;
# the app gets an OSError when the client goes, never a MemoryError or a
# C++ exception (WSGIS0005). A body trickled in small pieces arrives whole.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes ();
use WsgiTest qw(log_offset);
use PepTest qw(connect_to hostport logs_dir wait_file json_of read_response vmrss_kib settled_log_since);

my $hp = hostport();

# One connection: a warm-up request (finds the child, makes its interpreter
# and buffers), then the hostile request on the same connection (same child).
sub open_warm {
    my $sock = connect_to();
    print $sock "GET /hard/input/noop HTTP/1.1\r\nHost: $hp\r\n\r\n";
    my $res = read_response($sock);
    my($pid) = ($res->{body} // '') =~ /^(\d+)$/;
    return ($sock, $pid);
}

sub wait_reading {
    my($id) = @_;
    return wait_file(logs_dir() . "/hard-$id.reading", 30);
}

for my $case (['readcl', 1_000_000_000], ['readcl', 1_000_000_000_000],
              ['readline', 1_000_000_000], ['readlines', 1_000_000_000]) {
    my($op, $cl) = @$case;
    my $id = "$op-$cl-$$";
    my $off = log_offset();
    my($sock, $pid) = open_warm();
    ok $pid, "$op/$cl: warm-up answered with the child's pid" or next;
    # a second warm-up of the same operation's code path with a real body
    print $sock "POST /hard/input/$op?id=warm-$id&n=100 HTTP/1.1\r\nHost: $hp\r\nContent-Length: 3\r\n\r\nab\n";
    my $warm = read_response($sock);
    is $warm->{code}, 200, "$op/$cl: warm-up read answered 200";
    Time::HiRes::sleep(0.3);
    my $before = vmrss_kib($pid);
    print $sock "POST /hard/input/$op?id=$id HTTP/1.1\r\nHost: $hp\r\nContent-Length: $cl\r\n\r\nabc";
    ok wait_reading($id), "$op/$cl: the app is inside wsgi.input";
    Time::HiRes::sleep(1.0);
    my $during = vmrss_kib($pid);
    my $growth = $during - $before;
    cmp_ok $growth, '<', 1024, "$op/$cl: the child grew by $growth KiB (< 1 MiB) while the app waits for the body";
    close $sock;
    my $rec = json_of(wait_file(logs_dir() . "/hard-$id.json", 30)) || {};
    like $rec->{error} // '', qr/^OSError: wsgi\.input: request body could not be read after 3 bytes/,
        "$op/$cl: the app gets an OSError when the client goes";
    my $log = settled_log_since($off);
    unlike $log, qr/WSGIS0005|bad_alloc|MemoryError/, "$op/$cl: no internal error, no MemoryError";
}

# A body trickled in 1000-byte pieces arrives whole to read(CONTENT_LENGTH).
{
    my $id = "trickle-$$";
    my $body = join '', map { chr(32 + $_ % 90) } 1 .. 200_000;
    my($sock, $pid) = open_warm();
    print $sock "POST /hard/input/readcl?id=$id HTTP/1.1\r\nHost: $hp\r\nContent-Length: " . length($body) . "\r\n\r\n";
    for (my $i = 0; $i < length $body; $i += 1000) {
        print $sock substr($body, $i, 1000);
        $sock->flush;
        Time::HiRes::sleep(0.002);
    }
    my $res = read_response($sock);
    close $sock;
    is $res->{code}, 200, 'trickle: 200';
    my $rec = json_of(wait_file(logs_dir() . "/hard-$id.json", 30)) || {};
    is $rec->{received}, length $body, 'trickle: every byte arrived';
    require Digest::MD5;
    is $rec->{md5}, Digest::MD5::md5_hex($body), 'trickle: in order';
}

done_testing;
