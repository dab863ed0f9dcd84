# %{GLOBAL} still means the main interpreter in children where many first
# requests raced to create a sub-interpreter. (Seen failing intermittently:
# /groups/global answered from the sub-interpreter of /once.)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use WsgiTest qw(url decode_json_body);

my $n = 40;
my $u = url('/groups/race');
pipe my $go_r, my $go_w or die "pipe: $!";
my @kids;
for (1 .. $n) {
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $go_w;
        sysread $go_r, my $buf, 1;
        my $res = LWP::UserAgent->new(timeout => 60)->get($u);
        exit($res->code == 200 ? 0 : 1);
    }
    push @kids, $pid;
}
close $go_r;
close $go_w;
my $bad = 0;
for (@kids) { waitpid $_, 0; $bad++ if $? }
is $bad, 0, "$n concurrent first requests to /groups/race all 200";

# fresh connections, so that several children answer
my(%pids, @wrong);
for (1 .. 30) {
    my $res = LWP::UserAgent->new(timeout => 30)->get(url('/groups/global2'));
    my $d = decode_json_body($res) || {};
    $pids{ $d->{pid} // '?' }++;
    push @wrong, sprintf('pid %s: status %s, application_group %s, is_main %s',
                         $d->{pid} // '?', $res->code,
                         $d->{mod_wsgi}{application_group} // 'undef', $d->{is_main} ? 'true' : 'false')
        unless $res->code == 200 && $d->{is_main} && ($d->{mod_wsgi}{application_group} // 'x') eq '';
}
is scalar(@wrong), 0, '%{GLOBAL} ran in the main interpreter with application_group \'\' in every child ('
    . join(',', sort keys %pids) . ')' or diag join "\n", @wrong;

done_testing;
