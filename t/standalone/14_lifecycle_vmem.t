# virtual-memory-limit (issue 13), for each MPM in $WSGISCRIPT_MPMS (default
# event): a server of its own, because the option cannot be part of the
# Apache::Test suite, which scripts/test runs once more under AddressSanitizer
# (ASan reserves terabytes of address space at start: a process with an
# RLIMIT_AS cannot map anything more and aborts).
#
# lc_vmem (virtual-memory-limit=1073741824, 1 GiB of address space): taking
# 2 GiB of address space (bytes(2 GiB): calloc, never touched) raises
# MemoryError in the application: 500, the traceback logged (WSGIS0110), and
# the process lives on (the same pid serves next, and 100 MiB still works).
# lc_free (no limit) takes the same 2 GiB.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LifecycleServer qw(lifecycle_server get_json);
use WsgiServer;

my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event');

for my $mpm (@mpms) {
    my $srv = lifecycle_server(name => "lcvmem-$mpm", mpm => $mpm, conf => <<'CONF');
WSGIDaemonProcess lc_vmem threads=2 virtual-memory-limit=1073741824 display-name=%{GROUP}
WSGIDaemonProcess lc_free threads=2 display-name=%{GROUP}
WSGIScriptAlias /vmem $app process-group=lc_vmem application-group=%{GLOBAL}
WSGIScriptAlias /free $app process-group=lc_free application-group=%{GLOBAL}
CONF
    ok $srv->start, "$mpm: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };
    my $first = get_json($srv, '/vmem');
    my $pid = $first->{json} && $first->{json}{pid};
    ok $pid, "$mpm: lc_vmem answers (pid " . ($pid // '?') . ')';
    my $r = get_json($srv, '/vmem?do=vmalloc&mb=2048');
    is $r->{code}, 500, "$mpm: 2 GiB of address space under a 1 GiB limit: 500";
    my $log = '';
    for (1 .. 50) { $log = $srv->slurp_log; last if $log =~ /WSGIS0110: MemoryError/; select undef, undef, undef, 0.1 }
    like $log, qr/\[wsgiscript:error\] \[pid $pid:[^\n]*WSGIS0110: Traceback \(most recent call last\):/,
        "$mpm: WSGIS0110: the traceback, from that process";
    like $log, qr/\[pid $pid:[^\n]*WSGIS0110: MemoryError/, "$mpm: WSGIS0110: MemoryError";
    my $small = get_json($srv, '/vmem?do=vmalloc&mb=100');
    is $small->{code}, 200, "$mpm: 100 MiB: served";
    is $small->{json} && $small->{json}{pid}, $pid, "$mpm: by the same process: it survived";
    my $free = get_json($srv, '/free?do=vmalloc&mb=2048');
    is $free->{code}, 200, "$mpm: a group without the limit takes the same 2 GiB";
    is $free->{json} && $free->{json}{allocated_mb}, 2048, "$mpm: all of it";
    $srv->stop;
    my @crash = grep { /Segmentation fault|exit signal|double free|Aborted|AH00052/ } split /\n/, $srv->slurp_log;
    is scalar(@crash), 0, "$mpm: no crash lines" or diag join "\n", @crash;
    $srv->cleanup;
}

done_testing;
