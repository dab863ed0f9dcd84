# Daemon-mode configurations that are refused, each with its reason and
# where (Apache's "Syntax error on line N of FILE" or the directive's own
# file:line), checked with `apache2 -t` and, for what is only known once the
# whole configuration is read, with a start that fails:
# - WSGIDaemonProcess: a name used twice (also across virtual hosts; the
#   message names the first definition's file:line), an unknown option,
#   the options of mod_wsgi this version refuses (interrupt-timeout= and
#   response-flush-delay= of mod_wsgi 6, chroot=, both
#   script-user= and script-group=), threads=0,
#   bad values, a word without '=', a bad group name, the directive inside
#   <Directory>;
# - WSGIProcessGroup / process-group=: a %{...} other than %{GLOBAL} and
#   %{ENV:var};
# - process-group= of WSGIScriptAlias and WSGIImportScript naming a group of
#   another virtual host, or none: the server does not start, the message
#   names the directive's file:line (and `apache2 -t` should say so too);
# - supplementary-groups= naming no group: refused; user=/group= naming no
#   account: accepted and ignored when Apache is not root (as mod_wsgi
#   ignores user=/group= then), the daemon runs as Apache's user;
# - WSGISocketPrefix in a directory that does not exist: the server does not
#   start, WSGIS0603 names the socket path and WSGISocketPrefix.
# And what is accepted: the whole option set of a Debian-style line, with
# every lifecycle option.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use Time::HiRes ();
use WsgiServer;

my $n = 0;

# (exit status, output) of a command, stdout and stderr together
sub run_capture {
    my @cmd = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT;
        exec @cmd;
        exit 127;
    }
    local $/;
    my $out = <$fh> // '';
    close $fh;
    return ($? >> 8, $out);
}

sub server_with {
    my $conf = shift;
    my $srv = WsgiServer->new(name => 'dconf' . ++$n, conf => $conf);
    open my $fh, '>', "$srv->{root}/app.wsgi" or die $!;
    print $fh <<'PY';
import os


def application(environ, start_response):
    body = ('%d %d' % (os.getuid(), os.getpid())).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
PY
    close $fh;
    return $srv;
}

# apache2 -t on $conf: (exit status, output, the server's config file)
sub config_test {
    my $srv = server_with(shift);
    my($rc, $out) = run_capture($srv->httpd_cmd('-t'));
    my $file = $srv->conf_file;
    $srv->cleanup;
    return ($rc, $out, $file);
}

sub refused {
    my($conf, $re, $what) = @_;
    my($rc, $out, $file) = config_test($conf);
    isnt $rc, 0, "$what: apache2 -t fails";
    like $out, $re, "$what: the reason" or diag $out;
    like $out, qr/Syntax error on line \d+ of \Q$file\E/, "$what: Apache names the file and line";
}

my $app = "WSGIScriptAlias /app \$root/app.wsgi process-group=g\n";

# --- names ------------------------------------------------------------------------------------------------
refused("WSGIDaemonProcess g\nWSGIDaemonProcess g threads=2\n",
        qr/WSGIDaemonProcess: a process group named 'g' is already defined at \S+httpd\.conf:\d+ \(names are unique in the whole server\)/,
        'a name used twice');
refused("WSGIDaemonProcess g\n<VirtualHost 127.0.0.1:*>\n    WSGIDaemonProcess g\n</VirtualHost>\n",
        qr/a process group named 'g' is already defined at \S+:\d+/, 'a name used again in a virtual host');
refused("WSGIDaemonProcess 'a b'\n", qr/process group name 'a b' must not contain spaces, control characters or '%'/,
        'a name with a space');
refused("WSGIDaemonProcess g%x\n", qr/must not contain spaces, control characters or '%'/, "a name with '%'");

# --- options -------------------------------------------------------------------------------------------------
refused("WSGIDaemonProcess g bogus=1\n", qr/WSGIDaemonProcess: unknown option 'bogus'/, 'an unknown option');
refused("WSGIDaemonProcess g threads\n", qr/WSGIDaemonProcess: expected option=value, got 'threads'/, 'a word without =');
refused("WSGIDaemonProcess g threads=0\n",
        qr/WSGIDaemonProcess: threads=0 \(a process that only runs a WSGIImportScript task, no requests\) is not supported; use threads=1 or more/,
        'threads=0');
# mod_wsgi 6's options that are not provided, and the others refused with their reason
for my $case (['interrupt-timeout=10', qr/interrupt-timeout= \(mod_wsgi 6: raising an exception in a request that ran too long\) is not provided; request-timeout replaces the process instead; remove it/],
              ['response-flush-delay=10', qr/response-flush-delay= \(mod_wsgi 6: holding response data back for a pacing filter\) is not provided/],
              ['chroot=/srv', qr/chroot= is not supported \(mod_wsgi deprecates it too: use a container\); remove it/],
              ['script-user=www-data script-group=www-data', qr/script-user= and script-group= cannot both be given/]) {
    my($opt, $re) = @$case;
    refused("WSGIDaemonProcess g $opt\n", $re, "option $opt");
}
for my $case (['server-metrics=maybe', qr/server-metrics= takes On or Off, got 'maybe'/],
              ['processes=0', qr/processes= takes a whole number from 1 to 1000, got '0'/],
              ['processes=two', qr/processes= takes a whole number from 1 to 1000, got 'two'/],
              ['threads=-1', qr/threads= takes a whole number from 1 to 1000, got '-1'/],
              ['umask=0999', qr/umask= takes an octal number such as 0022, got '0999'/],
              ['home=relative/dir', qr/home= takes an absolute path, got 'relative\/dir'/],
              ['python-home=venv', qr/python-home= takes an absolute path, got 'venv'/],
              ['python-path=/a:rel', qr/python-path= takes absolute directories separated by ':', got 'rel'/],
              ['display-name=', qr/display-name= needs a value/],
              ['inactivity-timeout=soon', qr/inactivity-timeout= takes a whole number/],
              ['user=a:b', qr/user= takes a name or #id, got 'a:b'/],
              ['supplementary-groups=,', qr/supplementary-groups= needs one or more groups/]) {
    my($opt, $re) = @$case;
    refused("WSGIDaemonProcess g $opt\n", $re, "bad value $opt");
}
refused("<Directory \$root>\n    WSGIDaemonProcess g\n</Directory>\n", qr/WSGIDaemonProcess not allowed in <Directory> context/,
        'WSGIDaemonProcess in <Directory>');

# --- process groups as WSGIProcessGroup and process-group= take them ----------------------------------------------
refused("WSGIDaemonProcess g\nWSGIProcessGroup %{RESOURCE}\n",
        qr/WSGIProcessGroup: process group '%\{RESOURCE\}': expected a WSGIDaemonProcess name, %\{GLOBAL\} or %\{ENV:variable\}/,
        'WSGIProcessGroup %{RESOURCE}');
refused("WSGIDaemonProcess g\nWSGIScriptAlias /app \$root/app.wsgi process-group=%{SERVER}\n",
        qr/WSGIScriptAlias: process group '%\{SERVER\}': expected a WSGIDaemonProcess name/, 'process-group=%{SERVER}');
refused("WSGIDaemonProcess g\nWSGIImportScript \$root/app.wsgi process-group=%{ENV:X} application-group=a\n",
        qr/WSGIImportScript: process-group= must not depend on the request here/, 'WSGIImportScript process-group=%{ENV:X}');

# --- accepted --------------------------------------------------------------------------------------------------------
{
    my($rc, $out) = config_test("WSGIDaemonProcess site processes=2 threads=5 display-name=%{GROUP} inactivity-timeout=120 "
                                . "user=www-data group=www-data umask=0002 home=/tmp lang=C.UTF-8 locale=C.UTF-8 "
                                . "python-home=/usr python-path=/tmp:/var/tmp python-eggs=/tmp graceful-timeout=5 "
                                . "shutdown-timeout=5 supplementary-groups=adm restart-interval=3600 maximum-requests=1000 "
                                . "request-timeout=60 deadlock-timeout=60 startup-timeout=10 eviction-timeout=5 "
                                . "connect-timeout=5 socket-timeout=30 queue-timeout=10 listen-backlog=200 cpu-time-limit=600 "
                                . "cpu-priority=5 memory-limit=1000000000 virtual-memory-limit=4000000000 stack-size=1048576 "
                                . "receive-buffer-size=65536 send-buffer-size=65536 header-buffer-size=65536 "
                                . "response-buffer-size=1048576 response-socket-timeout=30 switch-interval=0.002 "
                                . "socket-user=www-data script-user=root\n"
                                . "WSGIDaemonProcess quoted display-name='%{GROUP}'\n"
                                . "WSGIProcessGroup site\nWSGIScriptAlias /app \$root/app.wsgi process-group=%{ENV:PG}\n"
                                . "WSGIImportScript \$root/app.wsgi process-group=site application-group=%{GLOBAL}\n");
    is $rc, 0, 'every supported option on one line: apache2 -t passes' or diag $out;
    like $out, qr/Syntax OK/, '... Syntax OK';
}

# --- known only once the configuration is read: the server does not start --------------------------------------
# $t_check: whether `apache2 -t` must refuse it too (a TODO text while it
# does not), or undef where only the start can tell (a directory that may be
# made before the start).
sub start_refused {
    my($conf, $re, $what, $t_check) = @_;
    my $srv = server_with($conf);
    my($trc, $tout) = run_capture($srv->httpd_cmd('-t'));
    my($rc, $out) = run_capture($srv->httpd_cmd('-k', 'start'));
    # the failure may come after apache2 detached (then -k start exits 0):
    # wait for the log to say how the start ended
    my $deadline = Time::HiRes::time() + 15;
    Time::HiRes::sleep(0.1)
        while $out !~ /AH00014/ && $srv->slurp_log !~ /Configuration Failed|resuming normal operations/
              && Time::HiRes::time() < $deadline;
    Time::HiRes::sleep(0.3);
    my $text = $out . $srv->slurp_log;
    ok !($srv->pid && WsgiServer::alive($srv->pid)) && $text !~ /resuming normal operations/,
        "$what: the server does not start" or diag $text;
    like $text, $re, "$what: the reason" or diag $text;
    like $text, qr/AH00014|AH00016|AH00020|Configuration (?:Failed|check failed)/, "$what: Apache says the configuration failed";
    if (defined $t_check) {
        local $TODO = $t_check eq 'refuse' ? undef : $t_check;
        isnt $trc, 0, "$what: apache2 -t refuses it too" or diag $tout;
    }
    $srv->cleanup;
}
my $t_todo = 'refuse';  # checked in check_config, which `apache2 -t` runs too
start_refused("<VirtualHost 127.0.0.1:*>\n    ServerName other.example\n    WSGIDaemonProcess vg\n</VirtualHost>\n"
              . "WSGIScriptAlias /app \$root/app.wsgi process-group=vg application-group=%{GLOBAL}\n",
              qr/WSGIS0603: \S+httpd\.conf:\d+: process-group=vg names no WSGIDaemonProcess of this server \(a group of a virtual host is usable only there and in virtual hosts of the same ServerName\)/,
              "WSGIScriptAlias process-group= naming another virtual host's group", $t_todo);
start_refused("WSGIDaemonProcess g\nWSGIImportScript \$root/app.wsgi process-group=nosuch application-group=a\n",
              qr/WSGIS0603: \S+httpd\.conf:\d+: process-group=nosuch names no WSGIDaemonProcess of this server/,
              'WSGIImportScript process-group= naming no group', $t_todo);
start_refused("WSGIDaemonProcess g supplementary-groups=no-such-group-d13\n",
              qr/WSGIS0603: WSGIDaemonProcess g \(\S+httpd\.conf:\d+\): unknown group 'no-such-group-d13' in supplementary-groups=/,
              'supplementary-groups= naming no group', $t_todo);
start_refused("WSGIDaemonProcess g\nWSGISocketPrefix \$root/no/such/dir/wsgi\n$app",
              qr/\[wsgiscript:crit\][^\n]*WSGIS0603: could not make the socket '[^']*\/no\/such\/dir\/wsgi\.\d+\.[0-9a-f]{12}\.sock' of daemon process group 'g': No such file or directory \(see WSGISocketPrefix\)/,
              'WSGISocketPrefix in a missing directory', undef);

# --- user=/group= naming no account, Apache unprivileged: ignored --------------------------------------------------
SKIP: {
    skip 'run as root: user=/group= apply (the root stage checks them)', 4 if $> == 0;
    my $srv = server_with("WSGIDaemonProcess g user=no-such-user-d13 group=no-such-group-d13\n$app");
    ok $srv->start, 'user=/group= naming no account, unprivileged: the server starts' or diag $srv->slurp_log;
    my $res = LWP::UserAgent->new(timeout => 30)->get($srv->url('/app'));
    is $res->code, 200, '... the daemon answers';
    my($uid, $pid) = split ' ', $res->decoded_content // '';
    is $uid, $>, "... as Apache's user ($>)";
    like $srv->slurp_log, qr/WSGIS0600: daemon process $pid of group 'g' started \(uid $>,/, '... WSGIS0600 says so';
    $srv->cleanup;
}

done_testing;
