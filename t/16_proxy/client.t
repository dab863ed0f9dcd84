# The client's address: X-Forwarded-For, X-Client-IP, X-Real-IP ->
# REMOTE_ADDR, embedded and in a daemon process group. The test client
# connects from 127.0.0.1; the locations of t/conf/16_proxy.conf.in make it
# a trusted proxy (/trusted, /cidr, ...), an untrusted one (/untrusted,
# /nobody, /v6only) or leave WSGITrustedProxies unset (/open, /partial).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use ProxyTest qw(env_of modes);

sub present { my($d, @keys) = @_; return join ',', grep { exists $d->{$_} } @keys }
my @client_vars = qw(HTTP_X_FORWARDED_FOR HTTP_X_CLIENT_IP HTTP_X_REAL_IP);

for my $mode (modes()) {
    my($name, $p, $group) = @$mode;
    my $d;
    my $env = sub { my $path = shift; env_of("$p$path", [@_]) };

    # ---- no WSGITrustedProxies: every peer is trusted ----------------------
    $d = $env->('/open/a');
    is $d->{_status}, 200, "$name: 200";
    is $d->{_process_group}, $group, "$name: served by process group '$group'";
    is $d->{REMOTE_ADDR}, '127.0.0.1', "$name open: no header, REMOTE_ADDR is the peer";

    $d = $env->('/open/a', 'X-Forwarded-For: 203.0.113.5, 10.0.0.1');
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name open: X-Forwarded-For's first element is REMOTE_ADDR";
    is $d->{HTTP_X_FORWARDED_FOR}, '203.0.113.5, 10.0.0.1', "$name open: X-Forwarded-For left as it is";

    $d = $env->('/open/a', 'X-Forwarded-For: , ,203.0.113.5 , 198.51.100.1');
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name open: empty elements skipped, white space trimmed";

    $d = $env->('/open/a', 'X-Forwarded-For: 203.0.113.5', 'X-Forwarded-For: 10.0.0.1');
    is $d->{HTTP_X_FORWARDED_FOR}, '203.0.113.5, 10.0.0.1', "$name open: two X-Forwarded-For lines are one list";
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name open: its first element is REMOTE_ADDR";

    $d = $env->('/open/a', 'X-Forwarded-For: not-an-address, 10.0.0.1');
    is $d->{REMOTE_ADDR}, 'not-an-address',
        "$name open: without WSGITrustedProxies the first element is taken as it is (as mod_wsgi)";

    $d = $env->('/open/a', 'X-Client-IP: 198.51.100.7');
    is $d->{REMOTE_ADDR}, '198.51.100.7', "$name open: X-Client-IP is REMOTE_ADDR";
    is $d->{HTTP_X_CLIENT_IP}, '198.51.100.7', "$name open: the header used stays";

    $d = $env->('/open/a', 'X-Real-IP: 2001:db8::5');
    is $d->{REMOTE_ADDR}, '2001:db8::5', "$name open: X-Real-IP (IPv6) is REMOTE_ADDR";

    $d = $env->('/open/a', 'X-Real-IP:');
    is $d->{REMOTE_ADDR}, '', "$name open: an empty X-Real-IP is used as it is (as mod_wsgi)";

    # several headers of one kind: the one listed last that was sent is
    # used, the others are removed
    $d = $env->('/open/a', 'X-Forwarded-For: 203.0.113.5', 'X-Real-IP: 198.51.100.9', 'X-Client-IP: 192.0.2.44');
    is $d->{REMOTE_ADDR}, '198.51.100.9', "$name open: X-Real-IP, listed after the others, wins";
    is present($d, @client_vars), 'HTTP_X_REAL_IP', "$name open: only the header used stays";

    # ---- the client is a trusted proxy: X-Forwarded-For is walked ----------
    $d = $env->('/trusted/a', 'X-Forwarded-For: 203.0.113.5, 127.0.0.1');
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name trusted: the element left of the trusted proxies is REMOTE_ADDR";
    is $d->{HTTP_X_FORWARDED_FOR}, '203.0.113.5, 127.0.0.1', "$name trusted: X-Forwarded-For from there on";

    $d = $env->('/trusted/a', 'X-Forwarded-For: 6.6.6.6,1.1.1.1 ,203.0.113.5, 10.1.2.3,127.0.0.1');
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name trusted: what the client wrote left of it is not believed";
    is $d->{HTTP_X_FORWARDED_FOR}, '203.0.113.5, 10.1.2.3, 127.0.0.1',
        "$name trusted: X-Forwarded-For rewritten without the spoofed elements";

    $d = $env->('/trusted/a', 'X-Forwarded-For: 10.0.0.1, 127.0.0.1');
    is $d->{REMOTE_ADDR}, '10.0.0.1', "$name trusted: every element trusted: the first is REMOTE_ADDR";

    $d = $env->('/trusted/a', 'X-Forwarded-For: 198.51.100.9, 203.0.113.5');
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name trusted: the last element not trusted: it is REMOTE_ADDR";
    is $d->{HTTP_X_FORWARDED_FOR}, '203.0.113.5', "$name trusted: and all of X-Forwarded-For";

    $d = $env->('/trusted/a', 'X-Forwarded-For: 2a00:1450::1, 2001:DB8::7, ::1');
    is $d->{REMOTE_ADDR}, '2a00:1450::1', "$name trusted: IPv6 elements (a subnet, ::1)";
    is $d->{HTTP_X_FORWARDED_FOR}, '2a00:1450::1, 2001:DB8::7, ::1', "$name trusted: IPv6 chain";

    $d = $env->('/trusted/a', 'X-Forwarded-For: 203.0.113.5, ::ffff:127.0.0.1');
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name trusted: an IPv4-mapped address matches the IPv4 entry";

    $d = $env->('/trusted/a', 'X-Forwarded-For: 1.1.1.1,, 203.0.113.5,,127.0.0.1,');
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name trusted: empty elements skipped";
    is $d->{HTTP_X_FORWARDED_FOR}, '203.0.113.5, 127.0.0.1', "$name trusted: and dropped from the rewritten list";

    $d = $env->('/trusted/a', 'X-Forwarded-For: 203.0.113.5', 'X-Forwarded-For: 127.0.0.1');
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name trusted: two X-Forwarded-For lines are one list";

    # malformed elements: never looked up, never trusted
    $d = $env->('/trusted/a', 'X-Forwarded-For: 1.2.3.4, 127.0.0.1:8080');
    is $d->{REMOTE_ADDR}, '127.0.0.1:8080', "$name trusted: an address with a port is no address: the walk stops";
    $d = $env->('/trusted/a', 'X-Forwarded-For: 1.2.3.4, [::1]');
    is $d->{REMOTE_ADDR}, '[::1]', "$name trusted: a bracketed IPv6 address is no address";
    $d = $env->('/trusted/a', 'X-Forwarded-For: 1.2.3.4, localhost');
    is $d->{REMOTE_ADDR}, 'localhost', "$name trusted: a host name is not looked up";
    $d = $env->('/trusted/a', 'X-Forwarded-For: 1.2.3.4, 127.1');
    is $d->{REMOTE_ADDR}, '127.1', "$name trusted: 127.1 is not 127.0.0.1";
    $d = $env->('/trusted/a', 'X-Forwarded-For: junk, 127.0.0.1');
    is $d->{REMOTE_ADDR}, 'junk', "$name trusted: the element left of the trusted proxies is taken as it is";
    $d = $env->('/trusted/a', "X-Forwarded-For: caf\xe9, 127.0.0.1");
    is $d->{REMOTE_ADDR}, "caf\x{e9}", "$name trusted: bytes >= 0x80 are latin-1";
    $d = $env->('/trusted/a', 'X-Forwarded-For: ,  ,');
    is $d->{REMOTE_ADDR}, '127.0.0.1', "$name trusted: no element: REMOTE_ADDR stays";
    is $d->{HTTP_X_FORWARDED_FOR}, ',  ,', "$name trusted: and the header as it was";

    # a long list, in two header lines joined by Apache (up to its
    # LimitRequestFieldSize, 8190 bytes, after joining)
    my @tail = map { "10.0.${\ int($_ / 250)}.${\ ($_ % 250)}" } 1 .. 560;
    $d = $env->('/trusted/a', 'X-Forwarded-For: 6.6.6.6, 203.0.113.5, ' . join(', ', @tail[0 .. 279]),
                'X-Forwarded-For: ' . join(', ', @tail[280 .. 559], '127.0.0.1'));
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name trusted: 563 elements (7.7 KB) walked";
    my $chain = $d->{HTTP_X_FORWARDED_FOR} // '';
    is scalar(() = $chain =~ /,/g), 561, "$name trusted: the rewritten list has the 562 elements from the client on";

    # X-Real-IP from a trusted proxy: as it is
    $d = $env->('/trusted/a', 'X-Real-IP: 203.0.113.77', 'X-Forwarded-For: 6.6.6.6');
    is $d->{REMOTE_ADDR}, '203.0.113.77', "$name trusted: X-Real-IP (listed later) wins";
    is present($d, @client_vars), 'HTTP_X_REAL_IP', "$name trusted: X-Forwarded-For removed";

    # ---- the client is not a trusted proxy: spoofing ------------------------
    $d = $env->('/untrusted/a', 'X-Forwarded-For: 203.0.113.5', 'X-Client-IP: 203.0.113.6', 'X-Real-IP: 203.0.113.7');
    is $d->{REMOTE_ADDR}, '127.0.0.1', "$name untrusted: REMOTE_ADDR is the peer";
    is present($d, @client_vars), '', "$name untrusted: none of the three headers reaches the application";
    $d = $env->('/nobody/a', 'X-Forwarded-For: 203.0.113.5');
    is $d->{REMOTE_ADDR}, '127.0.0.1', "$name WSGITrustedProxies without addresses: nobody is trusted";
    ok !exists $d->{HTTP_X_FORWARDED_FOR}, "$name WSGITrustedProxies without addresses: header removed";
    $d = $env->('/v6only/a', 'X-Forwarded-For: 203.0.113.5');
    is $d->{REMOTE_ADDR}, '127.0.0.1', "$name IPv6-only list: the IPv4 peer is not trusted";
    ok !exists $d->{HTTP_X_FORWARDED_FOR}, "$name IPv6-only list: header removed";
    $d = $env->('/trusted/stranger/a', 'X-Forwarded-For: 203.0.113.5');
    is $d->{REMOTE_ADDR}, '127.0.0.1', "$name a section's WSGITrustedProxies replaces the outer list";
    ok !exists $d->{HTTP_X_FORWARDED_FOR}, "$name ... and the header is removed";

    # ---- ways to write the subnet holding 127.0.0.1 -------------------------
    for my $how (qw(cidr netmask leading)) {
        $d = $env->("/$how/a", 'X-Forwarded-For: 6.6.6.6, 203.0.113.5, 127.0.0.9');
        is $d->{REMOTE_ADDR}, '203.0.113.5', "$name $how: the peer and 127.0.0.9 are trusted";
    }

    # ---- one header listed: only its kind is touched -------------------------
    $d = $env->('/partial/a', 'X-Forwarded-For: 203.0.113.5', 'X-Real-IP: 6.6.6.6', 'X-Forwarded-Host: h.example');
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name partial: X-Forwarded-For used";
    is present($d, @client_vars), 'HTTP_X_FORWARDED_FOR', "$name partial: X-Real-IP (same kind, not listed) removed";
    is $d->{HTTP_X_FORWARDED_HOST}, 'h.example', "$name partial: X-Forwarded-Host (another kind) passes";
    $d = $env->('/partial/a', 'X-Real-IP: 6.6.6.6');
    is $d->{REMOTE_ADDR}, '127.0.0.1', "$name partial: a header not listed is never used";
    is present($d, @client_vars), '', "$name partial: and removed";

    # ---- lines add up, in order ------------------------------------------------
    $d = $env->('/order/a', 'X-Real-IP: 198.51.100.1', 'X-Forwarded-For: 203.0.113.5, 10.9.9.9');
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name order: X-Forwarded-For (second line) wins; 10/8 from the second line trusted";
    is present($d, @client_vars), 'HTTP_X_FORWARDED_FOR', "$name order: X-Real-IP removed";
    $d = $env->('/order/a', 'X-Real-IP: 198.51.100.1');
    is $d->{REMOTE_ADDR}, '198.51.100.1', "$name order: X-Real-IP used when it is the only one sent";

    # ---- no directive: nothing is touched --------------------------------------
    $d = $env->('/none/a', 'X-Forwarded-For: 203.0.113.5', 'X-Real-IP: 6.6.6.6');
    is $d->{REMOTE_ADDR}, '127.0.0.1', "$name no directive: REMOTE_ADDR is the peer";
    is present($d, @client_vars), 'HTTP_X_FORWARDED_FOR,HTTP_X_REAL_IP', "$name no directive: the headers pass";
}

done_testing;
