# X-Forwarded-Host and X-Host -> HTTP_HOST, X-Forwarded-Server ->
# SERVER_NAME, X-Forwarded-Port -> SERVER_PORT, X-Script-Name and
# X-Forwarded-Script-Name -> SCRIPT_NAME (and mod_wsgi.mount_point), each
# taken as it is (as mod_wsgi), embedded and in a daemon process group;
# removed when the peer is not a trusted proxy.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use ProxyTest qw(env_of modes hostport);

my $hp = hostport();
my($port) = $hp =~ /:(\d+)$/;
sub present { my($d, @keys) = @_; return join ',', grep { exists $d->{$_} } @keys }
my @host_vars = qw(HTTP_X_FORWARDED_HOST HTTP_X_HOST);
my @script_vars = qw(HTTP_X_SCRIPT_NAME HTTP_X_FORWARDED_SCRIPT_NAME);

for my $mode (modes()) {
    my($name, $p, $group) = @$mode;
    my $d;
    my $env = sub { my $path = shift; env_of("$p$path", [@_]) };

    # ---- trusted (no WSGITrustedProxies, and the client in WSGITrustedProxies)
    for my $where (qw(open trusted)) {
        $d = $env->("/$where/x", 'X-Forwarded-Host: app.example.com:8443');
        is $d->{_process_group}, $group, "$name: process group '$group'";
        is $d->{HTTP_HOST}, 'app.example.com:8443', "$name $where: X-Forwarded-Host is HTTP_HOST, port and all";
        is $d->{HTTP_X_FORWARDED_HOST}, 'app.example.com:8443', "$name $where: the header used stays";
        is $d->{SERVER_NAME}, 'localhost', "$name $where: SERVER_NAME unchanged by X-Forwarded-Host";

        $d = $env->("/$where/x", 'X-Host: other.example');
        is $d->{HTTP_HOST}, 'other.example', "$name $where: X-Host is HTTP_HOST";

        $d = $env->("/$where/x", 'X-Forwarded-Host: a.example', 'X-Host: b.example');
        is $d->{HTTP_HOST}, 'b.example', "$name $where: X-Host, listed later, wins";
        is present($d, @host_vars), 'HTTP_X_HOST', "$name $where: X-Forwarded-Host removed";

        $d = $env->("/$where/x", 'X-Forwarded-Host: [2001:db8::1]:8443');
        is $d->{HTTP_HOST}, '[2001:db8::1]:8443', "$name $where: an IPv6 host as it is";
        $d = $env->("/$where/x", 'X-Forwarded-Host: a.example', 'X-Forwarded-Host: b.example');
        is $d->{HTTP_HOST}, 'a.example, b.example', "$name $where: two lines: their joined value, as it is (as mod_wsgi)";
        $d = $env->("/$where/x", "X-Forwarded-Host: caf\xe9.example");
        is $d->{HTTP_HOST}, "caf\x{e9}.example", "$name $where: a byte >= 0x80 is latin-1";

        $d = $env->("/$where/x", 'X-Forwarded-Server: front.example');
        is $d->{SERVER_NAME}, 'front.example', "$name $where: X-Forwarded-Server is SERVER_NAME";
        is $d->{HTTP_HOST}, $hp, "$name $where: HTTP_HOST unchanged by X-Forwarded-Server";
        is $d->{HTTP_X_FORWARDED_SERVER}, 'front.example', "$name $where: the header stays";

        $d = $env->("/$where/x", 'X-Forwarded-Port: 8443');
        is $d->{SERVER_PORT}, '8443', "$name $where: X-Forwarded-Port is SERVER_PORT";
        is $d->{HTTP_X_FORWARDED_PORT}, '8443', "$name $where: the header stays";
        $d = $env->("/$where/x", 'X-Forwarded-Port: not-a-port');
        is $d->{SERVER_PORT}, 'not-a-port', "$name $where: X-Forwarded-Port as it is (as mod_wsgi)";

        $d = $env->("/$where/x/y", 'X-Script-Name: /mounted');
        is $d->{SCRIPT_NAME}, '/mounted', "$name $where: X-Script-Name is SCRIPT_NAME";
        is $d->{'mod_wsgi.mount_point'}, '/mounted', "$name $where: and mod_wsgi.mount_point";
        is $d->{PATH_INFO}, "/$where/x/y", "$name $where: PATH_INFO unchanged";
        is $d->{HTTP_X_SCRIPT_NAME}, '/mounted', "$name $where: the header stays";
        $d = $env->("/$where/x", 'X-Forwarded-Script-Name: /other/');
        is $d->{SCRIPT_NAME}, '/other/', "$name $where: X-Forwarded-Script-Name is SCRIPT_NAME, as it is";
        $d = $env->("/$where/x", 'X-Script-Name: /one', 'X-Forwarded-Script-Name: /two');
        is $d->{SCRIPT_NAME}, '/two', "$name $where: X-Forwarded-Script-Name, listed later, wins";
        is present($d, @script_vars), 'HTTP_X_FORWARDED_SCRIPT_NAME', "$name $where: X-Script-Name removed";
        $d = $env->("/$where/x");
        ok !exists $d->{'mod_wsgi.mount_point'}, "$name $where: no mod_wsgi.mount_point without the header";
        is $d->{SCRIPT_NAME}, $p, "$name $where: SCRIPT_NAME is the mount point without the header";
    }

    # ---- the client is not a trusted proxy -------------------------------------
    $d = $env->('/untrusted/x', 'X-Forwarded-Host: spoof.example', 'X-Host: spoof2.example',
                'X-Forwarded-Server: spoof3.example', 'X-Forwarded-Port: 31337',
                'X-Script-Name: /spoof', 'X-Forwarded-Script-Name: /spoof2');
    is $d->{HTTP_HOST}, $hp, "$name untrusted: HTTP_HOST is the Host header";
    is $d->{SERVER_NAME}, 'localhost', "$name untrusted: SERVER_NAME unchanged";
    is $d->{SERVER_PORT}, $port, "$name untrusted: SERVER_PORT unchanged";
    is $d->{SCRIPT_NAME}, $p, "$name untrusted: SCRIPT_NAME is the mount point";
    ok !exists $d->{'mod_wsgi.mount_point'}, "$name untrusted: no mod_wsgi.mount_point";
    is present($d, @host_vars, @script_vars, 'HTTP_X_FORWARDED_SERVER', 'HTTP_X_FORWARDED_PORT'), '',
        "$name untrusted: none of the six headers reaches the application";

    # ---- kinds not listed pass untouched -----------------------------------------
    $d = $env->('/partial/x', 'X-Forwarded-Host: h.example', 'X-Forwarded-Server: s.example',
                'X-Forwarded-Port: 1', 'X-Script-Name: /s');
    is $d->{HTTP_HOST}, $hp, "$name partial: HTTP_HOST unchanged";
    is $d->{SERVER_NAME}, 'localhost', "$name partial: SERVER_NAME unchanged";
    is $d->{SERVER_PORT}, $port, "$name partial: SERVER_PORT unchanged";
    is $d->{SCRIPT_NAME}, $p, "$name partial: SCRIPT_NAME unchanged";
    is present($d, 'HTTP_X_FORWARDED_HOST', 'HTTP_X_FORWARDED_SERVER', 'HTTP_X_FORWARDED_PORT', 'HTTP_X_SCRIPT_NAME'),
        'HTTP_X_FORWARDED_HOST,HTTP_X_FORWARDED_SERVER,HTTP_X_FORWARDED_PORT,HTTP_X_SCRIPT_NAME',
        "$name partial: the headers pass as they are";

    # ---- sections: a list replaced, a list emptied ------------------------------
    $d = $env->('/trusted/hostonly/x', 'X-Forwarded-Host: h.example', 'X-Forwarded-For: 203.0.113.5',
                'X-Forwarded-Port: 1');
    is $d->{HTTP_HOST}, 'h.example', "$name hostonly: X-Forwarded-Host used (the outer WSGITrustedProxies holds)";
    is $d->{REMOTE_ADDR}, '127.0.0.1', "$name hostonly: X-Forwarded-For no longer used";
    is $d->{HTTP_X_FORWARDED_FOR}, '203.0.113.5', "$name hostonly: nor removed";
    is $d->{SERVER_PORT}, $port, "$name hostonly: X-Forwarded-Port no longer used";
    $d = $env->('/trusted/off/x', 'X-Forwarded-Host: h.example', 'X-Forwarded-For: 203.0.113.5');
    is $d->{HTTP_HOST}, $hp, "$name off (WSGITrustedProxyHeaders without names): nothing used";
    is $d->{HTTP_X_FORWARDED_FOR}, '203.0.113.5', "$name off: nothing removed";
}

done_testing;
