# A daemon process that dies in the middle of a request (group d13-crash,
# one process): the client gets 502 when nothing had been sent yet, a cut-off
# response (no final chunk) when the head and part of the body had; the
# Apache child logs WSGIS0602 (error) naming the group, the pid and how the
# process ended; the Apache parent logs WSGIS0607 naming the group, the pid
# and the exit status or signal, and starts a new process, which answers
# the very next request.
#   os._exit(3) before any response     -> 502, 'exit status 3'
#   SIGKILL before any response         -> 502, 'killed by signal 9'
#   os._exit(4) after 100000 body bytes -> 200 cut off, 'exit status 4'
#   SIGKILL from outside while idle     -> the next request 200, no 502
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes ();
use WsgiTest qw(ua url t_root log_offset wait_log);
use PepTest qw(raw_http parse_http hostport);
use DaemonTest qw(info_of wait_until pid_alive);

my $ua = ua();
my $script = t_root() . '/daemon/info.wsgi';
my($r, $d) = info_of($ua, url('/d13/crash/info'));
is $r->code, 200, 'before: 200';
my $pid = $d->{pid};
ok $pid, "before: served by $pid";

# The parent's WSGIS0607 gets what httpd's MPM passes to an "other child"
# (apr_proc_other_child_alert): the exit code or the signal number, already
# decoded, without saying which; it says both.
for my $case (['/d13/crash/exit?code=3', 'exit status 3', 'ended with exit status 3 (or was killed by signal 3, Quit)', 'error', 'os._exit(3)'],
              ['/d13/crash/kill?sig=9', 'killed by signal 9', 'ended with exit status 9 (or was killed by signal 9, Killed)', 'error', 'SIGKILL']) {
    my($path, $child_says, $parent_says, $level, $what) = @$case;
    my $off = log_offset();
    my $t0 = Time::HiRes::time();
    $r = $ua->get(url($path));
    is $r->code, 502, "$what mid-request: 502";
    my $log = wait_log($off, qr/WSGIS0607: daemon process $pid\b/, 10);
    like $log, qr/\[wsgiscript:error\][^\n]*WSGIS0602: daemon process $pid of group 'd13-crash' closed the connection in the middle of the request for '\Q$script\E', \Q$child_says\E; answered 502/,
        "$what: WSGIS0602 (error) names the group, the pid, '$child_says' and the 502";
    {
        like $log, qr/\[wsgiscript:$level\][^\n]*WSGIS0607: daemon process $pid of group 'd13-crash' \Q$parent_says\E; replaced by \d+/,
            "$what: WSGIS0607 from the parent names the group, the pid and '$parent_says'";
    }
    ok wait_until(sub { !pid_alive($pid) }, 5), "$what: process $pid is gone";

    ($r, my $next) = info_of($ua, url('/d13/crash/info'));
    is $r->code, 200, "$what: the next request 200";
    my $new = $next->{pid};
    ok $new && $new != $pid, "$what: served by a new process ($new)";
    is $next->{process_group}, 'd13-crash', "$what: of the same group";
    cmp_ok Time::HiRes::time() - $t0, '<', 20, "$what: 502 and recovery took " . sprintf('%.1f s', Time::HiRes::time() - $t0);
    $pid = $new;
}

# --- the process dies after the head and part of the body were sent ---------------------------------
{
    my $off = log_offset();
    my $hp = hostport();
    my $raw = raw_http("GET /d13/crash/exit-mid?code=4 HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n", timeout => 30);
    my $res = parse_http($raw);
    is $res->{code}, 200, 'exit after part of the body: the head had gone out (200)';
    ok !$res->{complete}, 'exit after part of the body: the response is cut off (no final chunk)';
    cmp_ok length($res->{body}), '>=', 100000, 'exit after part of the body: the part sent arrived';
    my $log = wait_log($off, qr/WSGIS0607: daemon process $pid\b/, 10);
    like $log, qr/WSGIS0602: daemon process $pid of group 'd13-crash' closed the connection in the middle of the request for '\Q$script\E', exit status 4; the response is cut off/,
        'exit after part of the body: WSGIS0602 says the response is cut off, with the exit status';
    {
        like $log, qr/WSGIS0607: daemon process $pid of group 'd13-crash' ended with exit status 4 \(or was killed by signal 4, Illegal instruction\); replaced by \d+/,
            'exit after part of the body: WSGIS0607 names the exit status';
    }
    ($r, my $next) = info_of($ua, url('/d13/crash/info'));
    is $r->code, 200, 'exit after part of the body: the next request 200';
    isnt $next->{pid}, $pid, 'exit after part of the body: a new process';
}

# --- the process is killed while idle (the Apache child holds a kept
#     connection to it): the next request is served by the new process,
#     no 502, no WSGIS0602 (the dead connection is not used, or a GET that
#     found it dead before anything was read is sent again)
{
    ($r, my $before) = info_of($ua, url('/d13/crash/info'));
    my $victim = $before->{pid};
    ok $victim, "killed while idle: process $victim served a request";
    my $off = log_offset();
    ok kill('KILL', $victim), "killed while idle: SIGKILL to $victim";
    ($r, my $after) = info_of($ua, url('/d13/crash/info'));
    is $r->code, 200, 'killed while idle: the next request 200';
    ok $after->{pid} && $after->{pid} != $victim, 'killed while idle: served by the new process';
    my $log = wait_log($off, qr/WSGIS0607: daemon process $victim\b/, 10);
    like $log, qr/WSGIS0607: daemon process $victim of group 'd13-crash' ended with exit status 9 \(or was killed by signal 9, Killed\); replaced by \d+/,
        'killed while idle: WSGIS0607 from the parent';
    unlike $log, qr/WSGIS0602/, 'killed while idle: no WSGIS0602 (no request failed)';
}

done_testing;
