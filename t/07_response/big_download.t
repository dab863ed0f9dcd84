# A 100 MiB download through wsgi.file_wrapper (a real file, and a
# file-like read through Python) completes with the right bytes, and the
# serving child's RSS grows by less than 10 MiB. Everything goes over one
# kept-alive connection, so one child serves it; its VmRSS is read from
# /proc while data flows and compared with the value after a warm-up
# download. The file is made in a temp dir and deleted.
# (The 100 MiB upload through wsgi.input: 06_input/big_upload.t.)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 ();
use File::Temp ();
use URI::Escape qw(uri_escape);
use WsgiTest qw(log_offset);
use PepTest qw(connect_to hostport logs_dir read_response json_of vmrss_kib rss_limit_kib send_all settled_log_since error_lines);

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
# the piece $i of the file: 1 MiB, different per piece
my $base = join '', map { chr(($_ * 7) % 256) } 0 .. $MiB - 17;
sub piece { sprintf('%016x', $_[0] * 2654435761) . $base }

my $off = log_offset();

# --- download -------------------------------------------------------------------------
{
    my $dir = File::Temp::tempdir('pep-big-XXXXXX', DIR => logs_dir(), CLEANUP => 1);
    chmod 0755, $dir;
    my $file = "$dir/download.bin";
    my $fmd5 = Digest::MD5->new;
    open my $fh, '>', $file or die "$file: $!";
    binmode $fh;
    for my $i (0 .. 99) { my $p = piece($i + 1000); $fmd5->add($p); print $fh $p }
    close $fh or die;
    chmod 0644, $file;
    my $want = $fmd5->hexdigest;
    is -s $file, $total, 'made a 100 MiB file';

    for my $mode ('file', 'bytesio_like') {
        my $sock = connect_to();
        my $pid = get_json($sock, '/pep/big/pid')->{pid};
        my $path = '/pep/big/download?path=' . uri_escape($file) . "&mode=$mode";
        my $warm = sub {      # a warm-up download, then the measured one
            my $measure = shift;
            send_all($sock, "GET $path HTTP/1.1\r\nHost: $hp\r\n\r\n");
            my $md5 = Digest::MD5->new;
            my($n, $max, $next) = (0, 0, 0);
            my $res = read_response($sock, sub {
                $md5->add($_[0]);
                $n += length $_[0];
                if ($n >= $next) { my $r = vmrss_kib($pid) // 0; $max = $r if $r > $max; $next += 4 * $MiB }
            });
            return ($res, $n, $md5->hexdigest, $max);
        };
        $warm->();
        my $baseline = vmrss_kib($pid);
        my($res, $n, $md5, $max) = $warm->();
        is $res->{code}, 200, "download ($mode): 200";
        is $res->{header}->('Content-Length'), $total, "download ($mode): Content-Length";
        ok $res->{complete}, "download ($mode): complete";
        is $n, $total, "download ($mode): 100 MiB received";
        is $md5, $want, "download ($mode): the right bytes";
        my $again = get_json($sock, '/pep/big/pid');
        is $again->{pid}, $pid, "download ($mode): same child";
        my $after = vmrss_kib($pid) // 0;
        my $peak = $max > $after ? $max : $after;
        my $growth = $peak - $baseline;
        my $limit = rss_limit_kib($pid, $limit_kib);
        cmp_ok $growth, '<', $limit, "download ($mode): child RSS grew ${growth} KiB (< @{[ $limit >> 10 ]} MiB; baseline $baseline KiB, max $max, after $after)";
        close $sock;
    }
    unlink $file;
    ok !-e $file, 'the 100 MiB file is deleted';
}

my @err = error_lines(settled_log_since($off));
is_deeply \@err, [], 'big download: no error-level log lines' or diag join "\n", @err;

done_testing;
