# WSGIScriptAlias to a directory and WSGIScriptAliasMatch.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root ua get_json);

my $root = t_root();
my $ua = ua();

(my $r, my $d) = get_json($ua, '/dir/one.wsgi/extra/path');
is $r->code, 200, 'directory alias: /dir/one.wsgi is 200';
is $d && $d->{script}, 'one', 'maps to wsgidir/one.wsgi';
is $d && $d->{file}, "$root/wsgidir/one.wsgi", '__file__';
is $d && $d->{SCRIPT_NAME}, '/dir/one.wsgi', 'SCRIPT_NAME is the URL of the script';
is $d && $d->{PATH_INFO}, '/extra/path', 'PATH_INFO is the rest';

($r, $d) = get_json($ua, '/dir/two.wsgi');
is $r->code, 200, '/dir/two.wsgi is 200';
is $d && $d->{script}, 'two', 'maps to wsgidir/two.wsgi';

($r, $d) = get_json($ua, '/match/two/more');
is $r->code, 200, 'WSGIScriptAliasMatch /match/two is 200';
is $d && $d->{script}, 'two', '$1 substituted: wsgidir/two.wsgi';
is $d && $d->{SCRIPT_NAME}, '/match/two', 'SCRIPT_NAME is the matched part';
is $d && $d->{PATH_INFO}, '/more', 'PATH_INFO is the rest';

($r, $d) = get_json($ua, '/match/one');
is $d && $d->{script}, 'one', 'WSGIScriptAliasMatch /match/one';

# WSGIScriptAlias //dslash//app: runs of slashes match runs of slashes, and
# SCRIPT_NAME/PATH_INFO have single slashes (as mod_wsgi).
for my $url ('/dslash/app/x', '//dslash//app//x', '/dslash///app/x') {
    ($r, $d) = get_json($ua, $url);
    is $r->code, 200, "alias with repeated slashes: $url is 200";
    is $d && $d->{SCRIPT_NAME}, '/dslash/app', "$url: SCRIPT_NAME /dslash/app";
    is $d && $d->{PATH_INFO}, '/x', "$url: PATH_INFO /x";
}
($r, $d) = get_json($ua, '/dslash/apple');
is $r->code, 404, 'alias with repeated slashes: /dslash/apple does not match';

done_testing;
