# WSGIRestrictStdin, WSGIRestrictStdout and WSGIRestrictSignal per
# interpreter (<WSGIInterpreterOptions>), embedded and in a daemon process
# group, with mod_wsgi's defaults (stdin and stdout free, signal.signal()
# restricted) and messages (t/conf/17_python.conf.in, t/python/facts.wsgi).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url log_offset wait_log settled_log_since t_root);
use PepTest qw(json_of);

my $ua = ua();
sub get { my $r = $ua->get(url(shift)); return ($r->code, json_of($r->decoded_content) || {}) }

# --- the defaults (no block) -------------------------------------------------
my($code, $f) = get('/py17/default/facts');
is $code, 200, 'default: facts';
ok $f->{stdout_is_textio} && $f->{stderr_is_textio}, 'default: sys.stdout and sys.stderr are io.TextIOWrapper';
isnt $f->{stdin_type}, 'Restricted', "default: sys.stdin is not restricted ($f->{stdin_type})";
ok $f->{signal_intercepted}, 'default: signal.signal is the interceptor';

my $d;
($code, $d) = get('/py17/default/stdin');
is $code, 200, 'default: reading sys.stdin';
unlike $d->{message} // '', qr/restricted/, 'default: reading sys.stdin is not refused';

my $off = log_offset();
($code, $d) = get('/py17/default/print?text=py17-printed-default');
ok $d->{printed}, 'default: print() works';
like wait_log($off, qr/py17-printed-default/), qr/WSGIS0201: py17-printed-default/, 'default: ... and goes to the error log';

$off = log_offset();
($code, $d) = get('/py17/default/signal?num=12');
ok $d->{returned_handler}, 'default: signal.signal() returns the handler it was given (no exception)';
ok !$d->{installed}, '... but installs nothing';
my $log = wait_log($off, qr/WSGIS0903.*\n.*facts\.wsgi/);
like $log, qr/\[wsgiscript:warn\] [^\n]*\[client [^\n]*WSGIS0903: callback registration for signal 12 ignored \(WSGIRestrictSignal On\)/,
    'default: WSGIS0903 warning, for the request';
like $log, qr/WSGIS0903:   File "[^"]*facts\.wsgi", line \d+, in application/, '... with the caller\'s stack';

# At start-up (WSGIImportScript, the process's main thread) too.
open my $fh, '<', t_root() . '/logs/error_log' or die $!;
my $all = do { local $/; <$fh> };
like $all, qr/WSGIS0903:   File "[^"]*signal_import\.py", line \d+/, 'WSGIImportScript calling signal.signal(): WSGIS0903 with its stack';

# The main interpreter: signal.signal(SIGTERM, SIG_IGN) never reaches the
# process (under prefork the request runs on the child's main thread, where
# the real function would install it).
($code, $d) = get('/py17/global/sigterm');
is $code, 200, 'main interpreter: signal.signal(SIGTERM, SIG_IGN)';
ok $d->{called}, '... returns without an exception';
ok !$d->{ignores_sigterm}, "... and the process still takes SIGTERM (main thread: " . ($d->{main_thread} ? 'yes' : 'no') . ')';

# --- everything restricted (application-group block) --------------------------
($code, $f) = get('/py17/closed/facts');
is $f->{stdout_type}, 'Restricted', 'closed: sys.stdout restricted';
is $f->{stdin_type}, 'Restricted', 'closed: sys.stdin restricted';
($code, $d) = get('/py17/closed/stdin');
is $d->{type}, 'OSError', 'closed: reading sys.stdin raises OSError';
is $d->{message}, 'sys.stdin access restricted by mod_wsgi', "... with mod_wsgi's message";
($code, $d) = get('/py17/closed/print?text=py17-never-printed');
is $d->{type}, 'OSError', 'closed: print() raises OSError';
is $d->{message}, 'sys.stdout access restricted by mod_wsgi', "... with mod_wsgi's message";

# --- signal.signal() let through (WSGIRestrictSignal Off) ---------------------
$off = log_offset();
($code, $f) = get('/py17/open/facts');
ok !$f->{signal_intercepted}, 'open: signal.signal is the real one';
($code, $d) = get('/py17/open/signal?num=12');
is $d->{type}, 'ValueError', 'open: the real signal.signal() runs (and refuses: a sub-interpreter)';
like $d->{message}, qr/main thread/, "... with Python's own message";
$log = settled_log_since($off);
unlike $log, qr/WSGIS0903/, 'open: no WSGIS0903';

# --- a daemon process group ---------------------------------------------------
($code, $f) = get('/py17/d-closed/facts');
is $code, 200, 'daemon: facts';
is $f->{mod_wsgi}{process_group}, 'py17', 'daemon: served by the py17 group';
is $f->{stdout_type}, 'Restricted', 'daemon: the process-group block restricts sys.stdout';
is $f->{stdin_type}, 'Restricted', '... and sys.stdin';
ok $f->{signal_intercepted}, '... and signal.signal() (the default)';
($code, $d) = get('/py17/d-closed/print?text=x');
is $d->{message}, 'sys.stdout access restricted by mod_wsgi', 'daemon: print() refused';
$off = log_offset();
($code, $d) = get('/py17/d-closed/signal?num=12');
ok $d->{returned_handler} && !$d->{installed}, 'daemon: signal.signal() ignored';
like wait_log($off, qr/WSGIS0903.*\n.*facts\.wsgi/), qr/WSGIS0903: callback registration for signal 12 ignored/,
    'daemon: WSGIS0903 logged';

($code, $f) = get('/py17/d-open/facts');
is $f->{stdout_type}, 'TextIOWrapper', 'daemon: the more specific block lets d-open print';
isnt $f->{stdin_type}, 'Restricted', '... and read sys.stdin';
ok !$f->{signal_intercepted}, '... and call signal.signal()';
$off = log_offset();
($code, $d) = get('/py17/d-open/print?text=py17-printed-daemon');
ok $d->{printed}, 'daemon d-open: print() works';
like wait_log($off, qr/py17-printed-daemon/), qr/WSGIS0201: py17-printed-daemon/, '... into the error log';

done_testing;
