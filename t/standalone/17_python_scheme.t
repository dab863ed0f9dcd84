# wsgi.url_scheme without an HTTPS variable, for each MPM in
# $WSGISCRIPT_MPMS: behind a TLS offloader configured with
# `ServerName https://...` httpd says the scheme is https, so the
# application sees 'https' and HTTPS '1' (mod_wsgi, which only reads HTTPS,
# says 'http': docs/compat.md), embedded and in a daemon process; an HTTPS
# variable still decides when there is one (SetEnv HTTPS off: 'http').
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Copy ();
use JSON::PP ();
use LWP::UserAgent ();
use WsgiServer;

my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event');

for my $mpm (@mpms) {
    my $srv = WsgiServer->new(name => "python-scheme-$mpm", mpm => $mpm, conf => <<'CONF');
LoadModule env_module /usr/lib/apache2/modules/mod_env.so
ServerName https://www.example.com:443
WSGIDaemonProcess ds processes=1 threads=2
WSGIScriptAlias /emb $root/facts.wsgi application-group=%{GLOBAL}
WSGIScriptAlias /dmn $root/facts.wsgi process-group=ds application-group=%{GLOBAL}
WSGIScriptAlias /off $root/facts.wsgi application-group=%{GLOBAL}
<Location /off>
    SetEnv HTTPS off
</Location>
CONF
    File::Copy::copy("$FindBin::Bin/../python/facts.wsgi", $srv->root . '/facts.wsgi') or die $!;
    ok $srv->start, "$mpm: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };
    my $ua = LWP::UserAgent->new(timeout => 30);
    for my $where (qw(emb dmn)) {
        my $res = $ua->get($srv->url("/$where/facts"));
        my $e = (eval { JSON::PP::decode_json($res->decoded_content) } || {})->{environ} || {};
        is $e->{'wsgi.url_scheme'}, 'https', "$mpm $where: ServerName https://...: wsgi.url_scheme https";
        is $e->{HTTPS}, '1', "$mpm $where: ... and HTTPS '1'";
    }
    my $res = $ua->get($srv->url('/off/facts'));
    my $e = (eval { JSON::PP::decode_json($res->decoded_content) } || {})->{environ} || {};
    is $e->{'wsgi.url_scheme'}, 'http', "$mpm: SetEnv HTTPS off: wsgi.url_scheme http (the variable decides)";
    $srv->stop;
    $srv->cleanup;
}

done_testing;
