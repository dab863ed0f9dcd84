# close() of the response iterable is called.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Time::HiRes ();
use WsgiTest qw(t_root ua url);

my $id = "c$$";
my $marker = t_root() . "/logs/close-$id.marker";
unlink $marker;
my $r = ua()->get(url("/environ?close=$id"));
is $r->code, 200, 'status 200';
my $deadline = Time::HiRes::time() + 10;
Time::HiRes::sleep(0.05) until -e $marker or Time::HiRes::time() > $deadline;
ok -e $marker, 'close() was called on the response iterable';

done_testing;
