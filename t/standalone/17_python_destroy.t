# WSGIDestroyInterpreter Off (mod_wsgi's meaning): when a process exits,
# Python is not finalised: atexit callbacks do not run (WSGIS0904 says so),
# in the Apache children and in daemon processes; with the default (On) they
# run. For each MPM in $WSGISCRIPT_MPMS, at -k stop.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use WsgiServer;

my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event');

my $app = <<'PY';
import atexit
import os

import mod_wsgi

ROOT = os.path.dirname(os.path.abspath(__file__))
WHERE = (mod_wsgi.process_group or 'embedded') + '-' + (mod_wsgi.application_group or 'main')


def _at_exit():
    with open(os.path.join(ROOT, 'atexit', '%s.%d' % (WHERE, os.getpid())), 'w') as f:
        f.write('ran\n')


atexit.register(_at_exit)


def application(environ, start_response):
    body = ('%s %d' % (WHERE, os.getpid())).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
PY

for my $mpm (@mpms) {
    for my $destroy ('Off', 'On') {
        my $srv = WsgiServer->new(name => "python-destroy-$mpm-$destroy", mpm => $mpm, conf => <<"CONF");
WSGIDestroyInterpreter $destroy
WSGIDaemonProcess d17 processes=1 threads=2
WSGIScriptAlias /main \$root/exit.wsgi application-group=%{GLOBAL}
WSGIScriptAlias /sub \$root/exit.wsgi application-group=sub
WSGIScriptAlias /dmn \$root/exit.wsgi process-group=d17 application-group=dsub
CONF
        my $root = $srv->root;
        mkdir "$root/atexit";
        chmod 0777, "$root/atexit";
        open my $fh, '>', "$root/exit.wsgi" or die $!;
        print $fh $app;
        close $fh;
        ok $srv->start, "$mpm, $destroy: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };
        my $ua = LWP::UserAgent->new(timeout => 20);
        my %seen;
        for my $p (qw(/main /sub /dmn)) {
            my $res = $ua->get($srv->url($p));
            is $res->code, 200, "$mpm, $destroy: $p answers";
            my($where, $pid) = split ' ', $res->decoded_content;
            $seen{"$where.$pid"} = 1 if $pid;
        }
        $srv->stop;
        my @ran = grep { -f "$root/atexit/$_" } sort keys %seen;
        my $log = $srv->slurp_log;
        if ($destroy eq 'Off') {
            is scalar(@ran), 0, "$mpm, Off: no atexit callback ran (" . join(',', sort keys %seen) . ')'
                or diag "ran: @ran";
            like $log, qr/WSGIS0904: process \d+ exits without finalising Python \(WSGIDestroyInterpreter Off\)/,
                "$mpm, Off: WSGIS0904 says why";
            my @d = grep { /daemon process \d+ of group 'd17'/ || /WSGIS0904/ } split /\n/, $log;
            ok scalar(grep { /WSGIS0904/ } @d) >= 2, "$mpm, Off: ... in an Apache child and in the daemon process";
        } else {
            is scalar(@ran), scalar(keys %seen), "$mpm, On: the atexit callbacks ran in every interpreter"
                or diag "ran: @ran of " . join(',', sort keys %seen);
            unlike $log, qr/WSGIS0904/, "$mpm, On: no WSGIS0904";
        }
        my @killed = grep { /AH00046|AH00045/ } split /\n/, $log;
        is scalar(@killed), 0, "$mpm, $destroy: every process stopped by itself" or diag join "\n", @killed;
        my @crash = grep { /Segmentation fault|exit signal|double free|Aborted/ } split /\n/, $log;
        is scalar(@crash), 0, "$mpm, $destroy: no crash lines" or diag join "\n", @crash;
        $srv->cleanup;
    }
}

done_testing;
