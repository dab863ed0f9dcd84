# inactivity-timeout=2 (group lc_idle) and WSGIIgnoreActivity:
#  - a request that runs longer than the timeout (3 s) is not inactivity:
#    the process serves it to its end and serves the next one;
#  - requests to a URL with WSGIIgnoreActivity On are served but are not
#    activity: sent every 0.3 s, they see the process replaced about 2 s
#    after the last ordinary request;
#  - after an ordinary request and a pause, the process is replaced, not
#    before 2 s after that request.
# Each replacement: WSGIS0604 inactivity-timeout, WSGIS0607 old and new pid.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes qw(time sleep);
use WsgiTest qw(log_offset log_since);
use LifecycleTest qw(get pid_of poll_log replaced_re retiring_re line_time);

my $g = 'lc_idle';
my $a = pid_of('/lc/idle');
ok $a, "a process of $g answers (pid " . ($a // '?') . ')';

# a slow request is activity
my $off = log_offset();
my $slow = get('/lc/idle?do=sleep&s=3');
is $slow->{code}, 200, 'a 3 s request (longer than the timeout) is served';
is $slow->{json} && $slow->{json}{pid}, $a, 'by the same process';
is pid_of('/lc/idle'), $a, 'and so is the next request';
my $last_activity = time;
unlike log_since($off), retiring_re($a, $g, 'inactivity-timeout'), 'no retirement during or after the slow request';

# WSGIIgnoreActivity On: served, not activity
$off = log_offset();
my(@seen, @codes);
my $t0 = time;
while (time - $t0 < 10) {
    my $r = get('/lc/idle-ignored');
    push @codes, $r->{code};
    my $pid = $r->{json} && $r->{json}{pid};
    push @seen, [ time - $t0, $pid // '-' ];
    last if defined $pid && $pid != $a;
    sleep 0.3;
}
my $b = $seen[-1][1];
is_deeply [ grep { $_ != 200 } @codes ], [], 'every request to the ignored URL is served (' . scalar(@codes) . ')';
my @by_a = grep { $_->[1] eq $a } @seen;
cmp_ok scalar(@by_a), '>=', 3, "process $a served ignored requests every 0.3 s (" . scalar(@by_a) . ')';
isnt $b, $a, sprintf('and was replaced meanwhile: %s from %.1f s on', $b, $seen[-1][0]);
my $log = poll_log($off, replaced_re($a, $g, 'inactivity-timeout'));
like $log, retiring_re($a, $g, 'inactivity-timeout'), "WSGIS0604: $a retiring for inactivity-timeout";
my $retired = line_time($log, retiring_re($a, $g, 'inactivity-timeout'));
ok defined $retired && $retired - $last_activity >= 1.8,
    sprintf('2 s after the last ordinary request (%.2f s), ignored ones notwithstanding', ($retired // 0) - $last_activity);
my($new) = $log =~ replaced_re($a, $g, 'inactivity-timeout');
is $new, $b, "WSGIS0607 at info: daemon process $a ended (inactivity-timeout); replaced by $b";

# an ordinary request, then a pause
$off = log_offset();
is pid_of('/lc/idle'), $b, "an ordinary request to $b";
$last_activity = time;
$log = poll_log($off, replaced_re($b, $g, 'inactivity-timeout'), 10);
$retired = line_time($log, retiring_re($b, $g, 'inactivity-timeout'));
ok defined $retired, "$b retires for inactivity-timeout in the pause";
ok defined $retired && $retired - $last_activity >= 1.8 && $retired - $last_activity < 6,
    sprintf('about 2 s after that request (%.2f s)', ($retired // 0) - $last_activity);
my($c) = $log =~ replaced_re($b, $g, 'inactivity-timeout');
ok $c, "WSGIS0607 at info: daemon process $b ended (inactivity-timeout); replaced by " . ($c // '?');
is pid_of('/lc/idle'), $c, 'the new process serves';

done_testing;
