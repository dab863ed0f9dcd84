# A preload that fails (WSGIImportScript into a sub-interpreter, the script
# raises the first time each child imports it): the child logs WSGIS0103 with
# the traceback at start, keeps serving, and the first request for the script
# imports it again (WSGIS0101, generation 1) and answers 200. For each MPM in
# $WSGISCRIPT_MPMS (default event).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use WsgiServer;

my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event');
my $app = <<'PY';
import os

import mod_wsgi

ROOT = os.path.dirname(os.path.abspath(__file__))
_mark = os.path.join(ROOT, 'tries', 'tried.%d' % os.getpid())
if not os.path.exists(_mark):
    open(_mark, 'w').close()
    raise RuntimeError('preload failure on purpose in %d' % os.getpid())


def application(environ, start_response):
    body = ('%s %d %s' % (mod_wsgi.application_group, os.getpid(),
                          globals().get('__wsgiscript_generation__'))).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
PY

for my $mpm (@mpms) {
    my $srv = WsgiServer->new(name => "interp-preload-fail-$mpm", mpm => $mpm, conf => <<'CONF');
StartServers 1
<IfModule mpm_prefork_module>
    MinSpareServers 1
    MaxSpareServers 1
</IfModule>
WSGIScriptAlias /fail $root/fail.wsgi application-group=preload-fail
WSGIImportScript $root/fail.wsgi process-group=%{GLOBAL} application-group=preload-fail
CONF
    mkdir "$srv->{root}/tries";
    chmod 0777, "$srv->{root}/tries";
    open my $fh, '>', "$srv->{root}/fail.wsgi" or die $!;
    print $fh $app;
    close $fh;
    my $script = "$srv->{root}/fail.wsgi";
    ok $srv->start, "$mpm: server starts despite the failing preload" or do { diag $srv->slurp_log; $srv->cleanup; next };
    my $res = LWP::UserAgent->new(timeout => 20)->get($srv->url('/fail'));
    is $res->code, 200, "$mpm: first request retries the import and answers 200" or diag $res->as_string;
    my($group, $pid, $gen) = split ' ', $res->decoded_content // '';
    is $group, 'preload-fail', "$mpm: in group preload-fail";
    is $gen, 1, "$mpm: generation 1 (the failed preload did not count)";
    my $log = $srv->slurp_log;
    like $log, qr/\[wsgiscript:error\] \[pid \Q$pid\E\b[^\n]*WSGIS0103\b[^\n]*\Q$script\E/,
        "$mpm: WSGIS0103 (error) for the script in child $pid";
    like $log, qr/Traceback[\s\S]*RuntimeError: preload failure on purpose in \Q$pid\E/,
        "$mpm: the traceback is logged";
    my($fail_at) = $log =~ /^(.*WSGIS0103\b[^\n]*\Q$script\E)/m;
    my $fail_pos = $fail_at ? index($log, $fail_at) : -1;
    my $load_pos = $log =~ /\[pid \Q$pid\E\b[^\n]*WSGIS0101\b[^\n]*\Q$script\E/ ? $-[0] : -1;
    ok $fail_pos >= 0 && $load_pos > $fail_pos, "$mpm: WSGIS0101 (loaded by the request) after the WSGIS0103";
    $srv->cleanup;
}

done_testing;
