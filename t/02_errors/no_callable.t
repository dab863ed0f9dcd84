# The script has no "application": 404 (as mod_wsgi) and WSGIS0105 naming callable and script.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root ua url log_offset wait_log);

my $script = t_root() . '/wsgi/nocallable.wsgi';
my $off = log_offset();
my $res = ua()->get(url('/errors/nocallable'));
is $res->code, 404, 'missing callable gives 404, as mod_wsgi';
my $log = wait_log($off, qr/WSGIS0105/);
like $log, qr/WSGIS0105\b[^\n]*application/, 'WSGIS0105 names the callable "application"';
like $log, qr/WSGIS0105\b[^\n]*\Q$script\E/, 'WSGIS0105 names the script';

done_testing;
