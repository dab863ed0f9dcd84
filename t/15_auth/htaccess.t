# The hook directives in a .htaccess file (Override AuthConfig), in front of
# a static file: check_password decides; a relative script path is
# ServerRoot-relative. application-group=%{HOST} is refused there as in the
# main configuration (httpd answers 500 for the .htaccess and names the
# reason): no client can make a hook create interpreters.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url log_offset wait_log);
use AuthTest qw(basic_get);

my $ua = ua();
is $ua->get(url('/a15-htaccess/hello.txt'))->code, 401, '.htaccess: no credentials 401';
my($r) = basic_get($ua, '/a15-htaccess/hello.txt', 'alice', 'wonderland');
is $r->code, 200, '.htaccess: right password 200';
like $r->decoded_content, qr/a15 htaccess file/, 'the static file is served';
($r) = basic_get($ua, '/a15-htaccess/hello.txt', 'alice', 'nope');
is $r->code, 401, '.htaccess: wrong password 401';

my $off = log_offset();
($r) = basic_get($ua, '/a15-htaccess-bad/hello.txt', 'alice', 'wonderland');
is $r->code, 500, '.htaccess with application-group=%{HOST}: 500';
like wait_log($off, qr/htaccess-bad/), qr/\[core:alert\][^\n]*htaccess-bad\/\.htaccess: WSGIAuthUserScript: application-group=%\{HOST\} is refused/,
    'httpd names the file and the refusal';

done_testing;
