# Configuration errors of the interpreter-level directives: httpd refuses
# to start (apache2 -t) and names the file and line, with a sentence saying
# why; and the values that ask for what Python 3.11 does anyway are accepted.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiServer;

my $srv = WsgiServer->new(name => 'python-config');

sub configtest {
    my $conf = shift;
    $srv->{conf} = $conf;
    $srv->write_conf;
    my $cmd = join ' ', map { "'$_'" } $srv->httpd_cmd('-t');
    my $out = `$cmd 2>&1`;
    return ($? == 0, $out);
}

my @refused = (
    [ "WSGIPerInterpreterGIL On\n", qr/WSGIPerInterpreterGIL: On cannot be honoured: a per-interpreter GIL \(PEP 684\) needs Python 3\.12 or later; this module is built against Python 3\.11/ ],
    [ "<WSGIInterpreterOptions application-group=a>\n    WSGIPerInterpreterGIL On\n</WSGIInterpreterOptions>\n", qr/WSGIPerInterpreterGIL: On cannot be honoured/ ],
    [ "WSGIFreeThreading On\n", qr/WSGIFreeThreading: On cannot be honoured: running without the GIL \(PEP 703\) needs a free-threaded build of Python 3\.13 or later/ ],
    [ "WSGIPythonOptimize 3\n", qr/WSGIPythonOptimize: must be 0, 1 or 2/ ],
    [ "WSGIPythonHashSeed abc\n", qr/WSGIPythonHashSeed: must be "random" or an integer in range \[0; 4294967295\], not 'abc'/ ],
    [ "WSGIPythonHashSeed 4294967296\n", qr/WSGIPythonHashSeed: must be "random" or an integer/ ],
    [ "WSGIPythonWarnings bogus::DeprecationWarning\n", qr/WSGIPythonWarnings: 'bogus::DeprecationWarning': unknown action 'bogus'/ ],
    [ "WSGIPythonWarnings error::Not-A-Class\n", qr/WSGIPythonWarnings: 'error::Not-A-Class': 'Not-A-Class' is not a warning category name/ ],
    [ "WSGIPythonWarnings error::Warning:m:x\n", qr/line number 'x' is not a number/ ],
    [ "WSGISwitchInterval 0\n", qr/WSGISwitchInterval: must be a positive number of seconds/ ],
    [ "WSGISwitchInterval abc\n", qr/WSGISwitchInterval: must be a positive number of seconds/ ],
    [ "<WSGIInterpreterOptions application-group=a>\n    WSGISwitchInterval 0.01\n</WSGIInterpreterOptions>\n",
      qr/WSGISwitchInterval: cannot be set for an application group: [^\n]*a per-interpreter GIL needs Python 3\.12/ ],
    [ "<WSGIInterpreterOptions bogus=x>\n</WSGIInterpreterOptions>\n", qr/<WSGIInterpreterOptions>: unknown selector 'bogus'/ ],
    [ "<WSGIInterpreterOptions process-group=a process-group=b>\n</WSGIInterpreterOptions>\n", qr/process-group= given more than once/ ],
    [ "<WSGIInterpreterOptions application-group=%{RESOURCE}>\n</WSGIInterpreterOptions>\n", qr/only a literal name or %\{GLOBAL\} can be selected/ ],
    [ "<WSGIInterpreterOptions>\n    WSGIPythonHome /usr\n</WSGIInterpreterOptions>\n",
      qr/<WSGIInterpreterOptions>: WSGIPythonHome \(\S+httpd\.conf:\d+\) cannot stand here/ ],
    [ "<VirtualHost *:80>\n<WSGIInterpreterOptions>\n</WSGIInterpreterOptions>\n</VirtualHost>\n", qr/cannot occur within <VirtualHost> section/ ],
    [ "<VirtualHost *:80>\nWSGIRestrictStdout On\n</VirtualHost>\n", qr/WSGIRestrictStdout cannot occur within <VirtualHost> section/ ],
    [ "<Location /x>\nWSGIRestrictSignal Off\n</Location>\n", qr/WSGIRestrictSignal not allowed in <Location> context/ ],
    [ "WSGITelemetryService unix:/tmp/x interval=1\n", qr/WSGITelemetryService: is not supported: mod_wsgi 6's telemetry reporter/ ],
    [ "WSGITelemetryOptions +CaptureUserAgent\n", qr/WSGITelemetryOptions: is not supported/ ],
    [ "WSGISlowRequests -1\n", qr/WSGISlowRequests: must be a number of seconds, 0 or more/ ],
    [ "WSGIDestroyInterpreter Maybe\n", qr/WSGIDestroyInterpreter must be On or Off/ ],
);
for my $case (@refused) {
    my($conf, $re) = @$case;
    (my $label = $conf) =~ s/\n\s*/ | /g;
    my($ok, $out) = configtest($conf);
    ok !$ok, "refused: $label";
    like $out, qr/Syntax error on line \d+ of \S+httpd\.conf:\n[^\n]*$re/, "... names the file and line, and why" or diag $out;
}

my($ok, $out) = configtest(<<'CONF');
WSGIPerInterpreterGIL Off
WSGIFreeThreading Off
WSGIPythonHashSeed random
WSGIPythonOptimize 0
WSGIPythonWarnings default
WSGIPythonWarnings "ignore:some message:DeprecationWarning:pkg.mod:12"
WSGIDestroyInterpreter On
WSGILazyInitialization On
WSGIVerboseDebugging Off
WSGISlowRequests 0
<WSGIInterpreterOptions process-group=%{GLOBAL} application-group=%{GLOBAL}>
    WSGIPerInterpreterGIL Off
    WSGIFreeThreading Off
    WSGIRestrictStdin On
    WSGIRestrictStdout On
    WSGIRestrictSignal On
    WSGIPythonPath /tmp/a:/tmp/b
</WSGIInterpreterOptions>
<WSGIInterpreterOptions process-group=somegroup>
    WSGISwitchInterval 0.001
</WSGIInterpreterOptions>
CONF
ok $ok, 'accepted: the values asking for what Python 3.11 does, blocks with their directives' or diag $out;
unlike $out, qr/WSGIS090[12]/, '... without a start-up notice';

$srv->cleanup;
done_testing;
