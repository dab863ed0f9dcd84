# WSGIScriptAlias to a file that does not exist: 404 and WSGIS0106.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root ua url log_offset wait_log);

my $script = t_root() . '/wsgi/does_not_exist.wsgi';
my $off = log_offset();
my $res = ua()->get(url('/errors/missing'));
is $res->code, 404, 'missing script gives 404';
my $log = wait_log($off, qr/WSGIS0106/);
like $log, qr/WSGIS0106\b[^\n]*\Q$script\E/, 'WSGIS0106 names the missing script';

$off = log_offset();
$res = ua()->get(url('/dir/nosuch.wsgi'));
is $res->code, 404, 'missing script in a WSGIScriptAlias directory gives 404';
$log = wait_log($off, qr/WSGIS0106/);
like $log, qr/WSGIS0106\b[^\n]*nosuch\.wsgi/, 'WSGIS0106 names it';

done_testing;
