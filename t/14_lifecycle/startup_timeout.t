# startup-timeout=2 (group lc_startup): a script that raises at import is
# answered 500 (WSGIS0103) each time; once its loads have kept failing for
# 2 s the process retires (WSGIS0604 startup-timeout) and the parent
# replaces it (WSGIS0607, old and new pid). The script notes the pid of each
# process that tried to import it, so the next request shows the new one.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(log_offset);
use LifecycleTest qw(get mark_file poll_log replaced_re retiring_re line_time);

my $g = 'lc_startup';
my $pids = mark_file('startup_fail.pid');
unlink $pids;
sub tried { open my $fh, '<', $pids or return (); map { /(\d+)/ } <$fh> }

my $off = log_offset();
my $r = get('/lc/startup');
is $r->{code}, 500, 'the script that raises at import: 500';
my($old) = tried();
ok $old, "the process that tried to load it: " . ($old // '?');

my $reason = 'startup-timeout (its scripts did not load)';
my $log = poll_log($off, replaced_re($old, $g, $reason));
like $log, qr/WSGIS0103\b[^\n]*\n(?:[^\n]*\n)*?[^\n]*RuntimeError: t\/lifecycle\/startup_fail.wsgi fails at import/,
    'WSGIS0103: the import error is logged';
like $log, retiring_re($old, $g, $reason), 'WSGIS0604: retiring for startup-timeout';
my $failed_at = line_time($log, qr/WSGIS0103/);
my $retired_at = line_time($log, retiring_re($old, $g, 'startup-timeout'));
ok defined $failed_at && defined $retired_at && $retired_at - $failed_at >= 1.9,
    sprintf('not before 2 s of failing loads (%.2f s after the first)', ($retired_at // 0) - ($failed_at // 0));
my($new) = $log =~ replaced_re($old, $g, $reason);
ok $new, "WSGIS0607 at info: daemon process $old ended ($reason); replaced by " . ($new // '?');

my $again = get('/lc/startup');
is $again->{code}, 500, 'the script still fails in the new process: 500';
is((tried())[-1], $new, 'and the new process is the one that tried');

done_testing;
