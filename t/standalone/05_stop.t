# apache2 -k stop after traffic in several interpreters (default group,
# %{GLOBAL} first, then a group created by 40 racing first requests): every child
# exits by itself, so the parent never has to signal stragglers (AH00045
# SIGTERM / AH00046 SIGKILL), and nothing crashes. For each MPM in
# $WSGISCRIPT_MPMS (default event).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use Time::HiRes ();
use WsgiServer;

my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event');
# threading is imported by most frameworks (Flask, Django): its first import
# in an interpreter happens in a request thread.
my $app = <<'PY';
import os
import threading
import time
if os.path.basename(__file__) == 'race.wsgi':
    time.sleep(0.5)


def application(environ, start_response):
    import _xxsubinterpreters as si
    body = b'main' if si.get_current() == si.get_main() else b'sub'
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
PY

for my $mpm (@mpms) {
    my $srv = WsgiServer->new(name => "stop-$mpm", mpm => $mpm, conf => <<'CONF');
WSGIScriptAlias /hello $root/hello.wsgi
WSGIScriptAlias /global $root/hello.wsgi application-group=%{GLOBAL}
WSGIScriptAlias /race $root/race.wsgi
CONF
    for my $f (qw(hello race)) {
        open my $fh, '>', "$srv->{root}/$f.wsgi" or die $!;
        print $fh $app;
        close $fh;
    }
    ok $srv->start, "$mpm: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };

    my %seen;
    for (1 .. 30) {
        for my $path (qw(/global /hello)) {
            my $res = LWP::UserAgent->new(timeout => 30)->get($srv->url($path));
            $seen{"$path " . ($res->code == 200 ? $res->decoded_content : $res->code)}++;
        }
    }
    is_deeply \%seen, { '/global main' => 30, '/hello sub' => 30 },
        "$mpm: %{GLOBAL} answered from the main interpreter, the default group from a sub-interpreter";

    my @kids;
    for (1 .. 40) {
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            my $res = LWP::UserAgent->new(timeout => 30)->get($srv->url('/race'));
            exit($res->code == 200 ? 0 : 1);
        }
        push @kids, $pid;
    }
    my $bad = 0;
    for (@kids) { waitpid $_, 0; $bad++ if $? }
    is $bad, 0, "$mpm: 40 racing first requests answered";
    my $parent = $srv->pid;
    $srv->stop;
    ok !WsgiServer::alive($parent), "$mpm: server stopped";
    my $log = $srv->slurp_log;
    my @stragglers = grep { /AH0004[56]/ } split /\n/, $log;
    is scalar(@stragglers), 0, "$mpm: every child exited by itself at stop (no AH00045/AH00046)"
        or diag join "\n", @stragglers[0 .. ($#stragglers < 5 ? $#stragglers : 5)];
    my @crash = grep { /Segmentation fault|exit signal|double free|Aborted/ } split /\n/, $log;
    is scalar(@crash), 0, "$mpm: no crash lines" or diag join "\n", @crash;
    $srv->cleanup;
}

done_testing;
