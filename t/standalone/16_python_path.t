# WSGIPythonPath given twice: mod_wsgi's rule, the last one is used, and a
# warning at start-up (WSGIS0006) names both lines (a global directive, so on
# a server of its own).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use WsgiServer;

my $srv = WsgiServer->new(name => 'python-path',
    conf => "WSGIPythonPath \$root/first\nWSGIPythonPath \$root/second:\$root/third\n"
          . "WSGIScriptAlias /path \$root/path.wsgi\n");
my $root = $srv->root;
mkdir "$root/$_" for qw(first second third);
open my $fh, '>', "$root/path.wsgi" or die $!;
print $fh <<'PY';
import sys
def application(environ, start_response):
    body = '\n'.join(p for p in sys.path if 'python-path' in p or p.endswith(('first', 'second', 'third')))
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [body.encode()]
PY
close $fh;
chmod 0755, $root;

my $check = join ' ', map { "'$_'" } $srv->httpd_cmd('-t');
my $out = `$check 2>&1`;
like $out, qr/WSGIS0006: WSGIPythonPath at \S+httpd\.conf:\d+ replaces the one at \S+httpd\.conf:\d+/,
    'apache2 -t: WSGIS0006 names both lines';

ok $srv->start, 'server starts' or diag $srv->slurp_log;
my $res = LWP::UserAgent->new(timeout => 30)->get($srv->url('/path'));
is $res->code, 200, 'the script answers 200';
my @dirs = split /\n/, $res->decoded_content;
is_deeply [ map { (m{/([a-z]+)$})[0] } @dirs ], [ 'second', 'third' ],
    'only the last WSGIPythonPath is on sys.path, in its order' or diag explain \@dirs;
$srv->cleanup;

done_testing;
