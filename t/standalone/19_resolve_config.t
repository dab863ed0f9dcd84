# WSGIPickleResolve and WSGIScriptManifest on servers of their own (event
# MPM): where the directives are allowed (apache2 -t refuses the others with
# httpd's message), the index's bounds at start (a directory deeper than the
# index goes: WSGIS0321; a handler inside <Location>: WSGIS0329), a manifest
# that cannot be written (WSGIS0325, the server runs) or is set with the
# feature Off (WSGIS0329), and the index kept current: a script created under
# a directory target after start is loaded by name once the index was
# rebuilt (at most every 10 s, on a miss), and the parent rewrites the
# manifest with it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP ();
use LWP::UserAgent ();
use Time::HiRes ();
use Digest::MD5 qw(md5_hex);
use WsgiServer;

my $READER = <<'PY';
import pickle
def application(environ, start_response):
    n = int(environ.get('CONTENT_LENGTH') or 0)
    data = environ['wsgi.input'].read(n)
    try:
        obj = pickle.loads(data)
        out = 'ok ' + type(obj).__module__
    except Exception as exc:
        out = 'fail %s: %s' % (type(exc).__name__, exc)
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [out.encode()]
PY
my $CART = "class Cart:\n    pass\n\ndef application(environ, start_response):\n    start_response('200 OK', [])\n    return [b'']\n";

sub write_file {
    my($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh;
}
sub bytes_for { my $m = '_mod_wsgi_' . md5_hex(shift); "\x80\x02c$m\nCart\nq\x00)\x81q\x01}q\x02b." }

# --- where the directives may appear -------------------------------------------------
for my $case (
    [ "<VirtualHost *:80>\n    WSGIScriptManifest /tmp/m.json\n</VirtualHost>", qr/WSGIScriptManifest cannot occur within <VirtualHost> section/ ],
    [ "<Directory />\n    WSGIPickleResolve On\n</Directory>", qr/WSGIPickleResolve not allowed in <Directory> context/ ],
    [ "WSGIPickleResolve maybe", qr/WSGIPickleResolve must be On or Off/ ],
) {
    my($conf, $re) = @$case;
    my $srv = WsgiServer->new(name => 'resolve-conf', conf => $conf);
    my $out = `@{[ join ' ', map { "'$_'" } $srv->httpd_cmd('-t') ]} 2>&1`;
    isnt $? >> 8, 0, "refused: " . (split /\n/, $conf)[0] . '...';
    like $out, $re, 'with httpd\'s message';
    $srv->cleanup;
}
my $ok = WsgiServer->new(name => 'resolve-conf-ok',
    conf => "WSGIPickleResolve On\nWSGIScriptManifest logs/m.json\n<VirtualHost *:80>\n    WSGIPickleResolve Off\n</VirtualHost>");
my $out = `@{[ join ' ', map { "'$_'" } $ok->httpd_cmd('-t') ]} 2>&1`;
is $? >> 8, 0, 'server config and virtual host are accepted' or diag $out;
$ok->cleanup;

# --- bounds, notes, an unwritable manifest, refresh --------------------------------------
my $srv = WsgiServer->new(name => 'resolve-index', conf => <<'CONF');
WSGIPickleResolve On
WSGIScriptManifest $root/logs/manifest.json
WSGIScriptAlias /read $root/read.wsgi application-group=reader
WSGIScriptAlias /tree/ $root/tree/
WSGIScriptAlias /deep/ $root/deep/
<Location /loc>
    SetHandler wsgi-script
</Location>
CONF
my $root = $srv->root;
write_file("$root/read.wsgi", $READER);
mkdir "$root/tree";
write_file("$root/tree/first.wsgi", $CART);
my $d = "$root/deep";
mkdir $d;
for my $level (1 .. 10) { $d .= "/l$level"; mkdir $d }
write_file("$d/bottom.wsgi", $CART);
ok $srv->start, 'server starts' or diag $srv->slurp_log;
my $log = $srv->slurp_log;
like $log, qr/\[wsgiscript:warn\][^\n]*WSGIS0321: WSGIPickleResolve: WSGIScriptAlias \/deep\/ \([^)]*\): directories deeper than 8 levels below \Q$root\E\/deep are not indexed/,
    'WSGIS0321: the depth bound';
like $log, qr/\[wsgiscript:info\][^\n]*WSGIS0329: WSGIPickleResolve: SetHandler wsgi-script \([^)]*\): inside <Location \/loc>, which this index does not follow/,
    'WSGIS0329: a handler in <Location> is not followed';
like $log, qr/WSGIS0320: WSGIPickleResolve: index built: 2 scripts from 3 places/, 'WSGIS0320: read.wsgi and tree/first.wsgi';

my $ua = LWP::UserAgent->new(timeout => 30, keep_alive => 1);
my $post = sub { $ua->post($srv->url('/read'), Content => shift)->decoded_content };
like $post->(bytes_for("$root/tree/first.wsgi")), qr/^ok _mod_wsgi_/, 'a script of the directory loads by name';
like $post->(bytes_for("$d/bottom.wsgi")), qr/^fail ModuleNotFoundError/, 'one deeper than the bound does not';

my $manifest = JSON::PP::decode_json(do { open my $fh, '<', "$root/logs/manifest.json" or die $!; local $/; <$fh> });
is scalar(keys %{ $manifest->{scripts} }), 2, 'the manifest lists the 2 scripts';

# A script created after start: found once the index is rebuilt (a miss,
# at least 10 s after the last build), in the child and in the parent.
my $later = "$root/tree/later.wsgi";
write_file($later, $CART);
my $started = Time::HiRes::time();
my $answer = '';
while (Time::HiRes::time() - $started < 30) {
    $answer = $post->(bytes_for($later));
    last if $answer =~ /^ok/;
    Time::HiRes::sleep(1);
}
like $answer, qr/^ok _mod_wsgi_\Q${\ md5_hex($later)}\E/, 'a script created after start loads by name after a rebuild';
cmp_ok Time::HiRes::time() - $started, '>=', 5, '(not before the index was rebuilt)';
my $deadline = Time::HiRes::time() + 30;
my $listed;
while (Time::HiRes::time() < $deadline) {
    my $m = eval { JSON::PP::decode_json(do { open my $fh, '<', "$root/logs/manifest.json"; local $/; <$fh> }) } || {};
    last if $listed = $m->{scripts}{'_mod_wsgi_' . md5_hex($later)};
    Time::HiRes::sleep(1);
}
is $listed->{path}, $later, 'the parent rewrote the manifest with it';
like $srv->slurp_log, qr/WSGIS0320: WSGIPickleResolve: index changed: 3 scripts/, 'WSGIS0320: index changed';
$srv->cleanup;

my $bad = WsgiServer->new(name => 'resolve-bad-manifest',
    conf => "WSGIPickleResolve On\nWSGIScriptManifest /nonexistent-dir/wsgiscript/manifest.json\n");
ok $bad->start, 'a manifest that cannot be written does not stop the server';
like $bad->slurp_log, qr/\[wsgiscript:error\][^\n]*WSGIS0325: WSGIScriptManifest: the manifest was not written: cannot create/, 'WSGIS0325';
$bad->cleanup;

my $off = WsgiServer->new(name => 'resolve-manifest-off', conf => "WSGIScriptManifest \$root/logs/manifest.json\n");
ok $off->start, 'manifest without WSGIPickleResolve On: starts';
like $off->slurp_log, qr/\[wsgiscript:warn\][^\n]*WSGIS0329: WSGIScriptManifest is set but no server has WSGIPickleResolve On/, 'WSGIS0329';
ok !-e $off->root . '/logs/manifest.json', 'and writes no manifest';
$off->cleanup;

done_testing;
