package ProxyTest;
# t/16_proxy: one request with exactly the header lines given to
# t/proxy/env.wsgi, its environ back; the two ways the app runs.
use strict;
use warnings;

use Exporter 'import';
use JSON::PP ();
use PepTest qw(raw_http parse_http hostport);

our @EXPORT_OK = qw(env_of modes hostport);

# env_of($path, [header lines], vhost => NAME) -> the environ as a hashref,
# plus _status (the HTTP status) and _body (when the body was no JSON).
sub env_of {
    my($path, $headers, %o) = @_;
    my $hp = hostport($o{vhost});
    my $req = "GET $path HTTP/1.1\r\nHost: $hp\r\n" . join('', map { "$_\r\n" } @{ $headers || [] })
            . "Connection: close\r\n\r\n";
    my $r = parse_http(raw_http($req, vhost => $o{vhost}));
    my $d = eval { JSON::PP::decode_json($r->{body}) };
    $d = { _body => $r->{body} } unless ref $d eq 'HASH';
    $d->{_status} = $r->{code};
    return $d;
}

# [name, URL prefix, process group]: embedded at /p16, daemon group p16 at /p16d
sub modes { (['embedded', '/p16', ''], ['daemon', '/p16d', 'p16']) }

1;
