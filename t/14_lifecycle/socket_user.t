# socket-user= (group lc_sockuser, socket-user= Apache's User): accepted at
# start-up, and the group serves. Its effect (the socket owned by another
# account than Apache's User) needs Apache started as root, which
# Apache::Test does not do.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LifecycleTest qw(get);

my $r = get('/lc/sockuser');
is $r->{code}, 200, 'a group with socket-user= serves';
is $r->{json} && $r->{json}{group}, 'lc_sockuser', 'from lc_sockuser';

done_testing;
