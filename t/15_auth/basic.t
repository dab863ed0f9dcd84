# AuthBasicProvider wsgi (WSGIAuthUserScript, t/auth/users.wsgi):
# check_password True / False / None give 200 / 401 / 401, the user reaches
# the application as REMOTE_USER with AUTH_TYPE Basic, a returned str
# replaces the user name; the hook's arguments and its cut-down environ
# (mod_wsgi's keys; no Authorization, no SetEnv, no wsgi.input); the
# script loaded as _mod_wsgi_<md5> in the application group named (or the
# main interpreter by default, or %{SERVER}); the provider under an
# <AuthnProviderAlias>.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url log_offset wait_log);
use AuthTest qw(basic_get hook_module);

my $ua = ua();
my $users = hook_module('users.wsgi');

# --- no credentials: the challenge, no hook call --------------------------------
my $res = $ua->get(url('/a15/basic/x'));
is $res->code, 401, 'no credentials: 401';
like $res->header('WWW-Authenticate') // '', qr/^Basic realm="a15 basic"/, 'Basic challenge with the realm';

# --- True: granted ---------------------------------------------------------------
my $off = log_offset();
($res, my $d) = basic_get($ua, '/a15/basic/x?q=1', 'alice', 'wonderland', 'X-A15-Test' => 'hello',
                          'Content-Type' => 'text/x-a15');
is $res->code, 200, 'check_password True: 200';
$d ||= {};
is $d->{REMOTE_USER}, 'alice', 'REMOTE_USER reaches the application';
is $d->{AUTH_TYPE}, 'Basic', 'AUTH_TYPE Basic';
is $d->{HTTP_AUTHORIZATION}, undef, 'no HTTP_AUTHORIZATION for the application (WSGIPassAuthorization Off)';
is $d->{A15_SETENV}, 'from-setenv', 'the application sees SetEnv';
my $seen = $d->{users}{seen}[-1] || {};
is $seen->{function}, 'check_password', 'the hook ran in the application group auth15';
is $seen->{module}, $users, 'hook script module named _mod_wsgi_ + md5 of its path';
is_deeply $seen->{args}, ['alice', 'wonderland'], 'user and password as str';
my $env = $seen->{environ} || {};
is $env->{REQUEST_METHOD}, 'GET', 'environ REQUEST_METHOD';
is $env->{REQUEST_URI}, '/a15/basic/x?q=1', 'environ REQUEST_URI';
is $env->{QUERY_STRING}, 'q=1', 'environ QUERY_STRING';
is $env->{SCRIPT_NAME}, '/a15', 'environ SCRIPT_NAME';
is $env->{PATH_INFO}, '/basic/x', 'environ PATH_INFO';
is $env->{HTTP_X_A15_TEST}, 'hello', 'environ: request headers as HTTP_*';
is $env->{CONTENT_TYPE}, 'text/x-a15', 'environ CONTENT_TYPE';
is $env->{REMOTE_ADDR}, '127.0.0.1', 'environ REMOTE_ADDR';
like $env->{REMOTE_PORT} // '', qr/^\d+$/, 'environ REMOTE_PORT';
ok length($env->{SERVER_NAME} // ''), 'environ SERVER_NAME';
like $env->{SERVER_PORT} // '', qr/^\d+$/, 'environ SERVER_PORT';
is $env->{SERVER_PROTOCOL}, 'HTTP/1.1', 'environ SERVER_PROTOCOL';
ok exists $env->{DOCUMENT_ROOT}, 'environ DOCUMENT_ROOT';
ok exists $env->{SERVER_SOFTWARE}, 'environ SERVER_SOFTWARE';
is $env->{'mod_wsgi.application_group'}, 'auth15', 'environ mod_wsgi.application_group';
is $env->{'mod_wsgi.process_group'}, '', 'environ mod_wsgi.process_group ""';
is $env->{'mod_wsgi.script_reloading'}, 1, 'environ mod_wsgi.script_reloading 1 (an int, as mod_wsgi)';
is_deeply $env->{'mod_wsgi.version'}, [5, 0, 2], 'environ mod_wsgi.version';
is scalar(@{ $env->{'apache.version'} || [] }), 3, 'environ apache.version (3 numbers)';
ok $env->{'wsgi.errors'}, 'environ wsgi.errors is a stream';
ok !exists $env->{HTTP_AUTHORIZATION}, 'no HTTP_AUTHORIZATION in the hook environ';
ok !exists $env->{A15_SETENV}, 'no SetEnv variable in the hook environ';
ok !exists $env->{'wsgi.input'}, 'no wsgi.input in the hook environ';
ok !exists $env->{REMOTE_USER}, 'no REMOTE_USER yet in the hook environ';
like wait_log($off, qr/a15 hook check_password in group 'auth15'/),
    qr/WSGIS0201: a15 hook check_password in group 'auth15'/, 'wsgi.errors of the hook goes to the error log';

ok !exists $env->{'apache.request_rec'}, 'no apache.request_rec (WSGIPassApacheRequest Off)';
($res, $d) = basic_get($ua, '/a15/basic/rec/x', 'alice', 'wonderland');
is $res->code, 200, 'WSGIPassApacheRequest On: 200';
like $d ? $d->{users}{seen}[-1]{environ}{'apache.request_rec'} // '' : '', qr/^<capsule object NULL/,
    'WSGIPassApacheRequest On: apache.request_rec (a capsule) in the hook environ, as mod_wsgi';

# --- False: denied; None: unknown user -------------------------------------------
$off = log_offset();
($res) = basic_get($ua, '/a15/basic/x', 'alice', 'wrong');
is $res->code, 401, 'check_password False: 401';
like wait_log($off, qr/AH01617/), qr/AH01617[^\n]*alice/, 'httpd logs the password mismatch (AH01617)';
$off = log_offset();
($res) = basic_get($ua, '/a15/basic/x', 'mallory', 'x');
is $res->code, 401, 'check_password None: 401';
like wait_log($off, qr/AH01618/), qr/AH01618[^\n]*mallory/, 'httpd logs the unknown user (AH01618)';

# --- a str: the user name Apache keeps ------------------------------------------
($res, $d) = basic_get($ua, '/a15/basic/x', 'rename', 'x');
is $res->code, 200, 'check_password returns a str: 200';
is $d && $d->{REMOTE_USER}, "Canonical J\xc3\xb6rg",
    'REMOTE_USER is the returned name (UTF-8 bytes, seen as latin-1 str by the app)';
($res) = basic_get($ua, '/a15/basic/x', 'rename', 'y');
is $res->code, 401, 'same hook returning False: 401';

# --- the default group is the main interpreter; %{SERVER} ------------------------
$off = log_offset();
($res, $d) = basic_get($ua, '/a15/global/x', 'bob', 'builder');
is $res->code, 200, 'no application-group=: 200';
like wait_log($off, qr/a15 hook check_password in group ''/), qr/a15 hook check_password in group ''/,
    "no application-group=: the hook ran in the main interpreter ('')";
ok !grep({ $_->{environ}{REQUEST_URI} eq '/a15/global/x' } @{ $d->{users}{seen} || [] }),
    'not in the application group auth15';
$off = log_offset();
($res) = basic_get($ua, '/a15/server/x', 'bob', 'builder');
is $res->code, 200, 'application-group=%{SERVER}: 200';
like wait_log($off, qr/a15 hook check_password in group '[^']+'/),
    qr/a15 hook check_password in group '[^'|]+'/, 'application-group=%{SERVER}: a server name';

# --- <AuthnProviderAlias wsgi a15alias> -------------------------------------------
($res, $d) = basic_get($ua, '/a15/alias/x', 'bob', 'builder');
is $res->code, 200, 'AuthBasicProvider a15alias (AuthnProviderAlias wsgi): 200';
is $d && $d->{REMOTE_USER}, 'bob', 'alias: REMOTE_USER';
($res) = basic_get($ua, '/a15/alias/x', 'bob', 'nope');
is $res->code, 401, 'alias: wrong password 401';

done_testing;
