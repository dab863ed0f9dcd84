# A 100 MiB upload read through wsgi.input in blocks (read(65536), and
# read(1000), small reads that leave remainders) arrives whole with the right
# bytes, and the serving child's RSS grows by less than 10 MiB. Everything
# goes over one kept-alive connection, so one child serves it; its VmRSS is
# read from /proc (by the app while it reads, and by this test while data
# flows) and compared with the value after a warm-up. The upload is streamed
# from here in 1 MiB pieces (never built in memory). Under AddressSanitizer the
# allowance is 32 MiB (PepTest::rss_limit_kib says why).
# (The 100 MiB download through wsgi.file_wrapper: 07_response/big_download.t.)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 ();
use WsgiTest qw(log_offset);
use PepTest qw(connect_to hostport read_response json_of vmrss_kib rss_limit_kib send_all settled_log_since error_lines);

my $hp = hostport();
my $MiB = 1 << 20;
my $total = 100 * $MiB;
my $limit_kib = 10 * 1024;

sub get_json {
    my($sock, $path) = @_;
    send_all($sock, "GET $path HTTP/1.1\r\nHost: $hp\r\n\r\n");
    my $res = read_response($sock);
    return json_of($res && $res->{body}) || {};
}
# the piece $i of an upload: 1 MiB, different per piece
my $base = join '', map { chr(($_ * 7) % 256) } 0 .. $MiB - 17;
sub piece { sprintf('%016x', $_[0] * 2654435761) . $base }

# upload $mib MiB; returns (app's JSON, max VmRSS seen from here)
sub upload {
    my($sock, $pid, $mib, $md5, $block) = @_;
    $block ||= 65536;
    send_all($sock, "POST /pep/big/upload?block=$block HTTP/1.1\r\nHost: $hp\r\n"
                  . "Content-Type: application/octet-stream\r\nContent-Length: " . ($mib * $MiB) . "\r\n\r\n");
    my $max = 0;
    for my $i (0 .. $mib - 1) {
        my $p = piece($i);
        $md5->add($p) if $md5;
        send_all($sock, $p);
        if ($i % 4 == 0) { my $r = vmrss_kib($pid) // 0; $max = $r if $r > $max }
    }
    my $res = read_response($sock);
    return (json_of($res && $res->{body}) || {}, $max);
}

my $off = log_offset();

# --- upload: read(65536), and read(1000) (small reads that leave remainders) ---
for my $block (65536, 1000) {
    my $sock = connect_to();
    my $info = get_json($sock, '/pep/big/pid');
    my $pid = $info->{pid};
    ok $pid, "upload, read($block): serving child $pid";
    upload($sock, $pid, 4, undef, $block);       # warm-up
    my $again = get_json($sock, '/pep/big/pid');
    is $again->{pid}, $pid, "upload, read($block): same child after the warm-up";
    my $baseline = vmrss_kib($pid);
    my $md5 = Digest::MD5->new;
    my($d, $max_seen) = upload($sock, $pid, 100, $md5, $block);
    is $d->{pid}, $pid, "upload, read($block): served by the same child";
    is $d->{bytes}, $total, "upload, read($block): the app read 100 MiB";
    is $d->{md5}, $md5->hexdigest, "upload, read($block): the right bytes";
    is $d->{content_length}, $total, "upload, read($block): CONTENT_LENGTH";
    my $after = vmrss_kib($pid);
    my $peak = (sort { $b <=> $a } grep { defined } $max_seen, $d->{rss_peak}, $d->{rss_after}, $after)[0];
    my $growth = $peak - $baseline;
    my $limit = rss_limit_kib($pid, $limit_kib);
    cmp_ok $growth, '<', $limit, "upload, read($block): child RSS grew ${growth} KiB (< @{[ $limit >> 10 ]} MiB; baseline $baseline KiB, app saw "
        . ($d->{rss_before} // '?') . '..' . ($d->{rss_peak} // '?') . " KiB, we saw max $max_seen KiB)";
    close $sock;
}

my @err = error_lines(settled_log_since($off));
is_deeply \@err, [], 'big upload: no error-level log lines' or diag join "\n", @err;

done_testing;
