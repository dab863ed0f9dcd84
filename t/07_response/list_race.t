# A response that is a list: its bytes stay alive while Apache writes them
# with the GIL released, even when another thread replaces the list's items
# meanwhile (issue 10, item 5). The client reads slowly so the write blocks
# while the app's thread frees the list item and fills fresh memory with 'Z'.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Select ();
use Time::HiRes ();
use WsgiTest qw(log_offset crash_lines);
use PepTest qw(connect_to hostport parse_http settled_log_since);

my $hp = hostport();
my $mib = 32;
for my $round (1 .. 3) {
    my $off = log_offset();
    my $sock = connect_to();
    print $sock "GET /hard/list?size=$mib HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n";
    Time::HiRes::sleep(1.0);  # let the app's thread meddle while the write is blocked
    my $raw = '';
    my $sel = IO::Select->new($sock);
    while ($sel->can_read(30)) {
        my $n = sysread $sock, $raw, 1 << 20, length $raw;
        last unless $n;
    }
    close $sock;
    my $r = parse_http($raw);
    is $r->{code}, 200, "round $round: 200";
    is length($r->{body}), $mib << 20, "round $round: the whole body arrived";
    my $bad = ($r->{body} =~ tr/a//c);
    is $bad, 0, "round $round: every byte is the app's original 'a'";
    is scalar(crash_lines(settled_log_since($off))), 0, "round $round: no crash";
}

done_testing;
