# Which process and interpreter a request runs in:
# - the same script embedded (/d13/embedded) and in two daemon groups
#   (/d13/main: d13, /d13/b: d13-b) in one server: three processes, each
#   with its own module state (a counter), mod_wsgi.process_group the
#   group's name ('' embedded) in the mod_wsgi module and in the environ;
# - WSGIProcessGroup (the directive, in a <Location>) as process-group=;
# - application groups inside a daemon process as embedded:
#   application-group= names the interpreter (the same name shares it, two
#   names do not), %{GLOBAL} is the main interpreter, %{RESOURCE} (the
#   default) is named by the same rule as embedded, %{ENV:var} from SetEnvIf;
# - preloading into a daemon process at its start: WSGIImportScript
#   process-group=, and (as mod_wsgi) an alias naming both groups; not an
#   alias whose group depends on the request;
# - WSGIProcessGroup %{ENV:var}: the variable names the group, none set is
#   embedded, '%{GLOBAL}' is embedded (mod_wsgi expands it again);
# - virtual hosts: a group defined in one is usable there and in virtual
#   hosts of the same ServerName (as mod_wsgi: an http and https pair), the
#   main server's groups everywhere, another host's group nowhere else (500,
#   WSGIS0608 naming the group), nor a group that does not exist.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes ();
use Apache::TestRequest ();
use WsgiTest qw(ua url log_offset wait_log);
use PepTest qw(hostport);
use DaemonTest qw(info_of);

my $ua = ua();
my $hostport = hostport();
my $t0 = Time::HiRes::time();

# --- one script: embedded and in two groups --------------------------------------------
my(%d, %c1, %c2, $r);
for my $where (qw(embedded main b)) {
    ($r, $d{$where}) = info_of($ua, url("/d13/$where/info"));
    is $r->code, 200, "/d13/$where: 200";
}
my %pg = (embedded => '', main => 'd13', b => 'd13-b');
for my $where (qw(embedded main b)) {
    is $d{$where}{process_group}, $pg{$where}, "$where: mod_wsgi.process_group '$pg{$where}'";
    is $d{$where}{environ_process_group}, $pg{$where}, "$where: environ['mod_wsgi.process_group'] '$pg{$where}'";
}
my %pids = map { $d{$_}{pid} => 1 } keys %d;
is scalar(keys %pids), 3, 'three processes: ' . join(', ', map { "$_ $d{$_}{pid}" } sort keys %d);
is $d{main}{name}, $d{embedded}{name}, 'the same script module name (_mod_wsgi_<md5 of the path>) in each';
# module state is per process: counters advance independently
for my $where (qw(embedded main b)) {
    ($r, $c1{$where}) = info_of($ua, url("/d13/$where/count"));
}
for (1 .. 2) { ($r, $c2{main}) = info_of($ua, url('/d13/main/count')) }
($r, $c2{b}) = info_of($ua, url('/d13/b/count'));
($r, $c2{embedded}) = info_of($ua, url('/d13/embedded/count'));
is $c2{b}{count} - $c1{b}{count}, 1, 'd13-b: its counter went up by its own one request';
is $c2{embedded}{count} - $c1{embedded}{count}, 1, 'embedded: its counter went up by its own one request';
ok $c2{main}{count} >= 1, 'd13: counting too';

# --- WSGIProcessGroup in a <Location> -------------------------------------------------------
($r, my $dir) = info_of($ua, url('/d13/directive/info'));
is $r->code, 200, 'WSGIProcessGroup d13-b: 200';
is $dir->{process_group}, 'd13-b', 'WSGIProcessGroup d13-b: runs in d13-b';
is $dir->{pid}, $d{b}{pid}, "WSGIProcessGroup d13-b: its process ($d{b}{pid})";

# --- application groups in a daemon process --------------------------------------------------
my %g;
for my $n (qw(x1 x2 y global resource resource-embedded import)) {
    ($r, $g{$n}) = info_of($ua, url("/d13/grp/$n/info"));
    is $r->code, 200, "/d13/grp/$n: 200";
}
is $g{$_}{pid}, $d{b}{pid}, "/d13/grp/$_: in d13-b's process" for qw(x1 x2 y global resource import);
is $g{x1}{application_group}, 'd13-gx', 'application-group=d13-gx: mod_wsgi.application_group';
is $g{x1}{environ_application_group}, 'd13-gx', "application-group=d13-gx: environ['mod_wsgi.application_group']";
is $g{x1}{token}, $g{x2}{token}, 'two aliases, one group: one interpreter (the same module)';
isnt $g{y}{token}, $g{x1}{token}, 'another group: another interpreter';
is $g{y}{application_group}, 'd13-gy', 'application-group=d13-gy';
is $g{global}{application_group}, '', "%{GLOBAL}: application_group ''";
ok $g{global}{is_main}, '%{GLOBAL}: the main interpreter';
ok !$g{x1}{is_main}, 'a named group: a sub-interpreter';
is $g{resource}{application_group}, "$hostport|/d13/grp/resource", '%{RESOURCE}: host:port|SCRIPT_NAME';
is $g{'resource-embedded'}{application_group}, "$hostport|/d13/grp/resource-embedded",
    '... by the same rule as embedded';
isnt $g{resource}{token}, $d{b}{token}, '%{RESOURCE}: another alias, another interpreter';
for my $colour (qw(red blue)) {
    ($r, my $e) = info_of($ua, url('/d13/grp/env/info'), 'X-D13-App' => $colour);
    is $e->{application_group}, "d13-env-$colour", "WSGIApplicationGroup %{ENV:D13_APP}: d13-env-$colour";
}
($r, my $none) = info_of($ua, url('/d13/grp/env/info'));
is $none->{application_group}, "$hostport|/d13/grp/env", '%{ENV:...} unset: %{RESOURCE}, as embedded';

# preloading: loaded when the process started, before this test ran
cmp_ok $g{x1}{loaded_at}, '<', $t0, 'an alias naming process-group= and application-group=: preloaded at start';
cmp_ok $g{global}{loaded_at}, '<', $t0, '... also into %{GLOBAL}';
cmp_ok $g{import}{loaded_at}, '<', $t0, 'WSGIImportScript process-group=d13-b: preloaded at start';
cmp_ok $g{resource}{loaded_at}, '>=', $t0, 'an alias with a request-dependent group: loaded at its first request';

# --- WSGIProcessGroup %{ENV:D13_GROUP} ----------------------------------------------------
for my $case (['d13', 'd13'], ['d13-b', 'd13-b']) {
    my($hdr, $want) = @$case;
    ($r, my $e) = info_of($ua, url('/d13/env/info'), 'X-D13-Group' => $hdr);
    is $r->code, 200, "%{ENV:D13_GROUP}=$hdr: 200";
    is $e->{process_group}, $want, "%{ENV:D13_GROUP}=$hdr: runs in $want";
}
($r, my $unset) = info_of($ua, url('/d13/env/info'));
is $r->code, 200, '%{ENV:D13_GROUP} unset: 200';
is $unset->{process_group}, '', '%{ENV:D13_GROUP} unset: embedded';
is $unset->{pid}, $d{embedded}{pid}, '... in the Apache child';
{
    my $off = log_offset();
    ($r, my $glob) = info_of($ua, url('/d13/env/info'), 'X-D13-Group' => 'global');
    is $r->code, 200, "%{ENV:D13_GROUP}='%{GLOBAL}': 200";
    is $glob->{process_group}, '', "%{ENV:D13_GROUP}='%{GLOBAL}': embedded (as mod_wsgi)";
}

# --- virtual hosts ------------------------------------------------------------------------------
my $vurl = sub { my $hp = hostport('d13_vhost'); "http://$hp$_[0]" };
($r, my $own) = info_of($ua, $vurl->('/own/info'));
is $r->code, 200, 'a virtual host uses its own group: 200';
is $own->{process_group}, 'd13-vhost', '... d13-vhost';
($r, my $main) = info_of($ua, $vurl->('/main/info'));
is $r->code, 200, "a virtual host uses the main server's group: 200";
is $main->{process_group}, 'd13', '... d13';
my $turl = sub { my $hp = hostport('d13_twin'); "http://$hp$_[0]" };
for my $path ('/twin/info', '/twin-alias/info') {
    ($r, my $twin) = info_of($ua, $turl->($path));
    is $r->code, 200, "a virtual host of the same ServerName uses d13_vhost's group ($path): 200";
    is $twin->{process_group}, 'd13-vhost', "... d13-vhost ($path)";
    is $twin->{pid}, $own->{pid}, "... the same process ($path)" if exists $twin->{pid};
}

for my $case (['/d13/vhost-group/info', [], 'd13-vhost', 'WSGIProcessGroup naming a group of another virtual host'],
              ['/d13/env/info', ['X-D13-Group' => 'd13-vhost'], 'd13-vhost', '%{ENV:D13_GROUP} naming a group of another virtual host'],
              ['/d13/no-such-group/info', [], 'd13-nosuch', 'WSGIProcessGroup naming no group'],
              ['/d13/env/info', ['X-D13-Group' => 'd13-nosuch'], 'd13-nosuch', '%{ENV:D13_GROUP} naming no group']) {
    my($path, $hdrs, $group, $what) = @$case;
    my $off = log_offset();
    $r = $ua->get(url($path), @$hdrs);
    is $r->code, 500, "$what: 500";
    like wait_log($off, qr/WSGIS0608/), qr/\[wsgiscript:error\][^\n]*WSGIS0608: no WSGIDaemonProcess named '$group' serves this server/,
        "$what: WSGIS0608 names '$group'";
}

done_testing;
