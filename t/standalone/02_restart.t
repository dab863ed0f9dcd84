# 20 x (apache2 -k graceful, apache2 -k restart) under light load, for each
# MPM in $WSGISCRIPT_MPMS (default event): the parent survives, children keep
# answering, no crash lines, and the parent's RSS grows < 2 MiB between the
# first restart and the last.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use Time::HiRes ();
use WsgiServer;

my $cycles = $ENV{WSGISCRIPT_RESTARTS} || 20;
my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event');

sub rss_kb {
    my $pid = shift;
    open my $fh, '<', "/proc/$pid/status" or return;
    while (<$fh>) { return $1 if /^VmRSS:\s+(\d+)\s+kB/ }
    return;
}

sub count_resumes { scalar(() = $_[0]->slurp_log =~ /resuming normal operations/g) }

# wait until the server logged $n "resuming normal operations" and answers /hello
sub wait_ready {
    my($srv, $n, $ua) = @_;
    my $deadline = Time::HiRes::time() + 30;
    while (Time::HiRes::time() < $deadline) {
        if (count_resumes($srv) >= $n) {
            my $res = $ua->get($srv->url('/hello'));
            return 1 if $res->code == 200 && $res->decoded_content eq 'Hello, World!';
        }
        Time::HiRes::sleep(0.1);
    }
    return 0;
}

for my $mpm (@mpms) {
    my $srv = WsgiServer->new(name => "restart-$mpm", mpm => $mpm,
                              conf => "WSGIScriptAlias /hello \$root/hello.wsgi\n");
    open my $fh, '>', "$srv->{root}/hello.wsgi" or die $!;
    print $fh <<'PY';
def application(environ, start_response):
    body = b'Hello, World!'
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
PY
    close $fh;

    ok $srv->start, "$mpm: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };
    my $ua = LWP::UserAgent->new(timeout => 10);
    my $parent = $srv->pid;
    ok wait_ready($srv, 1, $ua), "$mpm: /hello answers" or do {
        diag "$mpm: not answering before any restart; skipping the restart cycles";
        fail("$mpm: restart cycles") for 1 .. 5;
        $srv->cleanup;
        next;
    };

    # light background load: bounded in count and time, stops on the stop file
    my $stop = "$srv->{root}/stop-load";
    my $tally = "$srv->{root}/load-tally";
    my $loader = fork // die "fork: $!";
    if (!$loader) {
        my $lua = LWP::UserAgent->new(timeout => 10);
        my %n = (ok => 0, bad => 0);
        my $end = time + 600;
        for (1 .. 20000) {
            last if -e $stop || time > $end;
            my $res = $lua->get($srv->url('/hello'));
            $n{ ($res->code == 200 && $res->decoded_content eq 'Hello, World!') ? 'ok' : 'bad' }++;
            Time::HiRes::sleep(0.02);
        }
        open my $t, '>', $tally; print $t "$n{ok} $n{bad}\n"; close $t;
        exit 0;
    }

    my $resumes = count_resumes($srv);
    my($rss_first, $ready_all, $parent_ok) = (undef, 1, 1);
    CYCLE: for my $i (1 .. $cycles) {
        for my $how (qw(graceful restart)) {
            $srv->signal($how) or do { $ready_all = 0; diag "$mpm: apache2 -k $how failed" };
            $resumes++;
            if (!wait_ready($srv, $resumes, $ua)) {
                $ready_all = 0;
                diag "$mpm: not answering after $how #$i; stopping the cycles";
            }
            $parent_ok = 0 unless WsgiServer::alive($parent) && ($srv->pid // 0) == $parent;
            last CYCLE unless $ready_all && $parent_ok;
        }
        $rss_first = rss_kb($parent) if $i == 1;
    }
    my $rss_last = rss_kb($parent);

    open my $s, '>', $stop; close $s;
    waitpid $loader, 0;
    my($ok, $bad) = do { open my $t, '<', $tally; split ' ', (<$t> // '0 0') };

    ok $parent_ok, "$mpm: parent pid $parent survived $cycles graceful + $cycles restart";
    ok $ready_all, "$mpm: children answered /hello after every restart";
    ok $ok > 0, "$mpm: background load got answers ($ok ok, $bad failed)";
    my @crash = grep { /Segmentation fault|exit signal|double free|Aborted|AH00052/ }
                split /\n/, $srv->slurp_log;
    is scalar(@crash), 0, "$mpm: no crash lines in error_log" or diag join "\n", @crash[0 .. ($#crash < 9 ? $#crash : 9)];
    ok defined $rss_first && defined $rss_last && $rss_last - $rss_first < 2048,
        sprintf("$mpm: parent RSS growth after first restart < 2 MiB (%s kB -> %s kB)",
                $rss_first // '?', $rss_last // '?');
    $srv->cleanup;
}

done_testing;
