# 100 MiB up and down through a daemon process (group d13) with bounded
# memory on both sides: the Apache child that relays and the daemon process
# that runs the app each grow by less than 10 MiB of VmRSS while
#   - a 100 MiB upload is read through wsgi.input (read(65536)),
#   - a 100 MiB file goes out through wsgi.file_wrapper,
#   - 100 MiB come from a generator, 1 MiB per item,
# and every byte arrives (md5). Everything goes over one kept-alive
# connection, so one Apache child relays it (its pid: the same script
# embedded, /d13/embedded, on that connection); the daemon processes are
# the Apache parent's children titled (wsgi:d13). VmRSS is read from /proc
# here while data flows, after a 4 MiB warm-up of the same kind. Also a
# chunked upload (no Content-Length) arrives whole.
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
use DaemonTest qw(group_pids);

my $hp = hostport();
my $MiB = 1 << 20;
my $limit_kib = 10 * 1024;

my $sock = connect_to();
sub get_json {
    my $path = shift;
    send_all($sock, "GET $path HTTP/1.1\r\nHost: $hp\r\n\r\n");
    my $res = read_response($sock);
    return json_of($res && $res->{body}) || {};
}
my $child = get_json('/d13/embedded/info');
my $cpid = $child->{pid};
ok $cpid, "the Apache child on this connection: $cpid";
my @dpids = group_pids($child->{ppid}, '(wsgi:d13)');
is scalar(@dpids), 2, 'the two processes of d13: ' . join(', ', @dpids);

# the highest VmRSS seen of the child and of each daemon process
sub sample {
    my $max = shift;
    for my $pid ($cpid, @dpids) {
        my $r = vmrss_kib($pid) // 0;
        $max->{$pid} = $r if $r > ($max->{$pid} // 0);
    }
}
sub now { my %m; sample(\%m); return \%m }

my $base = join '', map { chr(($_ * 7) % 256) } 0 .. $MiB - 17;
sub piece { sprintf('%016x', $_[0] * 2654435761) . $base }

# (JSON answer, max VmRSS per pid) of an upload of $mib MiB
sub upload {
    my($mib, $md5) = @_;
    send_all($sock, "POST /d13/main/upload?block=65536 HTTP/1.1\r\nHost: $hp\r\n"
                  . "Content-Type: application/octet-stream\r\nContent-Length: " . ($mib * $MiB) . "\r\n\r\n");
    my %max;
    for my $i (0 .. $mib - 1) {
        my $p = piece($i);
        $md5->add($p) if $md5;
        send_all($sock, $p);
        sample(\%max) if $i % 4 == 0;
    }
    my $res = read_response($sock);
    sample(\%max);
    return (json_of($res && $res->{body}) || {}, \%max);
}

# (response, md5 hex, bytes, max VmRSS per pid) of a GET of $path
sub download {
    my $path = shift;
    send_all($sock, "GET $path HTTP/1.1\r\nHost: $hp\r\n\r\n");
    my $md5 = Digest::MD5->new;
    my($n, $next, %max) = (0, 0);
    my $res = read_response($sock, sub {
        $md5->add($_[0]);
        $n += length $_[0];
        if ($n >= $next) { sample(\%max); $next += 4 * $MiB }
    });
    sample(\%max);
    return ($res, $md5->hexdigest, $n, \%max);
}

sub growth_ok {
    my($what, $base, $max, $dpid) = @_;
    my $cg = $max->{$cpid} - $base->{$cpid};
    my $climit = rss_limit_kib($cpid, $limit_kib);
    cmp_ok $cg, '<', $climit, "$what: the Apache child's RSS grew $cg KiB (< @{[ $climit >> 10 ]} MiB; from $base->{$cpid} KiB)";
    ok defined $dpid && exists $base->{$dpid}, "$what: served by a process of d13 (" . ($dpid // '?') . ')';
    return unless defined $dpid && exists $base->{$dpid};
    my $dg = $max->{$dpid} - $base->{$dpid};
    my $dlimit = rss_limit_kib($dpid, $limit_kib);
    cmp_ok $dg, '<', $dlimit, "$what: the daemon process's RSS grew $dg KiB (< @{[ $dlimit >> 10 ]} MiB; from $base->{$dpid} KiB)";
}

my $off = log_offset();

# --- upload -----------------------------------------------------------------------------------
{
    upload(4);
    my $base_rss = now();
    my $md5 = Digest::MD5->new;
    my($d, $max) = upload(100, $md5);
    is $d->{bytes}, 100 * $MiB, 'upload: the app read 100 MiB';
    is $d->{md5}, $md5->hexdigest, 'upload: the right bytes';
    is $d->{content_length}, 100 * $MiB, 'upload: CONTENT_LENGTH';
    growth_ok('upload', $base_rss, $max, $d->{pid});
    cmp_ok $d->{rss_peak} - $d->{rss_before}, '<', rss_limit_kib($d->{pid} // 0, $limit_kib),
        "upload: as the app saw its own RSS ($d->{rss_before}..$d->{rss_peak} KiB)";
}

# --- a chunked upload -------------------------------------------------------------------------------
{
    send_all($sock, "POST /d13/main/upload?block=10000 HTTP/1.1\r\nHost: $hp\r\n"
                  . "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n\r\n");
    my $md5 = Digest::MD5->new;
    for my $i (0 .. 31) {
        my $p = substr piece($i), 0, 65536 + $i;
        $md5->add($p);
        send_all($sock, sprintf("%x\r\n", length $p) . $p . "\r\n");
    }
    send_all($sock, "0\r\n\r\n");
    my $d = json_of(read_response($sock)->{body}) || {};
    is $d->{bytes}, 32 * 65536 + 496, 'chunked upload: every byte read';
    is $d->{md5}, $md5->hexdigest, 'chunked upload: the right bytes';
    is $d->{content_length}, undef, 'chunked upload: no CONTENT_LENGTH';
}

# --- download: a file through wsgi.file_wrapper, and a generator --------------------------------
{
    my $dir = File::Temp::tempdir('d13-big-XXXXXX', DIR => logs_dir(), CLEANUP => 1);
    chmod 0755, $dir;
    my %file;
    for my $mib (4, 100) {
        my $f = "$dir/$mib.bin";
        my $md5 = Digest::MD5->new;
        open my $fh, '>', $f or die "$f: $!";
        binmode $fh;
        for my $i (0 .. $mib - 1) { my $p = piece($i + 1000); $md5->add($p); print $fh $p }
        close $fh or die "$f: $!";
        chmod 0644, $f;
        $file{$mib} = [ $f, $md5->hexdigest ];
    }
    my $stream_md5 = do {
        my $md5 = Digest::MD5->new;
        my $chunk = '0123456789abcdef' x 65536;
        $md5->add(sprintf('%016x', $_) . substr($chunk, 16)) for 0 .. 99;
        $md5->hexdigest;
    };
    for my $case (['file_wrapper', sub { '/d13/main/file?path=' . uri_escape($file{$_[0]}[0]) }, $file{100}[1]],
                  ['generator', sub { "/d13/main/stream?mib=$_[0]" }, $stream_md5]) {
        my($what, $path, $want) = @$case;
        download($path->(4));
        my $base_rss = now();
        my($res, $md5, $n, $max) = download($path->(100));
        is $res && $res->{code}, 200, "download ($what): 200";
        is $n, 100 * $MiB, "download ($what): 100 MiB arrived";
        is $md5, $want, "download ($what): the right bytes";
        ok $res && $res->{complete}, "download ($what): complete";
        my $dpid = $res && $res->{headers}{'x-d13-pid'} ? $res->{headers}{'x-d13-pid'}[0] : undef;
        growth_ok("download ($what)", $base_rss, $max, $dpid);
    }
}
close $sock;

my @err = error_lines(settled_log_since($off));
is_deeply \@err, [], 'no error-level log lines' or diag join "\n", @err;

done_testing;
