# maximum-requests=50 (group lc_maxreq, 4 processes x 4 threads): 32
# concurrent clients send 2000 requests, 16 of them GETs, 16 POSTs of 1 to
# 16 KiB that the application reads and answers with length and MD5: none
# fails, many processes serve (each replaced after its 50 requests: WSGIS0604
# "maximum-requests (N requests)", WSGIS0607 old and new pid), none serves
# far more than 50. A GET that meets a retiring process's closed connection
# is sent again by the Apache child; a POST is not, so the POSTs show whether
# a retirement drops a request: TODO, a defect (rare: 1 POST in 1000 under
# ASan, none in 4000 without): a retiring process closes a kept connection
# after its response although the Apache child may already have sent the next
# request on it: reset, 502, WSGIS0602 "failed: Connection reset by peer".
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
TODO: {
    local $TODO = 'defect: a retiring process closes a kept connection the Apache child has just reused: '
                . 'a POST sent on it gets 502 (a GET is retried)';
    is_deeply $codes{POST}, { 200 => $total / 2 }, '0 failed POSTs: every one 200 with the right length and MD5'
        or diag join ', ', map { "$_: $codes{POST}{$_}" } sort keys %{ $codes{POST} };
}
my @other = grep { $_ ne '200' && $_ ne '502' } keys %{ $codes{POST} };
is "@other", '', 'no POST failed otherwise than with 502';
my @pids = sort { $a <=> $b } keys %served;
cmp_ok scalar(@pids), '>=', 10, scalar(@pids) . ' processes served (2000 / 50 = 40 lives)';
my $most = (sort { $b <=> $a } values %served)[0] // 0;
cmp_ok $most, '<=', 50 + $clients, "none served far more than 50 ($most at most)";
diag 'requests per process: ' . join ' ', map { $served{$_} } @pids;

# every process that reached 50 was retired for it and replaced
my @full = grep { $served{$_} >= 50 } @pids;
cmp_ok scalar(@full), '>=', 10, scalar(@full) . ' processes reached 50 requests';
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
