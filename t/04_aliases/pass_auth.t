# WSGIPassAuthorization: HTTP_AUTHORIZATION reaches the app only when On.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url decode_json_body);

my $ua = ua();
my $auth = 'Basic dXNlcjpwYXNz';

my $r = $ua->get(url('/auth/on'), Authorization => $auth);
is $r->code, 200, 'On: 200';
my $d = decode_json_body($r) || {};
is $d->{HTTP_AUTHORIZATION}, $auth, 'On: HTTP_AUTHORIZATION passed';

$r = $ua->get(url('/auth/off'), Authorization => $auth);
is $r->code, 200, 'Off (default): 200';
$d = decode_json_body($r) || {};
ok !exists $d->{HTTP_AUTHORIZATION}, 'Off: HTTP_AUTHORIZATION not passed';
is $d->{HTTP_X_OTHER}, undef, 'sanity: no stray header';

done_testing;
