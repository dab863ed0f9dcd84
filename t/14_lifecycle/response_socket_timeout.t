# response-socket-timeout=1 (group lc_rsocktime): a client that asks for a
# 200 MiB response and then reads nothing. The Apache child's writes to it
# block once the socket buffers are full; after 1 s the child gives up, and
# the application's iterable is closed (close() notes it in a side file)
# within seconds, long before Apache's Timeout. The same client against a
# group without the option (lc_buffers) is still being waited for after 3 s.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Socket::INET ();
use Time::HiRes qw(time);
use Apache::Test ();
use Apache::TestRequest ();
use LifecycleTest qw(mark_file wait_for);

my $hostport = Apache::TestRequest::hostport(Apache::Test::config());
my $tag = "$$-" . time;

# send the request, read nothing; returns the socket
sub stalled {
    my($path) = @_;
    my $s = IO::Socket::INET->new(PeerAddr => $hostport) or die "connect $hostport: $!";
    print $s "GET $path HTTP/1.1\r\nHost: $hostport\r\nConnection: close\r\n\r\n";
    return $s;
}

my $t0 = time;
my $s = stalled("/lc/rsocktime?do=stream&mb=200&mark=rst-$tag");
my $closed = wait_for(sub { -e mark_file("rst-$tag.closed") }, 20);
my $secs = time - $t0;
ok $closed, sprintf('response-socket-timeout=1: the response to the client that does not read is given up (%.1f s)', $secs);
cmp_ok $secs, '<', 10, 'within seconds (Apache\'s Timeout is 60 s)';
my($pid, $taken) = do { open my $fh, '<', mark_file("rst-$tag.closed"); split ' ', (<$fh> // '') };
cmp_ok $taken // 200, '<', 200, "the application's iterable was closed after $taken of 200 MiB";
close $s;

my $s2 = stalled("/lc/buffers?do=stream&mb=200&mark=nrst-$tag");
sleep 3;
ok !-e mark_file("nrst-$tag.closed"), 'without the option, the same client is still waited for after 3 s';
close $s2;
ok wait_for(sub { -e mark_file("nrst-$tag.closed") }, 20), 'and is given up once it closes its connection';

done_testing;
