# stack-size=262144, cpu-priority=5, switch-interval=0.002 (group lc_tuned):
# the application sees each one, in the main interpreter and in a
# sub-interpreter, and a group without them (lc_sockuser) sees the defaults.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LifecycleTest qw(get);

my $base = get('/lc/sockuser?do=info');
is $base->{code}, 200, 'a group without the options answers' or diag $base->{body};
my $b = $base->{json} || {};

for my $path ('/lc/tuned', '/lc/tuned-sub') {
    my $r = get("$path?do=info");
    is $r->{code}, 200, "$path answers" or diag $r->{body};
    my $d = $r->{json} || {};
    is $d->{group}, 'lc_tuned', "$path: runs in lc_tuned";
    is $d->{priority}, 5, "$path: cpu-priority=5: os.getpriority() is 5 (the default group's: $b->{priority})";
    cmp_ok abs(($d->{switch_interval} // 0) - 0.002), '<', 1e-9,
        "$path: switch-interval=0.002: sys.getswitchinterval() is $d->{switch_interval} (default group's: $b->{switch_interval})";
    is $d->{stack_size}, 262144,
        "$path: stack-size=262144: the request thread's stack is 262144 bytes (default group's: $b->{stack_size})";
    is $d->{recursion}, 300, "$path: a 300-deep Python recursion works on that stack";
    ok $d->{json_nested}, "$path: json.dumps of a 200-deep nested list (C recursion) works on that stack";
}
isnt $b->{priority}, 5, 'the default group does not have priority 5';
cmp_ok abs(($b->{switch_interval} // 0) - 0.002), '>', 1e-6, 'the default group has another switch interval';
cmp_ok $b->{stack_size} // 0, '>', 262144, 'the default group has a larger stack';

done_testing;
