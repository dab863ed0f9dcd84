# inactivity-timeout=1 (group d13-idle): a process that served a request
# and then had none for a second retires (WSGIS0604 names the reason), the
# parent logs its exit (WSGIS0607, status 0, at info level: expected) and
# starts a new one, which serves the next request; the first request to the
# new process loads the script again (generation 1, a new interpreter). A
# new process that has served nothing does not retire (no restart loop).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url log_offset log_since wait_log);
use Time::HiRes ();
use DaemonTest qw(info_of wait_until pid_alive group_pids);

my $ua = ua();
my $off = log_offset();
my($r, $one) = info_of($ua, url('/d13/idle/info'));
is $r->code, 200, 'first request 200';
my $pid = $one->{pid};
ok $pid, "served by $pid";
my $parent = $one->{ppid};

my $log = wait_log($off, qr/WSGIS0607: daemon process $pid of group 'd13-idle'[^\n]*replaced by/, 10);
like $log, qr/WSGIS0604: daemon process $pid of group 'd13-idle' is retiring: inactivity-timeout/,
    'WSGIS0604: it retires after the inactivity-timeout';
like $log, qr/\[wsgiscript:info\][^\n]*WSGIS0607: daemon process $pid of group 'd13-idle' ended \(inactivity-timeout\); replaced by \d+/,
    'WSGIS0607 (info): it exited with status 0 and a new one is started';
ok wait_until(sub { !pid_alive($pid) }, 5), "process $pid is gone";
my @now = wait_until(sub { my @p = group_pids($parent, '(wsgi:d13-idle)'); @p ? \@p : undef }, 10);
my $new = $now[0] && $now[0][0];
ok $new && $new != $pid, 'a new process runs: ' . ($new // 'none');

($r, my $two) = info_of($ua, url('/d13/idle/info'));
is $r->code, 200, 'the next request 200';
is $two->{pid}, $new, 'served by the new process';
is $two->{generation}, 1, 'the script loaded afresh (generation 1)';
isnt $two->{token}, $one->{token}, 'a new interpreter';

# the new process, having served one request, retires in turn; the one
# started after it has served nothing and stays
if ($new) {
    my $at = log_offset();
    wait_log($at, qr/WSGIS0607: daemon process $new of group 'd13-idle'[^\n]*replaced by/, 10);
    my @after = wait_until(sub { my @p = grep { $_ != $new } group_pids($parent, '(wsgi:d13-idle)'); @p ? \@p : undef }, 10);
    my $third = $after[0] && $after[0][0];
    ok $third, "process $new retired after serving one request; $third runs now";
    Time::HiRes::sleep(2.5);
    ok pid_alive($third), "process $third, which has served nothing, is still running 2.5 s later";
    unlike log_since($at), qr/WSGIS0604: daemon process $third\b/, '... and logged no retirement';
}

done_testing;
