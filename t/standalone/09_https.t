# One server, two listeners: the main one plain http, a second one with
# mod_ssl (self-signed certificate made at test time). Over https the app
# sees wsgi.url_scheme 'https' and HTTPS set ('on' from mod_ssl, or '1' from
# our own fallback); over http it sees 'http' and no HTTPS key. SERVER_PORT
# is the port the request came in on.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use WsgiServer;

my $MODDIR = '/usr/lib/apache2/modules';
plan skip_all => 'mod_ssl not installed' unless -f "$MODDIR/mod_ssl.so";
plan skip_all => 'openssl not found'
    unless grep { -x "$_/openssl" } split /:/, ($ENV{PATH} || '/usr/bin');
plan skip_all => 'LWP::Protocol::https not installed'
    unless eval { require LWP::Protocol::https; 1 };

my $ssl_port = WsgiServer::free_port();
my $srv = WsgiServer->new(name => 'https',
    load => [ [ wsgiscript_module    => WsgiServer::so() ],
              [ socache_shmcb_module => "$MODDIR/mod_socache_shmcb.so" ],
              [ ssl_module           => "$MODDIR/mod_ssl.so" ] ],
    conf => <<"CONF");
WSGIScriptAlias /env \$root/env.wsgi
SSLSessionCache "shmcb:\$root/logs/ssl_scache(512000)"
Listen 127.0.0.1:$ssl_port
<VirtualHost 127.0.0.1:$ssl_port>
    ServerName 127.0.0.1
    SSLEngine on
    SSLCertificateFile \$root/cert.pem
    SSLCertificateKeyFile \$root/key.pem
</VirtualHost>
CONF
my $root = $srv->root;
die "free_port gave the same port twice\n" if $ssl_port == $srv->port;

my $out = `openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout '$root/key.pem' -out '$root/cert.pem' 2>&1`;
ok $? == 0 && -s "$root/cert.pem" && -s "$root/key.pem", 'self-signed certificate generated'
    or diag $out;

open my $fh, '>', "$root/env.wsgi" or die $!;
print $fh <<'PY';
def application(environ, start_response):
    https = environ.get('HTTPS')
    body = '%s|%s|%s' % (environ['wsgi.url_scheme'],
                         '<absent>' if https is None else https,
                         environ['SERVER_PORT'])
    body = body.encode('utf-8')
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
PY
close $fh;

ok $srv->start, 'server starts' or diag $srv->slurp_log;

my $ua = LWP::UserAgent->new(timeout => 30,
    ssl_opts => { verify_hostname => 0, SSL_verify_mode => 0 });

# over https
my $res = $ua->get("https://127.0.0.1:$ssl_port/env");
is $res->code, 200, 'https: status 200' or diag $res->status_line, "\n", $srv->slurp_log;
my($scheme, $https, $port) = split /\|/, $res->decoded_content // '', 3;
is $scheme, 'https', "https: wsgi.url_scheme is 'https'";
ok defined $https && ($https eq 'on' || $https eq '1'), "https: HTTPS is 'on' or '1'"
    or diag 'HTTPS was ' . ($https // 'undef');
note "https: HTTPS = '" . ($https // 'undef') . "'";
is $port, $ssl_port, 'https: SERVER_PORT is the SSL port';

# over plain http, same server
$res = $ua->get($srv->url('/env'));
is $res->code, 200, 'http: status 200' or diag $res->status_line;
($scheme, $https, $port) = split /\|/, $res->decoded_content // '', 3;
is $scheme, 'http', "http: wsgi.url_scheme is 'http'";
is $https, '<absent>', 'http: no HTTPS in environ';
is $port, $srv->port, 'http: SERVER_PORT is the plain port';

$srv->cleanup;

done_testing;
