# WSGIPassApacheRequest On (embedded mode, as mod_wsgi): environ
# ['apache.request_rec'] is a PyCapsule of the request_rec; C code (here
# ctypes) reads the request line from it. Off, and daemon mode: absent.
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

my $res = req('GET', '/d18/emb/request_rec?q=1');
my $d = json($res);
is $res->{code}, 200, 'On: 200';
ok $d->{has_request_rec}, "On: environ['apache.request_rec'] is there";
is $d->{capsule_type}, 'PyCapsule', 'a PyCapsule';
is $d->{the_request}, 'GET /d18/emb/request_rec?q=1 HTTP/1.1', "the request_rec's the_request, read through it";

$d = json(req('GET', '/d18/emb/x'));
ok !$d->{has_request_rec}, 'Off (the default): no apache.request_rec';

$d = json(req('GET', '/d18/dmn/request_rec'));
is $d->{group}, 'd18', 'daemon mode request';
ok !$d->{has_request_rec}, 'daemon mode: no apache.request_rec (as mod_wsgi)';

done_testing;
