# socket-timeout=2 (group lc_socktime): an application that sleeps 5 s
# before its first byte: the Apache child gives up after 2 s without a byte
# from the daemon, answers 504 (the process took the request; as mod_wsgi)
# and logs WSGIS0602 "... sent nothing for 2 s (socket-timeout)". One that
# answers within 1 s is served.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root log_offset);
use LifecycleTest qw(get poll_log);

my $g = 'lc_socktime';
my $script = t_root() . '/lifecycle/app.wsgi';
my $ok = get('/lc/socktime?do=sleep&s=1');
is $ok->{code}, 200, 'an answer after 1 s: 200';
my $pid = $ok->{json} && $ok->{json}{pid};

my $off = log_offset();
my $r = get('/lc/socktime?do=sleep&s=5');
is $r->{code}, 504, 'no byte for 5 s: 504';
cmp_ok $r->{secs}, '>=', 1.9, sprintf('after socket-timeout (%.1f s)', $r->{secs});
cmp_ok $r->{secs}, '<', 5, 'before the application would have answered (5 s)';
like poll_log($off, qr/WSGIS0602/),
    qr/\[wsgiscript:error\][^\n]*WSGIS0602: daemon process $pid of group '$g' sent nothing for 2 s \(socket-timeout\) in the middle of the request for '\Q$script\E'; answered 504/,
    'WSGIS0602: sent nothing for 2 s (socket-timeout)';

done_testing;
