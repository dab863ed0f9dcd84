# Every Apache configuration example of mod_wsgi's directive documentation
# (docs/configuration-directives/*.rst of mod_wsgi 6.0.5, every literal block
# that is Apache configuration), retyped one per file in doc_examples/, goes
# through `apache2 -t`:
# - each file says what must happen in its "# expect:" line, written down by
#   hand from docs/compat.md and docs/directives/, never taken from the
#   output: "ok" (Syntax OK and nothing else printed) or "refused at line N:
#   TEXT" (non-zero exit, httpd's "Syntax error on line N of .../FILE.conf"
#   naming the example's own file, then our reason starting with TEXT);
# - the examples are kept as documented except for what cannot exist here,
#   each adaptation said in the file: absolute paths of files an example
#   needs are put under $root (the test writes those files), user=/group=
#   accounts are www-data, the "..." lines standing for the rest of a site
#   are left out.
# Then a few are started for real (`apache2 -k start` on free ports, a
# request, `-k stop`), with a script at WSGIScriptAlias:
# - WSGIScriptAlias.rst example 4 with WSGIProcessGroup.rst example 1: the
#   request runs in daemon group mygroup;
# - WSGIDaemonProcess.rst example 2 (a group per virtual host, the hosts'
#   *:80 made the test's port): each site runs in its own group;
# - WSGIDispatchScript.rst example 1 with the dispatch script of that page:
#   /admin/, /api/ and the rest each run in the group the script names;
# - WSGIDaemonProcess.rst example 1 (the http and https hosts of one site
#   share the group the first defines): both hosts are served by it.
# The Apache error logs must have no crash line.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Basename ();
use File::Path ();
use LWP::UserAgent ();
use WsgiServer;

my $EXAMPLES = "$FindBin::Bin/doc_examples";
my $MODDIR = '/usr/lib/apache2/modules';
my $HTTXT2DBM = '/usr/sbin/httxt2dbm';
my @LOAD = ([ alias_module   => "$MODDIR/mod_alias.so" ],
            [ env_module     => "$MODDIR/mod_env.so" ],
            [ rewrite_module => "$MODDIR/mod_rewrite.so" ],
            [ wsgiscript_module => WsgiServer::so() ]);

my $APP = <<'PY';
import os


def application(environ, start_response):
    body = '%s|%s|%d' % (environ.get('mod_wsgi.process_group'),
                         environ.get('mod_wsgi.application_group'), os.getpid())
    body = body.encode()
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
PY

# The dispatch script of WSGIDispatchScript.rst, in our words.
my $DISPATCH = <<'PY';
def process_group(environ):
    uri = environ.get('REQUEST_URI', '')
    for prefix, group in (('/admin/', 'admin'), ('/api/', 'api')):
        if uri.startswith(prefix):
            return group
    return 'web'
PY

sub spew {
    my($path, $text) = @_;
    File::Path::make_path(File::Basename::dirname($path));
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh or die "$path: $!";
}

# The files the examples name, under the server's root.
sub populate {
    my $root = shift;
    spew("$root/$_", $APP) for qw(web/wsgi-scripts/myapp.wsgi web/wsgi-scripts/name
                                  etc/apache2/wsgi/resource.wsgi srv/myapp/wsgi.py
                                  projects/Media/wsgi_handler.py);
    spew("$root/$_", $DISPATCH) for qw(etc/apache2/wsgi/dispatch.py tmp/dispatch.py);
    File::Path::make_path("$root/run");
    spew("$root/etc/httpd/wsgiprocmap.txt", "/ default\n/admin/ admin\n");
    system($HTTXT2DBM, '-i', "$root/etc/httpd/wsgiprocmap.txt", '-o', "$root/etc/httpd/wsgiprocmap.dbm") == 0
        or die "$HTTXT2DBM failed\n";
}

# name => { text, expect => 'ok' | [line, reason] }
sub read_example {
    my $file = shift;
    open my $fh, '<', $file or die "$file: $!";
    my $text = do { local $/; <$fh> };
    my($name) = $file =~ m{([^/]+)\.conf$};
    $text =~ m{^# mod_wsgi documentation, docs/configuration-directives/(\w+)\.rst, example \d+}m
        or die "$name: no line naming the page it comes from\n";
    my $page = $1;
    my $expect;
    if ($text =~ /^# expect: ok$/m) {
        $expect = 'ok';
    } elsif ($text =~ /^# expect: refused at line (\d+): (.+)$/m) {
        $expect = [ $1, $2 ];
    } else {
        die "$name: no '# expect:' line\n";
    }
    return { name => $name, page => $page, text => $text, expect => $expect };
}

sub run_capture {
    my $cmd = join ' ', map { "'$_'" } @_;
    my $out = `$cmd 2>&1`;
    return ($?, $out);
}

sub place {
    my($srv, $ex, $edit) = @_;
    my $root = $srv->root;
    (my $text = $ex->{text}) =~ s/\$root/$root/g;
    $text = $edit->($text) if $edit;
    spew("$root/$ex->{name}.conf", $text);
    return "$root/$ex->{name}.conf";
}

-x $HTTXT2DBM or BAIL_OUT("$HTTXT2DBM (apache2-utils) is needed for WSGIProcessGroup.rst's RewriteMap");
my %ex = map { my $e = read_example($_); ($e->{name} => $e) } glob "$EXAMPLES/*.conf";
# 77 literal blocks on the 47 pages; 10 are not Apache configuration (Python,
# a shell command, a formula, file-name and URL patterns, a metrics dict).
is scalar(keys %ex), 67, '67 configuration examples written down';

# --- apache2 -t ----------------------------------------------------------------------------
my $srv = WsgiServer->new(name => 'doc-examples', load => \@LOAD);
populate($srv->root);
my(%seen_pages, $n_ok, $n_refused);
for my $name (sort keys %ex) {
    my $ex = $ex{$name};
    $seen_pages{$ex->{page}} = 1;
    my $file = place($srv, $ex);
    $srv->{conf} = "LogLevel warn\nInclude \"$file\"\n";
    $srv->write_conf;
    my($rc, $out) = run_capture($srv->httpd_cmd('-t'));
    if (!ref $ex->{expect}) {
        $n_ok++;
        ok $rc == 0 && $out eq "Syntax OK\n", "$name: Syntax OK" or diag $out;
    } else {
        $n_refused++;
        my($line, $reason) = @{ $ex->{expect} };
        ok $rc != 0, "$name: refused" or diag $out;
        like $out, qr/Syntax error on line $line of \Q$file\E:\n\Q$reason\E/,
            "$name: at line $line of its file, because: $reason" or diag $out;
    }
    is $rc & 127, 0, "$name: apache2 -t ended by no signal";
}
note "$n_ok accepted, $n_refused refused";
is scalar(keys %seen_pages), 39, 'from the 39 pages that have a configuration example';
$srv->cleanup;

# --- started for real ----------------------------------------------------------------------
my $ua = LWP::UserAgent->new(timeout => 30);

sub get {
    my($url, $host) = @_;
    my $res = $ua->get($url, $host ? (Host => $host) : ());
    return ($res->code, '', 0) unless $res->code == 200;
    my($group, $app, $pid) = split /\|/, $res->decoded_content // '';
    return ($res->code, $group // '', $pid // 0);
}

# One server with the examples given, *:80 and *:443 made two free ports.
sub serve {
    my($what, $names, $extra) = @_;
    my $s = WsgiServer->new(name => "doc-examples-$what", load => \@LOAD);
    my $root = $s->root;
    populate($root);
    my $https = WsgiServer::free_port();
    my $port = $s->port;
    my $conf = "Listen 127.0.0.1:$https\n" . ($extra // '');
    for my $name (@$names) {
        my $file = place($s, $ex{$name}, sub { my $t = shift; $t =~ s/\*:80>/*:$port>/g; $t =~ s/\*:443>/*:$https>/g; $t });
        $conf .= "Include \"$file\"\n";
    }
    $s->{conf} = $conf;
    $s->write_conf;
    $s->{https} = $https;
    ok $s->start, "$what: apache2 -k start" or diag $s->slurp_log;
    return $s;
}

sub finish {
    my($s, $what) = @_;
    $s->stop;
    my $log = $s->slurp_log;
    unlike $log, qr/Segmentation fault|exit signal|AH00052|\[(?:emerg|alert)\]/, "$what: no crash in the error log";
    $s->cleanup;
}

{
    my $s = serve('daemon', [ 'WSGIScriptAlias-4', 'WSGIProcessGroup-1' ]);
    my($code, $group) = get($s->url('/'));
    is $code, 200, 'WSGIScriptAlias / + WSGIDaemonProcess mygroup + WSGIProcessGroup mygroup: 200';
    is $group, 'mygroup', '... run in daemon group mygroup';
    finish($s, 'WSGIScriptAlias-4 + WSGIProcessGroup-1');
}
{
    my $s = serve('sites', [ 'WSGIDaemonProcess-2' ], "WSGIScriptAlias / \$root/web/wsgi-scripts/myapp.wsgi\n");
    for my $site (qw(www.site1.com www.site2.com)) {
        my($code, $group) = get($s->url('/'), $site);
        is $code, 200, "WSGIDaemonProcess-2: $site: 200";
        is $group, $site, "... run in its own group $site";
    }
    finish($s, 'WSGIDaemonProcess-2');
}
{
    my $s = serve('dispatch', [ 'WSGIDispatchScript-1' ], "WSGIScriptAlias / \$root/web/wsgi-scripts/myapp.wsgi\n");
    for my $case ([ '/admin/x', 'admin' ], [ '/api/v1', 'api' ], [ '/', 'web' ]) {
        my($path, $want) = @$case;
        my($code, $group) = get($s->url($path));
        is $code, 200, "WSGIDispatchScript-1: $path: 200";
        is $group, $want, "... dispatched to group $want";
    }
    finish($s, 'WSGIDispatchScript-1');
}
{
    my $s = serve('shared', [ 'WSGIDaemonProcess-1' ], "WSGIScriptAlias / \$root/web/wsgi-scripts/myapp.wsgi\n");
    my($code, $group) = get($s->url('/'), 'www.site1.com');
    is $code, 200, 'WSGIDaemonProcess-1: the host defining the group: 200';
    is $group, 'www.site1.com', '... run in www.site1.com';
    ($code, $group) = get("http://127.0.0.1:$s->{https}/", 'www.site1.com');
    is $code, 200, 'WSGIDaemonProcess-1: the second host of the same ServerName: 200';
    is $group, 'www.site1.com', '... run in the group the first host defines';
    finish($s, 'WSGIDaemonProcess-1');
}

done_testing;
