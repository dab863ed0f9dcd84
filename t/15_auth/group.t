# Require wsgi-group NAME... (WSGIAuthGroupScript, groups_for_user of
# t/auth/users.wsgi): a user in one of the groups gets 200, a user in none
# (or in no group at all) 401 with WSGIS0708 (info); names compare without
# regard to case (as mod_wsgi and Require group); bytes, generators and long
# lists are accepted. WSGIGroupAuthoritative Off changes nothing.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url log_offset wait_log);
use AuthTest qw(basic_get);

my $ua = ua();

my $res = $ua->get(url('/a15/group/x'));
is $res->code, 401, 'no credentials: 401 (no user for the group check yet)';

for my $base ('/a15/group/x', '/a15/group/off/x') {
    my($r, $d) = basic_get($ua, $base, 'alice', 'wonderland');
    is $r->code, 200, "$base: alice (staff) 200";
    my $seen = $d ? $d->{users}{seen}[-1] : {};
    is $seen->{function}, 'groups_for_user', "$base: groups_for_user was called";
    is_deeply $seen->{args}, ['alice'], "$base: groups_for_user(environ, user)";
    is $d && $d->{REMOTE_USER}, 'alice', "$base: REMOTE_USER";

    my $off = log_offset();
    ($r) = basic_get($ua, $base, 'bob', 'builder');
    is $r->code, 401, "$base: bob (readers only) 401";
    my $log = wait_log($off, qr/WSGIS0708/);
    like $log, qr/\[wsgiscript:info\][^\n]*WSGIS0708: Authorization of user 'bob' to access '[^']*' failed\. User is not a member of designated groups \(Require wsgi-group staff Admins; [^\n]*gave 1 group/,
        "$base: WSGIS0708 (info) says why";
    like $log, qr/AH01631[^\n]*bob/, "$base: and httpd's authorization failure (AH01631)";
}

my $off = log_offset();
my($r) = basic_get($ua, '/a15/group/x', 'carol', 'c');
is $r->code, 401, 'carol (no groups) 401';
like wait_log($off, qr/WSGIS0708/), qr/WSGIS0708: Authorization of user 'carol'[^\n]*User is not a member of any groups [^\n]*gave 0 group/, 'WSGIS0708: no group at all';

($r) = basic_get($ua, '/a15/group/x', 'gupper', 'g');
is $r->code, 200, "group 'ADMINS' matches 'Require wsgi-group ... Admins' (case-insensitive)";
($r) = basic_get($ua, '/a15/group/x', 'gbytes', 'g');
is $r->code, 200, 'group names as bytes: 200';
($r) = basic_get($ua, '/a15/group/x', 'ggen', 'g');
is $r->code, 200, 'groups from a generator: 200';
($r) = basic_get($ua, '/a15/group/x', 'gmany', 'g');
is $r->code, 200, '1001 groups, the right one last: 200';

done_testing;
