# Soak of the daemon process lifecycle (issue 13): for 60 s, 32 clients
# against one daemon process group with maximum-requests=200 (4 processes x
# 8 threads), while one of its two scripts is touched every 2 s (each
# process that notices restarts: reload by restart). Under event and prefork
# (those of them in $WSGISCRIPT_MPMS; $WSGISCRIPT_LCSOAK_MPMS overrides,
# $WSGISCRIPT_LCSOAK_SECONDS the duration).
#
# Clients (8 of each kind, each on its own keep-alive connection, one
# request at a time, 30 s at most each; a connection that Apache closes
# after a response that said "Connection: close" is opened again; any other
# close is a failure):
#   pid     GET  /soak/app             JSON: pid, group lc_soak, script app.wsgi
#   touched GET  /soak/touched         the same from touched.wsgi (the script touched)
#   echo    POST /soak/app?do=echo     0..64 KiB of random bytes: length and MD5 must match
#   big     GET  /soak/app?do=big&n=N  N up to 256 KiB of a known pattern, every byte checked
# Asserted: 0 failed requests (any status but 200, a wrong body, a cut or a
# timeout), every kind served, many daemon processes (replacements logged
# WSGIS0607 at info for maximum-requests and for the changed script), no
# WSGIS0607 at error level, no crash line (segfault, exit signal), no
# wsgiscript line at warn or above, no error line from Apache.
# Two defects this test found are fixed and stay counted apart: a request
# the Apache child stat()ed before a touch no longer makes a process that
# loaded the new file restart (the daemon looks at the file itself), and a
# POST on a kept connection that a retiring process closes is sent again
# (the daemon never read it). A process due to retire for maximum-requests
# goes on while it is the only one of its group taking requests, so the group
# never stops answering while the parent starts replacements.
# RSS (sampled from /proc every 0.25 s): the Apache children's mean RSS from
# 10 s in to the end (same pids) grows < 5 MiB; the daemon processes' (each
# life's largest sample) of the lives started in the last 20 s against those
# started between 5 and 25 s: < 5 MiB more; the parent grows < 2 MiB.
# The figures are printed with diag.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use File::Copy ();
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(time sleep);
use LifecycleServer qw(lifecycle_server connect_http send_request read_response get_json
                       daemon_pids rss_kb alive);
use WsgiServer;

my %soakable = map { $_ => 1 } qw(event prefork);
my @mpms = $ENV{WSGISCRIPT_LCSOAK_MPMS}
    ? split(' ', $ENV{WSGISCRIPT_LCSOAK_MPMS})
    : grep { $soakable{$_} } split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event prefork');
plan skip_all => 'the lifecycle soak runs under event and prefork; WSGISCRIPT_MPMS has neither' unless @mpms;

my $duration    = $ENV{WSGISCRIPT_LCSOAK_SECONDS} || 60;
my $clients     = 32;
my @kinds       = qw(pid touched echo big);
my $touch_every = 2;
my $req_timeout = 30;
my $warm_at     = 10;      # s: the Apache children's first RSS sample counted
my $limit_kb    = 5 * 1024;
my $pattern     = pack('C*', 0 .. 255) x 256;

sub check {
    my($kind, $r, $want) = @_;
    return "no response ($r->{error})" if $r->{error} && !$r->{code};
    return "status $r->{code}" . ($r->{error} ? " ($r->{error})" : '') if $r->{code} != 200;
    return "cut: $r->{error}" if $r->{error};
    if ($kind eq 'big') {
        return 'wrong body (' . length($r->{body}) . " bytes of $want)"
            unless length($r->{body}) == $want && $r->{body} eq substr($pattern x (int($want / 65536) + 1), 0, $want);
        return '';
    }
    my $d = $r->{json} or return 'not JSON: ' . substr($r->{body}, 0, 100);
    return "group $d->{group}" if ($d->{group} // '') ne 'lc_soak';
    my $script = $kind eq 'touched' ? 'touched.wsgi' : 'app.wsgi';
    return "script $d->{script}" if ($d->{script} // '') ne $script;
    return "echo: $d->{length} bytes, md5 $d->{md5}" if $kind eq 'echo' && ($d->{md5} // '') ne $want;
    return '';
}

sub run_client {
    my($k, $kind, $srv, $t0, $end, $out) = @_;
    srand($$ ^ time);
    my %res = (kind => $kind, requests => 0, ok => 0, failed => 0, reconnects => 0, pids => {}, failures => []);
    my $sock;
    while (time < $end) {
        $sock ||= connect_http($srv);
        my($method, $path, $body, $want) = ('GET', '/soak/app', undef, undef);
        if ($kind eq 'touched') { $path = '/soak/touched' }
        elsif ($kind eq 'echo') {
            $body = join '', map { chr int rand 256 } 1 .. int rand 65537;
            ($method, $path, $want) = ('POST', '/soak/app?do=echo', md5_hex($body));
        }
        elsif ($kind eq 'big') { $want = 1 + int rand 262144; $path = "/soak/app?do=big&n=$want" }
        my $sent = time;
        my $r = send_request($sock, $method, $path, $body)
            ? read_response($sock, $req_timeout, $sent) : { code => 0, error => "write: $!" };
        $res{requests}++;
        my $bad = check($kind, $r, $want);
        if ($bad) {
            $res{failed}++;
            push @{ $res{failures} }, { t => sprintf('%.3f', $sent - $t0), path => $path, error => $bad }
                if @{ $res{failures} } < 20;
            close $sock; undef $sock;
            next;
        }
        $res{ok}++;
        my $pid = $kind eq 'big' ? undef : $r->{json}{pid};
        $res{pids}{$pid}++ if $pid;
        if (($r->{head} // '') =~ /^Connection:\s*close/mi) { close $sock; undef $sock; $res{reconnects}++ }
    }
    open my $fh, '>', $out or POSIX::_exit(2);
    print $fh JSON::PP->new->canonical->encode(\%res);
    close $fh;
    POSIX::_exit(0);
}

# pid => RSS kB of the parent's children, split into Apache children and daemon processes
sub sample {
    my $parent = shift;
    my(%apache, %daemon);
    opendir my $d, '/proc' or return ({}, {});
    for my $pid (grep { /^\d+$/ } readdir $d) {
        open my $fh, '<', "/proc/$pid/stat" or next;
        my $stat = <$fh> // next;
        my($state, $pp) = $stat =~ /\) (\S) (\d+)/ or next;
        next unless $pp == $parent && $state ne 'Z';
        open my $c, '<', "/proc/$pid/cmdline" or next;
        my $cmd = <$c> // next;
        my $kb = rss_kb($pid) // next;
        ($cmd =~ /^\(wsgi:lc_soak\)/ ? \%daemon : \%apache)->{$pid} = $kb;
    }
    return (\%apache, \%daemon);
}

sub mean { @_ ? do { my $s = 0; $s += $_ for @_; $s / @_ } : undef }

sub soak {
    my $mpm = shift;
    my $srv = lifecycle_server(name => "lcsoak-$mpm", mpm => $mpm, conf => <<'CONF');
<IfModule mpm_event_module>
    StartServers 2
    ThreadsPerChild 64
    ThreadLimit 64
    MaxRequestWorkers 128
    MinSpareThreads 32
    MaxSpareThreads 128
</IfModule>
<IfModule mpm_prefork_module>
    StartServers 40
    MinSpareServers 4
    MaxSpareServers 40
    MaxRequestWorkers 40
    ServerLimit 40
</IfModule>
WSGIDaemonProcess lc_soak processes=4 threads=8 maximum-requests=200 display-name=%{GROUP}
WSGIScriptAlias /soak/app $app process-group=lc_soak application-group=%{GLOBAL}
WSGIScriptAlias /soak/touched $root/touched.wsgi process-group=lc_soak application-group=%{GLOBAL}
CONF
    my $root = $srv->root;
    File::Copy::copy("$root/app.wsgi", "$root/touched.wsgi") or die "touched.wsgi: $!";
    chmod 0644, "$root/touched.wsgi";
    ok $srv->start, "$mpm: server starts" or do { diag $srv->slurp_log; $srv->cleanup; return };
    my $parent = $srv->pid;
    my @warm = map { get_json($srv, $_)->{code} } '/soak/app', '/soak/touched';
    is "@warm", '200 200', "$mpm: both scripts answer before the soak" or do { diag $srv->slurp_log; $srv->cleanup; return };

    my $t0 = time + 0.5;
    my $end = $t0 + $duration;
    my @kids;
    for my $k (1 .. $clients) {
        my $kind = $kinds[($k - 1) % @kinds];
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            sleep $t0 - time if $t0 > time;
            eval { run_client($k, $kind, $srv, $t0, $end, "$root/client.$k") };
            print STDERR "client $k: $@";
            POSIX::_exit(3);
        }
        push @kids, $pid;
    }

    # touch every 2 s, sample RSS every 0.25 s
    sleep $t0 - time if $t0 > time;
    my($touches, $next_touch, $mtime) = (0, $t0 + $touch_every, time());
    my(%apache_warm, %apache_end, %life);   # life: daemon pid => { born, max }
    my $parent_start = rss_kb($parent);
    while ((my $now = time) < $end) {
        if ($now >= $next_touch) {
            $mtime += 1;
            utime $mtime, $mtime, "$root/touched.wsgi";
            $touches++;
            $next_touch += $touch_every;
        }
        my($apache, $daemon) = sample($parent);
        %apache_warm = %$apache if !%apache_warm && $now - $t0 >= $warm_at;
        %apache_end = %$apache;
        for my $pid (keys %$daemon) {
            my $l = $life{$pid} ||= { born => $now - $t0, max => 0, samples => 0 };
            $l->{max} = $daemon->{$pid} if $daemon->{$pid} > $l->{max};
            $l->{samples}++;
        }
        sleep 0.25;
    }
    my $parent_end = rss_kb($parent);

    my %left = map { $_ => 1 } @kids;
    my $wait_until = time + $req_timeout + 10;
    while (%left && time < $wait_until) {
        my $p = waitpid -1, POSIX::WNOHANG();
        if ($p > 0) { delete $left{$p}; next }
        sleep 0.1;
    }
    my @hung = sort keys %left;
    kill 'KILL', $_ for @hung;
    waitpid $_, 0 for @hung;
    $srv->stop;
    my $log = $srv->slurp_log;

    # --- results
    my(%by, @failures, %pids);
    for my $k (1 .. $clients) {
        my $txt = do { local $/; open my $fh, '<', "$root/client.$k" or undef; $fh ? <$fh> : undef };
        my $r = $txt && eval { JSON::PP::decode_json($txt) };
        if (!$r) { push @failures, { client => $k, error => 'no result (client killed?)' }; next }
        my $b = $by{ $r->{kind} } ||= { requests => 0, ok => 0, failed => 0, reconnects => 0 };
        $b->{$_} += $r->{$_} for qw(requests ok failed reconnects);
        push @failures, map { { client => $k, kind => $r->{kind}, %$_ } } @{ $r->{failures} };
        $pids{$_} += $r->{pids}{$_} for keys %{ $r->{pids} };
    }
    my $total = 0;
    $total += $_->{requests} for values %by;
    # Failures of two fixed defects, told apart from any other (each must be 0):
    #  restart loop: a request for the touched script that the Apache child
    #    stat()ed before a touch makes each new process it reaches restart
    #    again, until Timeout (503) or the client's 30 s;
    #  POST reset: a POST sent on a kept connection that a retiring process
    #    closes is reset (502, WSGIS0602 "Connection reset by peer").
    my(@loop, @reset, @other);
    for my $f (@failures) {
        if (($f->{kind} // '') eq 'touched' && $f->{error} =~ /^no response \(timeout|^status 503/) { push @loop, $f }
        elsif (($f->{kind} // '') eq 'echo' && $f->{error} =~ /^status 502/) { push @reset, $f }
        else { push @other, $f }
    }
    my @resets_logged = $log =~ /WSGIS0602: daemon process \d+ of group 'lc_soak' failed: Connection reset by peer/g;
    my $show = sub { my $l = shift; diag "$mpm: failure: " . JSON::PP->new->canonical->encode($_) for @$l[0 .. ($#$l < 14 ? $#$l : 14)] };
    is scalar(@other) + @hung, 0, "$mpm: of $total requests, no failure of another kind, no hung client"
        or do { $show->(\@other); diag "$mpm: clients killed after the deadline: @hung" if @hung };
    ok @reset <= @resets_logged, sprintf("$mpm: each POST that got 502 is a reset logged by WSGIS0602 (%d, %d logged)",
                                         scalar @reset, scalar @resets_logged);
    my %reason;
    $reason{$1}++ while $log =~ /WSGIS0607: daemon process \d+ of group 'lc_soak' ended \(([^)]*(?:\([^)]*\))?[^)]*)\); replaced by \d+/g;
    my $replacements = 0;
    $replacements += $_ for values %reason;
    my $changed = $reason{'a script it loaded has changed'} // 0;
    my @lines = split /\n/, $log;
    my @warn = grep { /\[wsgiscript:(?:warn|error|crit|alert|emerg)\]/ } @lines;
    my @known_warn = grep { /WSGIS0602: [^\n]*failed: Connection reset by peer|WSGIS0601: [^\n]*kept restarting for a changed script/ } @warn;
    my @other_warn = grep { !/WSGIS0602: [^\n]*failed: Connection reset by peer|WSGIS0601: [^\n]*kept restarting for a changed script/ } @warn;
    is scalar(@other_warn), 0, "$mpm: no wsgiscript line at warn or above but those of the two defects (counted below)"
        or diag join "\n", @other_warn[0 .. ($#other_warn < 9 ? $#other_warn : 9)];
    my @apache_err = grep { /\[[a-z_0-9]+:(?:error|crit|alert|emerg)\]/ && !/\[wsgiscript:/ } @lines;
    {
        is scalar(@loop), 0, "$mpm: 0 requests for the touched script lost in a restart loop"
            or $show->(\@loop);
        is scalar(@reset), 0, "$mpm: 0 POSTs reset" or $show->(\@reset);
        cmp_ok $changed, '<=', 4 * ($touches + 1),
            "$mpm: at most one restart per process per touch ($changed for $touches touches, 4 processes)";
        is scalar(@known_warn), 0, "$mpm: no wsgiscript line at warn or above"
            or diag join "\n", @known_warn[0 .. ($#known_warn < 4 ? $#known_warn : 4)];
        is scalar(@apache_err), 0, "$mpm: no error lines from Apache (AH00046 at the stop: a child still waits for a restart loop)"
            or diag join "\n", @apache_err[0 .. ($#apache_err < 9 ? $#apache_err : 9)];
    }
    for my $kind (@kinds) {
        ok(($by{$kind}{ok} // 0) >= 100, "$mpm: $kind clients were served (" . ($by{$kind}{ok} // 0) . ' requests)');
    }
    cmp_ok scalar(keys %pids), '>=', 10, "$mpm: " . scalar(keys %pids) . " daemon processes served ($replacements replacements logged)";
    ok $reason{'maximum-requests'}, "$mpm: replaced for maximum-requests: " . ($reason{'maximum-requests'} // 0);
    ok $changed, "$mpm: replaced for the touched script: $changed ($touches touches)";
    my @err607 = grep { /\[wsgiscript:error\][^\n]*WSGIS0607/ } @lines;
    is scalar(@err607), 0, "$mpm: no WSGIS0607 at error level (no daemon process crashed)"
        or diag join "\n", @err607[0 .. ($#err607 < 9 ? $#err607 : 9)];
    my @crash = grep { /Segmentation fault|exit signal|double free|Aborted|AH00052/ } @lines;
    is scalar(@crash), 0, "$mpm: no crash lines" or diag join "\n", @crash[0 .. ($#crash < 9 ? $#crash : 9)];

    # RSS
    my @same = grep { exists $apache_end{$_} } keys %apache_warm;
    my $apache_warm = mean(map { $apache_warm{$_} } @same);
    my $apache_end = mean(map { $apache_end{$_} } @same);
    ok @same && $apache_end - $apache_warm < $limit_kb,
        sprintf("$mpm: Apache children's mean RSS, %d s in -> end (%d children): %.0f -> %.0f kB (%+.0f)",
                $warm_at, scalar @same, $apache_warm // 0, $apache_end // 0, ($apache_end // 0) - ($apache_warm // 0));
    my @lives = grep { $_->{samples} >= 2 } values %life;
    my @early = map { $_->{max} } grep { $_->{born} >= 5 && $_->{born} < 25 } @lives;
    my @late = map { $_->{max} } grep { $_->{born} >= $duration - 20 } @lives;
    my($e, $l) = (mean(@early), mean(@late));
    ok @early && @late && $l - $e < $limit_kb,
        sprintf("$mpm: daemon processes' RSS (largest sample of each life): lives started 5-25 s: %.0f kB (%d), "
                . "last 20 s: %.0f kB (%d), %+.0f", $e // 0, scalar @early, $l // 0, scalar @late, ($l // 0) - ($e // 0));
    ok defined $parent_start && defined $parent_end && $parent_end - $parent_start < 2048,
        sprintf("$mpm: the parent's RSS: %s -> %s kB, after %d replacements", $parent_start // '?', $parent_end // '?',
                $replacements);
    diag sprintf("%s: %d s, %d clients, %d requests (%s), %d touches, %d daemon pids seen, replacements: %s",
                 $mpm, $duration, $clients, $total,
                 join(', ', map { sprintf '%s %d ok %d failed %d reconnects', $_, @{ $by{$_} }{qw(ok failed reconnects)} }
                            grep { $by{$_} } @kinds),
                 $touches, scalar(keys %pids), join(', ', map { "$_ $reason{$_}" } sort keys %reason));
    diag sprintf("%s: failures: %d restart loop (touched), %d POST reset, %d other", $mpm, scalar @loop, scalar @reset,
                 scalar @other);
    diag sprintf('%s: daemon lives sampled %d, RSS kB min/mean/max of their largest samples: %d/%.0f/%d',
                 $mpm, scalar @lives, (sort { $a <=> $b } map { $_->{max} } @lives)[0] // 0,
                 mean(map { $_->{max} } @lives) // 0, (sort { $b <=> $a } map { $_->{max} } @lives)[0] // 0);
    $srv->cleanup;
}

soak($_) for @mpms;

done_testing;
