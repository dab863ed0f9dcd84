# After the script changes, 40 concurrent requests reload it once per
# interpreter (the script appends "pid token version" to t/logs/race.log each
# time it is executed), and every response comes from the new code.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Path qw(make_path);
use JSON::PP ();
use LWP::UserAgent ();
use WsgiTest qw(t_root url log_offset log_since);

my $root = t_root();
make_path("$root/logs/rw");
my $script = "$root/logs/rw/reload_race.wsgi";
my $count_file = "$root/logs/race.log";
unlink $count_file;

sub write_script {
    my($version, $mtime) = @_;
    open my $fh, '>', "$script.tmp" or die $!;
    print $fh <<"PY";
import os
import time
import wsgitest_util

VERSION = $version
with open(os.path.join(wsgitest_util.logs_dir(__file__), 'race.log'), 'a') as f:
    f.write('%d %s %d\\n' % (os.getpid(), wsgitest_util.INTERPRETER_TOKEN, VERSION))
time.sleep(0.5)


def application(environ, start_response):
    return wsgitest_util.json_response(start_response, {
        'pid': os.getpid(), 'token': wsgitest_util.INTERPRETER_TOKEN,
        'version': VERSION, 'generation': __wsgiscript_generation__})
PY
    close $fh;
    rename "$script.tmp", $script or die $!;
    utime $mtime, $mtime, $script or die $!;
}

sub burst {
    my $n = shift;
    my $u = url('/reload/race');
    pipe my $go_r, my $go_w or die $!;
    pipe my $res_r, my $res_w or die $!;
    my @kids;
    for (1 .. $n) {
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            close $go_w; close $res_r;
            sysread $go_r, my $buf, 1;
            my $res = LWP::UserAgent->new(timeout => 60)->get($u);
            my $d = eval { JSON::PP::decode_json($res->decoded_content) } || {};
            syswrite $res_w, sprintf("%d %s %s %s\n", $res->code, $d->{token} // '-',
                                     $d->{version} // '-', $d->{generation} // '-');
            exit 0;
        }
        push @kids, $pid;
    }
    close $go_r; close $res_w; close $go_w;
    my @lines = <$res_r>;
    waitpid $_, 0 for @kids;
    return map { [ split ' ' ] } @lines;
}

write_script(1, 1700000000);
my @first = burst(40);
is scalar(grep { $_->[0] == 200 && $_->[2] eq '1' } @first), 40, 'first burst: 40 x 200 from version 1';

my $off = log_offset();
write_script(2, 1700000100);
my @second = burst(40);
is scalar(grep { $_->[0] == 200 && $_->[2] eq '2' } @second), 40, 'after the change: 40 x 200 from version 2'
    or diag join "\n", map { "@$_" } @second;

open my $fh, '<', $count_file or die "$count_file: $!";
my %execs;
for (<$fh>) { my(undef, $token, $version) = split; $execs{"$token $version"}++ }
my @twice = grep { $execs{$_} > 1 } sort keys %execs;
is scalar(@twice), 0, 'each interpreter executed each version at most once' or diag "@twice";

my %v1 = map { (split ' ', $_)[0] => 1 } grep { / 1$/ } keys %execs;
my @bad;
for my $r (@second) {
    next unless $r->[0] == 200;
    my $want = $v1{ $r->[1] } ? 2 : 1;
    push @bad, "interpreter $r->[1]: generation $r->[3], want $want" if $r->[3] ne $want;
}
is scalar(@bad), 0, 'generation 2 where version 1 was loaded before, else 1' or diag join "\n", @bad;
my @reloads = grep { /WSGIS0102\b.*\Q$script\E/ } split /\n/, log_since($off);
my $reloaded = grep { / 2$/ } grep { my($t) = split; $v1{$t} } keys %execs;
is scalar(@reloads), $reloaded, 'one WSGIS0102 line per reloading interpreter';

done_testing;
