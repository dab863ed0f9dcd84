# Where the directives may be written (virtual host, <Location>, .htaccess),
# the start-up warning for a header name mod_wsgi does not know (WSGIS0801),
# the debug line (WSGIS0802), and the configuration errors httpd refuses to
# start with, named with file and line (apache2 -t on configurations of
# their own, with the httpd the suite runs: the sanitizer wrapper in the
# ASan stage of scripts/test).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use ProxyTest qw(env_of modes);
use WsgiTest qw(log_offset);
use PepTest qw(settled_log_since);
use Apache::Test ();
use WsgiServer;

my $off = log_offset();
my $d;

for my $mode (modes()) {
    my($name, $p, $group) = @$mode;
    # ---- the server level of a virtual host ---------------------------------
    $d = env_of("$p/plain", ['X-Forwarded-For: 203.0.113.5, 127.0.0.1', 'X-Forwarded-Host: h.example',
                             'X-Real-IP: 6.6.6.6'], vhost => 'p16_vhost');
    is $d->{_process_group}, $group, "$name vhost: process group '$group'";
    is $d->{REMOTE_ADDR}, '203.0.113.5', "$name vhost: WSGITrustedProxyHeaders/WSGITrustedProxies of the virtual host";
    is $d->{HTTP_HOST}, 'h.example', "$name vhost: X-Forwarded-Host used";
    ok !exists $d->{HTTP_X_REAL_IP}, "$name vhost: X-Real-IP removed";
    # the main server has none at this URL
    $d = env_of("$p/plain", ['X-Forwarded-For: 203.0.113.5', 'X-Real-IP: 6.6.6.6']);
    is $d->{REMOTE_ADDR}, '127.0.0.1', "$name main server: no directive, nothing used";
    is $d->{HTTP_X_REAL_IP}, '6.6.6.6', "$name main server: nothing removed";
}
# a <Location> inside the virtual host replaces its WSGITrustedProxies
$d = env_of('/p16/local', ['X-Forwarded-For: 203.0.113.5', 'X-Forwarded-Host: h.example'], vhost => 'p16_vhost');
is $d->{REMOTE_ADDR}, '127.0.0.1', 'vhost <Location>: its own WSGITrustedProxies: not trusted';
ok !exists $d->{HTTP_X_FORWARDED_FOR} && !exists $d->{HTTP_X_FORWARDED_HOST}, 'vhost <Location>: headers removed';

# ---- .htaccess (AllowOverride FileInfo) ---------------------------------------
$d = env_of('/p16h/x', ['X-Real-IP: 203.0.113.9', 'X-Forwarded-For: 6.6.6.6']);
is $d->{_status}, 200, '.htaccess: 200';
is $d->{REMOTE_ADDR}, '203.0.113.9', '.htaccess: X-Real-IP used';
ok !exists $d->{HTTP_X_FORWARDED_FOR}, '.htaccess: X-Forwarded-For removed';

# ---- WSGIS0802: what was done, at debug level ----------------------------------
$d = env_of('/p16/debug/x', ['X-Forwarded-For: 203.0.113.5, 127.0.0.1', 'X-Client-IP: 6.6.6.6',
                             'X-Forwarded-Proto: http']);
is $d->{REMOTE_ADDR}, '203.0.113.5', 'debug: request served';
my $log = settled_log_since($off);
like $log, qr/\[wsgiscript:debug\] .*WSGIS0802: trusted proxy headers: peer 127\.0\.0\.1 is a trusted proxy; REMOTE_ADDR '203\.0\.113\.5'; HTTPS removed; removed X-Client-IP/,
    'WSGIS0802: peer, what was set, what was removed';
$d = env_of('/p16/open/x', ['X-Forwarded-For: 203.0.113.5']);
$log = settled_log_since($off);
is scalar(() = $log =~ /WSGIS0802/g), 1, 'WSGIS0802 only where LogLevel wsgiscript:debug is set';
unlike $log, qr/WSGIS0801/, 'no WSGIS0801 for the unknown name in .htaccess (read per request)';

# ---- the configuration: errors with file and line, the warning ------------------
sub configtest {
    my $conf = shift;
    my $srv = WsgiServer->new(name => 'p16conf', mpm => $ENV{WSGISCRIPT_MPM} || 'event', conf => $conf,
                              httpd => Apache::Test::vars('httpd'));
    my $cmd = join ' ', map { "'$_'" } $srv->httpd_cmd('-t');
    my $out = `$cmd 2>&1`;
    my $rc = $?;
    $srv->cleanup;
    return ($rc, $out);
}

my $all = 'X-Forwarded-For X-Client-IP X-Real-IP X-Forwarded-Host X-Host X-Forwarded-Server X-Forwarded-Port '
        . 'X-Script-Name X-Forwarded-Script-Name X-Forwarded-Proto X-Forwarded-Scheme X-Scheme '
        . 'X-Forwarded-HTTPS X-Forwarded-SSL X-HTTPS';
my($rc, $out) = configtest(<<"CONF");
WSGITrustedProxyHeaders $all
WSGITrustedProxies 127.0.0.1 10.0.0.0/8 172.16.0.0/255.240.0.0 192.168 ::1 2001:db8::/32 FE80::/10
<VirtualHost *>
    WSGITrustedProxyHeaders x-forwarded-for
    WSGITrustedProxies
</VirtualHost>
<Directory \$root>
    WSGITrustedProxyHeaders X-Real-IP
    WSGITrustedProxies 10.0.0.1
</Directory>
<Location /x>
    WSGITrustedProxyHeaders
</Location>
CONF
is $rc, 0, 'every header, every way to write an address, in server, virtual host, <Directory>, <Location>';
like $out, qr/Syntax OK/, 'Syntax OK';
unlike $out, qr/WSGIS0801/, 'no warning';

my @refused = (
    ['WSGITrustedProxies 10.0.0.0/33', qr/WSGITrustedProxies: '10\.0\.0\.0\/33': the mask after '\/' must be a prefix length from 1 to 32/],
    ['WSGITrustedProxies 10.0.0.0/0', qr/WSGITrustedProxies: '10\.0\.0\.0\/0': the mask/],
    ['WSGITrustedProxies 10.0.0.0/255.0.0', qr/WSGITrustedProxies: '10\.0\.0\.0\/255\.0\.0': the mask/],
    ['WSGITrustedProxies 256.1.1.1', qr/WSGITrustedProxies: '256\.1\.1\.1' is not an IPv4 address/],
    ['WSGITrustedProxies 127.0.0.1 proxy.example.com', qr/WSGITrustedProxies: 'proxy\.example\.com' is not an IP address or subnet \(host names are not accepted\)/],
    ['WSGITrustedProxies 2001:db8::/129', qr/WSGITrustedProxies: '2001:db8::\/129': the prefix length after '\/' must be a number from 1 to 128/],
    ['WSGITrustedProxies 2001:db8:::1', qr/WSGITrustedProxies: '2001:db8:::1' is not an IPv6 address or subnet/],
    ['WSGITrustedProxies ::ffff:10.0.0.1', qr/WSGITrustedProxies: '::ffff:10\.0\.0\.1' is an IPv4-mapped IPv6 address: write the IPv4 address/],
    ['WSGITrustedProxyHeaders X-Forwarded-For X_Forwarded_For', qr/WSGITrustedProxyHeaders: 'X_Forwarded_For' is not a header name \(letters, digits and '-' only\)/],
    ['WSGITrustedProxyHeaders X-Forwarded-For:', qr/WSGITrustedProxyHeaders: 'X-Forwarded-For:' is not a header name/],
);
for my $case (@refused) {
    my($line, $re) = @$case;
    ($rc, $out) = configtest("# a comment\n$line\n");
    isnt $rc, 0, "refused: $line";
    like $out, qr/Syntax error on line \d+ of \S+httpd\.conf/, "  ... named with file and line";
    like $out, $re, '  ... and why';
}

($rc, $out) = configtest("<Location /x>\n    WSGITrustedProxyHeaders X-Forwarded-For X-Forwarded-Prefix\n</Location>\n");
is $rc, 0, 'an unknown header name: the server starts';
like $out, qr/\[wsgiscript:warn\] .*WSGIS0801: WSGITrustedProxyHeaders at \S+httpd\.conf:\d+: 'X-Forwarded-Prefix' is not a header mod_wsgi knows: ignored/,
    'WSGIS0801 names the file, the line and the header';

done_testing;
