# threads=: a daemon process runs that many requests at once, and no more.
# d13-b has processes=1 threads=2: two requests meeting at a 2-party
# barrier (threading.Barrier in the app) both pass it; three requests at a
# 3-party barrier never all get in (the third waits for a thread), so the
# barrier times out for each of them. d13-idle (threads=1): two requests
# at a 2-party barrier do not meet either. Each request has its own
# connection (an Apache child or thread of its own).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP ();
use Time::HiRes ();
use PepTest qw(connect_to hostport send_all read_response);

my $hp = hostport();

# $n requests at once to $path (each on its own connection); their JSON bodies.
sub at_once {
    my($path, $n) = @_;
    my @socks = map { connect_to() } 1 .. $n;
    send_all($_, "GET $path HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n") for @socks;
    my @out;
    for my $s (@socks) {
        my $res = read_response($s);
        push @out, { code => $res && $res->{code}, %{ json_or_empty($res) } };
        close $s;
    }
    return @out;
}

my $t0 = Time::HiRes::time();
my @two = at_once('/d13/b/barrier?n=2&timeout=20', 2);
is scalar(grep { ($_->{code} // 0) == 200 } @two), 2, 'threads=2: two requests answered 200';
is scalar(grep { $_->{passed} } @two), 2, 'threads=2: two requests ran at once (both passed a 2-party barrier)'
    or diag explain \@two;
is $two[0]{pid}, $two[1]{pid}, 'threads=2: in the one process of the group';
isnt $two[0]{thread}, $two[1]{thread}, 'threads=2: on two threads';
cmp_ok Time::HiRes::time() - $t0, '<', 15, 'threads=2: without waiting for the barrier timeout';

my @three = at_once('/d13/b/barrier?n=3&timeout=1.5', 3);
is scalar(grep { ($_->{code} // 0) == 200 } @three), 3, 'threads=2: three requests answered 200';
is scalar(grep { $_->{passed} } @three), 0, 'threads=2: never three at once (a 3-party barrier times out)'
    or diag explain \@three;

my @one = at_once('/d13/idle/barrier?n=2&timeout=1', 2);
is scalar(grep { ($_->{code} // 0) == 200 } @one), 2, 'threads=1: two requests answered 200';
is scalar(grep { $_->{passed} } @one), 0, 'threads=1: one request at a time (a 2-party barrier times out)'
    or diag explain \@one;

sub json_or_empty {
    my $res = shift;
    my $d = $res && eval { JSON::PP::decode_json($res->{body}) };
    return ref $d eq 'HASH' ? $d : {};
}

done_testing;
