# Child shutdown with several interpreters, for each MPM in $WSGISCRIPT_MPMS
# (default event), at -k graceful and at -k stop:
#  - atexit callbacks run in the main interpreter and in each sub-interpreter
#    (they write $root/atexit/GROUP.PID, read here);
#  - a daemon thread an app started does not hold the child (WSGIS0507 info);
#  - a non-daemon thread that never ends holds it for the bounded wait (5 s)
#    only: WSGIS0505 names the interpreter and the child exits by itself, before
#    Apache's SIGKILL (AH00046), and its other interpreters' atexit callbacks
#    still run;
#  - nothing crashes.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use Time::HiRes ();
use WsgiServer;

my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event');

my $exit_app = <<'PY';
import atexit
import os
import threading
import time

import mod_wsgi

GROUP = mod_wsgi.application_group or 'main'
ROOT = os.path.dirname(os.path.abspath(__file__))


def _at_exit():
    with open(os.path.join(ROOT, 'atexit', '%s.%d' % (GROUP, os.getpid())), 'w') as f:
        f.write('%f\n' % time.time())


atexit.register(_at_exit)
THREAD = None


def _forever():
    while True:
        time.sleep(0.1)


def application(environ, start_response):
    global THREAD
    kind = environ.get('QUERY_STRING', '')
    if THREAD is None and kind in ('daemon', 'stuck'):
        THREAD = threading.Thread(target=_forever, name='app-' + kind, daemon=(kind == 'daemon'))
        THREAD.start()
    body = ('%s %d' % (GROUP, os.getpid())).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
PY

sub resumes { scalar(() = $_[0]->slurp_log =~ /resuming normal operations/g) }

# request every app once; returns { pid => 1 } of the children that answered
sub traffic {
    my($srv, $stuck) = @_;
    my %pids;
    my $ua = LWP::UserAgent->new(timeout => 20);
    my @paths = ('/main', '/sub1', '/sub2', '/daemon?daemon');
    push @paths, '/stuck?stuck' if $stuck;
    for my $p (@paths) {
        my $res = $ua->get($srv->url($p));
        my($g, $pid) = split ' ', ($res->code == 200 ? $res->decoded_content : '');
        if ($pid) { $pids{$pid}{$g} = 1 } else { diag "$p: " . $res->code }
    }
    return \%pids;
}

sub wait_gone {
    my($pids, $timeout) = @_;
    my $t0 = Time::HiRes::time();
    while (Time::HiRes::time() - $t0 < $timeout) {
        return Time::HiRes::time() - $t0 unless grep { kill 0, $_ } keys %$pids;
        Time::HiRes::sleep(0.1);
    }
    return;
}

sub check_atexit {
    my($srv, $pids, $what) = @_;
    my @missing;
    for my $pid (sort keys %$pids) {
        for my $g (sort keys %{ $pids->{$pid} }) {
            push @missing, "$g.$pid" unless -f "$srv->{root}/atexit/$g.$pid";
        }
    }
    is scalar(@missing), 0, "$what: atexit callbacks ran in every interpreter of the old children ("
        . join(',', map { join('+', sort keys %{ $pids->{$_} }) } sort keys %$pids) . ')'
        or diag "missing: @missing";
}

for my $mpm (@mpms) {
    for my $stuck (0, 1) {
        my $label = $stuck ? 'non-daemon thread' : 'daemon thread';
        my $srv = WsgiServer->new(name => "interp-shutdown-$mpm-$stuck", mpm => $mpm, conf => <<'CONF');
StartServers 1
<IfModule mpm_prefork_module>
    MinSpareServers 1
    MaxSpareServers 1
</IfModule>
<IfModule !mpm_prefork_module>
    MinSpareThreads 1
    MaxSpareThreads 8
</IfModule>
WSGIScriptAlias /main $root/exit.wsgi application-group=%{GLOBAL}
WSGIScriptAlias /sub1 $root/exit.wsgi application-group=sub1
WSGIScriptAlias /sub2 $root/exit.wsgi application-group=sub2
WSGIScriptAlias /daemon $root/exit.wsgi application-group=daemon
WSGIScriptAlias /stuck $root/exit.wsgi application-group=stuck
CONF
        mkdir "$srv->{root}/atexit";
        chmod 0777, "$srv->{root}/atexit";
        open my $fh, '>', "$srv->{root}/exit.wsgi" or die $!;
        print $fh $exit_app;
        close $fh;
        ok $srv->start, "$mpm, $label: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };
        my $pids = traffic($srv, $stuck);

        # graceful: the old children exit by themselves
        my $n = resumes($srv);
        my $off = length $srv->slurp_log;
        $srv->signal('graceful');
        my $took = wait_gone($pids, 15);
        ok defined $took, sprintf("$mpm, $label: old children exit after -k graceful (%s s)",
                                  defined $took ? sprintf('%.1f', $took) : 'still running after 15');
        if ($stuck) {
            ok defined $took && $took >= 4, "$mpm, $label: ... after the bounded wait for the thread";
        }
        Time::HiRes::sleep(0.3);
        my $log = substr $srv->slurp_log, $off;
        check_atexit($srv, $pids, "$mpm, $label, graceful");
        like $log, qr/WSGIS0507\b[^\n]*'daemon'/, "$mpm, $label, graceful: WSGIS0507 for the daemon thread";
        if ($stuck) {
            like $log, qr/\[wsgiscript:warn\][^\n]*WSGIS0505\b[^\n]*'stuck'/,
                "$mpm, $label, graceful: WSGIS0505 warning names interpreter 'stuck'";
        } else {
            unlike $log, qr/WSGIS0505/, "$mpm, $label, graceful: no WSGIS0505";
        }

        # stop: the new children, after the same traffic
        my $deadline = Time::HiRes::time() + 20;
        Time::HiRes::sleep(0.1) while resumes($srv) <= $n && Time::HiRes::time() < $deadline;
        my $pids2 = traffic($srv, $stuck);
        $off = length $srv->slurp_log;
        my $parent = $srv->pid;
        my $t0 = Time::HiRes::time();
        $srv->stop;
        my $stop_took = Time::HiRes::time() - $t0;
        ok !WsgiServer::alive($parent), sprintf("$mpm, $label: server stopped (%.1f s)", $stop_took);
        $log = substr $srv->slurp_log, $off;
        check_atexit($srv, $pids2, "$mpm, $label, stop");
        my @killed = grep { /AH00046/ } split /\n/, $log;
        is scalar(@killed), 0, "$mpm, $label, stop: no child needed SIGKILL (AH00046)" or diag join "\n", @killed;
        if ($stuck) {
            like $log, qr/WSGIS0505\b[^\n]*'stuck'/, "$mpm, $label, stop: WSGIS0505 names interpreter 'stuck'";
        } else {
            my @term = grep { /AH00045/ } split /\n/, $log;
            is scalar(@term), 0, "$mpm, $label, stop: every child exited by itself (no AH00045)"
                or diag join "\n", @term;
        }
        my @crash = grep { /Segmentation fault|exit signal|double free|Aborted/ } split /\n/, $srv->slurp_log;
        is scalar(@crash), 0, "$mpm, $label: no crash lines" or diag join "\n", @crash;
        $srv->cleanup;
    }
}

done_testing;
