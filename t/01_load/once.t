# 40 concurrent first requests: the script module is executed once per
# interpreter (once.wsgi appends "pid token" to t/logs/once.log at import).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP ();
use LWP::UserAgent ();
use WsgiTest qw(t_root url log_offset log_since module_name_for);

my $n = 40;
my $root = t_root();
my $script = "$root/wsgi/once.wsgi";
my $count_file = "$root/logs/once.log";
unlink $count_file;
my $off = log_offset();
my $u = url('/once');

pipe my $go_r, my $go_w or die "pipe: $!";
pipe my $res_r, my $res_w or die "pipe: $!";
my @kids;
for (1 .. $n) {
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $go_w; close $res_r;
        my $ua = LWP::UserAgent->new(timeout => 60);
        sysread $go_r, my $buf, 1;          # start together
        my $res = $ua->get($u);
        my $line = sprintf "%d %s\n", $res->code, JSON::PP->new->canonical->encode(
            eval { JSON::PP::decode_json($res->decoded_content) } || {});
        syswrite $res_w, $line;
        exit 0;
    }
    push @kids, $pid;
}
close $go_r; close $res_w;
close $go_w;                                # release all children at once
my @lines = <$res_r>;
waitpid $_, 0 for @kids;

is scalar(@lines), $n, "$n responses";
my @ok = grep { /^200 / } @lines;
is scalar(@ok), $n, "all $n concurrent first requests are 200" or diag @lines;

my %served;   # token => pid
for (@ok) {
    my ($json) = /^200 (.*)$/;
    my $d = JSON::PP::decode_json($json);
    $served{$d->{token}} = $d->{pid};
    is $d->{executions}, 1, 'module body ran once in this module object';
}

open my $fh, '<', $count_file or die "$count_file: $!";
my @execs = <$fh>;
close $fh;
my %per_token;
$per_token{(split ' ', $_)[1]}++ for @execs;
my @twice = grep { $per_token{$_} > 1 } keys %per_token;
is scalar(@twice), 0, 'no interpreter executed once.wsgi more than once'
    or diag "executions: @execs";
ok exists $per_token{$_}, "the interpreter that served (pid $served{$_}) executed it" for sort keys %served;

my $log = log_since($off);
my @loads = grep { /WSGIS0101\b.*\Q$script\E/ } split /\n/, $log;
is scalar(@loads), scalar(@execs), 'one WSGIS0101 line per execution' or diag join "\n", @loads;

done_testing;
