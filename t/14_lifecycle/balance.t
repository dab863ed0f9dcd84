# processes=2 threads=1 (group lc_balance): while one process runs a request
# that the test holds (until it writes a release mark), the next requests
# (four, one after the other) are served by the other process, not queued
# behind it. A process whose threads are all busy accepts no new
# connection while another process of its group has a thread free, and a
# request that comes to it on a kept connection is sent elsewhere ('N':
# nothing read, nothing ran; the Apache child sends it again on a new
# connection). Five rounds (before this, about one in two waited), after
# concurrent requests that leave the Apache children kept connections to
# both processes. With both processes busy, a third request waits for the
# first free thread and is served: nothing is refused, nothing logged.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(log_offset log_since);
use Time::HiRes ();
use LifecycleTest qw(get bg mark_file read_mark wait_for);

my $g = 'lc_balance';
my $tag = "$$-" . time;
my $off = log_offset();

sub release {
    open my $fh, '>', mark_file(shift) or die "release: $!";
    close $fh;
}

# kept connections to both processes: four requests held until two run
# (one in each process: each has one thread), then let go
my $wrel = "bal-warm-release-$tag";
my @warm = map { bg("/lc/balance?do=hold&release=$wrel&mark=bal-warm-$_-$tag") } 1 .. 4;
ok wait_for(sub { 2 <= grep { -e mark_file("bal-warm-$_-$tag") } 1 .. 4 }, 15), 'four concurrent requests: two run';
release($wrel);
my %warm;
for (@warm) {
    my $r = $_->wait;
    $warm{$r->{json}{pid}}++ if $r->{code} == 200 && $r->{json};
}
is scalar(keys %warm), 2, '... one in each process (' . join(' ', sort keys %warm) . ')';

for my $i (1 .. 5) {
    my $release = "bal-release-$i-$tag";
    my $slow = bg("/lc/balance?do=hold&release=$release&mark=bal-slow-$i-$tag&done=bal-slowdone-$i-$tag");
    ok wait_for(sub { -e mark_file("bal-slow-$i-$tag") }, 15), "round $i: the held request runs";
    my($spid) = read_mark("bal-slow-$i-$tag");
    my(@codes, @pids);
    for my $k (1 .. 4) {
        my $quick = get("/lc/balance?mark=bal-quick-$i-$k-$tag");
        push @codes, $quick->{code};
        push @pids, ($quick->{json} && $quick->{json}{pid}) // '-';
    }
    my $still = !-e mark_file("bal-slowdone-$i-$tag");
    release($release);
    is "@codes", '200 200 200 200', "round $i: four quick requests one after the other: 200";
    is scalar(grep { $_ eq ($spid // '') } @pids), 0, "round $i: ... none served by the busy process $spid (@pids)";
    ok $still, "round $i: ... all while the held request still runs (none queued behind it)";
    my $r = $slow->wait;
    is $r->{code}, 200, "round $i: the held request 200";
    ok $r->{json} && $r->{json}{released}, "round $i: ... released by the test (not by its 30 s limit)";
}

# both busy: a third request waits for a free thread
my $brel = "bal-both-release-$tag";
my @two = map { bg("/lc/balance?do=hold&release=$brel&mark=bal-both-$_-$tag") } 1 .. 2;
ok wait_for(sub { -e mark_file("bal-both-1-$tag") && -e mark_file("bal-both-2-$tag") }, 15),
    'two held requests run, one in each process';
my $third = bg("/lc/balance?mark=bal-third-$tag");
Time::HiRes::sleep(0.5);
ok !$third->done, 'with both processes busy, a third request waits';
release($brel);
is $third->wait->{code}, 200, '... and is served once a thread is free';
is $_->wait->{code}, 200, 'a held request 200' for @two;
my @bad = grep { /\[wsgiscript:(?:warn|error|crit)\][^\n]*lc_balance|WSGIS060[12]/ } split /\n/, log_since($off);
is_deeply \@bad, [], 'nothing at warn or above about the group, no WSGIS0601/0602';

done_testing;
