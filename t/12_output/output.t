# What the application writes reaches the error log, tagged WSGIS0201:
# print() (sys.stdout), sys.stderr and environ['wsgi.errors']
# (t/wsgi/output.wsgi, /output). sys.stdout/sys.stderr keep an unfinished
# line per request (t/hardening/stdout.wsgi, /hard/out): request A's partial
# line is logged under A when A ends, never glued to request B's text;
# output that never ends a line is logged in pieces of at most 8000 bytes
# instead of being held without bound.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use WsgiTest qw(ua url log_offset wait_log settled_log_since);
use PepTest qw(hostport);

# --- print(), sys.stderr, wsgi.errors -----------------------------------------------
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

# --- unfinished lines: one per request, bounded -----------------------------------
my $hp = hostport();
my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 30);
my $tag = "p$$";

$off = log_offset();
is $ua->get("http://$hp/hard/out/partial?text=AAA$tag")->code, 200, 'A: partial line written';
is $ua->get("http://$hp/hard/out/line?text=BBB$tag")->code, 200, 'B: a whole line';
$log = settled_log_since($off);
like $log, qr/WSGIS0201: AAA$tag\n/, "A's unfinished text is logged as its own line when A ends";
like $log, qr/WSGIS0201: BBB$tag\n/, "B's line is logged alone";
unlike $log, qr/AAA${tag}BBB/, 'never glued together';

$off = log_offset();
is $ua->get("http://$hp/hard/out/long?kib=100")->code, 200, '100 KiB without a newline';
$log = settled_log_since($off);
my @pieces = $log =~ /WSGIS0201: (L+)\n/g;
my $total = 0;
$total += length for @pieces;
is $total, 100 * 1024, 'every byte was logged';
ok !(grep { length > 8000 } @pieces), 'in pieces of at most 8000 bytes (' . scalar(@pieces) . ' pieces)';

done_testing;
