# restart-interval=3 (group lc_interval): a process is replaced 3 s after it
# started, whether idle (the pid changes while nothing is sent) or busy (a
# request in flight when the time comes is served to its end, then the
# process goes). Each replacement: WSGIS0604 restart-interval, WSGIS0607
# with old and new pid.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes ();
use WsgiTest qw(log_offset log_since);
use LifecycleTest qw(get bg pid_of poll_log replaced_re retiring_re line_time);

my $g = 'lc_interval';

# idle: look at the pid now and then, and wait for the log
my $a = pid_of('/lc/interval');
ok $a, "a process of $g answers (pid " . ($a // '?') . ')';
my $off = log_offset();
my $log = poll_log($off, replaced_re($a, $g, 'restart-interval'), 10);
like $log, retiring_re($a, $g, 'restart-interval'), "idle: $a retires for restart-interval";
my($b) = $log =~ replaced_re($a, $g, 'restart-interval');
ok $b, "WSGIS0607 at info: daemon process $a ended (restart-interval); replaced by " . ($b // '?');
$log = poll_log($off, qr/WSGIS0600: daemon process \Q$b\E of group '$g' started/);
my $started = line_time($log, qr/WSGIS0600: daemon process \Q$b\E of group '$g' started/);
is pid_of('/lc/interval'), $b, 'the new process serves';

# busy: a 4 s request that starts early in the life of $b; its 3 s are up
# while the request runs
$off = log_offset();
my $slow = bg('/lc/interval?do=sleep&s=4');
my $during = poll_log($off, retiring_re($b, $g, 'restart-interval'), 10);
my $retired = line_time($during, retiring_re($b, $g, 'restart-interval'));
ok !$slow->done, "busy: $b retires while the request is running";
ok defined $started && defined $retired && $retired - $started >= 2.9 && $retired - $started < 6,
    sprintf('3 s after it started (%.2f s)', ($retired // 0) - ($started // 0));
my $r = $slow->wait;
is $r->{code}, 200, 'the request in flight is served to its end';
is $r->{json} && $r->{json}{pid}, $b, "by $b";
$log = poll_log($off, replaced_re($b, $g, 'restart-interval'));
my($c) = $log =~ replaced_re($b, $g, 'restart-interval');
ok $c, "WSGIS0607 at info: daemon process $b ended (restart-interval); replaced by " . ($c // '?');

done_testing;
