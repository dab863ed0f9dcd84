# Application groups: %{RESOURCE} by default; distinct groups do not share
# module state; the same explicit group does; %{GLOBAL} is the main interpreter.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Apache::TestRequest ();
use WsgiTest qw(ua get_json);

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

done_testing;
