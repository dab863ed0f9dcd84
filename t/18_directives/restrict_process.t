# WSGIRestrictProcess: a request may only be delegated to a listed process
# group (%{GLOBAL}: embedded); otherwise 500 and WSGIS0616 in mod_wsgi's words.
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

my $off = log_offset();
my $res = req('GET', '/d18/dmn/restrict_other');
is $res->{code}, 500, 'group d18 not listed: 500';
ok wait_log($off, qr/WSGIS0616: Daemon process called 'd18' cannot be accessed by this WSGI application as not a member of allowed groups/),
    'WSGIS0616 names the group';

$res = req('GET', '/d18/dmn/restrict_ok');
is $res->{code}, 200, 'group listed: 200';
is json($res)->{group}, 'd18', 'served by d18';

$res = req('GET', '/d18/emb/restrict_global');
is $res->{code}, 200, '%{GLOBAL} listed: embedded request served';

$off = log_offset();
$res = req('GET', '/d18/emb/restrict_daemon_only');
is $res->{code}, 500, 'embedded request where only d18 is allowed: 500';
ok wait_log($off, qr/WSGIS0616: Daemon process called '%\{GLOBAL\}' cannot be accessed/), 'WSGIS0616 for %{GLOBAL}';

done_testing;
