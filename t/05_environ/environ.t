# The WSGI environ, seen by two apps.
#
# t/pep3333/env.wsgi (/pep/env; values with their Python types): CGI
# variables (SCRIPT_NAME/PATH_INFO split, REQUEST_URI, CONTENT_TYPE/
# CONTENT_LENGTH without HTTP_, REMOTE_PORT, every header as HTTP_*), wsgi.*
# keys, mod_wsgi.* keys, types (PEP 3333: str keys and CGI values), the
# application mounted at /.
#
# t/wsgi/environ.wsgi (/environ; plain values): CGI variables split at the
# mount point, HTTP_* headers, wsgi.* keys, wsgi.input with a 100 KB POST
# body, values of each request when the same keys come again, header names
# longer than the environ cache keeps, and SetEnv beside the module's own
# entries.
#
# (WSGIPassAuthorization: authorization.t.)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url decode_json_body log_offset);
use PepTest qw(raw_http parse_http json_of hostport connect_to read_all settled_log_since error_lines);

my $mpm = $ENV{WSGISCRIPT_MPM} || 'event';
my $hp = hostport();
my($port) = $hp =~ /:(\d+)$/;

sub v { my($d, $k) = @_; $d->{$k} ? $d->{$k}{value} : undef }
sub t { my($d, $k) = @_; $d->{$k} ? $d->{$k}{type} : undef }

my $off = log_offset();
my $ua = ua();
my($r, $d);

# ============================================================================
# env.wsgi: {key: {type, value}}
# ============================================================================

# --- a GET with a raw socket: we know our own port and send exact headers ----
my $sock = connect_to();
my $local_port = $sock->sockport;
print $sock "GET /pep/env/a%20b/c%7Ed?x=1%202&y=%C3%A9 HTTP/1.1\r\n"
    . "Host: $hp\r\n"
    . "X-Custom-One: one\r\n"
    . "X-Multi: first\r\n"
    . "X-Multi: second\r\n"
    . "Accept-Language: de, en;q=0.5\r\n"
    . "X-Latin1: caf\xe9\r\n"
    . "Cookie: a=1; b=2\r\n"
    . "User-Agent: pep3333-test\r\n"
    . "Connection: close\r\n\r\n";
my $res = parse_http(read_all($sock));
close $sock;
is $res->{code}, 200, 'GET 200';
$d = json_of($res->{body}) || {};

is_deeply $d->{_key_types}, ['str'], 'every environ key is a str';
is $d->{_environ_type}, 'dict', 'environ is a dict';
is v($d, 'REQUEST_METHOD'), 'GET', 'REQUEST_METHOD';
is v($d, 'SCRIPT_NAME'), '/pep/env', 'SCRIPT_NAME is the mount point';
is v($d, 'PATH_INFO'), '/a b/c~d', 'PATH_INFO is the decoded rest';
is v($d, 'QUERY_STRING'), 'x=1%202&y=%C3%A9', 'QUERY_STRING undecoded';
is v($d, 'REQUEST_URI'), '/pep/env/a%20b/c%7Ed?x=1%202&y=%C3%A9', 'REQUEST_URI undecoded, with the query';
is v($d, 'SERVER_PROTOCOL'), 'HTTP/1.1', 'SERVER_PROTOCOL';
is v($d, 'SERVER_NAME'), 'localhost', 'SERVER_NAME';
is v($d, 'SERVER_PORT'), $port, 'SERVER_PORT';
is v($d, 'REMOTE_ADDR'), '127.0.0.1', 'REMOTE_ADDR';
is v($d, 'REMOTE_PORT'), $local_port, 'REMOTE_PORT is the client socket port';
is v($d, 'GATEWAY_INTERFACE'), 'CGI/1.1', 'GATEWAY_INTERFACE';
like v($d, 'SCRIPT_FILENAME') // '', qr{/pep3333/env\.wsgi$}, 'SCRIPT_FILENAME';
is v($d, 'HTTP_X_CUSTOM_ONE'), 'one', 'X-Custom-One as HTTP_X_CUSTOM_ONE';
is v($d, 'HTTP_X_MULTI'), 'first, second', 'a repeated header joined with ", "';
is v($d, 'HTTP_ACCEPT_LANGUAGE'), 'de, en;q=0.5', 'HTTP_ACCEPT_LANGUAGE';
is v($d, 'HTTP_X_LATIN1'), "caf\x{e9}", 'a header byte >= 0x80 decoded as latin-1';
is v($d, 'HTTP_COOKIE'), 'a=1; b=2', 'HTTP_COOKIE';
is v($d, 'HTTP_USER_AGENT'), 'pep3333-test', 'HTTP_USER_AGENT';
is v($d, 'HTTP_HOST'), $hp, 'HTTP_HOST';
is v($d, 'HTTP_CONNECTION'), 'close', 'HTTP_CONNECTION';
ok !exists $d->{CONTENT_LENGTH}, 'no CONTENT_LENGTH on a GET without body';
ok !exists $d->{HTTPS}, 'no HTTPS over plain http';

my @cgi_not_str = grep { /^[A-Z]/ && t($d, $_) ne 'str' } sort keys %$d;
is_deeply \@cgi_not_str, [], 'every CGI/HTTP_ value is a str';

# wsgi.*
is t($d, 'wsgi.version'), 'tuple', 'wsgi.version is a tuple';
is_deeply v($d, 'wsgi.version'), [1, 0], 'wsgi.version (1, 0)';
is v($d, 'wsgi.url_scheme'), 'http', 'wsgi.url_scheme http';
is t($d, 'wsgi.multithread'), 'bool', 'wsgi.multithread is a bool';
is !!v($d, 'wsgi.multithread'), $mpm ne 'prefork', "wsgi.multithread for $mpm";
is t($d, 'wsgi.multiprocess'), 'bool', 'wsgi.multiprocess is a bool';
ok v($d, 'wsgi.multiprocess'), 'wsgi.multiprocess True (the test MPMs allow several children)';
is t($d, 'wsgi.run_once'), 'bool', 'wsgi.run_once is a bool';
ok !v($d, 'wsgi.run_once'), 'wsgi.run_once False';
is t($d, 'wsgi.input_terminated'), 'bool', 'wsgi.input_terminated is a bool';
ok v($d, 'wsgi.input_terminated'), 'wsgi.input_terminated True';
ok exists $d->{'wsgi.errors'}, 'wsgi.errors present';
ok exists $d->{'wsgi.file_wrapper'}, 'wsgi.file_wrapper present';
is_deeply $d->{_input_methods}, [qw(read readline readlines __iter__)], 'wsgi.input methods';
is $d->{_body}, '', 'GET: wsgi.input.read() is empty';

# mod_wsgi.*
is v($d, 'mod_wsgi.process_group'), '', "mod_wsgi.process_group ''";
is v($d, 'mod_wsgi.application_group'), "localhost:$port|/pep/env",
    'mod_wsgi.application_group: the default %{RESOURCE}';
is v($d, 'mod_wsgi.callable_object'), 'application', 'mod_wsgi.callable_object';
is v($d, 'mod_wsgi.script_reloading'), '1', "mod_wsgi.script_reloading '1'";
is v($d, 'mod_wsgi.request_handler'), 'wsgi-script', 'mod_wsgi.request_handler';
is t($d, 'mod_wsgi.version'), 'tuple', 'mod_wsgi.version is a tuple';
is_deeply v($d, 'mod_wsgi.version'), [5, 0, 2], 'mod_wsgi.version';
for my $k (qw(mod_wsgi.process_group mod_wsgi.application_group mod_wsgi.callable_object
              mod_wsgi.script_reloading mod_wsgi.request_handler)) {
    is t($d, $k), 'str', "$k is a str";
}

$r = $ua->get(url('/pep/group-env/x'));
my $g = decode_json_body($r) || {};
is v($g, 'mod_wsgi.application_group'), 'pep-env-group', 'mod_wsgi.application_group: an explicit group';
is v($g, 'SCRIPT_NAME'), '/pep/group-env', 'SCRIPT_NAME of another mount';
is v($g, 'PATH_INFO'), '/x', 'PATH_INFO of another mount';

# --- POST: CONTENT_TYPE / CONTENT_LENGTH without HTTP_ -----------------------
$r = $ua->post(url('/pep/env/post'), 'Content-Type' => 'text/plain; charset=utf-8',
               Content => 'hello body');
$d = decode_json_body($r) || {};
is v($d, 'REQUEST_METHOD'), 'POST', 'POST: REQUEST_METHOD';
is v($d, 'CONTENT_TYPE'), 'text/plain; charset=utf-8', 'CONTENT_TYPE';
is v($d, 'CONTENT_LENGTH'), '10', 'CONTENT_LENGTH (a str)';
ok !exists $d->{HTTP_CONTENT_TYPE}, 'no HTTP_CONTENT_TYPE';
ok !exists $d->{HTTP_CONTENT_LENGTH}, 'no HTTP_CONTENT_LENGTH';
is $d->{_body}, 'hello body', 'body';

# --- mounted at /: SCRIPT_NAME '' --------------------------------------------
$res = parse_http(raw_http("GET /some/where?q=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                           vhost => 'pep3333_root'));
is $res->{code}, 200, 'root mount: 200';
$d = json_of($res->{body}) || {};
is v($d, 'SCRIPT_NAME'), '', "root mount: SCRIPT_NAME ''";
is v($d, 'PATH_INFO'), '/some/where', 'root mount: PATH_INFO is the whole path';
is v($d, 'REQUEST_URI'), '/some/where?q=1', 'root mount: REQUEST_URI';
$res = parse_http(raw_http("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                           vhost => 'pep3333_root'));
$d = json_of($res->{body}) || {};
is v($d, 'SCRIPT_NAME'), '', "root mount, /: SCRIPT_NAME ''";
is v($d, 'PATH_INFO'), '/', "root mount, /: PATH_INFO '/'";

# ============================================================================
# environ.wsgi: {key: value}
# ============================================================================

# --- a GET below the mount point ----------------------------------------------
$r = $ua->get(url('/environ/some/path?a=1&b=two'), 'X-Test-Header' => 'hello-header');
is $r->code, 200, 'GET 200';
$d = decode_json_body($r) || {};
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
is_deeply $d->{'mod_wsgi.version'}, [5, 0, 2], 'SetEnv mod_wsgi.version does not replace ours';
is !!$d->{'wsgi.multithread'}, $mpm ne 'prefork', 'SetEnv wsgi.multithread does not replace ours';
ok JSON::PP::is_bool($d->{'wsgi.multithread'}) || $d->{'wsgi.multithread'} =~ /^[01]$/,
    'wsgi.multithread is still a boolean';

# --- both apps ------------------------------------------------------------------
my @err = error_lines(settled_log_since($off));
is_deeply \@err, [], 'no error-level log lines' or diag join "\n", @err;

done_testing;
