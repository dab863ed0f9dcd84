# memory-limit=134217728 (128 MiB resident, group lc_memory): an allocation
# that stays under it changes nothing; one that takes the process over it
# (200 MiB, written, kept alive) is served, then the process retires
# (WSGIS0604 "memory-limit (N MiB resident)") and the parent replaces it
# (WSGIS0607, old and new pid); the new process serves.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes ();
use WsgiTest qw(log_offset log_since);
use LifecycleTest qw(get pid_of poll_log replaced_re retiring_re);

my $g = 'lc_memory';
my $small = get('/lc/memory?do=alloc&mb=10');
is $small->{code}, 200, '10 MiB kept: served';
my $old = $small->{json} && $small->{json}{pid};
my $off = log_offset();
Time::HiRes::sleep(1);  # the limit is checked 5 times a second
is pid_of('/lc/memory'), $old, 'under the limit: the same process serves on';
unlike log_since($off), retiring_re($old, $g, 'memory-limit'), 'and it did not retire';

my $big = get('/lc/memory?do=alloc&mb=200');
is $big->{code}, 200, '200 MiB more kept: the request itself is served';
is $big->{json} && $big->{json}{pid}, $old, 'by the same process';

my $log = poll_log($off, replaced_re($old, $g, 'memory-limit'));
my($mib) = $log =~ /WSGIS0604: daemon process $old of group '$g' is retiring: memory-limit \((\d+) MiB resident\)/;
ok $mib, 'WSGIS0604: retiring for memory-limit, with its resident size (' . ($mib // '?') . ' MiB)';
cmp_ok $mib // 0, '>=', 128, 'which is over the limit';
my($new) = $log =~ replaced_re($old, $g, 'memory-limit');
ok $new, "WSGIS0607 at info: daemon process $old ended (memory-limit); replaced by " . ($new // '?');

my $next = get('/lc/memory?do=alloc&mb=1');
is $next->{code}, 200, 'the next request is served';
is $next->{json} && $next->{json}{pid}, $new, 'by the new process';
is $next->{json} && $next->{json}{held_mb}, 1, 'which starts without the old memory';

done_testing;
