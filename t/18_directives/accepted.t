# WSGISocketRotation and WSGIAcceptMutex are accepted (mod_wsgi's
# configurations start) and what they do here is said at start-up (WSGIS0617).
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

open my $fh, '<', t_root() . '/logs/error_log' or die $!;
my $log = do { local $/; <$fh> };
like $log, qr/WSGIS0617: WSGISocketRotation Off: daemon sockets keep their path across restarts/, 'WSGISocketRotation noted';
like $log, qr/WSGIS0617: WSGIAcceptMutex posixsem: daemon processes accept their connections without a mutex/, 'WSGIAcceptMutex noted';
my $res = req('GET', '/d18/dmn/x');
is $res->{code}, 200, 'daemon mode works with both';

done_testing;
