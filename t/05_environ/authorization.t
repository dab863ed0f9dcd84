# WSGIPassAuthorization: the Authorization header reaches the app (as
# HTTP_AUTHORIZATION) only with WSGIPassAuthorization On. Off, explicit or
# by default (no directive), keeps the credentials out of environ entirely,
# while other headers still pass. Seen by two apps: t/wsgi/environ.wsgi
# (plain values; /auth/on and /auth/off) and t/pep3333/env.wsgi (values with
# their types; /pep/auth-on, /pep/auth-off and /pep/env).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url decode_json_body);

my $auth = 'Basic dXNlcjpwYXNz';
my $ua = ua();

# --- environ.wsgi: On in <Location /auth/on>; /auth/off has no directive ------
my $r = $ua->get(url('/auth/on'), Authorization => $auth);
is $r->code, 200, 'On: 200';
my $d = decode_json_body($r) || {};
is $d->{HTTP_AUTHORIZATION}, $auth, 'On: HTTP_AUTHORIZATION passed';

$r = $ua->get(url('/auth/off'), Authorization => $auth);
is $r->code, 200, 'Off (default): 200';
$d = decode_json_body($r) || {};
ok !exists $d->{HTTP_AUTHORIZATION}, 'Off: HTTP_AUTHORIZATION not passed';
is $d->{HTTP_X_OTHER}, undef, 'sanity: no stray header';

# --- env.wsgi: explicit On and Off, with another header beside it -------------
for my $case (['/pep/auth-on/x', 1], ['/pep/auth-off/x', 0]) {
    my($path, $on) = @$case;
    my $r = $ua->get(url($path), Authorization => $auth, 'X-Other' => 'other');
    is $r->code, 200, "$path: 200";
    my $d = decode_json_body($r) || {};
    if ($on) {
        is $d->{HTTP_AUTHORIZATION}{value}, $auth, "$path: HTTP_AUTHORIZATION passed";
    }
    else {
        ok !exists $d->{HTTP_AUTHORIZATION}, "$path: no HTTP_AUTHORIZATION";
        my @auth_keys = grep { /AUTHORIZATION/i || (ref $d->{$_} eq 'HASH' && ($d->{$_}{value} // '') eq $auth) } keys %$d;
        is_deeply \@auth_keys, [], "$path: the credentials are nowhere in environ";
    }
    is $d->{HTTP_X_OTHER}{value}, 'other', "$path: other headers still passed";
}
# The default (no directive) is Off
$r = $ua->get(url('/pep/env'), Authorization => $auth);
$d = decode_json_body($r) || {};
ok !exists $d->{HTTP_AUTHORIZATION}, 'default: no HTTP_AUTHORIZATION';

done_testing;
