# The interpreter-level settings that are one per server (t/17_python has
# those that can differ per interpreter), for each MPM in $WSGISCRIPT_MPMS:
# WSGIDontWriteBytecode, WSGIPythonOptimize, WSGIPythonWarnings (twice),
# WSGIPythonHashSeed, WSGIPythonEggs, WSGISwitchInterval, the top-level
# WSGIRestrictStdin/Stdout On and WSGIRestrictSignal Off, WSGISlowRequests,
# WSGILazyInitialization and WSGIVerboseDebugging: in the Apache children
# (main interpreter and a sub-interpreter) and in daemon processes, one of
# which has its own switch-interval= and python-eggs=.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Copy ();
use JSON::PP ();
use LWP::UserAgent ();
use Time::HiRes ();
use WsgiServer;

my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event');
my $seed = 4242;
my $expected_hash = `env PYTHONHASHSEED=$seed /usr/bin/python3 -c "print(hash('abc'))"`;
chomp $expected_hash;

for my $mpm (@mpms) {
    my $srv = WsgiServer->new(name => "python-process-$mpm", mpm => $mpm, conf => <<'CONF');
WSGIDontWriteBytecode On
WSGIPythonOptimize 2
WSGIPythonWarnings error::DeprecationWarning
WSGIPythonWarnings ignore::UserWarning:somemodule
WSGIPythonHashSeed 4242
WSGIPythonEggs $root/eggs
WSGISwitchInterval 0.02
WSGIRestrictStdin On
WSGIRestrictStdout On
WSGIRestrictSignal Off
WSGILazyInitialization Off
WSGIVerboseDebugging On
WSGISlowRequests 2
WSGIPythonPath $root/lib
WSGIDaemonProcess d17 processes=1 threads=2
WSGIDaemonProcess d17b processes=1 threads=2 switch-interval=0.03 python-eggs=$root/eggs-b
WSGIScriptAlias /glob $root/facts.wsgi application-group=%{GLOBAL}
WSGIScriptAlias /sub $root/facts.wsgi application-group=sub
WSGIScriptAlias /dmn $root/facts.wsgi process-group=d17 application-group=%{GLOBAL}
WSGIScriptAlias /dmnb $root/facts.wsgi process-group=d17b
WSGIImportScript $root/signal_import.py application-group=%{GLOBAL}
WSGIImportScript $root/signal_import.py process-group=d17 application-group=%{GLOBAL}
CONF
    my $root = $srv->root;
    mkdir "$root/$_" for qw(eggs eggs-b lib);
    File::Copy::copy("$FindBin::Bin/../python/$_", "$root/$_") or die "$_: $!" for qw(facts.wsgi signal_import.py);
    # imported by facts.wsgi through WSGIPythonPath: its __pycache__ would be written without -B
    open my $fh, '>', "$root/lib/block_marker.py" or die $!;
    print $fh "WHERE = 'top-level lib'\n";
    close $fh;
    chmod 0777, "$root/lib";
    chmod 0755, $root;

    my $check = join ' ', map { "'$_'" } $srv->httpd_cmd('-t');
    my $out = `$check 2>&1`;
    like $out, qr/WSGIS0901: WSGILazyInitialization Off at \S+httpd\.conf:\d+ has no effect/,
        "$mpm: WSGILazyInitialization Off: WSGIS0901 names the line";
    like $out, qr/WSGIS0902: WSGIVerboseDebugging On at \S+httpd\.conf:\d+ has no effect/,
        "$mpm: WSGIVerboseDebugging On: WSGIS0902 names the line";

    ok $srv->start, "$mpm: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };
    my $ua = LWP::UserAgent->new(timeout => 30);
    my %f;
    for my $where (qw(glob sub dmn dmnb)) {
        my $res = $ua->get($srv->url("/$where/facts"));
        is $res->code, 200, "$mpm $where: facts" or diag $res->decoded_content;
        $f{$where} = eval { JSON::PP::decode_json($res->decoded_content) } || {};
    }
    for my $where (qw(glob sub dmn dmnb)) {
        my $f = $f{$where};
        ok $f->{dont_write_bytecode}, "$mpm $where: WSGIDontWriteBytecode On: sys.dont_write_bytecode";
        is $f->{optimize}, 2, "$mpm $where: WSGIPythonOptimize 2: sys.flags.optimize";
        ok !$f->{debug}, "$mpm $where: ... __debug__ is False in the script";
        is_deeply $f->{warnoptions}, [ 'error::DeprecationWarning', 'ignore::UserWarning:somemodule' ],
            "$mpm $where: WSGIPythonWarnings: sys.warnoptions, in order";
        is_deeply [ @{ $f->{filters} || [] }[0, 1] ],
            [ [ 'ignore', 'UserWarning', 'somemodule' ], [ 'error', 'DeprecationWarning', '' ] ],
            "$mpm $where: ... the warnings filters (the last one first)";
        is $f->{hash_abc}, $expected_hash, "$mpm $where: WSGIPythonHashSeed $seed: hash('abc') as PYTHONHASHSEED=$seed gives";
        is $f->{stdout_type}, 'Restricted', "$mpm $where: WSGIRestrictStdout On";
        is $f->{stdin_type}, 'Restricted', "$mpm $where: WSGIRestrictStdin On";
        ok !$f->{signal_intercepted}, "$mpm $where: WSGIRestrictSignal Off: the real signal.signal()";
        is $f->{block_marker}, 'top-level lib', "$mpm $where: WSGIPythonPath";
        ok !-e "$root/lib/__pycache__", "$mpm $where: no __pycache__ written next to an imported module";
    }
    is $f{glob}{egg_cache}, "$root/eggs", "$mpm: WSGIPythonEggs: PYTHON_EGG_CACHE in the children";
    is $f{dmn}{egg_cache}, "$root/eggs", "$mpm: ... and in daemon processes";
    is $f{dmnb}{egg_cache}, "$root/eggs-b", "$mpm: ... unless the group has python-eggs=";
    is $f{glob}{switch_interval}, 0.02, "$mpm: WSGISwitchInterval 0.02 in the children";
    is $f{sub}{switch_interval}, 0.02, "$mpm: ... (one value for the process)";
    is $f{dmn}{switch_interval}, 0.02, "$mpm: ... and in daemon processes";
    is $f{dmnb}{switch_interval}, 0.03, "$mpm: ... unless the group has switch-interval=";
    is $f{glob}{hash_randomization}, 1, "$mpm: hash randomization on (seed $seed)";

    # WSGIRestrictSignal Off: WSGIImportScript (the process's main thread) installed its handler
    for my $where (qw(glob dmn)) {
        my $res = $ua->get($srv->url("/$where/getsignal?num=12"));
        my $g = eval { JSON::PP::decode_json($res->decoded_content) } || {};
        like $g->{handler} // '', qr/on_usr2/, "$mpm $where: WSGIRestrictSignal Off: the import script's SIGUSR2 handler is installed";
    }

    # WSGISlowRequests 2: a slow request is logged with its URL, a quick one
    # is not (a quick one may create its interpreter and load its script:
    # half a second on a loaded machine, far from 2 s)
    my $off = length $srv->slurp_log;
    is $ua->get($srv->url('/sub/slow?s=2.2'))->code, 200, "$mpm: a request of 2.2 s";
    is $ua->get($srv->url('/dmn/slow?s=2.2'))->code, 200, "$mpm: ... and one in a daemon process";
    is $ua->get($srv->url('/sub/facts?quick'))->code, 200, "$mpm: a quick one";
    Time::HiRes::sleep(0.5);
    my $log = substr $srv->slurp_log, $off;
    my($took) = $log =~ /\[wsgiscript:warn\][^\n]*\[client [^\n]*WSGIS0905: slow request: GET \/sub\/slow\?s=2\.2 took (\d+\.\d{3}) s \(WSGISlowRequests 2 s\); status 200/;
    ok defined $took && $took >= 2.2, "$mpm: WSGIS0905 for the slow request, with its URL and time (" . ($took // 'none') . ' s, 2.2 or more)';
    like $log, qr/WSGIS0905: slow request: GET \/dmn\/slow\?s=2\.2 /, "$mpm: ... also for daemon mode";
    unlike $log, qr/WSGIS0905[^\n]*quick/, "$mpm: not for the quick one";

    my @crash = grep { /Segmentation fault|exit signal|AH00052|double free|Aborted/ } split /\n/, $srv->slurp_log;
    is scalar(@crash), 0, "$mpm: no crash lines" or diag join "\n", @crash;
    $srv->cleanup;
}

done_testing;
