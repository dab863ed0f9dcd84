# listen-backlog=1 and connect-timeout=1 (group lc_backlog: one process, one
# thread). The group's socket listens with a backlog of 1 (ss -xl shows it).
# With its process stopped (SIGSTOP: it accepts nothing), two connections
# wait in the backlog, and the third request's connect() is refused for
# connect-timeout (1 s): 503 after about 1 s, WSGIS0601 with the socket
# path. Once the process continues, the two waiting requests are served.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use WsgiTest qw(t_root log_offset log_since);
use LifecycleTest qw(get bg mark_file read_mark wait_for poll_log started_pid);

my $g = 'lc_backlog';
my $hex = substr(md5_hex($g), 0, 12);
my $root = t_root();
chomp(my @ss = `ss -xl 2>/dev/null`);
my($line) = grep { m{\Q$root\E/logs/wsgiscript\.\d+\.$hex\.sock\b} } @ss;
plan skip_all => 'ss -xl does not list the sockets' unless @ss;
ok $line, "ss -xl lists the socket of $g" or diag join "\n", @ss;
my($recvq, $sendq, $path) = ($line // '') =~ /LISTEN\s+(\d+)\s+(\d+)\s+(\S+)/;
is $sendq, 1, 'listen-backlog=1: its backlog is 1 (ss Send-Q)';

# the process now serving the group: the last one that started
my $pid = started_pid(log_since(0), $g);
ok $pid && kill(0, $pid), "its process is $pid";
my $tag = "$$-" . time;
sub queued {
    my($l) = grep { index($_, $path) >= 0 } `ss -xl 2>/dev/null`;
    return ($l // '') =~ /LISTEN\s+(\d+)/ ? $1 : -1;
}

my $off = log_offset();
kill 'STOP', $pid;
my @waiting;
END { kill 'CONT', $pid if $pid }
for my $i (1, 2) {
    push @waiting, bg("/lc/backlog?mark=backlog-$i-$tag");
    ok wait_for(sub { queued() >= $i }, 15), "request $i waits in the backlog (queue: " . queued() . ')';
}
my $third = get("/lc/backlog?mark=backlog-3-$tag");
is $third->{code}, 503, 'a third request: 503';
cmp_ok $third->{secs}, '>=', 0.9, sprintf('after connect-timeout (%.1f s)', $third->{secs});
cmp_ok $third->{secs}, '<', 5, 'not after the default 15 s';
like poll_log($off, qr/WSGIS0601/),
    qr/\[wsgiscript:error\][^\n]*WSGIS0601: daemon process group '$g' cannot be reached at \Q$path\E: Resource temporarily unavailable; answered 503/,
    'WSGIS0601: the group, its socket path and why';
kill 'CONT', $pid;
for my $i (1, 2) {
    my $r = $waiting[$i - 1]->wait;
    is $r->{code}, 200, "once the process continues, request $i is served";
    is $r->{json} && $r->{json}{pid}, $pid, "by $pid";
}
ok !-e mark_file("backlog-3-$tag"), 'the refused request never ran';

done_testing;
