# An exception raised by the application: 500 and WSGIS0110 with traceback.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root ua url log_offset wait_log);

my $script = t_root() . '/wsgi/app_error.wsgi';
my $ua = ua();
my $off = log_offset();
my $res = $ua->get(url('/errors/app'));
is $res->code, 500, 'application exception gives 500';
my $log = wait_log($off, qr/app-boom/);
like $log, qr/WSGIS0110/, 'WSGIS0110 logged';
like $log, qr/Traceback \(most recent call last\)/, 'traceback logged';
like $log, qr/\Q$script\E/, 'traceback names the script';
like $log, qr/raise ValueError\('app-boom from app_error\.wsgi'\)/, 'traceback shows the raising line';
like $log, qr/ValueError: app-boom from app_error\.wsgi/, 'exception type and message';

$res = $ua->get(url('/hello'));
is $res->code, 200, 'server keeps serving';

done_testing;
