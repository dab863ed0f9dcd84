# A client that disconnects mid-response: a long generator stops being
# iterated and is closed once, write() raises OSError in the app, a
# file_wrapper response closes its file; no error-level log lines (WSGIS0404
# is info).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Temp ();
use IO::Select ();
use URI::Escape qw(uri_escape);
use WsgiTest qw(log_offset wait_log);
use PepTest qw(connect_to hostport logs_dir wait_file slurp settled_log_since error_lines);

my $hp = hostport();

# read at least $want bytes, then drop the connection
sub read_then_drop {
    my($path, $want) = @_;
    my $sock = connect_to();
    print $sock "GET $path HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n";
    my $sel = IO::Select->new($sock);
    my $got = 0;
    my $buf;
    while ($got < $want && $sel->can_read(30)) {
        my $n = sysread $sock, $buf, 65536;
        last unless $n;
        $got += $n;
    }
    close $sock;    # unread data: the kernel resets the connection
    return $got;
}

for my $case (['disconnect', qr/\Aclose items=(\d+) of 16384\n\z/],
              ['disconnect_write', qr/\Awrite items=(\d+) of 16384 error=OSError: write\(\): the client closed the connection\nclose consumed=0\n\z/]) {
    my($what, $re) = @$case;
    my $id = "d$$";
    my $mark = logs_dir() . "/pep-$what-$id";
    unlink $mark;
    my $off = log_offset();
    my $got = read_then_drop("/pep/resp/$what?id=$id", 300_000);
    cmp_ok $got, '>=', 300_000, "$what: the client received the start of the response";
    my $m = wait_file($mark, 120, qr/close/);
    settled_log_since(log_offset(), 1);
    $m = slurp($mark) // '';
    like $m, $re, "$what: the app saw the disconnect and close() ran once";
    my($items) = $m =~ $re;
    ok defined $items && $items < 16384, "$what: the iteration/writes stopped early (" . ($items // 'undef') . " of 16384 blocks of 64 KiB)";
    my $log = wait_log($off, qr/WSGIS0404/, 10);
    like $log, qr/\[wsgiscript:info\] [^\n]*WSGIS0404: client closed the connection before the response was complete \(\d+ bytes of body sent\)/,
        "$what: WSGIS0404 at info";
    $log = settled_log_since($off);
    is scalar(() = $log =~ /WSGIS0404/g), 1, "$what: WSGIS0404 once";
    my @err = error_lines($log);
    is_deeply \@err, [], "$what: no error-level log lines" or diag join "\n", @err;
}

# a file_wrapper response of a 64 MiB file
{
    my $dir = File::Temp::tempdir('pep-dc-XXXXXX', DIR => logs_dir(), CLEANUP => 1);
    chmod 0755, $dir;
    my $file = "$dir/big.bin";
    open my $fh, '>', $file or die; binmode $fh;
    my $block = 'F' x (1 << 20);
    print $fh $block for 1 .. 64;
    close $fh;
    chmod 0644, $file;
    for my $what ('real', 'real_mw') {
        my $id = "dc-$what-$$";
        my $mark = logs_dir() . "/pep-fw-$id";
        unlink $mark;
        my $off = log_offset();
        read_then_drop("/pep/fw/$what?id=$id&path=" . uri_escape($file), 300_000);
        wait_file($mark, 120);
        settled_log_since(log_offset(), 1);
        is slurp($mark), "file close\n", "file_wrapper $what: file closed once after the disconnect";
        my @err = error_lines(settled_log_since($off));
        is_deeply \@err, [], "file_wrapper $what: no error-level log lines" or diag join "\n", @err;
    }
}

done_testing;
