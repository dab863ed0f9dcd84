# A generator response is streamed: the first chunk reaches the client while
# the generator is still running (it waits for a file the client creates
# only after reading that chunk).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Socket::INET ();
use IO::Select ();
use Apache::TestRequest ();
use WsgiTest qw(t_root);

my $id = "s$$";
my $go = t_root() . "/logs/stream-$id.go";
unlink $go;
my $hostport = Apache::TestRequest::hostport();
my $sock = IO::Socket::INET->new(PeerAddr => $hostport, Timeout => 30) or die "connect: $!";
print $sock "GET /stream?id=$id HTTP/1.1\r\nHost: $hostport\r\nConnection: close\r\n\r\n";

my $buf = '';
my $sel = IO::Select->new($sock);
while ($buf !~ /first-chunk/) {
    last unless $sel->can_read(30);
    my $n = sysread $sock, $buf, 4096, length $buf;
    last unless $n;
}
like $buf, qr/first-chunk/, 'first chunk arrived before the generator finished';
open my $fh, '>', $go or die "$go: $!"; close $fh;
while (1) {
    last unless $sel->can_read(30);
    my $n = sysread $sock, $buf, 4096, length $buf;
    last unless $n;
}
close $sock;
like $buf, qr{^HTTP/1\.1 200 }, 'status 200';
like $buf, qr/^Transfer-Encoding: chunked\r$/mi, 'no Content-Length: chunked';
like $buf, qr/after=go/, 'generator saw the client go-ahead (so it was streaming)';
like $buf, qr/line 0\n.*line 1\n.*line 2\n/s, 'remaining chunks';

done_testing;
