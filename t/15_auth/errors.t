# A hook that fails never grants access: an exception (500, WSGIS0703 and
# the traceback, each line tagged), a result of the wrong type or value (500,
# WSGIS0704), a missing function (500, WSGIS0702), a missing script (500,
# WSGIS0701), a script that raises while loading (500, WSGIS0103 and its
# traceback), a provider with no script configured (500, WSGIS0706) — for
# check_password, get_realm_hash, groups_for_user and allow_access. The
# server keeps serving.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Apache::Test ();
use Apache::TestRequest ();
use WsgiTest qw(ua url log_offset wait_log);
use AuthTest qw(basic_get);
use LWP::UserAgent ();

my $ua = ua();

# One failing request: 500, not the application's body, and the log lines.
sub fails {
    my($what, $req, @want) = @_;
    my $off = log_offset();
    my $res = $req->();
    is $res->code, 500, "$what: 500";
    unlike $res->decoded_content // '', qr/REMOTE_USER/, "$what: the application did not run";
    my $log = wait_log($off, $want[-1]);
    like $log, $_, "$what: log matches $_" for @want;
    return $log;
}

sub basic { my @a = @_; sub { (basic_get($ua, @a))[0] } }

# --- check_password ---------------------------------------------------------------
my $log = fails('check_password raises', basic('/a15/basic/x', 'raise', 'x'),
    qr/\[wsgiscript:error\][^\n]*WSGIS0703: Exception occurred processing WSGI script '[^']*users\.wsgi' \(check_password\(\) of WSGIAuthUserScript raised\); traceback follows/,
    qr/WSGIS0703:   File "[^"]*users\.wsgi", line \d+, in check_password/,
    qr/WSGIS0703: RuntimeError: a15 check_password failure/);
unlike $log, qr/a15 hook check_password[^\n]*\n[^\n]*AH0161[78]/, 'no "user not found"/"mismatch" line: not a denial';
fails('check_password returns 1', basic('/a15/basic/x', 'wrong', 'x'),
    qr/WSGIS0704: Basic auth provider must return True, False, None or user name as string: check_password\(\) of WSGIAuthUserScript '[^']*users\.wsgi' returned a value of type int/);
fails('check_password returns an empty str', basic('/a15/basic/x', 'empty', 'x'),
    qr/WSGIS0704: Basic auth provider returned empty user name string: check_password\(\) of [^\n]* returned ''/);

# --- the script or its function missing, the script broken, no script ---------------
fails('script file missing', basic('/a15/fail/missing/x', 'alice', 'wonderland'),
    qr/WSGIS0701: Unable to stat Python script file '[^']*no-such-script\.wsgi' \(WSGIAuthUserScript at [^)]*15_auth\.conf:\d+\) for '\/a15\/fail\/missing\/x': No such file/);
for my $try (1, 2) {
    fails("script raises while loading (request $try)", basic('/a15/fail/broken/x', 'alice', 'wonderland'),
        qr/WSGIS0103: Failed to exec Python script file '[^']*broken\.wsgi'/,
        qr/WSGIS0103: ImportError: a15 broken hook script/);
}
fails('no check_password in the script', basic('/a15/fail/nofunc/x', 'alice', 'wonderland'),
    qr/WSGIS0702: Target WSGI user authentication script '[^']*noauth\.wsgi' does not provide 'Basic' auth provider \(no check_password\(\) for AuthBasicProvider wsgi\)/);
fails('AuthBasicProvider wsgi without WSGIAuthUserScript', basic('/a15/fail/x', 'alice', 'wonderland'),
    qr/WSGIS0706: Location of WSGI user authentication script not provided: AuthBasicProvider wsgi is in force for '\/a15\/fail\/x', but no WSGIAuthUserScript applies there/);
fails('Require wsgi-group without WSGIAuthGroupScript', basic('/a15/fail/nogroupscript/x', 'alice', 'wonderland'),
    qr/WSGIS0706: Location of WSGI group authorization script not provided: Require wsgi-group is in force for '[^']*', but no WSGIAuthGroupScript applies there/);

# --- groups_for_user -----------------------------------------------------------------
fails('groups_for_user raises', basic('/a15/group/x', 'graise', 'g'),
    qr/WSGIS0703: Exception occurred processing WSGI script '[^']*users\.wsgi' \(groups_for_user\(\) of WSGIAuthGroupScript raised\); traceback follows/,
    qr/WSGIS0703: LookupError: a15 groups_for_user failure/);
fails('groups_for_user returns a str', basic('/a15/group/x', 'gstr', 'g'),
    qr/WSGIS0704: Result returned from 'groups_for_user' in '[^']*users\.wsgi' is a single str; expected an iterable sequence of strings/);
fails('groups_for_user returns None', basic('/a15/group/x', 'gnone', 'g'),
    qr/WSGIS0704: Result returned from 'groups_for_user' in '[^']*' is not iterable; expected an iterable sequence of strings \(got a value of type NoneType\)/);
fails('groups_for_user returns an int among the names', basic('/a15/group/x', 'gint', 'g'),
    qr/WSGIS0704: Item returned from 'groups_for_user' in '[^']*' is not a byte string or a string \(got a value of type int\)/);

# --- allow_access --------------------------------------------------------------------
sub access { my $mode = shift; my $path = shift || '/a15/access/x';
             sub { $ua->get(url($path), 'X-A15-Access' => $mode) } }
fails('allow_access raises', access('raise'),
    qr/WSGIS0703: Exception occurred processing WSGI script '[^']*access\.wsgi' \(allow_access\(\) of WSGIAccessScript raised\); traceback follows/,
    qr/WSGIS0703: ValueError: a15 allow_access failure/);
fails('allow_access returns a str', access('wrong'),
    qr/WSGIS0704: Result returned from 'allow_access' in '[^']*access\.wsgi' must be a boolean or None \(got a value of type str\)/);
fails('no allow_access in the script', access('allow', '/a15/access/nofunc/x'),
    qr/WSGIS0702: Target WSGI host access script '[^']*noauth\.wsgi' does not provide host validator \(no allow_access\(\) for the host access check\)/);

# --- get_realm_hash (a real Digest client: the first request is the challenge) ----------
my $hostport = Apache::TestRequest::hostport(Apache::Test::config());
sub digest {
    my($user, $path, $realm) = @_;
    sub {
        my $d = LWP::UserAgent->new(keep_alive => 1, timeout => 60);
        $d->credentials($hostport, $realm || 'a15 digest', $user, 'x');
        $d->get(url($path || '/a15/digest/x'));
    }
}
fails('get_realm_hash raises', digest('raise'),
    qr/WSGIS0703: Exception occurred processing WSGI script '[^']*users\.wsgi' \(get_realm_hash\(\) of WSGIAuthUserScript raised\); traceback follows/,
    qr/WSGIS0703: RuntimeError: a15 get_realm_hash failure/);
fails('get_realm_hash returns an int', digest('wrong'),
    qr/WSGIS0704: Digest auth provider must return None or string object: get_realm_hash\(\) of [^\n]* returned a value of type int \(expected the hex MD5 digest/);
fails('AuthDigestProvider wsgi without WSGIAuthUserScript', digest('alice', '/a15/fail/noscript-digest/x', 'a15 fail digest'),
    qr/WSGIS0706: Location of WSGI user authentication script not provided: AuthDigestProvider wsgi is in force for '[^']*', but no WSGIAuthUserScript applies there/);

is $ua->get(url('/hello'))->code, 200, 'still serving';
my ($r) = basic_get($ua, '/a15/basic/x', 'alice', 'wonderland');
is $r->code, 200, 'the hook still works after its failures';

done_testing;
