# No Python memory leaked per request: on one keep-alive connection (one
# child), sys.getallocatedblocks() after 1000 more requests is within a small
# bound of its value before. A deliberately leaking request shows that the
# probe sees one leaked object per request.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url);

my $n = 1000;
my $slack = 300;          # blocks: far below one per request
my $ua = ua();

sub blocks {
    my $res = $ua->get(url('/leak/probe'));
    my($b, $pid) = $res->decoded_content =~ /^(\d+) (\d+)$/;
    return ($b, $pid);
}

sub run_requests {
    my($what, $count) = @_;
    my $bad = 0;
    for (1 .. $count) {
        my $res = $what eq 'environ'
            ? $ua->post(url('/leak/environ/x?y=1'), 'X-Leak' => 'test', Content => 'a' x 2048)
            : $ua->get(url("/leak/$what"));
        $bad++ unless $res->code == 200;
    }
    return $bad;
}

for my $what (qw(hello environ stream)) {
    run_requests($what, 200);                        # warm up caches
    my($before, $pid) = blocks();
    ok defined $before, "$what: probe answers" or next;
    is run_requests($what, $n), 0, "$what: $n requests all 200";
    my($after, $pid2) = blocks();
    is $pid2, $pid, "$what: same child throughout (keep-alive)";
    my $growth = ($after // 0) - $before;
    cmp_ok $growth, '<', $slack, "$what: allocated blocks grew by $growth (< $slack) over $n requests";
}

# positive control
my($before) = blocks();
run_requests('probe?leak', $n);
my($after) = blocks();
cmp_ok(($after // 0) - ($before // 0), '>=', $n, 'control: a leak of one object per request is seen');

done_testing;
