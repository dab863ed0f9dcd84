# WSGIAccessScript (allow_access of t/auth/access.wsgi, by the X-A15-Access
# header): True 200, False 403 with WSGIS0707, None leaves the decision to
# the rest of the configuration; the host argument and the environ; print()
# in a hook logs against its request; access is checked before
# authentication.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url log_offset wait_log decode_json_body);
use AuthTest qw(basic_get);

my $ua = ua();

sub access_get {
    my($mode, $path) = @_;
    my $res = $ua->get(url($path || '/a15/access/x'), 'X-A15-Access' => $mode);
    return ($res, $res->code == 200 ? decode_json_body($res) : undef);
}

my($r, $d) = access_get('allow');
is $r->code, 200, 'allow_access True: 200';
my $seen = $d ? $d->{access}{seen}[-1] : {};
is $seen->{host}, '127.0.0.1', 'host: the client address (HostnameLookups Off)';
is $seen->{group}, 'auth15', 'ran in application group auth15';
ok((grep { $_ eq 'REMOTE_ADDR' } @{ $seen->{keys} || [] }), 'environ has REMOTE_ADDR');
ok((grep { $_ eq 'HTTP_X_A15_ACCESS' } @{ $seen->{keys} || [] }), 'environ has the request headers');
ok(!(grep { /^wsgi\.input$|AUTHORIZATION/ } @{ $seen->{keys} || [] }), 'no wsgi.input, no Authorization');

my $off = log_offset();
($r) = access_get('deny');
is $r->code, 403, 'allow_access False: 403';
like wait_log($off, qr/WSGIS0707/),
    qr/\[wsgiscript:error\][^\n]*WSGIS0707: Client denied by server configuration: '[^']*app\.wsgi' \(allow_access\(\) of WSGIAccessScript '[^']*access\.wsgi' returned False for host '127\.0\.0\.1'\)/,
    'WSGIS0707 names the script and the host';

($r) = access_get('none');
is $r->code, 200, 'allow_access None: the configuration decides (Require all granted): 200';

$off = log_offset();
($r) = access_get('print');
is $r->code, 200, 'print() in the hook: 200';
like wait_log($off, qr/a15 print from allow_access/),
    qr/\[client 127\.0\.0\.1:\d+\] WSGIS0201: a15 print from allow_access/, 'print() is logged against the request';

# access before authentication
($r) = access_get('deny', '/a15/access/basic/x');
is $r->code, 403, 'denied host: 403 before any authentication';
($r) = access_get('allow', '/a15/access/basic/x');
is $r->code, 401, 'allowed host, no credentials: 401';
($r, $d) = basic_get($ua, '/a15/access/basic/x', 'alice', 'wonderland', 'X-A15-Access' => 'allow');
is $r->code, 200, 'allowed host, right credentials: 200';
is $d && $d->{REMOTE_USER}, 'alice', 'REMOTE_USER';
($r) = basic_get($ua, '/a15/access/basic/x', 'alice', 'wonderland', 'X-A15-Access' => 'deny');
is $r->code, 403, 'denied host, right credentials: 403';

done_testing;
