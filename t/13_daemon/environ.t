# The environ in a daemon process is the one embedded mode builds, apart
# from the keys that describe the process. One URL, one script
# (t/daemon/info.wsgi /environ), one connection: WSGIProcessGroup
# %{ENV:D13_GROUP} sends the request to the group d13 when the header
# X-D13-Group says so and runs it embedded otherwise, so the two environs
# differ only by what the request and the process make different:
#   HTTP_X_D13_GROUP and D13_GROUP      the header and the variable chosen
#   mod_wsgi.process_group              '' / 'd13'
#   wsgi.multithread, wsgi.multiprocess the MPM's / the group's
#   mod_wsgi.request_start, script_start, request_id, thread_id,
#   thread_requests, total_requests      the request's and the process's
# Every other key, its value (str) or its type (wsgi.input, wsgi.errors,
# wsgi.file_wrapper, wsgi.version ...) is the same; also for a POST with a
# query string, a body and odd headers, and with WSGIPassAuthorization's
# default (Off: no HTTP_AUTHORIZATION in either), and with
# pass-authorization=On (/d13/auth: passed, as embedded).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use HTTP::Request ();
use WsgiTest qw(ua url);
use DaemonTest qw(json_body);

my $ua = ua();
my %process_keys = map { $_ => 1 } qw(HTTP_X_D13_GROUP D13_GROUP mod_wsgi.process_group
                                      wsgi.multithread wsgi.multiprocess
                                      mod_wsgi.request_start mod_wsgi.script_start mod_wsgi.request_id
                                      mod_wsgi.thread_id mod_wsgi.thread_requests mod_wsgi.total_requests);

sub environ_of {
    my($method, $group, $body) = @_;
    my $req = HTTP::Request->new($method => url('/d13/env/environ/p%20i%C3%A9?a=1&b=%C3%A9'));
    $req->header('X-D13-Group' => $group);
    $req->header('X-Odd' => "  spaced \t value ");
    $req->header('Authorization' => 'Basic dXNlcjpwYXNz');
    $req->header('Cookie' => 'a=b; c=d');
    if (defined $body) {
        $req->header('Content-Type' => 'application/x-www-form-urlencoded');
        $req->content($body);
    }
    my $res = $ua->request($req);
    return ($res, json_body($res) || {});
}

# LWP sends Keep-Alive and Connection: Keep-Alive with the first request of a
# connection only: open it first, so the compared requests send the same.
$ua->get(url('/d13/embedded/info'));

for my $case (['GET', undef], ['POST', 'x=1&y=' . ('z' x 5000)]) {
    my($method, $body) = @$case;
    my($re, $emb) = environ_of($method, 'none', $body);
    my($rd, $dmn) = environ_of($method, 'd13', $body);
    is $re->code, 200, "$method embedded: 200";
    is $rd->code, 200, "$method daemon: 200";
    is $emb->{'mod_wsgi.process_group'}, '', "$method: embedded really ran embedded";
    isnt $dmn->{'wsgi.errors'}, undef, "$method: daemon environ read";
    is $dmn->{D13_GROUP}, 'd13', "$method: the daemon request went to d13";

    my @only_emb = grep { !exists $dmn->{$_} && !$process_keys{$_} } sort keys %$emb;
    my @only_dmn = grep { !exists $emb->{$_} && !$process_keys{$_} } sort keys %$dmn;
    is_deeply \@only_emb, [], "$method: no key is only in the embedded environ";
    is_deeply \@only_dmn, [], "$method: no key is only in the daemon environ";
    my @differ = grep { exists $dmn->{$_} && !$process_keys{$_} && ($emb->{$_} // '') ne ($dmn->{$_} // '') }
                 sort keys %$emb;
    is_deeply [ map { "$_: '$emb->{$_}' vs '$dmn->{$_}'" } @differ ], [],
        "$method: every other key has the same value (or type)";
    is $dmn->{'wsgi.multithread'}, '<bool True>', "$method: daemon wsgi.multithread True (threads=4)";
    is $dmn->{'wsgi.multiprocess'}, '<bool True>', "$method: daemon wsgi.multiprocess True (processes=2)";
    ok !exists $dmn->{HTTP_AUTHORIZATION}, "$method: no HTTP_AUTHORIZATION (WSGIPassAuthorization Off), as embedded";
    is $dmn->{HTTP_X_ODD}, $emb->{HTTP_X_ODD}, "$method: header value as embedded";
    is $dmn->{PATH_INFO}, "/environ/p i\x{c3}\x{a9}", "$method: PATH_INFO decoded, its bytes as latin-1 characters";
    my $n = scalar keys %$emb;
    cmp_ok $n, '>', 25, "$method: $n keys compared";
    is $dmn->{'mod_wsgi.process_group'}, 'd13', "$method: daemon environ['mod_wsgi.process_group'] 'd13'";
}

# WSGIPassAuthorization On (pass-authorization=On): HTTP_AUTHORIZATION passed,
# as embedded
{
    my %auth;
    for my $mount ('/d13/auth-embedded', '/d13/auth') {
        my $res = $ua->get(url("$mount/environ"), Authorization => 'Basic dXNlcjpwYXNz');
        is $res->code, 200, "pass-authorization=On ($mount): 200";
        $auth{$mount} = json_body($res) || {};
    }
    is $auth{'/d13/auth'}{HTTP_AUTHORIZATION}, 'Basic dXNlcjpwYXNz', 'pass-authorization=On: HTTP_AUTHORIZATION in the daemon';
    is $auth{'/d13/auth'}{HTTP_AUTHORIZATION}, $auth{'/d13/auth-embedded'}{HTTP_AUTHORIZATION}, '... as embedded';
}

done_testing;
