# Another local user cannot use a daemon process group's socket, and a
# process that can reach it but does not know the server's secret cannot
# get a request served (issue 12). t/root/lib/wire_client.py speaks
# mod/core/wire.h's protocol; a request of its own sets REMOTE_USER and
# REMOTE_ADDR, which the app would believe.
#  - control: root relays an Apache child's connection to learn the secret
#    (only root can), and then with it the same client's forged request is
#    served: the client speaks the protocol, only the checks stop it below;
#  - another local user (wsgiother): connect() is refused by the socket's
#    permissions (EACCES), with or without the secret;
#  - the socket opened to everyone (chmod 0777 by the test): the daemon
#    still refuses the peer by SO_PEERCRED (WSGIS0606 with its uid and pid),
#    also when it sends the right secret;
#  - a process of Apache's User (a CGI script, say), which the peer check
#    lets in, without the secret: refused (WSGIS0606), nothing served;
#  - the app of a daemon group with its own user cannot connect to another
#    group's socket, or its own; other processes of Apache's User or of the
#    daemon user cannot read the secret out of the children's or daemons'
#    memory (they are not dumpable after their setuid);
#  - afterwards the groups serve requests as before, nothing restarted.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";
use Test::More;
use JSON::PP ();
use POSIX ();
use RootTest qw(require_root accounts server get_json wait_log socket_path run_as apache_processes);

require_root();
my $acc = accounts();
my($A, $D, $O) = @$acc{qw(apache daemon other)};
my $client = "$FindBin::Bin/lib/wire_client.py";
my $py = '/usr/bin/python3';

my $srv = server(name => 'socket', conf => <<'CONF');
WSGIDaemonProcess guarded processes=1 threads=2 user=wsgidaemon home=$root
WSGIDaemonProcess victim processes=1 threads=2
WSGIScriptAlias /guarded $root/app/app.wsgi process-group=guarded application-group=%{GLOBAL}
WSGIScriptAlias /victim $root/app/app.wsgi process-group=victim application-group=%{GLOBAL}
<Directory $root/app>
    Require all granted
</Directory>
CONF
ok $srv->start, 'apache2 starts as root' or BAIL_OUT($srv->slurp_log);
is wait_log($srv, qr/WSGIS0600/, 2), 2, 'both daemon processes started';
my $sock = socket_path($srv, 'guarded');
my $victim_sock = socket_path($srv, 'victim');
ok -S $sock && -S $victim_sock, 'the sockets are where the test looks (DefaultRuntimeDir)';
my $script = $srv->root . '/app/app.wsgi';

sub client_as {
    my($user, @args) = @_;
    my $out = $user eq 'root' ? do { open my $fh, '-|', $py, $client, @args or die; local $/; <$fh> }
                              : run_as($user, $py, $client, @args);
    my $r = eval { JSON::PP::decode_json($out) } or diag "wire_client as $user: $out";
    return $r || {};
}

sub forged_request {
    my($user, $secret, $remote_user) = @_;
    return client_as($user, 'request', $sock, $secret, $script,
                     'REQUEST_METHOD=GET', 'SCRIPT_NAME=/guarded', 'PATH_INFO=', 'QUERY_STRING=remote=1',
                     'REQUEST_URI=/guarded?remote=1', 'SERVER_NAME=127.0.0.1', 'SERVER_PORT=' . $srv->port,
                     'SERVER_PROTOCOL=HTTP/1.1', 'HTTP_HOST=127.0.0.1', "REMOTE_USER=$remote_user",
                     'REMOTE_ADDR=203.0.113.7', 'REMOTE_PORT=4444');
}

sub served { my $who = shift; scalar(() = $srv->slurp_log =~ /SERVED remote_user=\Q$who\E /g) }

# --- control: root learns the secret from an Apache child's hello ----------
my $secret_file = $srv->root . '/secret';
my $relay_pid = open my $relay, '-|', $py, $client, 'capture', $sock, $secret_file, $A->{uid} or die "relay: $!";
my $ready = <$relay>;
is $ready, "ready\n", 'control: root relay in place of the socket';
my($res, $data) = get_json($srv, '/guarded?remote=1');
is $res->code, 200, 'control: a request through the relay is served';
kill 'TERM', $relay_pid;
my $relay_out = do { local $/; <$relay> };
close $relay;
my $secret = do { open my $fh, '<', $secret_file or die "no secret captured: $!"; local $/; <$fh> };
like $secret, qr/^[0-9a-f]{64}\z/, 'control: the relay saw the 32-byte secret';
my @st = lstat $sock;
ok @st && -S _ && $st[4] == $A->{uid} && ($st[2] & 077) == 0, 'control: the real socket is back in place';

my $r = forged_request('root', $secret, 'forged-by-root');
is_deeply $r->{messages}, [qw(P H B E)], 'control: with the secret, the wire client gets pid, head, body, end';
is $r->{status}, 200, 'control: status 200';
my $body = eval { JSON::PP::decode_json($r->{body}) } || {};
is_deeply [ @$body{qw(remote_user remote_addr)} ], [ 'forged-by-root', '203.0.113.7' ],
    'control: the app believed the forged REMOTE_USER and REMOTE_ADDR';
is served('forged-by-root'), 1, 'control: the app logged the forged request';

# --- another local user ---------------------------------------------------
is client_as($O->{name}, 'connect', $sock)->{connect}, 'EACCES', "$O->{name}: connect() refused with EACCES";
$r = forged_request($O->{name}, $secret, 'forged-by-other-0600');
is $r->{connect}, 'EACCES', "$O->{name}: even knowing the secret, connect() is refused (EACCES)";
is_deeply $r->{messages}, [], "$O->{name}: nothing comes back";
is client_as($D->{name}, 'connect', $sock)->{connect}, 'EACCES',
    "$D->{name} (the group's own user): connect() refused with EACCES too";

# --- the socket opened to everyone: SO_PEERCRED ------------------------------
chmod 0777, $sock or die "chmod: $!";
my $before = () = $srv->slurp_log =~ /WSGIS0606/g;
is client_as($O->{name}, 'connect', $sock)->{connect}, 'ok', "socket 0777: $O->{name} can connect()";
$r = forged_request($O->{name}, $secret, 'forged-by-other');
is $r->{connect}, 'ok', "socket 0777: $O->{name} connects and sends hello + request with the right secret";
is_deeply $r->{messages}, [], "socket 0777: $O->{name} gets no message (not even the pid)";
like $r->{closed} // '', qr/^(eof|ECONNRESET)$/, "socket 0777: the daemon closes the connection ($r->{closed})";
wait_log($srv, qr/WSGIS0606/, $before + 2, 5);
my $log = $srv->slurp_log;
like $log, qr/WSGIS0606: daemon process group 'guarded' refused a connection from uid $O->{uid} \(pid $r->{client_pid}\)/,
    "socket 0777: WSGIS0606 names $O->{name}'s uid $O->{uid} and the client's pid $r->{client_pid}";
is served('forged-by-other'), 0, "socket 0777: the forged request of $O->{name} was not served";
chmod 0700, $sock;

# --- Apache's User without the secret ---------------------------------------
(my $wrong = $secret) =~ s/^(.)/$1 eq '0' ? '1' : '0'/e;
$before = () = $srv->slurp_log =~ /WSGIS0606/g;
$r = forged_request($A->{name}, $wrong, 'forged-no-secret');
is $r->{connect}, 'ok', "$A->{name} (Apache's User, a CGI script say) can connect()";
is_deeply $r->{messages}, [], "$A->{name} with a wrong secret gets no message";
like $r->{closed} // '', qr/^(eof|ECONNRESET)$/, "$A->{name} with a wrong secret: connection closed";
wait_log($srv, qr/WSGIS0606/, $before + 1, 5);
like $srv->slurp_log, qr/WSGIS0606: daemon process group 'guarded' refused a connection without this server's secret/,
    'wrong secret: WSGIS0606 says the secret was missing';
is served('forged-no-secret'), 0, 'wrong secret: the forged request was not served';
$r = client_as($A->{name}, 'request', $sock, '00' x 32, $script, 'REQUEST_METHOD=GET', 'REMOTE_USER=forged-zero');
is_deeply $r->{messages}, [], "$A->{name} with an all-zero secret gets no message";
is served('forged-zero'), 0, 'all-zero secret: nothing served';

# --- from inside a daemon group with its own user -----------------------------
($res, $data) = get_json($srv, "/guarded?connect=$victim_sock");
is $data->{connect}, 'EACCES', "the app of 'guarded' (user $D->{name}) cannot connect to group 'victim''s socket";
($res, $data) = get_json($srv, "/guarded?connect=$sock");
is $data->{connect}, 'EACCES', "... nor to its own group's socket";
my $guarded_pid = $data->{now}{pid};

# --- the secret stays in memory that other processes of the same user cannot read
my $mem_probe = 'import sys\ntry:\n    open("/proc/%s/mem", "rb")\n    print("readable")\nexcept OSError as e:\n    print(e.strerror)\n';
sub mem_as {
    my($user, $pid) = @_;
    (my $code = sprintf $mem_probe, $pid) =~ s/\\n/\n/g;
    my $out = run_as($user, $py, '-c', $code);
    chomp $out;
    return $out;
}
my @children = grep { $_->{uids}[1] == $A->{uid} && $_->{cmdline} =~ m{^/usr/sbin/apache2} }
               @{ apache_processes($srv->pid) };
ok @children, 'found an Apache child';
is mem_as($A->{name}, $children[0]{pid}), 'Permission denied',
    "another process of $A->{name} cannot open an Apache child's /proc/PID/mem (where the secret is)";
is mem_as($D->{name}, $guarded_pid), 'Permission denied',
    "another process of $D->{name} cannot open the daemon's /proc/PID/mem";

# --- still serving ------------------------------------------------------------
for my $g (qw(guarded victim)) {
    ($res, $data) = get_json($srv, "/$g");
    is $res->code, 200, "$g: still serves through Apache";
    is_deeply [ $data->{remote_user}, $data->{remote_addr} ], [ undef, '127.0.0.1' ],
        "$g: REMOTE_USER and REMOTE_ADDR are Apache's";
}
my @bad = grep { /Segmentation fault|exit signal|WSGIS0607|WSGIS0603/ } split /\n/, $srv->slurp_log;
is scalar(@bad), 0, 'no crash or daemon restart' or diag join "\n", @bad;
$srv->cleanup;

done_testing;
