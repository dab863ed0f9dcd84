# Application groups as interpreters. The basics with t/wsgi/groups.wsgi
# (/groups/*): %{RESOURCE} by default; application-group= and
# WSGIApplicationGroup name the group; distinct groups do not share module
# state; the same explicit group does (two scripts); %{GLOBAL} is the main
# interpreter. Then with t/interp/state.wsgi and other.wsgi (/interp/*):
# isolation of module state and sys.path, sharing by name (one module for
# two aliases, a second script as a second module), %{GLOBAL} is the main
# interpreter (_xxsubinterpreters id 0, also through <Location>),
# %{ENV:...} from SetEnv and SetEnvIf (and its %{RESOURCE} fallback),
# WSGIApplicationGroup in <Directory>/<Location> and application-group=
# overriding it, %{SERVER} in a virtual host, and each interpreter's own
# mod_wsgi module.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Apache::TestRequest ();
use WsgiTest qw(ua url get_json decode_json_body);

# --- the basics: /groups/* ------------------------------------------------------
{
    my $ua = ua();    # one connection: one child
    my %d;
    for my $g (qw(default alpha beta shared1 shared2 global directive alpha)) {
        (my $r, my $d) = get_json($ua, "/groups/$g");
        is $r->code, 200, "/groups/$g 200";
        $d{$g} = $d || {};
    }
    my $pid = $d{default}{pid};
    ok defined $pid && !grep({ ($_->{pid} // -1) != $pid } values %d), 'all served by one child';

    my $hostport = Apache::TestRequest::hostport();
    is $d{default}{mod_wsgi}{application_group}, "$hostport|/groups/default",
        'default group is %{RESOURCE}';
    is $d{alpha}{mod_wsgi}{application_group}, 'alpha', 'application-group=alpha';
    is $d{beta}{mod_wsgi}{application_group}, 'beta', 'application-group=beta';
    is $d{directive}{mod_wsgi}{application_group}, 'gamma', 'WSGIApplicationGroup gamma';
    is $d{global}{mod_wsgi}{application_group}, '', "%{GLOBAL}: application_group ''";

    isnt $d{alpha}{token}, $d{beta}{token}, 'alpha and beta: different interpreters';
    isnt $d{alpha}{token}, $d{default}{token}, 'alpha and default: different interpreters';
    is $d{alpha}{module_hits}, 2, 'alpha kept its own module state across requests';
    is $d{beta}{module_hits}, 1, 'beta did not see alpha\'s hits';

    ok defined $d{shared1}{token} && ($d{shared2}{token} // '') eq $d{shared1}{token},
        'same explicit group: same interpreter';
    is $d{shared2}{interpreter_hits}, 2, 'two scripts in one group share module state';
    is $d{shared1}{script}, 'groups', 'shared1 runs groups.wsgi';
    is $d{shared2}{script}, 'groups2', 'shared2 runs groups2.wsgi';

    ok $d{global}{is_main}, '%{GLOBAL} runs in the main interpreter';
    ok defined $d{alpha}{is_main} && !$d{alpha}{is_main}, 'alpha runs in a sub-interpreter';
    ok defined $d{default}{is_main} && !$d{default}{is_main}, 'default group runs in a sub-interpreter';
}

# --- /interp/* -------------------------------------------------------------------
my $ua = ua();    # one keep-alive connection: one child
my $hostport = Apache::TestRequest::hostport();

sub get {
    my($path, @headers) = @_;
    my $res = $ua->get(url($path), @headers);
    my $d = decode_json_body($res) || {};
    is $res->code, 200, "$path 200" or diag $res->as_string;
    return $d;
}

my %d;
$d{a1} = get('/interp/iso/a');
$d{b1} = get('/interp/iso/b');
$d{a2} = get('/interp/iso/a');
$d{one} = get('/interp/share/one');
$d{two} = get('/interp/share/two');
$d{other} = get('/interp/share/other');
$d{global} = get('/interp/global');
$d{global_other} = get('/interp/global-other');
$d{resource} = get('/interp/resource');
my $pid = $d{a1}{pid};
my @pids = grep { ($_->{pid} // -1) != $pid } values %d;
is scalar(@pids), 0, 'one child answered all (keep-alive)';

# --- isolation
isnt $d{a1}{token}, $d{b1}{token}, 'interp-a and interp-b: different interpreters';
isnt $d{a1}{interp_id}, $d{b1}{interp_id}, 'different interpreter ids';
is $d{a1}{name}, $d{b1}{name}, 'same script, same module name in both';
is $d{a2}{token}, $d{a1}{token}, 'interp-a again: same interpreter';
is $d{a2}{module_hits}, 2, 'interp-a module state kept across requests';
is $d{b1}{module_hits}, 1, 'interp-b saw none of interp-a\'s hits';
is_deeply $d{a1}{markers}, ['/nonexistent/interp-marker/interp-a'], 'interp-a: only its own sys.path addition';
is_deeply $d{b1}{markers}, ['/nonexistent/interp-marker/interp-b'], 'interp-b: only its own sys.path addition';
is $d{a1}{mod_wsgi_group}, 'interp-a', 'interp-a: its mod_wsgi.application_group';
is $d{b1}{mod_wsgi_group}, 'interp-b', 'interp-b: its mod_wsgi.application_group';
is $d{a1}{mod_wsgi_process_group}, '', "mod_wsgi.process_group ''";
ok defined $d{a1}{is_main} && !$d{a1}{is_main}, 'interp-a is a sub-interpreter';

# --- sharing
is $d{one}{token}, $d{two}{token}, 'same group on two aliases: one interpreter';
is $d{two}{module_hits}, 2, 'same script on two aliases in one group: one module (hits 1, 2)';
is $d{two}{generation}, 1, '... loaded once (generation 1)';
is $d{other}{token}, $d{one}{token}, 'another script in the group: same interpreter';
is $d{other}{module_hits}, 1, '... as a module of its own';
isnt $d{other}{name}, $d{one}{name}, '... with another module name';
is $d{other}{interpreter_hits}, 3, '... sharing interpreter-level state (3 hits)';
is_deeply $d{other}{markers}, ['/nonexistent/interp-marker/interp-shared'], 'shared group: one sys.path';
ok $d{one}{in_sys_modules} && $d{other}{in_sys_modules}, 'both modules in the shared sys.modules';

# --- %{GLOBAL}
ok $d{global}{is_main}, '%{GLOBAL} (application-group=): main interpreter';
is $d{global}{interp_id}, 0, '%{GLOBAL}: interpreter id 0';
is $d{global}{mod_wsgi_group}, '', "%{GLOBAL}: mod_wsgi.application_group ''";
is $d{global}{environ_group}, '', "%{GLOBAL}: environ['mod_wsgi.application_group'] ''";
ok $d{global_other}{is_main}, '%{GLOBAL} via WSGIApplicationGroup in <Location>: main interpreter';
is $d{global_other}{token}, $d{global}{token}, 'both %{GLOBAL} scripts share the main interpreter';
isnt $d{global}{token}, $d{a1}{token}, 'main interpreter is not interp-a';
is $d{resource}{mod_wsgi_group}, "$hostport|/interp/resource", 'default group %{RESOURCE}';
isnt $d{resource}{token}, $d{global}{token}, '%{RESOURCE} is not the main interpreter';

# --- %{ENV:...}
my $e = get('/interp/env/setenv');
is $e->{env}{INTERP_GROUP}, 'interp-from-setenv', 'SetEnv visible to the app';
is $e->{mod_wsgi_group}, 'interp-from-setenv', '%{ENV:INTERP_GROUP} from SetEnv picks the group';
is $e->{environ_group}, 'interp-from-setenv', '... and environ says so';
my $red = get('/interp/env/setenvif', 'X-Interp-Group' => 'red');
my $blue = get('/interp/env/setenvif', 'X-Interp-Group' => 'blue');
my $red2 = get('/interp/env/setenvif', 'X-Interp-Group' => 'red');
is $red->{mod_wsgi_group}, 'interp-env-red', 'SetEnvIf red: group interp-env-red';
is $blue->{mod_wsgi_group}, 'interp-env-blue', 'SetEnvIf blue: group interp-env-blue';
isnt $red->{token}, $blue->{token}, 'red and blue: different interpreters';
is $red2->{token}, $red->{token}, 'red again: the same interpreter';
is $red2->{module_hits}, 2, 'red again: its module state';
my $none = get('/interp/env/setenvif');
is $none->{mod_wsgi_group}, "$hostport|/interp/env/setenvif", 'variable unset: %{RESOURCE}';
my $mixed = get('/interp/env/mixed', 'X-Interp-Group' => 'blue');
is $mixed->{mod_wsgi_group}, 'mixed-blue', 'text mixed with %{ENV:x}';
my $mixed0 = get('/interp/env/mixed');
is $mixed0->{mod_wsgi_group}, 'mixed-', 'text mixed with unset %{ENV:x}: expands to nothing';

# --- <Directory>/<Location>, application-group= wins
my $dp = get('/interp/dir/plain');
my $do = get('/interp/dir/override');
is $dp->{mod_wsgi_group}, 'interp-dir', 'WSGIApplicationGroup in <Directory>';
is $do->{mod_wsgi_group}, 'interp-dir-override', 'application-group= overrides <Directory>';
isnt $dp->{token}, $do->{token}, '... in another interpreter';
my $lp = get('/interp/loc/plain');
my $lo = get('/interp/loc/override');
is $lp->{mod_wsgi_group}, 'interp-loc', 'WSGIApplicationGroup in <Location>';
is $lo->{mod_wsgi_group}, 'interp-loc-override', 'application-group= overrides <Location>';
isnt $lp->{token}, $lo->{token}, '... in another interpreter';

# --- %{SERVER} in a virtual host
{
    my $vh = Apache::TestRequest::module2url('interp_server', { path => '/' });
    (my $base = $vh) =~ s{/$}{};
    my $vua = ua();
    my %v;
    for my $p (qw(one two own one)) {
        my $res = $vua->get("$base/$p");
        is $res->code, 200, "vhost /$p 200";
        push @{ $v{$p} }, decode_json_body($res) || {};
    }
    my($vport) = $base =~ /:(\d+)$/;
    like $v{one}[0]{mod_wsgi_group}, qr/:\Q$vport\E$/, "%{SERVER}: ServerName:port ($v{one}[0]{mod_wsgi_group})";
    unlike $v{one}[0]{mod_wsgi_group}, qr/\|/, '%{SERVER}: no script name';
    is $v{two}[0]{mod_wsgi_group}, $v{one}[0]{mod_wsgi_group}, 'both scripts of the host: same group';
    is $v{two}[0]{token}, $v{one}[0]{token}, '... same interpreter';
    is $v{two}[0]{interpreter_hits}, 2, '... sharing interpreter state';
    is $v{one}[1]{module_hits}, 2, '... each script its own module';
    is $v{own}[0]{mod_wsgi_group}, 'interp-vhost-own', 'application-group= wins over the host\'s %{SERVER}';
    isnt $v{own}[0]{token}, $v{one}[0]{token}, '... in another interpreter';
}

done_testing;
