# An exception while importing the script: 500, WSGIS0103 with the script
# path and the traceback, and the next request imports it again.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root ua url log_offset wait_log log_since);

my $root = t_root();
my $script = "$root/wsgi/import_error.wsgi";
my $flag = "$root/logs/import_error.flag";
open my $fh, '>', $flag or die "$flag: $!"; close $fh;

my $ua = ua();
my $off = log_offset();
my $res = $ua->get(url('/errors/import'));
is $res->code, 500, 'import failure gives 500';
my $log = wait_log($off, qr/import-boom/);
like $log, qr/WSGIS0103\b[^\n]*\Q$script\E/, 'WSGIS0103 names the script path';
like $log, qr/Traceback \(most recent call last\)/, 'traceback is logged';
like $log, qr/raise RuntimeError\('import-boom from import_error\.wsgi'\)/, 'traceback shows the raising line';
like $log, qr/RuntimeError: import-boom from import_error\.wsgi/, 'exception type and message logged';
like $log, qr/\[wsgiscript:error\][^\n]*WSGIS0103/, 'WSGIS0103 is logged at error level';

my($failed_pid) = $log =~ /\[pid (\d+)[^\]]*\][^\n]*WSGIS0103/;
ok $failed_pid, 'WSGIS0103 line carries the pid of the child';

# A 500 closes the connection, so the next requests may reach other children:
# ask until the child that failed answers (each child imports on its own).
unlink $flag;
$off = log_offset();
my($same, $other_ok) = (0, 1);
for (1 .. 100) {
    $res = ua()->get(url('/errors/import'));
    my($pid) = $res->decoded_content =~ /^imported fine pid=(\d+)$/;
    $other_ok = 0 unless $res->code == 200 && $pid;
    if ($pid && $failed_pid && $pid == $failed_pid) { $same = 1; last }
}
ok $other_ok, 'after the cause is gone, the script imports and serves (200)';
SKIP: {
    skip 'the child that failed did not answer again in 100 requests', 1 unless $same;
    ok $same, 'the child whose import failed retried the import and served';
}
$log = wait_log($off, qr/WSGIS0101\b[^\n]*\Q$script\E/);
like $log, qr/WSGIS0101\b[^\n]*\Q$script\E/, 'successful load logged with WSGIS0101';

done_testing;
