# Daemon mode where a server of its own is needed, for each MPM in
# $WSGISCRIPT_MPMS (default event):
# - WSGIRestrictEmbedded On: a script not delegated to a group is 500 with
#   WSGIS0609 naming it; delegated ones run; no Apache child starts Python
#   (every WSGIS0003 "Python initialised" line is a daemon process's);
# - apache2 -k graceful with requests in flight: the daemon processes retire
#   (WSGIS0604 "Apache is restarting"), new ones serve new requests at once;
#   a request within graceful-timeout= (group g, 8 s) completes with 200 from
#   the old process; one longer than the group's time (group s,
#   shutdown-timeout=1 and no graceful-timeout=) is cut: 502, WSGIS0602 in the
#   Apache child, WSGIS0605 names the group, the pid, the request still
#   running and the shutdown-timeout; the old processes' exit is logged
#   (WSGIS0607 "retired ... after Apache's restart") and they are gone;
# - apache2 -k restart: new processes, requests served;
# - apache2 -k stop: no daemon process is left, the socket files are gone;
# - an application that sends nothing within Apache's Timeout: the client
#   gets a gateway error after the Timeout, WSGIS0602 says why;
# - a group whose socket has gone (its WSGISocketPrefix directory removed, as
#   a /run or /tmp cleaner would): 503, WSGIS0601 names the group and the
#   socket path; the rest of the server is unaffected.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Path ();
use IO::Select ();
use IO::Socket::INET ();
use LWP::UserAgent ();
use Time::HiRes ();
use WsgiServer;
use DaemonTest qw(children_of group_pids cmdline pid_alive wait_until);

my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event');

my $APP = <<'PY';
import os
import time
import urllib.parse


def application(environ, start_response):
    q = dict(urllib.parse.parse_qsl(environ.get('QUERY_STRING', '')))
    if environ.get('PATH_INFO') == '/sleep':
        with open(os.path.join(os.path.dirname(__file__), 'entered-' + q['tag']), 'w') as f:
            f.write(str(os.getpid()))
        time.sleep(float(q['s']))
        with open(os.path.join(os.path.dirname(__file__), 'left-' + q['tag']), 'w') as f:
            f.write(str(os.getpid()))
    body = ('%d %d' % (os.getpid(), os.getppid())).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
PY

sub write_app {
    my $srv = shift;
    open my $fh, '>', "$srv->{root}/app.wsgi" or die $!;
    print $fh $APP;
    close $fh;
}

sub count_resumes { scalar(() = $_[0]->slurp_log =~ /resuming normal operations/g) }

sub wait_resumes {
    my($srv, $n) = @_;
    return wait_until(sub { count_resumes($srv) >= $n }, 30);
}

# a request sent now, answered later: the socket
sub send_request {
    my($srv, $path) = @_;
    my $sock = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $srv->port, Timeout => 30) or die "connect: $!";
    print $sock "GET $path HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    return $sock;
}

sub read_answer {
    my $sock = shift;
    my $sel = IO::Select->new($sock);
    my $buf = '';
    while ($sel->can_read(60)) { last unless sysread $sock, $buf, 65536, length $buf }
    close $sock;
    my($code) = $buf =~ m{^HTTP/1\.1 (\d{3})};
    my($body) = $buf =~ /\r\n\r\n(.*)\z/s;
    return ($code // 0, $body // '');
}

for my $mpm (@mpms) {
    # --- WSGIRestrictEmbedded On, graceful restart, restart, stop ------------------------------------
    {
        my $srv = WsgiServer->new(name => "daemon-$mpm", mpm => $mpm, conf => <<'CONF');
WSGIRestrictEmbedded On
WSGIDaemonProcess g processes=1 threads=4 display-name=%{GROUP} graceful-timeout=8 shutdown-timeout=2
WSGIDaemonProcess s processes=1 threads=2 display-name=%{GROUP} shutdown-timeout=1
WSGIScriptAlias /g $root/app.wsgi process-group=g
WSGIScriptAlias /s $root/app.wsgi process-group=s
WSGIScriptAlias /emb $root/app.wsgi
CONF
        write_app($srv);
        ok $srv->start, "$mpm: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };
        my $parent = $srv->pid;
        my $ua = LWP::UserAgent->new(timeout => 30);

        my $r = $ua->get($srv->url('/g'));
        is $r->code, 200, "$mpm: restrict-embedded: a delegated script 200";
        my($gpid, $gppid) = split ' ', $r->decoded_content;
        is $gppid, $parent, "$mpm: ... from a daemon process of the Apache parent";
        is DaemonTest::ps_args($gpid), '(wsgi:g)', "$mpm: display-name=%{GROUP}: ps shows '(wsgi:g)' (started with -k start)";
        like DaemonTest::ps_args($gpid), qr/^\(wsgi:g\)/, "$mpm: display-name=%{GROUP}: ps shows '(wsgi:g)' first";
        $r = $ua->get($srv->url('/emb'));
        is $r->code, 500, "$mpm: restrict-embedded: a script not delegated 500";
        like $srv->slurp_log, qr/\[wsgiscript:error\][^\n]*WSGIS0609: WSGIRestrictEmbedded On: '\Q$srv->{root}\E\/app\.wsgi' is not delegated to a daemon process group/,
            "$mpm: restrict-embedded: WSGIS0609 names the script";
        my $log = $srv->slurp_log;
        my %daemon = map { $_ => 1 } $log =~ /WSGIS0600: daemon process (\d+) /g;
        my @py = $log =~ /WSGIS0003: Python [^\n]* initialised in process (\d+)/g;
        ok @py >= 2, "$mpm: restrict-embedded: Python started in " . scalar(@py) . ' processes';
        is_deeply [ grep { !$daemon{$_} } @py ], [], "$mpm: restrict-embedded: all of them daemon processes, no Apache child";

        # graceful restart with two requests in flight
        $r = $ua->get($srv->url('/s'));
        my($spid) = split ' ', $r->decoded_content;
        unlink glob "$srv->{root}/entered-*";
        my $long_ok = send_request($srv, '/g/sleep?s=6&tag=g');
        my $cut = send_request($srv, '/s/sleep?s=5&tag=s');
        ok wait_until(sub { -e "$srv->{root}/entered-g" && -e "$srv->{root}/entered-s" }, 10),
            "$mpm: graceful: both requests are running";
        ok $srv->signal('graceful'), "$mpm: apache2 -k graceful";
        ok wait_resumes($srv, 2), "$mpm: graceful: the new generation is up";
        $r = $ua->get($srv->url('/g'));
        is $r->code, 200, "$mpm: graceful: a new request 200";
        my($gpid2) = split ' ', $r->decoded_content // '';
        ok $gpid2 && $gpid2 != $gpid, "$mpm: graceful: served by a new process ($gpid -> " . ($gpid2 // '?') . ')';
        ok !-e "$srv->{root}/left-g", "$mpm: graceful: ... while the old one still runs its request";
        my($code, $body) = read_answer($long_ok);
        is $code, 200, "$mpm: graceful: the request within graceful-timeout= completed (200)";
        like $body, qr/^$gpid /, "$mpm: graceful: ... in the old process $gpid";
        ($code) = read_answer($cut);
        is $code, 502, "$mpm: graceful: the request longer than the group's shutdown-timeout= is cut (502)";
        ok wait_until(sub { !pid_alive($gpid) && !pid_alive($spid) }, 15), "$mpm: graceful: the old processes are gone";
        $log = wait_until(sub { my $l = $srv->slurp_log; $l =~ /retired daemon process $gpid\b/ && $l =~ /retired daemon process $spid\b/ ? $l : undef }, 10) || $srv->slurp_log;
        like $log, qr/WSGIS0604: daemon process $gpid of group 'g' is retiring: Apache is restarting/,
            "$mpm: graceful: WSGIS0604 for g's old process";
        like $log, qr/WSGIS0605: daemon process $spid of group 's' exits with 1 request\(s\) still running after its shutdown-timeout \(1 s\)/,
            "$mpm: graceful: WSGIS0605 names s's process, the request still running and the shutdown-timeout";
        like $log, qr/WSGIS0602: daemon process $spid of group 's' closed the connection in the middle of the request for '[^']*app\.wsgi'/,
            "$mpm: graceful: WSGIS0602 from the Apache child for the cut request";
        like $log, qr/WSGIS0607: retired daemon process $gpid of group 'g' ended \(Apache is restarting\) after Apache's restart/,
            "$mpm: graceful: WSGIS0607 logs the old g process's exit";
        ok $log !~ /AH00052: child pid $spid exit signal/, "$mpm: graceful: s's old process exits, no signal (AH00052)";
        ok $log =~ /WSGIS0604: daemon process $spid of group 's' exits/, "$mpm: graceful: ... and logs that it exits (WSGIS0604)";
        ok $log =~ /WSGIS0607: retired daemon process $spid of group 's' ended \(Apache is restarting\) after Apache's restart/,
            "$mpm: graceful: WSGIS0607 logs the old s process's exit";
        is scalar(group_pids($parent, '(wsgi:g)')), 1, "$mpm: graceful: one (wsgi:g) process now";

        # hard restart
        ok $srv->signal('restart'), "$mpm: apache2 -k restart";
        ok wait_resumes($srv, 3), "$mpm: restart: the new generation is up";
        my @g3 = wait_until(sub { my @p = grep { $_ != $gpid2 } group_pids($parent, '(wsgi:g)'); @p ? \@p : undef }, 10);
        ok $g3[0], "$mpm: restart: a new (wsgi:g) process";
        $r = $ua->get($srv->url('/s'));
        is $r->code, 200, "$mpm: restart: requests served";
        ok wait_until(sub { !pid_alive($gpid2) }, 10), "$mpm: restart: the previous process is gone";

        # stop
        my @daemons = (group_pids($parent, '(wsgi:g)'), group_pids($parent, '(wsgi:s)'));
        is scalar(@daemons), 2, "$mpm: before stop: two daemon processes";
        my @socks = glob "$srv->{root}/logs/wsgiscript.*.sock";
        is scalar(@socks), 2, "$mpm: before stop: two sockets";
        $srv->stop;
        ok wait_until(sub { !grep { pid_alive($_) } @daemons }, 15), "$mpm: stop: no daemon process is left"
            or diag join "\n", map { "$_: " . (cmdline($_) // 'gone') } @daemons;
        is_deeply [ grep { -e } @socks ], [], "$mpm: stop: the socket files are gone";
        my @crit = grep { /\[wsgiscript:(?:crit|alert|emerg)\]|AH00052/ && !/child pid $spid exit signal Abort/ }
                   split /\n/, $srv->slurp_log;
        is_deeply \@crit, [], "$mpm: no crit line, no child crash" or diag join "\n", @crit;
        $srv->cleanup;
    }

    # --- a group whose socket has gone ------------------------------------------------------------------
    {
        my $srv = WsgiServer->new(name => "daemon503-$mpm", mpm => $mpm, conf => <<'CONF');
Timeout 2
WSGISocketPrefix $root/run/wsgi
WSGIDaemonProcess g processes=1 threads=2
WSGIScriptAlias /g $root/app.wsgi process-group=g
WSGIScriptAlias /emb $root/app.wsgi
CONF
        write_app($srv);
        mkdir "$srv->{root}/run";
        ok $srv->start, "$mpm: 503: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };
        my($sock) = glob "$srv->{root}/run/wsgi.*.sock";
        ok $sock && -S $sock, "$mpm: 503: the socket is in the WSGISocketPrefix directory";
        my $ua = LWP::UserAgent->new(timeout => 30);

        # an application slower than Apache's Timeout (2 s here)
        my $r = $ua->get($srv->url('/g/sleep?s=6&tag=slow'));
        ok !-e "$srv->{root}/left-slow", "$mpm: Timeout: the client is answered after the Timeout, while the app still runs";
        like $srv->slurp_log, qr/\[wsgiscript:error\][^\n]*WSGIS0602: daemon process \d+ of group 'g' sent nothing for 2 s \(Timeout\) in the middle of the request for '[^']*app\.wsgi'[^\n]*; answered 504/,
            "$mpm: Timeout: WSGIS0602 says the daemon sent nothing for the Timeout";
        is $r->code, 504, "$mpm: Timeout: 504 Gateway Timeout, as mod_wsgi";
        ok wait_until(sub { -e "$srv->{root}/left-slow" }, 15), "$mpm: Timeout: the slow request ends in the daemon";

        File::Path::remove_tree("$srv->{root}/run");
        $r = $ua->get($srv->url('/g'));
        is $r->code, 503, "$mpm: 503: the group cannot be reached: 503";
        like $srv->slurp_log, qr/\[wsgiscript:error\][^\n]*WSGIS0601: daemon process group 'g' cannot be reached at \Q$sock\E: No such file or directory; answered 503/,
            "$mpm: 503: WSGIS0601 names the group, the socket path and the error";
        is $ua->get($srv->url('/emb'))->code, 200, "$mpm: 503: embedded scripts unaffected";
        $srv->cleanup;
    }
}

done_testing;
