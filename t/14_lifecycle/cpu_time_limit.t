# cpu-time-limit=1 (group lc_cpu): an application that burns 1.3 s of CPU is
# served to its end, then the process retires (WSGIS0604 cpu-time-limit,
# from the SIGXCPU of its RLIMIT_CPU) and the parent replaces it (WSGIS0607,
# old and new pid); the new process serves.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(log_offset);
use LifecycleTest qw(get pid_of poll_log replaced_re retiring_re);

my $g = 'lc_cpu';
my $old = pid_of('/lc/cpu');
ok $old, "a process of $g answers (pid " . ($old // '?') . ')';
my $off = log_offset();
my $r = get('/lc/cpu?do=spin&s=1.3');
is $r->{code}, 200, 'the request that burns 1.3 s of CPU is served to its end';
is $r->{json} && $r->{json}{pid}, $old, 'by the same process';

my $log = poll_log($off, replaced_re($old, $g, 'cpu-time-limit'));
like $log, retiring_re($old, $g, 'cpu-time-limit'), 'WSGIS0604: retiring for cpu-time-limit';
my($new) = $log =~ replaced_re($old, $g, 'cpu-time-limit');
ok $new, "WSGIS0607 at info: daemon process $old ended (cpu-time-limit); replaced by " . ($new // '?');
is pid_of('/lc/cpu'), $new, 'the new process serves';

done_testing;
