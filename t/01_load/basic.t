# A script is loaded once as module _mod_wsgi_<md5 of path>, with __file__,
# __mtime__ and __wsgiscript_generation__, in an interpreter that has a
# mod_wsgi module; loads are logged with WSGIS0101.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Apache::TestRequest ();
use WsgiTest qw(t_root ua url get_json log_offset wait_log module_name_for);

my $root = t_root();
my $info = "$root/wsgi/info.wsgi";
my $hello = "$root/wsgi/hello.wsgi";
utime 1700000000, 1700000000, $info or die "utime $info: $!";

my $ua = ua();
my $off = log_offset();

my $res = $ua->get(url('/hello'));
is $res->code, 200, 'GET /hello is 200';
is $res->decoded_content, 'Hello, World!', '/hello body';
my $log = wait_log($off, qr/WSGIS0101\b[^\n]*\Q$hello\E/);
like $log, qr/WSGIS0101\b[^\n]*\Q$hello\E/, 'load of hello.wsgi logged with WSGIS0101 and its path';

(my $r1, my $d) = get_json($ua, '/info');
is $r1->code, 200, 'GET /info is 200';
ok $d, 'GET /info returns JSON' or diag $r1->as_string;
$d ||= {};
is $d->{name}, module_name_for($info), '__name__ is _mod_wsgi_ + md5_hex(path)';
ok $d->{in_sys_modules}, 'module is in sys.modules under its name';
is $d->{file}, $info, '__file__ is the script path';
is $d->{mtime}, 1700000000 * 1_000_000, '__mtime__ is the file mtime in microseconds';
is $d->{generation}, 1, '__wsgiscript_generation__ is 1 on first load';
ok $d->{mod_wsgi}{version_is_tuple}, 'mod_wsgi.version is a tuple';
is $d->{mod_wsgi}{process_group}, '', "mod_wsgi.process_group is ''";
my $hostport = Apache::TestRequest::hostport();
is $d->{mod_wsgi}{application_group}, "$hostport|/info",
    'mod_wsgi.application_group is %{RESOURCE} (host:port|script name)';
is $d->{second}, 'pylib2', 'second WSGIPythonPath entry is importable';
ok scalar(grep { $_ eq "$root/pylib" } @{ $d->{sys_path} || [] }), 'WSGIPythonPath dir 1 in sys.path';
ok scalar(grep { $_ eq "$root/pylib2" } @{ $d->{sys_path} || [] }), 'WSGIPythonPath dir 2 in sys.path';
is $d->{sys_prefix}, '/usr', 'WSGIPythonHome /usr gives sys.prefix /usr';

$log = wait_log($off, qr/WSGIS0101\b[^\n]*\Q$info\E/);
like $log, qr/WSGIS0101\b[^\n]*\Q$info\E/, 'load of info.wsgi logged with WSGIS0101';
like $log, qr/\[wsgiscript:info\][^\n]*WSGIS0101/, 'WSGIS0101 is logged at info level';

(my $r2, my $d2) = get_json($ua, '/info');
is $r2->code, 200, 'second GET /info is 200';
is $d2 && $d2->{pid}, $d->{pid}, 'same child (keep-alive)';
is $d2 && $d2->{generation}, 1, 'not reloaded: generation still 1';
unlike log_since_all($off), qr/WSGIS0102\b[^\n]*\Q$info\E/, 'no reload logged for an unchanged script';

sub log_since_all { WsgiTest::log_since(shift) }

done_testing;
