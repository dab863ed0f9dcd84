# The Authorization header reaches the app only with WSGIPassAuthorization On.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url decode_json_body);

my $auth = 'Basic dXNlcjpwYXNz';
my $ua = ua();
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
my $r = $ua->get(url('/pep/env'), Authorization => $auth);
my $d = decode_json_body($r) || {};
ok !exists $d->{HTTP_AUTHORIZATION}, 'default: no HTTP_AUTHORIZATION';

done_testing;
