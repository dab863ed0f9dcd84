# mod_wsgi's reload rules besides the mtime: a script's reload_required(resource)
# is asked on each request (True: reload; an exception is logged with its
# traceback and means no reload), and a module without __mtime__ is reloaded.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Path qw(make_path);
use WsgiTest qw(t_root ua get_json log_offset wait_log log_since replace_script);

my $dir = t_root() . '/logs/rw';
make_path($dir);
my $script = "$dir/reload_ask.wsgi";
my $flag = "$dir/reload_ask.flag";
unlink $flag, "$flag.raise";
replace_script($script, <<'PY', 1700000000);
import os
import wsgitest_util

FLAG = os.path.join(os.path.dirname(__file__), 'reload_ask.flag')
ASKED = []


def reload_required(resource):
    ASKED.append(resource)
    if os.path.exists(FLAG + '.raise'):
        raise ValueError('reload_required-raised')
    if os.path.exists(FLAG):
        os.unlink(FLAG)
        return resource == __file__
    return False


def application(environ, start_response):
    info = wsgitest_util.module_info(globals())
    info['asked'] = len(ASKED)
    info['resource'] = ASKED[-1] if ASKED else None
    if environ.get('QUERY_STRING') == 'drop-mtime':
        del globals()['__mtime__']
    return wsgitest_util.json_response(start_response, info)
PY

my $ua = ua();
my($r, $d) = get_json($ua, '/reload/ask');
is $r->code, 200, 'first request 200';
is $d->{generation}, 1, 'loaded: generation 1';
is $d->{asked}, 0, 'not asked on the first load';

($r, $d) = get_json($ua, '/reload/ask');
is $d->{generation}, 1, 'reload_required() False: no reload';
is $d->{asked}, 1, 'asked once for this request';
is $d->{resource}, $script, 'reload_required() gets the script path';

open my $fh, '>', $flag or die; close $fh; chmod 0666, $flag;
chmod 0777, $dir;
($r, $d) = get_json($ua, '/reload/ask');
is $r->code, 200, 'reload_required() True: 200';
is $d->{generation}, 2, 'reload_required() True: reloaded (generation 2)';
ok !-e $flag, 'the flag was seen';

($r, $d) = get_json($ua, '/reload/ask');
is $d->{generation}, 2, 'then no reload again';

my $off = log_offset();
open $fh, '>', "$flag.raise" or die; close $fh;
($r, $d) = get_json($ua, '/reload/ask');
is $r->code, 200, 'reload_required() raising: the request is served';
is $d->{generation}, 2, 'reload_required() raising: no reload';
ok wait_log($off, qr/WSGIS0114: reload_required\(\) of '\Q$script\E' raised; not reloading it/),
    'WSGIS0114 names the script';
like log_since($off), qr/WSGIS0114: [^\n]*ValueError: reload_required-raised/, 'with the traceback';
unlink "$flag.raise";

($r, $d) = get_json($ua, '/reload/ask?drop-mtime');
is $d->{generation}, 2, 'the app deletes its __mtime__';
($r, $d) = get_json($ua, '/reload/ask');
is $d->{generation}, 3, 'a module without __mtime__ is reloaded';
($r, $d) = get_json($ua, '/reload/ask');
is $d->{generation}, 3, 'the reloaded module has __mtime__ again: no further reload';

done_testing;
