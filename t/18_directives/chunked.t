# WSGIChunkedRequest: Off (mod_wsgi's default) answers a chunked request body
# 411 without running the application (WSGIS0409); On passes it through.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP qw(decode_json);
use WsgiTest qw(log_offset wait_log log_since t_root);
use PepTest qw(raw_http parse_http hostport);

my $hp = hostport();
sub req {
    my($method, $path, $extra, $body) = @_;
    $extra //= '';
    $body //= '';
    return parse_http(raw_http("$method $path HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n$extra\r\n$body"));
}
sub json { my $r = shift; my $d = eval { decode_json($r->{body}) }; return $d || {} }

my $body = 'x' x 5000;
my $chunked = sprintf("%x\r\n", length $body) . $body . "\r\n0\r\n\r\n";

my $off = log_offset();
my $res = req('POST', '/d18/emb/chunk_off', "Transfer-Encoding: chunked\r\n", $chunked);
is $res->{code}, 411, 'WSGIChunkedRequest Off: 411 Length Required';
ok wait_log($off, qr/WSGIS0409: Received request requiring chunked transfer encoding, but optional support for chunked transfer encoding has not been enabled/),
    "WSGIS0409 in mod_wsgi's words";

$res = req('POST', '/d18/emb/chunk_on', "Transfer-Encoding: chunked\r\n", $chunked);
is $res->{code}, 200, 'WSGIChunkedRequest On: 200';
is json($res)->{body_len}, 5000, 'On: the whole body reaches the application';

$res = req('POST', '/d18/dmn/chunk_on', "Transfer-Encoding: chunked\r\n", $chunked);
is $res->{code}, 200, 'daemon mode, On: 200';
is json($res)->{body_len}, 5000, 'daemon mode, On: the whole body';

$res = req('POST', '/d18/emb/chunk_off', "Content-Length: 5000\r\n", $body);
is $res->{code}, 200, 'Off: a body with Content-Length is served';

done_testing;
