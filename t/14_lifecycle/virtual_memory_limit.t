# virtual-memory-limit=1073741824 (1 GiB of address space, group lc_vmem):
# an allocation beyond it raises MemoryError in the application (500, the
# traceback logged with WSGIS0110) and the process lives on (same pid,
# allocations under the limit still work). A group without the limit
# (lc_sockuser) makes the same allocation (address space only, not touched).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(log_offset);
use LifecycleTest qw(get pid_of poll_log);

my $pid = pid_of('/lc/vmem');
ok $pid, 'a process of lc_vmem answers (pid ' . ($pid // '?') . ')';
my $off = log_offset();
my $r = get('/lc/vmem?do=vmalloc&mb=2048');
is $r->{code}, 500, '2 GiB of address space: 500';
my $log = poll_log($off, qr/WSGIS0110: MemoryError/);
like $log, qr/\[wsgiscript:error\] \[pid $pid:[^\n]*WSGIS0110: Traceback \(most recent call last\):/,
    'WSGIS0110: the traceback, from that process';
like $log, qr/WSGIS0110: MemoryError/, 'WSGIS0110: MemoryError';
my $small = get('/lc/vmem?do=vmalloc&mb=100');
is $small->{code}, 200, '100 MiB: served';
is $small->{json} && $small->{json}{pid}, $pid, 'by the same process: it survived';

my $other = get('/lc/sockuser?do=vmalloc&mb=2048');
is $other->{code}, 200, 'a group without the limit takes the same 2 GiB';
is $other->{json} && $other->{json}{allocated_mb}, 2048, 'all of it';

done_testing;
