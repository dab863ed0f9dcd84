# threads=1 queue-timeout=1 (group lc_queue): while a 6 s request holds the
# only thread, the next request waits 1 s for it and is answered 503 within
# 4 s without running (the app would have written a side-effect file, even
# later: it is checked after the first request has ended), logged WSGIS0612
# with its URL. The first request ends normally, and the group serves again.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(log_offset);
use LifecycleTest qw(get bg mark_file read_mark wait_for poll_log);

my $g = 'lc_queue';
my $tag = "$$-" . time;
unlink mark_file("queue-first-$tag"), mark_file("queue-second-$tag");

my $off = log_offset();
my $first = bg("/lc/queue?do=sleep&s=6&mark=queue-first-$tag");
ok wait_for(sub { -e mark_file("queue-first-$tag") }, 15), 'the 6 s request is running (its mark is written)';
my($pid) = read_mark("queue-first-$tag");

my $url = "/lc/queue?mark=queue-second-$tag";
my $second = get($url);
is $second->{code}, 503, 'the next request gets 503';
cmp_ok $second->{secs}, '<', 4, sprintf('within 4 s (%.1f s)', $second->{secs});
cmp_ok $second->{secs}, '>=', 0.9, 'not before queue-timeout (1 s)';

my $r1 = $first->wait;
is $r1->{code}, 200, 'the 6 s request ends with 200';
ok !-e mark_file("queue-second-$tag"), 'the refused request never ran (no side-effect file, after the first ended)';

my $log = poll_log($off, qr/WSGIS0612/);
like $log, qr/\[wsgiscript:error\][^\n]*WSGIS0612: daemon process $pid of group '$g': the request for '\Q$url\E' waited [\d.]+ s for a free thread \(queue-timeout 1 s\); answered 503 without running it/,
    'WSGIS0612: the URL, the wait and queue-timeout';

my $again = get('/lc/queue');
is $again->{code}, 200, 'with the thread free, the group serves again';
is $again->{json} && $again->{json}{pid}, $pid, 'the same process (a refusal does not replace it)';

done_testing;
