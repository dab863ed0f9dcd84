# The environ keys and the modules mod_wsgi and apache that mod_wsgi 5 gives
# applications, embedded and in a daemon process (t/python/facts.wsgi
# /facts); PATH is not passed.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Apache::Test ();
use WsgiTest qw(ua url);
use PepTest qw(json_of hostport);

my $ua = ua();
my($port) = hostport() =~ /:(\d+)$/;
my $mpm = $ENV{WSGISCRIPT_MPM} || 'event';

for my $case ([ embedded => '/py17/default', '', 'py17-default' ], [ daemon => '/py17/d-open', 'py17', 'py17-d-open' ]) {
    my($where, $mount, $pgroup, $agroup) = @$case;
    my $t0 = time;
    my $r1 = json_of($ua->get(url("$mount/facts"))->decoded_content) || {};
    my $r2 = json_of($ua->get(url("$mount/facts"))->decoded_content) || {};
    my $e = $r2->{environ} || {};
    ok !exists $e->{PATH}, "$where: PATH is not in the environ";
    like $e->{'mod_wsgi.script_start'} // '', qr/^\d{16}$/, "$where: mod_wsgi.script_start, microseconds as a string";
    like $e->{'mod_wsgi.request_start'} // '', qr/^\d{16}$/, "$where: mod_wsgi.request_start, microseconds as a string";
    ok abs(($e->{'mod_wsgi.request_start'} // 0) / 1e6 - $t0) < 30, "$where: ... of this request";
    ok(($e->{'mod_wsgi.script_start'} // 0) >= ($e->{'mod_wsgi.request_start'} // 1), "$where: script_start >= request_start");
    like $e->{'mod_wsgi.request_id'} // '', qr/^\S+$/, "$where: mod_wsgi.request_id";
    isnt $e->{'mod_wsgi.request_id'}, $r1->{environ}{'mod_wsgi.request_id'}, "$where: ... differs from the previous request's";
    like $e->{'mod_wsgi.thread_id'} // '', qr/^\d+$/, "$where: mod_wsgi.thread_id (int)";
    like $e->{'mod_wsgi.thread_requests'} // '', qr/^\d+$/, "$where: mod_wsgi.thread_requests (int)";
    ok(($e->{'mod_wsgi.total_requests'} // 0) > ($r1->{environ}{'mod_wsgi.total_requests'} // 0) ||
       $r1->{pid} != $r2->{pid}, "$where: mod_wsgi.total_requests counts up in a process");
    is $e->{'mod_wsgi.listener_port'}, $port, "$where: mod_wsgi.listener_port";
    ok exists $e->{'mod_wsgi.listener_host'}, "$where: mod_wsgi.listener_host";
    is $e->{'mod_wsgi.script_name'}, $mount, "$where: mod_wsgi.script_name";
    is $e->{'mod_wsgi.path_info'}, '/facts', "$where: mod_wsgi.path_info";
    is $e->{'mod_wsgi.handler_script'}, '', "$where: mod_wsgi.handler_script ''";
    is $e->{'mod_wsgi.enable_sendfile'}, '0', "$where: mod_wsgi.enable_sendfile";
    is $e->{'mod_wsgi.ignore_activity'}, '0', "$where: mod_wsgi.ignore_activity";
    is $e->{'mod_wsgi.process_group'}, $pgroup, "$where: mod_wsgi.process_group";
    is $e->{'mod_wsgi.application_group'}, $agroup, "$where: mod_wsgi.application_group";
    is $e->{'mod_wsgi.callable_object'}, 'application', "$where: mod_wsgi.callable_object";
    is $e->{'mod_wsgi.script_reloading'}, '1', "$where: mod_wsgi.script_reloading";
    is $e->{'mod_wsgi.request_handler'}, 'wsgi-script', "$where: mod_wsgi.request_handler";
    is_deeply $e->{'mod_wsgi.version'}, [5, 0, 2], "$where: mod_wsgi.version";
    is scalar(@{ $e->{'apache.version'} || [] }), 3, "$where: apache.version, a 3-tuple";
    is $e->{'apache.version'}[0], 2, "$where: ... of Apache 2";

    my $m = $r2->{mod_wsgi} || {};
    is $m->{process_group}, $pgroup, "$where: mod_wsgi.process_group (module)";
    is $m->{application_group}, $agroup, "$where: mod_wsgi.application_group (module)";
    is $m->{FileWrapper}, 'type', "$where: mod_wsgi.FileWrapper";
    is_deeply $m->{version}, [5, 0, 2], "$where: mod_wsgi.version (module)";
    like $m->{maximum_processes} // '', qr/^\d+$/, "$where: mod_wsgi.maximum_processes";
    like $m->{threads_per_process} // '', qr/^\d+$/, "$where: mod_wsgi.threads_per_process";
    if ($where eq 'daemon') {
        is $m->{threads_per_process}, 2, 'daemon: threads_per_process is the group\'s threads=';
    }
    # mod_wsgi keys this module does not set (docs/compat.md): 5.0's daemon
    # timings and counters, 6.0's float timings and server pid, mod_ssl's
    # callables (mod_wsgi 5.0 and 6.0 leave them out of a request's environ
    # too), mod_wsgi's internal carriers
    for my $k (qw(mod_wsgi.queue_start mod_wsgi.daemon_start mod_wsgi.daemon_connects mod_wsgi.daemon_restarts
                  mod_wsgi.application_start mod_wsgi.server_pid mod_ssl.is_https mod_ssl.var_lookup
                  mod_wsgi.magic mod_wsgi.pass_authorization apache.request_rec)) {
        ok !exists $e->{$k}, "$where: no $k";
    }
    ok !scalar(grep { /^mod_wsgi\.x-/ } keys %$e), "$where: no mod_wsgi.x-* keys";
    # (mod_wsgi.connection_id only once Apache has made the connection's log id, as in mod_wsgi)
    is_deeply [sort grep { /^(?:wsgi|mod_wsgi|apache|wsgiscript)\./ && $_ ne 'mod_wsgi.connection_id' } keys %$e],
        [sort qw(wsgi.version wsgi.url_scheme wsgi.input wsgi.errors wsgi.multithread wsgi.multiprocess wsgi.run_once
                 wsgi.input_terminated wsgi.file_wrapper mod_wsgi.application_group mod_wsgi.callable_object
                 mod_wsgi.process_group mod_wsgi.script_reloading mod_wsgi.request_handler mod_wsgi.handler_script
                 mod_wsgi.version mod_wsgi.script_name mod_wsgi.path_info mod_wsgi.listener_host
                 mod_wsgi.listener_port mod_wsgi.enable_sendfile mod_wsgi.ignore_activity mod_wsgi.request_start
                 mod_wsgi.script_start mod_wsgi.request_id mod_wsgi.thread_id
                 mod_wsgi.thread_requests mod_wsgi.total_requests apache.version wsgiscript.script_file)],
        "$where: the wsgi.*, mod_wsgi.*, apache.* keys, all of them (docs/compat.md)";
    ok defined $e->{'wsgi.run_once'} && !$e->{'wsgi.run_once'}, "$where: wsgi.run_once False";
    my $a = $r2->{apache} || {};
    is_deeply [sort keys %$a], [sort qw(version maximum_processes threads_per_process description mpm_name build_date)],
        "$where: the module apache's names, all of them";
    is_deeply $a->{version}, $e->{'apache.version'}, "$where: apache.version (module)";
    is $a->{mpm_name}, $mpm, "$where: apache.mpm_name (ap_show_mpm())";
    like $a->{description} // '', qr{^Apache/2\.}, "$where: apache.description";
    like $a->{build_date} // '', qr/\d{4}/, "$where: apache.build_date";
    like $a->{maximum_processes} // '', qr/^\d+$/, "$where: apache.maximum_processes";
    like $a->{threads_per_process} // '', qr/^\d+$/, "$where: apache.threads_per_process";
}

# An HTTPS variable decides wsgi.url_scheme, as mod_wsgi ('on' or '1': https)
for my $mount ('/py17/https-env', '/py17/https-envd') {
    my $on = json_of($ua->get(url("$mount/facts"), 'X-Py17-Proto' => 'https')->decoded_content) || {};
    is $on->{environ}{'wsgi.url_scheme'}, 'https', "$mount: SetEnvIf ... HTTPS=on: wsgi.url_scheme https";
    is $on->{environ}{HTTPS}, 'on', "$mount: ... HTTPS 'on' kept";
    my $off = json_of($ua->get(url("$mount/facts"))->decoded_content) || {};
    is $off->{environ}{'wsgi.url_scheme'}, 'http', "$mount: without it: http";
    ok !exists $off->{environ}{HTTPS}, "$mount: ... and no HTTPS";
}

# wsgi.run_once: True in a daemon group of threads=1 maximum-requests=1, as mod_wsgi
for my $i (1, 2) {
    my $r = json_of($ua->get(url('/py17/once/facts'))->decoded_content) || {};
    ok $r->{environ}{'wsgi.run_once'}, "threads=1 maximum-requests=1: wsgi.run_once True (request $i)";
}

done_testing;
