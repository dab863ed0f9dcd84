# print(), sys.stderr and environ['wsgi.errors'] reach the error log (WSGIS0201).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url log_offset wait_log);

my $id = "o$$";
my $off = log_offset();
my $r = ua()->get(url("/output?id=$id"));
is $r->code, 200, 'status 200';
is $r->decoded_content, "logged $id", 'body';
my $log = wait_log($off, qr/print-marker-$id.*errors-marker-$id|errors-marker-$id.*print-marker-$id/s);
like $log, qr/WSGIS0201\b[^\n]*print-marker-$id/, 'print() output in the error log, tagged WSGIS0201';
like $log, qr/WSGIS0201\b[^\n]*errors-marker-$id/, 'wsgi.errors output in the error log, tagged WSGIS0201';
$log = wait_log($off, qr/stderr-marker-$id/);
like $log, qr/WSGIS0201\b[^\n]*stderr-marker-$id/, 'sys.stderr output in the error log, tagged WSGIS0201';

done_testing;
