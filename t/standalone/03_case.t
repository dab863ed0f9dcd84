# WSGICaseSensitivity Off (a global directive, so on a server of its own):
# the module name is made from the lower-cased script path. With the default
# (On) it is made from the path as written.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use LWP::UserAgent ();
use WsgiServer;

for my $case ([ Off => 1 ], [ On => 0 ]) {
    my($setting, $lower) = @$case;
    my $srv = WsgiServer->new(name => "case-$setting",
        conf => "WSGICaseSensitivity $setting\nWSGIScriptAlias /case \$root/Apps/CaseInfo.wsgi\n");
    my $script = "$srv->{root}/Apps/CaseInfo.wsgi";
    mkdir "$srv->{root}/Apps";
    open my $fh, '>', $script or die $!;
    print $fh <<'PY';
def application(environ, start_response):
    body = __name__.encode('ascii')
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
PY
    close $fh;
    chmod 0755, "$srv->{root}/Apps";
    ok $srv->start, "WSGICaseSensitivity $setting: server starts" or diag $srv->slurp_log;
    my $res = LWP::UserAgent->new(timeout => 30)->get($srv->url('/case'));
    is $res->code, 200, "$setting: 200";
    my $want = '_mod_wsgi_' . md5_hex($lower ? lc $script : $script);
    is $res->decoded_content, $want,
        "$setting: module name is md5 of the " . ($lower ? 'lower-cased path' : 'path as written');
    $srv->cleanup;
}

done_testing;
