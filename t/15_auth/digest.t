# AuthDigestProvider wsgi (WSGIAuthUserScript, t/auth/users.wsgi):
# get_realm_hash returns the hex MD5 of user:realm:password (str or bytes)
# or None; a real Digest client (LWP) gets 200 with the right password, 401
# with a wrong one or an unknown user; non-ASCII user names work.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Apache::Test ();
use Apache::TestRequest ();
use WsgiTest qw(url log_offset wait_log decode_json_body);
use LWP::UserAgent ();

my $hostport = Apache::TestRequest::hostport(Apache::Test::config());
my $realm = 'a15 digest';

sub digest_get {
    my($user, $password, $path) = @_;
    my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 60);
    $ua->credentials($hostport, $realm, $user, $password);
    my $res = $ua->get(url($path || '/a15/digest/x'));
    return ($res, $res->code == 200 ? decode_json_body($res) : undef);
}

my $res = LWP::UserAgent->new->get(url('/a15/digest/x'));
is $res->code, 401, 'no credentials: 401';
like $res->header('WWW-Authenticate') // '', qr/^Digest realm="a15 digest"/, 'Digest challenge';

(my $r, my $d) = digest_get('alice', 'wonderland');
is $r->code, 200, 'right password: 200';
is $d && $d->{REMOTE_USER}, 'alice', 'REMOTE_USER';
is $d && $d->{AUTH_TYPE}, 'Digest', 'AUTH_TYPE Digest';
my $seen = $d ? $d->{users}{seen}[-1] : {};
is $seen->{function}, 'get_realm_hash', 'get_realm_hash was called';
is_deeply $seen->{args}, ['alice', $realm], 'get_realm_hash(environ, user, realm)';
ok !exists $seen->{environ}{HTTP_AUTHORIZATION}, 'no HTTP_AUTHORIZATION in the hook environ';

my $off = log_offset();
($r) = digest_get('alice', 'not-the-password');
is $r->code, 401, 'wrong password: 401';
like wait_log($off, qr/AH01794/), qr/AH01794[^\n]*alice/, 'httpd logs the mismatch (AH01794)';

$off = log_offset();
($r) = digest_get('mallory', 'x');
is $r->code, 401, 'get_realm_hash None (unknown user): 401';
like wait_log($off, qr/AH01790/), qr/AH01790[^\n]*mallory/, 'httpd logs the unknown user (AH01790)';

($r, $d) = digest_get('bbob', 'builder');
is $r->code, 200, 'a bytes digest is accepted: 200';
is $d && $d->{REMOTE_USER}, 'bbob', 'REMOTE_USER bbob';

# UTF-8 user name and password (the hook gets the bytes as latin-1 str)
($r, $d) = digest_get("j\xc3\xb6rg", "stra\xc3\x9fe");
is $r->code, 200, 'non-ASCII user name: 200';
is $d && $d->{REMOTE_USER}, "j\xc3\xb6rg", 'REMOTE_USER is the UTF-8 bytes (latin-1 str)';
is_deeply $d ? $d->{users}{seen}[-1]{args} : [], ["j\xc3\xb6rg", $realm], 'get_realm_hash got the bytes as latin-1 str';

done_testing;
