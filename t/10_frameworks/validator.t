# Apps wrapped in wsgiref.validate.validator: GET, POST, HEAD, chunked POST,
# streaming, write() and file_wrapper responses succeed and no AssertionError
# or WSGIWarning reaches the log (also after a gc.collect(), which runs the
# validator's "iterator garbage collected without being closed" check).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use WsgiTest qw(t_root log_offset);
use PepTest qw(raw_http parse_http hostport settled_log_since error_lines slurp);

my $hp = hostport();
sub req {
    my($method, $path, $extra, $body) = @_;
    $extra //= '';
    $body //= '';
    return parse_http(raw_http("$method /pep/validate$path HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n$extra\r\n$body"));
}

my $off = log_offset();
my $res = req('GET', '/get');
is $res->{code}, 200, 'GET: 200';
is $res->{body}, 'validated GET', 'GET: body';

my $post = join '', map { "line $_ " . ('p' x ($_ % 50)) . "\n" } 1 .. 3000;
$res = req('POST', '/post', "Content-Type: text/plain\r\nContent-Length: " . length($post) . "\r\n", $post);
is $res->{code}, 200, 'POST: 200';
is $res->{body}, length($post) . ' ' . md5_hex($post), 'POST: the app read the whole body';

$res = req('POST', '/post', "Content-Type: text/plain\r\nContent-Length: 0\r\n", '');
is $res->{body}, '0 ' . md5_hex(''), 'POST with an empty body';

my $raw = raw_http("HEAD /pep/validate/head HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n");
like $raw, qr{^HTTP/1\.1 200 OK\r\n}, 'HEAD: 200';
like $raw, qr/\r\n\r\n\z/, 'HEAD: no body';

my $chunked = '';
my $pos = 0;
while ($pos < length $post) {
    my $n = 777;
    $n = length($post) - $pos if $pos + $n > length $post;
    $chunked .= sprintf("%x\r\n", $n) . substr($post, $pos, $n) . "\r\n";
    $pos += $n;
}
$chunked .= "0\r\n\r\n";
$res = req('POST', '/chunked', "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n", $chunked);
is $res->{code}, 200, 'chunked POST: 200';
is $res->{body}, length($post) . ' ' . md5_hex($post), 'chunked POST: the whole body';

$res = req('GET', '/stream');
is $res->{code}, 200, 'streaming: 200';
is $res->{body}, join('', map { "stream $_\n" } 0 .. 4), 'streaming: body';
ok $res->{complete}, 'streaming: complete';

$res = req('GET', '/write');
is $res->{body}, 'written;returned', 'write(): body';
ok $res->{complete}, 'write(): complete';

$res = req('GET', '/file');
is $res->{code}, 200, 'file_wrapper: 200';
my $want = slurp(t_root() . '/pep3333/peputil.py');
ok $res->{body} eq $want, 'file_wrapper: body is the file';
is $res->{header}->('Content-Length'), length($want), 'file_wrapper: Content-Length';

$res = req('GET', '/gc');
like $res->{body}, qr/^collected \d+$/, 'gc.collect() in the validated interpreter';

my $log = settled_log_since($off);
unlike $log, qr/AssertionError/, 'no AssertionError logged';
unlike $log, qr/WSGIWarning/, 'no WSGIWarning logged';
my @err = error_lines($log);
is_deeply \@err, [], 'no error-level log lines' or diag join "\n", @err;

done_testing;
