# AddHandler / SetHandler wsgi-script, which need Options ExecCGI
# (without it: 403 and WSGIS0107).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root ua url get_json log_offset wait_log);

my $root = t_root();
my $ua = ua();

(my $r, my $d) = get_json($ua, '/handlers/exec/app.wsgi/pi');
is $r->code, 200, 'AddHandler wsgi-script .wsgi with ExecCGI: 200';
is $d && $d->{script}, 'exec', 'runs handlers/exec/app.wsgi';
is $d && $d->{SCRIPT_NAME}, '/handlers/exec/app.wsgi', 'SCRIPT_NAME';
is $d && $d->{PATH_INFO}, '/pi', 'PATH_INFO';

($r, $d) = get_json($ua, '/handlers/sethandler/app.py');
is $r->code, 200, 'SetHandler wsgi-script with ExecCGI: 200';
is $d && $d->{script}, 'sethandler', 'runs handlers/sethandler/app.py';

my $off = log_offset();
$r = $ua->get(url('/handlers/noexec/app.wsgi'));
is $r->code, 403, 'without Options ExecCGI: 403';
unlike $r->decoded_content, qr/"script"/, 'the script did not run';
my $log = wait_log($off, qr/WSGIS0107/);
like $log, qr/WSGIS0107\b[^\n]*\Q$root\E\/handlers\/noexec\/app\.wsgi/, 'WSGIS0107 names the script';

done_testing;
