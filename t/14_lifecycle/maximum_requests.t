# maximum-requests=50 (group lc_maxreq, 4 processes x 4 threads): 32
# concurrent clients send 2000 requests, 16 of them GETs, 16 POSTs of 1 to
# 16 KiB that the application reads and answers with length and MD5: none
# fails, many processes serve (each replaced after its 50 requests: WSGIS0604
# "maximum-requests (N requests)", WSGIS0607 old and new pid), most near 50:
# only a process that is the last of its group taking requests goes on, and
# says so. A GET that meets a retiring process's closed connection
# is sent again by the Apache child, and so is a POST (the daemon never read
# it and asks for the body only as the application reads it): a retiring
# process may close a kept connection after its response while the Apache
# child sends the next request on it (a reset); no request is lost to it.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use POSIX ();
use WsgiTest qw(log_offset log_since);
use LifecycleTest qw(get post marks_dir poll_log replaced_re);

my $g = 'lc_maxreq';
my($clients, $total) = (32, 2000);
my $dir = marks_dir();
my $off = log_offset();

my @kids;
for my $k (0 .. $clients - 1) {
    my $n = int($total / $clients) + ($k < $total % $clients ? 1 : 0);
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open my $out, '>', "$dir/maxreq.$$.$k" or POSIX::_exit(2);
        srand($$);
        my $method = $k % 2 ? 'POST' : 'GET';
        for (1 .. $n) {
            my($r, $code);
            if ($method eq 'POST') {
                my $body = join '', map { chr int rand 256 } 1 .. 1 + int rand 16384;
                $r = post('/lc/maxreq?do=echo', $body, timeout => 60);
                $code = $r->{code};
                $code = 'wrong-body' if $code == 200 && !($r->{json} && ($r->{json}{md5} // '') eq md5_hex($body));
            }
            else {
                $r = get('/lc/maxreq', timeout => 60);
                $code = $r->{code};
            }
            printf $out "%s %s %s\n", $method, $code, ($r->{json} && $r->{json}{pid}) // '-';
        }
        close $out;
        POSIX::_exit(0);
    }
    push @kids, [ $pid, "$dir/maxreq.$pid.$k" ];
}
my(%served, %codes, $answers);
for my $kid (@kids) {
    waitpid $kid->[0], 0;
    open my $in, '<', $kid->[1] or next;
    while (<$in>) {
        my($method, $code, $pid) = split;
        $answers++;
        $codes{$method}{$code}++;
        $served{$pid}++ if $code eq '200';
    }
    unlink $kid->[1];
}
is $answers, $total, "$total requests answered";
is_deeply $codes{GET}, { 200 => $total / 2 }, '0 failed GETs: every one 200'
    or diag join ', ', map { "$_: $codes{GET}{$_}" } sort keys %{ $codes{GET} };
is_deeply $codes{POST}, { 200 => $total / 2 }, '0 failed POSTs: every one 200 with the right length and MD5'
    or diag join ', ', map { "$_: $codes{POST}{$_}" } sort keys %{ $codes{POST} };
my @pids = sort { $a <=> $b } keys %served;
# How many lives the 2000 requests make depends on how fast a replacement
# starts (under ASan, or with both CPUs busy, one process may serve for up
# to 5 s while it is the only one taking requests): at least the first four
# and two of their replacements.
cmp_ok scalar(@pids), '>=', 6, scalar(@pids) . ' processes served (at most 2000 / 50 = 40 lives)';
diag 'requests per process: ' . join ' ', map { $served{$_} } @pids;
# Staggered retirement: a process due to retire goes on while it is the only
# one of the group taking requests (the parent starts a replacement only once
# a process has exited), and says so; every other one stops near 50.
my $all = log_since($off);
my @over = grep { $served{$_} > 50 + $clients } @pids;
my @unsaid = grep { $all !~ /WSGIS0604: daemon process $_ of group '$g' is due to retire but is the only one of its group taking requests/ } @over;
is "@unsaid", '', scalar(@over) . ' process(es) served far more than 50, each while it was the only one taking requests (WSGIS0604 says so)';
cmp_ok scalar(@over), '<', scalar(@pids) / 2, 'most processes retired near 50 requests';

# every process that reached 50 was retired for it and replaced
my @full = grep { $served{$_} >= 50 } @pids;
cmp_ok scalar(@full), '>=', 6, scalar(@full) . ' processes reached 50 requests (replacements retire too)';
my(@unretired, @unreplaced, $log);
for my $pid (@full) {
    $log = poll_log($off, replaced_re($pid, $g, 'maximum-requests'));
    push @unretired, $pid
        unless $log =~ /\[wsgiscript:info\][^\n]*WSGIS0604: daemon process $pid of group '$g' is retiring: maximum-requests \((\d+) requests\)/ && $1 >= 50;
    push @unreplaced, $pid unless $log =~ replaced_re($pid, $g, 'maximum-requests');
}
is "@unretired", '', 'each logged WSGIS0604 "is retiring: maximum-requests (N requests)", N >= 50';
is "@unreplaced", '', 'each was replaced: WSGIS0607 "ended (maximum-requests); replaced by NEW"';
my %new = map { $_ => 1 } $log =~ /WSGIS0607: daemon process \d+ of group '$g' ended \(maximum-requests\); replaced by (\d+)/g;
my @unknown = grep { !$new{$_} } @pids;
cmp_ok scalar(@unknown), '<=', 4, 'every process that served is one of the group\'s first four or a logged replacement'
    or diag "not logged as a replacement: @unknown";

done_testing;
