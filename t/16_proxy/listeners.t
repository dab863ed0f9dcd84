# What t/conf/16_proxy.conf.in cannot show: a TLS connection (a trusted
# scheme header decides the scheme even over TLS, as mod_wsgi 6 does; one
# not trusted or not listed leaves it https) and a peer connecting over IPv6
# (::1 in WSGITrustedProxies or not). One server of its own (same MPM as the
# suite) with three listeners: plain 127.0.0.1, TLS 127.0.0.1, plain [::1];
# each check embedded (/e) and in a daemon process group (/d).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Copy ();
use IO::Socket::IP ();
use JSON::PP ();
use LWP::UserAgent ();
use PepTest qw(parse_http read_all send_all);
use Apache::Test ();
use WsgiServer;

my $MODDIR = '/usr/lib/apache2/modules';
# Under the sanitizer wrapper (the ASan stage of scripts/test) without TLS:
# LeakSanitizer reports mod_ssl's and OpenSSL's own memory of the
# configuration at every exit, which t/sanitizer/lsan.supp does not cover.
my $sanitized = Apache::Test::vars('httpd') =~ m{/sanitizer/apache2$};
my $tls = !$sanitized && -f "$MODDIR/mod_ssl.so" && (grep { -x "$_/openssl" } split /:/, ($ENV{PATH} || '/usr/bin'))
          && eval { require LWP::Protocol::https; 1 };
my $v6 = IO::Socket::IP->new(LocalHost => '::1', LocalPort => 0, Listen => 1);
my $v6_port = $v6 ? $v6->sockport : 0;
close $v6 if $v6;
plan skip_all => 'neither mod_ssl (with openssl, LWP::Protocol::https) nor IPv6 loopback' unless $tls || $v6_port;

my $ssl_port = WsgiServer::free_port();
my $conf = <<'CONF';
WSGIDaemonProcess p16l processes=1 threads=2
WSGIScriptAlias /e $root/env.wsgi
WSGIScriptAlias /d $root/env.wsgi process-group=p16l
<LocationMatch "^/[ed]/trusted">
    WSGITrustedProxyHeaders X-Forwarded-For X-Forwarded-Proto X-Forwarded-SSL
    WSGITrustedProxies 127.0.0.1 ::1
</LocationMatch>
<LocationMatch "^/[ed]/noscheme">
    WSGITrustedProxyHeaders X-Forwarded-For
    WSGITrustedProxies 127.0.0.1 ::1
</LocationMatch>
<LocationMatch "^/[ed]/v4only">
    WSGITrustedProxyHeaders X-Forwarded-For X-Forwarded-Proto
    WSGITrustedProxies 127.0.0.0/8
</LocationMatch>
CONF
$conf .= "Listen [::1]:$v6_port\n" if $v6_port;
$conf .= <<"CONF" if $tls;
SSLSessionCache "shmcb:\$root/logs/ssl_scache(512000)"
Listen 127.0.0.1:$ssl_port
<VirtualHost 127.0.0.1:$ssl_port>
    ServerName 127.0.0.1
    SSLEngine on
    SSLCertificateFile \$root/cert.pem
    SSLCertificateKeyFile \$root/key.pem
</VirtualHost>
CONF
my @load = ([ wsgiscript_module => WsgiServer::so() ]);
push @load, [ socache_shmcb_module => "$MODDIR/mod_socache_shmcb.so" ], [ ssl_module => "$MODDIR/mod_ssl.so" ] if $tls;
# the httpd the suite runs (the sanitizer wrapper in the ASan stage of scripts/test)
my $srv = WsgiServer->new(name => 'p16listeners', mpm => $ENV{WSGISCRIPT_MPM} || 'event', load => \@load, conf => $conf,
                          httpd => Apache::Test::vars('httpd'));
my $root = $srv->root;
File::Copy::copy("$FindBin::Bin/../proxy/env.wsgi", "$root/env.wsgi") or die "env.wsgi: $!";
if ($tls) {
    my $out = `openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -keyout '$root/key.pem' -out '$root/cert.pem' 2>&1`;
    ok $? == 0 && -s "$root/cert.pem", 'self-signed certificate' or diag $out;
}
ok $srv->start, 'server starts' or diag $srv->slurp_log;

my $ua = LWP::UserAgent->new(timeout => 30, ssl_opts => { verify_hostname => 0, SSL_verify_mode => 0 });
sub tls_env {
    my($path, @headers) = @_;
    my $res = $ua->get("https://127.0.0.1:$ssl_port$path", @headers);
    my $d = eval { JSON::PP::decode_json($res->content) } || { _body => $res->status_line };
    return $d;
}
sub plain_env {
    my($host, $port, $path, @headers) = @_;
    my $sock = IO::Socket::IP->new(PeerHost => $host, PeerPort => $port, Timeout => 30) or die "connect $host: $!";
    binmode $sock;
    my $hostport = $host =~ /:/ ? "[$host]:$port" : "$host:$port";
    send_all($sock, "GET $path HTTP/1.1\r\nHost: $hostport\r\n" . join('', map { "$_\r\n" } @headers)
                    . "Connection: close\r\n\r\n");
    my $r = parse_http(read_all($sock, 30));
    close $sock;
    return eval { JSON::PP::decode_json($r->{body}) } || { _body => $r->{body} };
}
sub scheme_of { my $d = shift; return ($d->{'wsgi.url_scheme'} // '?') . '|' . ($d->{HTTPS} // '-') }

for my $mode (['embedded', '/e', ''], ['daemon', '/d', 'p16l']) {
    my($name, $p, $group) = @$mode;
    my $d = plain_env('127.0.0.1', $srv->port, "$p/trusted", 'X-Forwarded-Proto: https');
    is $d->{_process_group}, $group, "$name: process group '$group'";
    is scheme_of($d), 'https|1', "$name plain: trusted X-Forwarded-Proto: https";

    SKIP: {
        skip $sanitized ? 'sanitizer build: no mod_ssl' : 'no mod_ssl, openssl or LWP::Protocol::https', 10 unless $tls;
        $d = tls_env("$p/trusted");
        like scheme_of($d), qr/^https\|(?:on|1)$/, "$name TLS: no header: https (the connection's)";
        $d = tls_env("$p/trusted", 'X-Forwarded-Proto' => 'http');
        is scheme_of($d), 'http|-', "$name TLS: trusted X-Forwarded-Proto: http wins over the TLS connection";
        $d = tls_env("$p/trusted", 'X-Forwarded-SSL' => 'Off');
        is scheme_of($d), 'http|-', "$name TLS: trusted X-Forwarded-SSL: Off too";
        $d = tls_env("$p/trusted", 'X-Forwarded-Proto' => 'https');
        is scheme_of($d), 'https|1', "$name TLS: trusted X-Forwarded-Proto: https";
        $d = tls_env("$p/trusted", 'X-Forwarded-Proto' => 'gopher');
        like scheme_of($d), qr/^https\|(?:on|1)$/, "$name TLS: a value that says nothing: still https";
        is $d->{HTTP_X_FORWARDED_PROTO}, 'gopher', "$name TLS: ... and the header stays";
        $d = tls_env("$p/noscheme", 'X-Forwarded-Proto' => 'http');
        like scheme_of($d), qr/^https\|(?:on|1)$/, "$name TLS: X-Forwarded-Proto not listed: https";
        is $d->{HTTP_X_FORWARDED_PROTO}, 'http', "$name TLS: ... and it passes";
        $d = tls_env("$p/v4only", 'X-Forwarded-Proto' => 'http', 'X-Forwarded-For' => '203.0.113.5');
        is scheme_of($d), 'http|-', "$name TLS: 127.0.0.0/8 trusts the peer";
        is $d->{REMOTE_ADDR}, '203.0.113.5', "$name TLS: X-Forwarded-For used";
    }

    SKIP: {
        skip 'no IPv6 loopback', 7 unless $v6_port;
        $d = plain_env('::1', $v6_port, "$p/trusted");
        is $d->{REMOTE_ADDR}, '::1', "$name IPv6: the peer is ::1";
        $d = plain_env('::1', $v6_port, "$p/trusted", 'X-Forwarded-For: 2001:db8::9, ::1', 'X-Forwarded-Proto: https');
        is $d->{REMOTE_ADDR}, '2001:db8::9', "$name IPv6: peer ::1 trusted, X-Forwarded-For walked";
        is $d->{HTTP_X_FORWARDED_FOR}, '2001:db8::9, ::1', "$name IPv6: X-Forwarded-For";
        is scheme_of($d), 'https|1', "$name IPv6: X-Forwarded-Proto used";
        $d = plain_env('::1', $v6_port, "$p/v4only", 'X-Forwarded-For: 203.0.113.5', 'X-Forwarded-Proto: https');
        is $d->{REMOTE_ADDR}, '::1', "$name IPv6: ::1 is not in 127.0.0.0/8";
        ok !exists $d->{HTTP_X_FORWARDED_FOR} && !exists $d->{HTTP_X_FORWARDED_PROTO}, "$name IPv6: headers removed";
        is scheme_of($d), 'http|-', "$name IPv6: http";
    }
}

my $log = $srv->slurp_log;
unlike $log, qr/AH00052|AH00060|Segmentation|WSGIS0005/, 'no crash, no internal error';
$srv->cleanup;
done_testing;
