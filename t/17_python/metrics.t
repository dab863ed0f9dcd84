# mod_wsgi 5.0's metrics API (t/python/metrics.wsgi), embedded and in
# daemon processes: server_metrics() with WSGIServerMetrics On (Apache's
# scoreboard: this request's own worker is busy with this request line), in
# a daemon group with server-metrics=On (started with Apache, before its
# scoreboard: None and WSGIS0618, as mod_wsgi) and in one without (None);
# process_metrics(), request_metrics() (its first call starts the sample),
# request_data() and active_requests; the names of the module mod_wsgi.
# WSGIServerMetrics Off (the default) and a daemon process that reads the
# scoreboard after a restart: t/standalone/17_python_metrics.t.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Apache::Test ();
use WsgiTest qw(ua url get_json log_since);

my $ua = ua();
my $mpm = $ENV{WSGISCRIPT_MPM} || 'event';
my %flags = map { $_ => 1 } qw(. _ S R W K L D C G I);

# --- server_metrics() ----------------------------------------------------------------------------------------
{
    my(undef, $r) = get_json($ua, '/py17/metrics/server');
    my $m = $r->{metrics};
    is ref $m, 'HASH', 'embedded, WSGIServerMetrics On: server_metrics() is a dict';
    $m ||= {};
    is_deeply [sort grep { $_ ne 'process_count' } keys %$m],
        [sort qw(server_limit thread_limit running_generation restart_time current_time running_time processes)],
        'embedded: the keys of mod_wsgi 5.0';
    like $m->{server_limit} // '', qr/^[1-9]\d*$/, 'server_limit';
    like $m->{thread_limit} // '', qr/^[1-9]\d*$/, 'thread_limit';
    is $m->{thread_limit}, 1, 'prefork: thread_limit 1' if $mpm eq 'prefork';
    like $m->{running_generation} // '', qr/^\d+$/, 'running_generation';
    # maximum_processes: the MPM's AP_MPMQ_MAX_DAEMONS (mod_wsgi: the most used so far, docs/compat.md)
    is_deeply [ $r->{maximum_processes}, $r->{threads_per_process} ], $r->{apache},
        'embedded: mod_wsgi.maximum_processes/threads_per_process are the module apache\'s';
    ok(($r->{maximum_processes} // 0) >= 1 && $r->{maximum_processes} <= ($m->{server_limit} // 0),
       '... maximum_processes within ServerLimit');
    ok(($r->{threads_per_process} // 0) >= 1 && $r->{threads_per_process} <= ($m->{thread_limit} // 0),
       '... threads_per_process within ThreadLimit');
    ok(($m->{restart_time} // 0) > 1e9 && $m->{restart_time} <= $m->{current_time}, 'restart_time <= current_time (seconds since the epoch)');
    like $m->{running_time} // '', qr/^\d+$/, 'running_time, whole seconds';
    ok abs(($m->{current_time} // 0) - time) < 60, 'current_time is now';
    my($mine) = grep { $_->{pid} == $r->{pid} } @{ $m->{processes} || [] };
    ok $mine, 'this Apache child is among the processes';
    $mine ||= { workers => [] };
    is_deeply [sort keys %$mine], [sort qw(process_num pid generation quiescing workers)], 'a process: its keys';
    ok !$mine->{quiescing}, '... quiescing False';
    is scalar @{ $mine->{workers} }, $m->{thread_limit}, '... one worker entry per thread_limit';
    my @bad = grep { !$flags{ $_->{status} // '' } } @{ $mine->{workers} };
    is scalar @bad, 0, '... every status one of mod_status\'s letters';
    my $w0 = $mine->{workers}[0] || {};
    is_deeply [sort keys %$w0],
        [sort qw(thread_num generation status access_count bytes_served start_time stop_time last_used client request vhost)],
        'a worker: its keys';
    my @busy = grep { $_->{status} eq 'W' } @{ $mine->{workers} };
    is scalar @busy, 1, 'one worker of this child is busy (W): the one serving this request';
    my($me) = grep { ($_->{request} // '') =~ m{^GET /py17/metrics/server HTTP/1\.1$} } @{ $mine->{workers} };
    ok $me, 'the worker serving this request shows its request line (ExtendedStatus On)';
    is $me && $me->{status}, 'W', '... with status W (writing the response)';
    is $me && $me->{client}, '127.0.0.1', '... and the client address';
}
for my $case (['/py17/m-on', 'py17m', 'server-metrics=On, started with Apache'], ['/py17/m-off', 'py17n', 'no server-metrics=']) {
    my($mount, $group, $what) = @$case;
    my(undef, $r) = get_json($ua, "$mount/server");
    ok $r && exists $r->{metrics} && !defined $r->{metrics}, "daemon ($what): server_metrics() is None";
}
my $log = log_since(0);
ok scalar(grep { /WSGIS0618: daemon process \d+ of group 'py17m': server-metrics=On, but this process started before Apache made its scoreboard/ } split /\n/, $log),
    'WSGIS0618 says why for the server-metrics=On group';
ok !scalar(grep { /WSGIS0618.*'py17n'/ } split /\n/, $log), '... and not for the group without it';

# --- process_metrics() ---------------------------------------------------------------------------------------
my @process_keys = qw(pid request_busy_time request_count memory_max_rss memory_rss cpu_user_time cpu_system_time
                      restart_time current_time running_time request_threads active_requests threads);
for my $case ([ embedded => '/py17/metrics' ], [ daemon => '/py17/m-on' ]) {
    my($where, $mount) = @$case;
    get_json($ua, "$mount/attrs");
    my(undef, $p) = get_json($ua, "$mount/process");
    $p ||= {};
    my $tid = delete $p->{environ_thread_id};
    is_deeply [sort keys %$p], [sort @process_keys], "$where: process_metrics() has mod_wsgi 5.0's keys";
    ok(($p->{request_count} // 0) >= 1, "$where: request_count counts ended requests");
    is $p->{active_requests}, 1, "$where: active_requests 1 (this request; the test sends one at a time)";
    ok(($p->{memory_rss} // 0) > 1_000_000 && ($p->{memory_max_rss} // 0) >= $p->{memory_rss} / 2, "$where: memory_rss and memory_max_rss in bytes");
    ok(($p->{restart_time} // 0) > 1e9 && $p->{restart_time} <= $p->{current_time}, "$where: restart_time <= current_time");
    ok(($p->{request_threads} // 0) >= 1, "$where: request_threads");
    my($t) = grep { $_->{thread_id} == ($tid // -1) } @{ $p->{threads} || [] };
    ok $t && $t->{request_count} >= 1, "$where: threads has this thread (mod_wsgi.thread_id) with its request count";
    ok(($p->{request_busy_time} // -1) >= 0, "$where: request_busy_time");
}

# --- request_metrics() ---------------------------------------------------------------------------------------
my @request_keys = qw(pid start_time stop_time sample_period cpu_user_time cpu_system_time memory_max_rss memory_rss
                      request_threads_maximum request_threads_started capacity_utilization request_count
                      request_throughput server_time_buckets queue_time_buckets daemon_time_buckets
                      application_time_buckets request_threads_buckets request_threads_active server_time
                      queue_time daemon_time application_time);
{
    # The daemon group has one process: its first call starts the sample.
    my(undef, $first) = get_json($ua, '/py17/m-on/request');
    is_deeply $first, {}, 'daemon: the first request_metrics() call starts the sample and returns {}';
    get_json($ua, '/py17/m-on/process');
    my(undef, $m) = get_json($ua, '/py17/m-on/request');
    $m ||= {};
    is_deeply [sort keys %$m], [sort @request_keys], 'daemon: the next call has mod_wsgi 5.0\'s keys';
    ok(($m->{request_count} // 0) >= 2, 'daemon: request_count: the requests ended since (the first call\'s, /process)');
    is $m->{request_threads_maximum}, 3, 'daemon: request_threads_maximum is threads=';
    is scalar @{ $m->{request_threads_buckets} || [] }, 3, 'daemon: request_threads_buckets, one per thread';
    is scalar @{ $m->{$_} || [] }, 16, "daemon: $_ has 16 buckets"
        for qw(server_time_buckets queue_time_buckets daemon_time_buckets application_time_buckets);
    my $sum = 0;
    $sum += $_ for @{ $m->{application_time_buckets} || [] };
    is $sum, $m->{request_count}, 'daemon: application_time_buckets count the sampled requests';
    ok !defined $m->{queue_time} && !defined $m->{daemon_time}, 'daemon: queue_time and daemon_time None (not measured)';
    ok(($m->{application_time} // -1) >= 0 && ($m->{server_time} // -1) >= 0, 'daemon: application_time, server_time');
    ok(($m->{sample_period} // 0) > 0, 'daemon: sample_period');

    # Embedded: the first call in each child returns {}; ask until a child answers.
    my $e;
    for (1 .. 40) {
        my(undef, $x) = get_json($ua, '/py17/metrics/request');
        if ($x && %$x) { $e = $x; last }
    }
    ok $e, 'embedded: a second call in a child reports';
    is_deeply [sort keys %{ $e || {} }], [sort @request_keys], 'embedded: mod_wsgi 5.0\'s keys';
    ok $e && !defined $e->{queue_time} && !defined $e->{daemon_time}, 'embedded: queue_time and daemon_time None';
}

# --- request_data(), active_requests -------------------------------------------------------------------------
for my $case ([ embedded => '/py17/metrics' ], [ daemon => '/py17/m-on' ]) {
    my($where, $mount) = @$case;
    my(undef, $d) = get_json($ua, "$mount/data?v=$where");
    $d ||= {};
    ok $d->{is_dict}, "$where: request_data() is a dict";
    ok $d->{same}, "$where: ... the same one for the whole request";
    ok $d->{active}, "$where: ... and active_requests[mod_wsgi.request_id]";
    is $d->{active_v}, $where, "$where: ... holding what the application put there";
    is $d->{other_thread}, 'no active request for thread', "$where: from another thread: RuntimeError";
    my(undef, $a) = get_json($ua, "$mount/after");
    if ($a && defined $a->{kept_v}) {  # the same process (prefork: one connection, one child)
        ok !$a->{still_active}, "$where: the request's entry leaves active_requests when it ends";
        is $a->{kept_v}, $where, "$where: ... (the dict itself is the application's to keep)";
    }
    else {
        pass "$where: (another process answered)" for 1 .. 2;
    }
}

# --- the names of the module mod_wsgi ------------------------------------------------------------------------
for my $mount ('/py17/metrics', '/py17/m-on') {
    my(undef, $names) = get_json($ua, "$mount/attrs");
    is_deeply $names, [sort qw(FileWrapper active_requests application_group maximum_processes process_group
                               process_metrics request_data request_metrics server_metrics threads_per_process
                               version wsgiscript_version)],
        "$mount: the module mod_wsgi's names (docs/compat.md)";
}

done_testing;
