# A hook script is reloaded like a WSGI script: when its mtime changes
# (WSGIScriptReloading On, the default) the next call runs the new code
# (WSGIS0102, generation + 1); a new version that raises while loading gives
# 500 until it is fixed; with WSGIScriptReloading Off the loaded code stays.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Path qw(make_path);
use WsgiTest qw(t_root ua log_offset wait_log settled_log_since replace_script module_name_for);
use AuthTest qw(basic_get);

my $dir = t_root() . '/logs/rw15';
make_path($dir);
my $reload = "$dir/reload_auth.wsgi";
my $noreload = "$dir/noreload_auth.wsgi";

sub auth_script {
    my $version = shift;
    return "VERSION = '$version'\n\n\ndef check_password(environ, user, password):\n    return password == VERSION\n";
}

replace_script($reload, auth_script('v1'), 1700000000);
replace_script($noreload, auth_script('v1'), 1700000000);
my $ua = ua();

sub code { my($path, $password) = @_; (basic_get($ua, $path, 'bob', $password))[0]->code }

my $off = log_offset();
is code('/a15/reload/x', 'v1'), 200, 'v1 accepts v1';
is code('/a15/reload/x', 'v2'), 401, 'v1 refuses v2';
my $name = module_name_for($reload);
like wait_log($off, qr/WSGIS0101\b[^\n]*\Q$reload\E/), qr/WSGIS0101: Loading Python script file '\Q$reload\E': module '$name' in interpreter 'auth15', generation 1/,
    'loaded as _mod_wsgi_<md5> in auth15 (WSGIS0101)';

$off = log_offset();
replace_script($reload, auth_script('v2'), 1700000100);
is code('/a15/reload/x', 'v2'), 200, 'after the mtime change: v2 accepts v2';
is code('/a15/reload/x', 'v1'), 401, 'and refuses v1';
like wait_log($off, qr/WSGIS0102\b[^\n]*\Q$reload\E/), qr/WSGIS0102: Reloading WSGI script '\Q$reload\E': module '$name' in interpreter 'auth15', generation 2 \(its modification time changed\)/,
    'reload logged (WSGIS0102, generation 2)';

$off = log_offset();
replace_script($reload, "raise RuntimeError('a15 reload broken')\n", 1700000200);
is code('/a15/reload/x', 'v2'), 500, 'a new version that raises while loading: 500';
like wait_log($off, qr/WSGIS0103: RuntimeError: a15 reload broken/), qr/WSGIS0103: RuntimeError: a15 reload broken/,
    'its traceback is logged';
is code('/a15/reload/x', 'v2'), 500, 'still 500 while it is broken (the old code is not used)';
replace_script($reload, auth_script('v3'), 1700000300);
is code('/a15/reload/x', 'v3'), 200, 'fixed: v3 accepts v3';

# WSGIScriptReloading Off
is code('/a15/noreload/x', 'v1'), 200, 'reloading Off: v1 accepts v1';
$off = log_offset();
replace_script($noreload, auth_script('v2'), 1700000100);
is code('/a15/noreload/x', 'v1'), 200, 'reloading Off: the loaded code still accepts v1';
is code('/a15/noreload/x', 'v2'), 401, 'reloading Off: and refuses v2';
unlike settled_log_since($off), qr/WSGIS0102[^\n]*noreload_auth/, 'reloading Off: no reload logged';

done_testing;
