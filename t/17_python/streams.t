# wsgi.errors, sys.stdout and sys.stderr are io.TextIOWrapper streams, as
# under mod_wsgi, whose .buffer takes bytes, bytearray and memoryview
# (t/python/facts.wsgi /buffer); a script doing at import what Mercurial's
# procutil does (t/python/hg_like.wsgi) loads and writes through them,
# embedded and in a daemon process.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url log_offset wait_log);
use PepTest qw(json_of);

my $ua = ua();
my $id = "s$$";

my $r = $ua->get(url('/py17/default/facts'));
my $f = json_of($r->decoded_content) || {};
ok $f->{stdout_is_textio}, 'sys.stdout is an io.TextIOWrapper';
ok $f->{stderr_is_textio}, 'sys.stderr is an io.TextIOWrapper';
ok $f->{errors_is_textio}, "environ['wsgi.errors'] is an io.TextIOWrapper";

my $off = log_offset();
$r = $ua->get(url("/py17/default/buffer?id=$id"));
is $r->code, 200, 'bytes written through the buffers';
my $log = wait_log($off, qr/errors-text-$id/);
like $log, qr/\[client [^\]]+\] WSGIS0201: stdout-bytes-$id\n/, 'sys.stdout.buffer.write(bytes): one line, for the request';
like $log, qr/\[client [^\]]+\] WSGIS0201: stderr-bytearray-$id\n/, 'sys.stderr.buffer.write(bytearray)';
like $log, qr/\[client [^\]]+\] WSGIS0201: errors-memoryview-$id\n/, "wsgi.errors.buffer.write(memoryview)";
like $log, qr/WSGIS0201: errors-text-$id\n/, 'wsgi.errors.write(str) still';

for my $case ([ embedded => '/py17/hgimport' ], [ daemon => '/py17/hg-d' ]) {
    my($where, $path) = @$case;
    $off = log_offset();
    $r = $ua->get(url("$path?$where$id"));
    is $r->code, 200, "$where: a script keeping sys.stdin.buffer/sys.stdout.buffer at import loads";
    like $r->decoded_content, qr/^tty=False stdin=/, "$where: ... isatty() is False";
    $log = wait_log($off, qr/hg-like-stderr-$where$id/);
    like $log, qr/WSGIS0201: hg-like-stdout-$where$id\n/, "$where: its bytes to sys.stdout.buffer reach the log";
    like $log, qr/WSGIS0201: hg-like-stderr-$where$id\n/, "$where: ... and to sys.stderr.buffer";
}

done_testing;
