# receive-buffer-size=65536 and send-buffer-size=32768 (group lc_sockbufs):
# the group's socket has those buffers (ss -xlm: rb and tb, which the kernel
# doubles: 131072 and 65536), and the group serves a 1 MiB response through
# them. A group without the options (lc_sockuser) has the system's.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use WsgiTest qw(t_root);
use LifecycleTest qw(get);

my $root = t_root();
chomp(my @ss = `ss -xlm 2>/dev/null`);
plan skip_all => 'ss -xlm does not list the sockets' unless @ss;
sub skmem {
    my $hex = substr(md5_hex(shift), 0, 12);
    my($line) = grep { m{\Q$root\E/logs/wsgiscript\.\d+\.$hex\.sock\b} } @ss;
    return ($line // '') =~ /skmem:\(r\d+,rb(\d+),t\d+,tb(\d+)/ ? ($1, $2) : ();
}
my($rb, $tb) = skmem('lc_sockbufs');
is $rb, 131072, 'receive-buffer-size=65536: SO_RCVBUF of the socket (ss rb, doubled by the kernel)';
is $tb, 65536, 'send-buffer-size=32768: SO_SNDBUF of the socket (ss tb, doubled by the kernel)';
my($rb0, $tb0) = skmem('lc_sockuser');
ok $rb0 && $rb0 != 131072 && $tb0 != 65536, "a group without the options has the system's (rb $rb0, tb $tb0)";

my $n = 1 << 20;
my $r = get("/lc/sockbufs?do=big&n=$n");
is $r->{code}, 200, 'the group serves 1 MiB';
is md5_hex($r->{body}), md5_hex(substr((pack('C*', 0 .. 255) x 256) x 16, 0, $n)), 'every byte right';

done_testing;
