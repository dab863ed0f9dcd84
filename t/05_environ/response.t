# The response: status line and repeated headers as given, the write()
# callable, and wsgi.file_wrapper.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root ua url);

my $ua = ua();
my $r = $ua->get(url('/response/status'));
is $r->code, 201, 'status 201';
is $r->message, 'Created', 'reason phrase';
is $r->header('X-Custom'), 'custom-value', 'custom header';
is_deeply [ sort $r->header('Set-Cookie') ], [ 'a=1', 'b=2' ], 'repeated Set-Cookie headers both sent';
is $r->decoded_content, 'created', 'body';

$r = $ua->get(url('/response/write'));
is $r->code, 200, 'write(): status 200';
is $r->decoded_content, 'from-write;from-iterable', 'write() output comes before the iterable';

my $file = t_root() . '/logs/response_file.txt';
my $want = join '', map { sprintf "line %05d %s\n", $_, join('', map { chr(97 + ($_ * 7 + $_ ** 2) % 26) } 1 .. 40) } 1 .. 3000;
{ open my $fh, '>', $file or die "$file: $!"; print $fh $want; close $fh }
$r = $ua->get(url('/response/file'));
is $r->code, 200, 'wsgi.file_wrapper: status 200';
is $r->header('Content-Length'), length $want, 'Content-Length';
ok $r->decoded_content eq $want, 'wsgi.file_wrapper: the whole file, byte for byte'
    or diag 'got ' . length($r->decoded_content) . ' bytes, want ' . length($want);

done_testing;
