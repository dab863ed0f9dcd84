# Threads: a Python thread an application starts keeps running between and
# across requests (the GIL is not held while the child waits for work), one
# per sub-interpreter; concurrent requests to two apps in two sub-interpreters
# all succeed, each answered by its own interpreter.
#
# Not the same test as t/standalone/06_interp_threads.t, which also sends
# concurrent requests to two sub-interpreters: that one needs a server of its
# own (25 threads per child, fresh children after each of several graceful
# restarts) to make the first requests race to create both interpreters in
# one child, and it runs outside Apache::Test. This one runs on the shared
# test server, in children that have served other tests (whether first
# requests race there is left to chance), and so it also runs in the
# sanitizer stage (scripts/test runs only this suite under ASan + UBSan).
# The thread that keeps running between requests is tested only here.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use Time::HiRes ();
use WsgiTest qw(ua url get_json decode_json_body);

my $ua = ua();
my(undef, $a1) = get_json($ua, '/interp/thread/a');
Time::HiRes::sleep(1.0);    # no request in between
my(undef, $a2) = get_json($ua, '/interp/thread/a');
my(undef, $b1) = get_json($ua, '/interp/thread/b');
$a1 ||= {}; $a2 ||= {}; $b1 ||= {};
is $a2->{pid}, $a1->{pid}, 'same child';
ok $a2->{alive}, 'the app\'s thread is alive at the next request';
is $a2->{ident}, $a1->{ident}, '... the same thread';
ok !$a2->{started_now}, '... not started again';
cmp_ok $a2->{ticks} - $a1->{ticks}, '>=', 8,
    "it ran while no request was served (ticks $a1->{ticks} -> $a2->{ticks} in 1 s, 20 expected)";
ok $b1->{started_now} && $b1->{alive}, 'another interpreter starts a thread of its own';

# concurrent: 20 clients x 10 requests alternating between two sub-interpreters
my $n = 20;
my $per = 10;
pipe my $go_r, my $go_w or die "pipe: $!";
my @kids;
for my $k (1 .. $n) {
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        close $go_w;
        sysread $go_r, my $buf, 1;
        my $cua = LWP::UserAgent->new(timeout => 60, keep_alive => 1);
        my $bad = 0;
        for my $i (1 .. $per) {
            my $g = ($i + $k) % 2 ? 'a' : 'b';
            my $res = $cua->get(url("/interp/iso/$g"));
            my $d = decode_json_body($res) || {};
            next if $res->code == 200 && ($d->{mod_wsgi_group} // '') eq "interp-$g";
            $bad++;
            print STDERR "# client $k request $i /interp/iso/$g: " . $res->code . ' '
                . ($res->header('Client-Warning') // '') . ' ' . substr($res->decoded_content // '', 0, 200) . "\n";
        }
        exit($bad > 255 ? 255 : $bad);
    }
    push @kids, $pid;
}
close $go_r;
close $go_w;
my $bad = 0;
for (@kids) { waitpid $_, 0; $bad += $? >> 8 }
is $bad, 0, "$n concurrent clients x $per requests alternating interp-a/interp-b: all 200 from the right group";

done_testing;
