# WSGIMapHEADToGET On|Off|Auto (mod_wsgi's default Auto: a HEAD request is
# shown to the application as GET when a content output filter, which may
# need the whole response, is on the request; On: always; Off: never).
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

sub method_seen {
    my $path = shift;
    my $res = req('HEAD', $path);
    return ($res->{code}, ($res->{headers}{'x-method'} || [''])->[0], $res->{body});
}

my @cases = (
    [ '/d18/emb/head_auto',         'GET'  => 'HEAD', 'Auto without a content filter' ],
    [ '/d18/emb/head_auto_deflate', 'GET'  => 'GET',  'Auto with SetOutputFilter DEFLATE' ],
    [ '/d18/emb/head_on',           'GET'  => 'GET',  'On' ],
    [ '/d18/emb/head_off',          'GET'  => 'HEAD', 'Off' ],
    [ '/d18/emb/head_off_deflate',  'GET'  => 'HEAD', 'Off with SetOutputFilter DEFLATE' ],
    [ '/d18/dmn/head_auto',         'GET'  => 'HEAD', 'daemon mode, Auto without a content filter' ],
);
for my $c (@cases) {
    my($path, undef, $want, $what) = @$c;
    my($code, $seen, $body) = method_seen($path);
    is $code, 200, "$what: 200";
    is $seen, $want, "$what: the application sees $want";
    is $body, '', "$what: no body goes to the client";
}

my $res = req('GET', '/d18/emb/head_on');
is json($res)->{method}, 'GET', 'a GET stays GET';

done_testing;
