# header-buffer-size=5000 and response-buffer-size=65536 (group lc_buffers):
# a response header of 6000 bytes is refused (500, WSGIS0615 naming the
# header and the size), one of 4000 bytes passes whole; responses of 1 MiB
# and of 3 MiB + 123 bytes (many 64 KiB pieces) arrive complete and correct.
# A group with the default header-buffer-size (lc_sockuser) passes the
# 6000 bytes.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use WsgiTest qw(t_root log_offset);
use LifecycleTest qw(get poll_log);

my $g = 'lc_buffers';
my $script = t_root() . '/lifecycle/app.wsgi';
my $off = log_offset();
my $r = get('/lc/buffers?do=header&n=6000');
is $r->{code}, 500, 'a 6000-byte header value: 500';
like poll_log($off, qr/WSGIS0615/),
    qr/\[wsgiscript:error\][^\n]*WSGIS0615: the response of '\Q$script\E' has a header \('X-Big'\) longer than header-buffer-size \(5000 bytes\) of daemon process group '$g'; answered 500/,
    'WSGIS0615: the header, header-buffer-size and the group';
$r = get('/lc/buffers?do=header&n=4000');
is $r->{code}, 200, 'a 4000-byte header value: 200';
is length($r->{header}{'x-big'} // ''), 4000, 'the header arrives whole';
$r = get('/lc/sockuser?do=header&n=6000');
is $r->{code}, 200, 'the default header-buffer-size passes 6000 bytes';

my $pattern = pack('C*', 0 .. 255) x 256;   # the app's 64 KiB piece
for my $n (1 << 20, 3 * (1 << 20) + 123) {
    my $want = substr($pattern x (int($n / length $pattern) + 1), 0, $n);
    $r = get("/lc/buffers?do=big&n=$n");
    is $r->{code}, 200, "$n bytes: 200";
    is length($r->{body}), $n, "$n bytes: all of them";
    is md5_hex($r->{body}), md5_hex($want), "$n bytes: every byte right";
}

done_testing;
