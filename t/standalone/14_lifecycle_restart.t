# The daemon process lifecycle at Apache restarts (issue 13), for each MPM in
# $WSGISCRIPT_MPMS (default: event prefork), one server each:
#
# apache2 -k graceful, with, in flight:
#   lc_grace (graceful-timeout=3 shutdown-timeout=2): a 2 s request and a 30 s
#     request. The old process finishes the 2 s one (200), takes nothing new
#     (a request sent after the graceful is served by the new generation's
#     process), gives the 30 s one graceful-timeout, then shutdown-timeout,
#     and exits with it still running (WSGIS0605; the client gets 502); the
#     parent logs the retired process's end (WSGIS0607).
#   lc_evict (graceful-timeout=30 eviction-timeout=2) and lc_noevict
#     (graceful-timeout=30): an old Apache child keeps a connection to each
#     (it served one request to each, then runs an 8 s embedded request on
#     the same client connection, so it lives on). The lc_evict process exits
#     about 2 s after the graceful all the same; the lc_noevict process stays
#     while the kept connection is open, and exits once the old child is gone.
# apache2 -k stop, with, in flight:
#   lc_stop (shutdown-timeout=2): a 1 s request and a 30 s request. The
#     process finishes the 1 s one (the application ran to its end) and exits
#     2 s after the stop with the other still running (WSGIS0605), and every
#     Apache child exits by itself (no AH00045/AH00046): the daemon processes
#     are told (SIGTERM) when Apache starts reclaiming its children, under
#     every MPM, so the child waiting for the 30 s request is answered when
#     the daemon process exits.
# No crash lines in any log.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Select ();
use Time::HiRes qw(time sleep);
use LifecycleServer qw(lifecycle_server connect_http send_get read_response get_json
                       alive wait_gone mark_path);
use WsgiServer;

my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event prefork');

sub count_resumes { scalar(() = $_[0]->slurp_log =~ /resuming normal operations/g) }

sub wait_until {
    my($cond, $timeout) = @_;
    my $deadline = time + $timeout;
    while (time < $deadline) { my $v = $cond->(); return $v if $v; sleep 0.05 }
    return $cond->();
}

for my $mpm (@mpms) {
    my $srv = lifecycle_server(name => "lcrestart-$mpm", mpm => $mpm, conf => <<'CONF');
WSGIDaemonProcess lc_grace threads=4 graceful-timeout=3 shutdown-timeout=2 display-name=%{GROUP}
WSGIDaemonProcess lc_evict threads=2 graceful-timeout=30 eviction-timeout=2 display-name=%{GROUP}
WSGIDaemonProcess lc_noevict threads=2 graceful-timeout=30 display-name=%{GROUP}
WSGIDaemonProcess lc_stop threads=4 shutdown-timeout=2 display-name=%{GROUP}
WSGIScriptAlias /grace $app process-group=lc_grace application-group=%{GLOBAL}
WSGIScriptAlias /evict $app process-group=lc_evict application-group=%{GLOBAL}
WSGIScriptAlias /noevict $app process-group=lc_noevict application-group=%{GLOBAL}
WSGIScriptAlias /stop $app process-group=lc_stop application-group=%{GLOBAL}
WSGIScriptAlias /embedded $app application-group=%{GLOBAL}
CONF
    ok $srv->start, "$mpm: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };
    my %pid;
    for my $g (qw(grace evict noevict stop)) {
        my $r = get_json($srv, "/$g");
        $pid{$g} = $r->{json} && $r->{json}{pid};
    }
    ok $pid{grace} && $pid{evict} && $pid{noevict} && $pid{stop},
        "$mpm: the four groups answer (pids @pid{qw(grace evict noevict stop)})" or do {
        diag $srv->slurp_log; $srv->cleanup; next };

    # --- graceful: lc_grace with a 2 s and a 30 s request in flight
    my $mk = sub { mark_path($srv, shift) };
    my $t_sent = time;
    my $short = connect_http($srv);
    send_get($short, '/grace?do=sleep&s=2&mark=grace-short&done=grace-short-done', 1);
    my $long = connect_http($srv);
    send_get($long, '/grace?do=sleep&s=30&mark=grace-long&done=grace-long-done', 1);
    # lc_evict / lc_noevict: one client connection, so one Apache child, which
    # keeps a connection to each group and then runs an 8 s embedded request
    my $hold = connect_http($srv);
    my @kept;
    for my $g (qw(evict noevict)) {
        send_get($hold, "/$g");
        push @kept, read_response($hold, 30);
    }
    is_deeply [ map { $_->{code} } @kept ], [ 200, 200 ], "$mpm: one Apache child served lc_evict and lc_noevict";
    send_get($hold, '/embedded?do=sleep&s=8&mark=hold', 1);
    ok wait_until(sub { -e $mk->('grace-short') && -e $mk->('grace-long') && -e $mk->('hold') }, 15),
        "$mpm: the requests are running";

    my $resumes = count_resumes($srv);
    my $t0 = time;
    ok $srv->signal('graceful'), "$mpm: apache2 -k graceful";
    ok wait_until(sub { count_resumes($srv) > $resumes }, 20), "$mpm: the new generation is up";
    my $after = get_json($srv, '/grace');
    is $after->{code}, 200, "$mpm: a request after the graceful is served";
    isnt $after->{json} && $after->{json}{pid}, $pid{grace}, "$mpm: by the new generation's lc_grace process";

    # watch: when each old process ends, when each client connection gets its answer
    my %t;
    my %sock = (short => $short, long => $long, hold => $hold);
    my $deadline = $t0 + 25;
    while (time < $deadline && keys(%t) < 6) {
        for my $g (qw(grace evict noevict)) { $t{"gone $g"} //= time - $t0 unless alive($pid{$g}) }
        for my $k (keys %sock) { $t{"answer $k"} //= time - $t0 if IO::Select->new($sock{$k})->can_read(0) }
        sleep 0.02;
    }
    diag sprintf("$mpm: s after the graceful: %s", join ', ', map { sprintf '%s %.2f', $_, $t{$_} } sort keys %t);
    my %r = map { $_ => read_response($sock{$_}, 5) } keys %sock;
    close $_ for values %sock;

    # lc_evict goes after eviction-timeout, lc_noevict stays with the kept connection
    ok defined $t{'gone evict'} && $t{'gone evict'} >= 1.5 && $t{'gone evict'} < 5,
        sprintf("$mpm: eviction-timeout=2: the old lc_evict process exits %.1f s after the graceful, its kept connection notwithstanding",
                $t{'gone evict'} // -1);
    is $r{hold}{code}, 200, sprintf("$mpm: the old child's 8 s request ends (%.1f s after the graceful)", $t{'answer hold'} // -1);
    ok defined $t{'gone noevict'} && defined $t{'answer hold'} && $t{'gone noevict'} >= $t{'answer hold'} - 0.2,
        sprintf("$mpm: the old lc_noevict process (graceful-timeout=30) stays while the old child keeps its connection, "
                . "and exits once that child is gone (%.1f s)", $t{'gone noevict'} // -1);

    # lc_grace: the 2 s request served, the 30 s one cut after 3 + 2 s
    is $r{short}{code}, 200, "$mpm: lc_grace: the 2 s request in flight is served";
    is $r{short}{json} && $r{short}{json}{pid}, $pid{grace}, "$mpm: by the old process";
    is $r{long}{code}, 502, "$mpm: lc_grace: the 30 s request gets 502";
    ok defined $t{'answer long'} && $t{'answer long'} >= 2.9 && $t{'answer long'} < 8,
        sprintf("$mpm: after graceful-timeout (3 s) + shutdown-timeout (2 s): %.1f s after the graceful",
                $t{'answer long'} // -1);
    ok !-e $mk->('grace-long-done'), "$mpm: its application did not run to its end";
    ok defined $t{'gone grace'} && $t{'gone grace'} < 8,
        sprintf("$mpm: the old lc_grace process is gone (%.1f s)", $t{'gone grace'} // -1);

    my $log;
    wait_until(sub { $log = $srv->slurp_log;
                     3 == grep { $log =~ /WSGIS0607: retired daemon process $pid{$_} of group/ } qw(grace evict noevict) }, 5);
    for my $g (qw(grace evict noevict)) {
        like $log, qr/\[wsgiscript:info\][^\n]*WSGIS0604: daemon process $pid{$g} of group 'lc_$g' is retiring: Apache is restarting/,
            "$mpm: WSGIS0604: the old lc_$g process retires: Apache is restarting";
        like $log, qr/\[wsgiscript:info\][^\n]*WSGIS0607: retired daemon process $pid{$g} of group 'lc_$g' ended \(Apache is restarting\) after Apache's restart/,
            "$mpm: WSGIS0607: the parent saw the retired lc_$g process end";
    }
    like $log, qr/\[wsgiscript:warn\][^\n]*WSGIS0605: daemon process $pid{grace} of group 'lc_grace' exits with 1 request\(s\) still running after its shutdown-timeout \(2 s\)/,
        "$mpm: WSGIS0605: lc_grace gave up the 30 s request";
    unlike $log, qr/WSGIS0605: daemon process $pid{evict}\b/, "$mpm: lc_evict had no request to give up";

    # --- stop: lc_stop with a 1 s and a 30 s request in flight
    my $stop_pid = get_json($srv, '/stop')->{json}{pid};
    ok $stop_pid, "$mpm: lc_stop (new generation) answers: $stop_pid";
    my $s1 = connect_http($srv);
    send_get($s1, '/stop?do=sleep&s=1&mark=stop-short&done=stop-short-done', 1);
    my $s2 = connect_http($srv);
    send_get($s2, '/stop?do=sleep&s=30&mark=stop-long&done=stop-long-done', 1);
    ok wait_until(sub { -e $mk->('stop-short') && -e $mk->('stop-long') }, 15), "$mpm: both are running";
    my $parent = $srv->pid;
    $t0 = time;
    ok $srv->signal('stop'), "$mpm: apache2 -k stop";
    my $t_stop = wait_gone($stop_pid, 25, $t0);
    ok defined $t_stop && $t_stop >= 1.5 && $t_stop < 5,
        sprintf("$mpm: shutdown-timeout=2: the lc_stop process exits %.1f s after the stop", $t_stop // -1);
    ok -e $mk->('stop-short-done'), "$mpm: the 1 s request ran to its end first";
    ok !-e $mk->('stop-long-done'), "$mpm: the 30 s one did not";
    ok defined wait_gone($parent, 20), "$mpm: Apache stopped";
    close $_ for $s1, $s2;
    $log = $srv->slurp_log;
    like $log, qr/\[wsgiscript:warn\][^\n]*WSGIS0605: daemon process $stop_pid of group 'lc_stop' exits with 1 request\(s\) still running after its shutdown-timeout \(2 s\)/,
        "$mpm: WSGIS0605: lc_stop gave up the 30 s request after shutdown-timeout";
    my @stragglers = grep { /AH0004[56]/ } split /\n/, $log;
    is scalar(@stragglers), 0, "$mpm: every Apache child exited by itself at the stop (no AH00045/AH00046)"
        or diag join "\n", @stragglers;
    my @crash = grep { /Segmentation fault|exit signal|double free|Aborted|AH00052/ } split /\n/, $log;
    is scalar(@crash), 0, "$mpm: no crash lines" or diag join "\n", @crash[0 .. ($#crash < 9 ? $#crash : 9)];
    $srv->cleanup;
}

done_testing;
