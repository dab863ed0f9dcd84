# WSGIErrorOverride On (daemon mode, as mod_wsgi): an error status from the
# application is answered with Apache's error document instead of the
# application's page; Off, and embedded mode, keep the application's page.
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

my $res = req('GET', '/d18/dmn/override/status?404');
is $res->{code}, 404, 'daemon, On: the status stays 404';
like $res->{body}, qr/apache-error-document-404/, "daemon, On: Apache's ErrorDocument";
unlike $res->{body}, qr/app-error-page/, "daemon, On: not the application's page";

$res = req('GET', '/d18/dmn/override/status?503');
is $res->{code}, 503, 'daemon, On: 503 stays 503';
like $res->{body}, qr/apache-error-document-503/, 'daemon, On: the 503 ErrorDocument';

$res = req('GET', '/d18/dmn/override/status?200');
is $res->{code}, 200, 'daemon, On: a success is passed through';
is $res->{body}, 'app-error-page-200', "daemon, On: the application's body for a success";

$res = req('GET', '/d18/dmn/no_override/status?404');
is $res->{code}, 404, 'daemon, Off: 404';
is $res->{body}, 'app-error-page-404', "daemon, Off: the application's page";

$res = req('GET', '/d18/emb/override/status?404');
is $res->{code}, 404, 'embedded, On: 404';
is $res->{body}, 'app-error-page-404', "embedded mode: the application's page (mod_wsgi: daemon mode only)";

# the daemon connection stays usable after an overridden response
$res = req('GET', '/d18/dmn/override/status?404');
$res = req('GET', '/d18/dmn/x');
is $res->{code}, 200, 'daemon: the next request is served';

done_testing;
