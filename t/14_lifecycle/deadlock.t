# deadlock-timeout=2 (group lc_deadlock): an application that takes the GIL
# and never gives it back (libc sleep(60) called through ctypes.PyDLL, which
# keeps the GIL) makes the process log every thread's stack (WSGIS0611) and
# exit; the client gets 502 (WSGIS0602 from the Apache child), and the parent
# logs the replacement at error level (WSGIS0607) with old and new pid; the
# new process serves.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root log_offset);
use LifecycleTest qw(get pid_of poll_log replaced_re);

my $g = 'lc_deadlock';
my $script = t_root() . '/lifecycle/app.wsgi';
my $old = pid_of('/lc/deadlock');
ok $old, "a process of $g answers (pid " . ($old // '?') . ')';

my $off = log_offset();
my $r = get('/lc/deadlock?do=gil&s=60');
is $r->{code}, 502, 'the request that holds the GIL gets 502';
cmp_ok $r->{secs}, '<', 15, sprintf('long before its 60 s (%.1f s)', $r->{secs});

my $reason = 'deadlock-timeout (the GIL was never released)';
my $log = poll_log($off, replaced_re($old, $g, $reason, 'error'));
like $log, qr/\[wsgiscript:error\][^\n]*WSGIS0611: daemon process $old of group '$g': the GIL has not been released for deadlock-timeout \(2 s\); the stacks of its threads follow/,
    'WSGIS0611: the GIL was not released for deadlock-timeout';
like $log, qr/WSGIS0611: Thread 0x[0-9a-f]+ \(most recent call first\):\n[^\n]*WSGIS0611:\s+File "\Q$script\E", line \d+ in application/,
    'WSGIS0611: the stuck thread\'s stack shows application() in the script';
my $threads = () = $log =~ /WSGIS0611: (?:Current thread|Thread) 0x/g;
cmp_ok $threads, '>=', 3, "WSGIS0611: every thread's stack ($threads threads: 2 request threads and more)";
like $log, qr/\[wsgiscript:error\][^\n]*WSGIS0602: daemon process $old of group '$g' closed the connection in the middle of the request for '\Q$script\E'[^\n]*; answered 502/,
    'WSGIS0602: the Apache child answered 502';
my($new) = $log =~ replaced_re($old, $g, $reason, 'error');
ok $new, "WSGIS0607 at error: daemon process $old ended ($reason); replaced by " . ($new // '?');

my $next = get('/lc/deadlock');
is $next->{code}, 200, 'the next request is served';
is $next->{json} && $next->{json}{pid}, $new, 'by the new process';

done_testing;
