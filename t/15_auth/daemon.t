# The application in a daemon process group (WSGIScriptAlias ...
# process-group=a15): the hook still runs in the Apache child, never in the
# daemon process, and REMOTE_USER / AUTH_TYPE reach the application through
# the request the child forwards.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url log_offset wait_log);
use AuthTest qw(basic_get);

my $ua = ua();

is $ua->get(url('/d15/basic/x'))->code, 401, 'no credentials: 401 (the daemon is not asked)';

my $off = log_offset();
my($r, $d) = basic_get($ua, '/d15/basic/x', 'alice', 'wonderland');
is $r->code, 200, 'right password: 200';
$d ||= {};
is $d->{process_group}, 'a15', 'the application ran in the daemon process group a15';
is $d->{REMOTE_USER}, 'alice', 'REMOTE_USER reached the daemon';
is $d->{AUTH_TYPE}, 'Basic', 'AUTH_TYPE reached the daemon';
is $d->{HTTP_AUTHORIZATION}, undef, 'the credentials did not';
ok !$d->{users}{loaded}, 'the hook script is not loaded in the daemon process';
my $log = wait_log($off, qr/a15 hook check_password/);
my($hook_pid) = $log =~ /\[pid (\d+):tid \d+\][^\n]*a15 hook check_password in group 'auth15'/;
ok $hook_pid, 'the hook ran (its wsgi.errors line)';
isnt $hook_pid, $d->{pid}, 'in another process than the daemon (an Apache child)';

($r) = basic_get($ua, '/d15/basic/x', 'alice', 'nope');
is $r->code, 401, 'wrong password: 401';

($r, $d) = basic_get($ua, '/d15/basic/x', "j\xc3\xb6rg", "stra\xc3\x9fe");
is $r->code, 200, 'UTF-8 user name: 200';
is $d && $d->{REMOTE_USER}, "j\xc3\xb6rg", 'REMOTE_USER: the same bytes in the daemon (latin-1 str)';

($r, $d) = basic_get($ua, '/d15/basic/x', 'rename', 'x');
is $d && $d->{REMOTE_USER}, "Canonical J\xc3\xb6rg", 'the name check_password returned reached the daemon';

done_testing;
