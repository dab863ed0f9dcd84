# An exception while importing the script: 500, WSGIS0103 with the script
# path and the traceback, and the next request imports it again.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root ua url log_offset wait_log log_since);

my $root = t_root();
my $script = "$root/wsgi/import_error.wsgi";
my $flag = "$root/logs/import_error.flag";
open my $fh, '>', $flag or die "$flag: $!"; close $fh;

my $ua = ua();
my $off = log_offset();
my $res = $ua->get(url('/errors/import'));
is $res->code, 500, 'import failure gives 500';
my $log = wait_log($off, qr/import-boom/);
like $log, qr/WSGIS0103\b[^\n]*\Q$script\E/, 'WSGIS0103 names the script path';
like $log, qr/Traceback \(most recent call last\)/, 'traceback is logged';
like $log, qr/raise RuntimeError\('import-boom from import_error\.wsgi'\)/, 'traceback shows the raising line';
like $log, qr/RuntimeError: import-boom from import_error\.wsgi/, 'exception type and message logged';
like $log, qr/\[wsgiscript:error\][^\n]*WSGIS0103/, 'WSGIS0103 is logged at error level';

unlink $flag;
$off = log_offset();
$res = $ua->get(url('/errors/import'));
is $res->code, 200, 'next request retries the import and succeeds';
is $res->decoded_content, 'imported fine', 'body of the retried script';
$log = wait_log($off, qr/WSGIS0101\b[^\n]*\Q$script\E/);
like $log, qr/WSGIS0101\b[^\n]*\Q$script\E/, 'successful load logged with WSGIS0101';

done_testing;
