# The WSGI environ: CGI variables split at the mount point, HTTP_* headers,
# wsgi.* keys, and wsgi.input with a POST body.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url decode_json_body);

my $ua = ua();
my $r = $ua->get(url('/environ/some/path?a=1&b=two'), 'X-Test-Header' => 'hello-header');
is $r->code, 200, 'GET 200';
my $d = decode_json_body($r) || {};
is $d->{REQUEST_METHOD}, 'GET', 'REQUEST_METHOD';
is $d->{SCRIPT_NAME}, '/environ', 'SCRIPT_NAME is the mount point';
is $d->{PATH_INFO}, '/some/path', 'PATH_INFO is the rest';
is $d->{QUERY_STRING}, 'a=1&b=two', 'QUERY_STRING';
is $d->{HTTP_X_TEST_HEADER}, 'hello-header', 'HTTP_X_TEST_HEADER';
like $d->{HTTP_HOST} // '', qr/^localhost:\d+$/, 'HTTP_HOST';
is_deeply $d->{'wsgi.version'}, [1, 0], 'wsgi.version (1, 0)';
ok $d->{'wsgi.version_is_tuple'}, 'wsgi.version is a tuple';
is $d->{'wsgi.url_scheme'}, 'http', 'wsgi.url_scheme';
ok $d->{has_wsgi_errors}, 'wsgi.errors has write()';
is $d->{SERVER_PROTOCOL}, 'HTTP/1.1', 'SERVER_PROTOCOL';
my $mpm = $ENV{WSGISCRIPT_MPM} || 'event';
is !!$d->{'wsgi.multithread'}, $mpm ne 'prefork', "wsgi.multithread matches the $mpm MPM";
ok $d->{'wsgi.multiprocess'}, 'wsgi.multiprocess is true';
ok defined $d->{'wsgi.run_once'} && !$d->{'wsgi.run_once'}, 'wsgi.run_once is false';
is $d->{body}, '', 'no body on GET';

$r = $ua->get(url('/environ'));
$d = decode_json_body($r) || {};
is $d->{SCRIPT_NAME}, '/environ', 'mount point itself: SCRIPT_NAME';
is $d->{PATH_INFO}, '', "mount point itself: PATH_INFO ''";
is $d->{QUERY_STRING}, '', "no query: QUERY_STRING ''";

my $payload = join '', map { chr(32 + $_ % 90) } 1 .. 100_000;
$r = $ua->post(url('/environ/post'), 'Content-Type' => 'application/octet-stream',
               Content => $payload);
is $r->code, 200, 'POST 200';
$d = decode_json_body($r) || {};
is $d->{REQUEST_METHOD}, 'POST', 'REQUEST_METHOD POST';
is $d->{CONTENT_LENGTH}, length($payload), 'CONTENT_LENGTH';
is $d->{CONTENT_TYPE}, 'application/octet-stream', 'CONTENT_TYPE';
ok +($d->{body} // "") eq $payload, 'wsgi.input read the whole body'
    or diag 'got ' . length($d->{body} // '') . ' bytes';

# Values are those of each request, also when the same keys come again.
for my $v (qw(first second first)) {
    $r = $ua->get(url("/environ/again?v=$v"), 'X-Test-Header' => "value-$v");
    $d = decode_json_body($r) || {};
    is $d->{QUERY_STRING}, "v=$v", "repeated request: QUERY_STRING v=$v";
    is $d->{HTTP_X_TEST_HEADER}, "value-$v", "repeated request: header value-$v";
}
$r = $ua->get(url('/environ/again'));
$d = decode_json_body($r) || {};
ok !exists $d->{HTTP_X_TEST_HEADER}, 'a header sent before is absent when not sent';

# Header names longer than what the environ cache keeps still arrive.
for my $round (1, 2) {
    my $long = 'X-' . ('L' x 300);
    $r = $ua->get(url('/environ/long'), $long => "long-name-$round");
    $d = decode_json_body($r) || {};
    (my $key = 'HTTP_' . uc $long) =~ tr/-/_/;
    is $d->{$key}, "long-name-$round", "a 302-character header name arrives (request $round)";
}

# SetEnv adds variables but cannot replace the module's own entries.
$r = $ua->get(url('/environ/setenv'));
$d = decode_json_body($r) || {};
is $d->{SETENV_VAR}, 'plain', 'SetEnv variable is in the environ';
is $d->{'mod_wsgi.extra'}, 'from-setenv', 'SetEnv mod_wsgi.extra (not one of ours) is passed';
is_deeply $d->{'mod_wsgi.version'}, [4, 9, 4], 'SetEnv mod_wsgi.version does not replace ours';
is !!$d->{'wsgi.multithread'}, $mpm ne 'prefork', 'SetEnv wsgi.multithread does not replace ours';
ok JSON::PP::is_bool($d->{'wsgi.multithread'}) || $d->{'wsgi.multithread'} =~ /^[01]$/,
    'wsgi.multithread is still a boolean';

done_testing;
