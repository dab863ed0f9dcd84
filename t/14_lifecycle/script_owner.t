# script-user= and script-group=: a script delegated to such a group must be
# owned by that user (or group), else 403 (WSGIS0613) and it never runs.
# The script is written here, under t/logs/lc, so it belongs to the user
# running the tests (never root: Apache::Test refuses to run as root):
#   lc_suser_ok    script-user=Apache's User  -> 200
#   lc_suser_root  script-user=#0             -> 403
#   lc_sgroup_ok   script-group=Apache's Group -> 200
#   lc_sgroup_root script-group=#0            -> 403
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Apache::Test ();
use WsgiTest qw(log_offset);
use LifecycleTest qw(get mark_file poll_log);

my $script = mark_file('owned.wsgi');
open my $fh, '>', $script or die "$script: $!";
print $fh <<'PY';
import os

import wsgitest_util


def application(environ, start_response):
    name = environ['SCRIPT_NAME'].rsplit('/', 1)[-1]
    with open(os.path.join(wsgitest_util.logs_dir(__file__), 'lc', 'owned-ran-' + name), 'w') as f:
        f.write('%d\n' % os.getpid())
    return wsgitest_util.json_response(start_response, {'pid': os.getpid()})
PY
close $fh;
chmod 0644, $script;
my($uid, $gid) = (stat $script)[4, 5];
plan skip_all => 'the script belongs to root (uid or gid 0): the #0 cases cannot fail' if $uid == 0 || $gid == 0;
my $user = Apache::Test::vars('user');
my $group = Apache::Test::vars('group');
is scalar(getpwuid $uid), $user, "the script belongs to Apache's User ($user)";
is scalar(getgrgid $gid), $group, "and to Apache's Group ($group)";

for my $case (['suser-ok', 200], ['suser-root', 403, 'owner', '#0', 'lc_suser_root'],
              ['sgroup-ok', 200], ['sgroup-root', 403, 'group', '#0', 'lc_sgroup_root']) {
    my($name, $want, $what, $who, $g) = @$case;
    unlink mark_file("owned-ran-$name");
    my $off = log_offset();
    my $r = get("/lc/$name");
    is $r->{code}, $want, "/lc/$name: $want";
    if ($want == 200) {
        ok -e mark_file("owned-ran-$name"), "/lc/$name: the script ran";
        next;
    }
    ok !-e mark_file("owned-ran-$name"), "/lc/$name: the script did not run";
    like poll_log($off, qr/WSGIS0613/),
        qr/\[wsgiscript:error\][^\n]*WSGIS0613: '\Q$script\E' \(owner uid $uid, gid $gid\) does not have the $what '\Q$who\E' that daemon process group '$g' requires: answered 403/,
        "/lc/$name: WSGIS0613 names the file, its owner, the $what required and the group";
}

done_testing;
