# %{RESOURCE} (the default application group) is "host:port|script-name" as
# in mod_wsgi, where the port is the one the request came in on
# (ap_get_server_port), also when ServerName has no port. Checked against
# Debian's mod_wsgi 4.9.4 on this config: '127.0.0.1:PORT|/res'.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use WsgiServer;

my $srv = WsgiServer->new(name => 'resource',
    conf => "WSGIScriptAlias /Res \$root/group.wsgi\n");
open my $fh, '>', "$srv->{root}/group.wsgi" or die $!;
print $fh <<'PY';
import mod_wsgi


def application(environ, start_response):
    body = mod_wsgi.application_group.encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
PY
close $fh;
ok $srv->start, 'server starts' or diag $srv->slurp_log;
my $res = LWP::UserAgent->new(timeout => 30)->get($srv->url('/Res/x'));
is $res->code, 200, 'status 200';
is $res->decoded_content, "127.0.0.1:$srv->{port}|/res",
    'ServerName without port: application group has the request port, script name lower-cased';
$srv->cleanup;

done_testing;
