# SystemExit while importing is logged (WSGIS0104, warning) and is not fatal:
# the child keeps serving.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root ua url log_offset wait_log get_json);

my $root = t_root();
my $script = "$root/wsgi/sysexit.wsgi";
my $ua = ua();
(undef, my $before) = get_json($ua, '/info');
my $off = log_offset();
my $res = $ua->get(url('/errors/sysexit'));
is $res->code, 500, 'script that calls sys.exit() at import gives 500';
my $log = wait_log($off, qr/WSGIS0104/);
like $log, qr/WSGIS0104\b[^\n]*\Q$script\E/, 'WSGIS0104 names the script';
like $log, qr/\[wsgiscript:warn\][^\n]*WSGIS0104/, 'WSGIS0104 is a warning';

(my $r2, my $after) = get_json($ua, '/info');
is $r2->code, 200, 'the server keeps serving after SystemExit';
ok $before && $before->{pid} && kill(0, $before->{pid}),
    'the child that served before is still alive (a 500 closes the connection, so the next request may go elsewhere)';
my($exit_pid) = $log =~ /\[pid (\d+)[^\]]*\][^\n]*WSGIS0104/;
ok $exit_pid && kill(0, $exit_pid), 'the child that ran sys.exit() is still alive';
$res = $ua->get(url('/errors/sysexit'));
is $res->code, 500, 'and the SystemExit script fails again, still without killing the child';
(my $r3, my $again) = get_json($ua, '/info');
is $r3->code, 200, 'serving after the second SystemExit';

done_testing;
