# A daemon process group cannot run as root, and accounts that do not exist
# are refused: Apache started as root does not start (non-zero exit,
# nothing left running), and the error log says which WSGIDaemonProcess,
# where (file:line) and why (WSGIS0603). Apache's own User cannot be root
# either (Apache refuses it), so the default cannot be root.
# `apache2 -t` (what `apache2ctl configtest`, and Debian's apache2ctl before
# every restart, runs) should refuse the same configurations, as mod_wsgi's
# directive does (checked against mod_wsgi 4.9.4 for user=root and #0).
# A daemon that cannot start after dropping to its user (user= whose home
# directory does not exist, the default working directory) says so
# (WSGIS0603 with the directory and the reason), waits as that user, never
# as root, and a request to its group fails once Apache's Timeout is up.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";
use Test::More;
use RootTest qw(require_root accounts server apache_processes get_json wait_log);

require_root();
accounts();
my $mod_wsgi = '/usr/lib/apache2/modules/mod_wsgi.so';

my @cases = (
    [ 'user=root', 'user=root', qr/will not run a daemon process group as root/ ],
    [ 'user=#0', 'user=#0', qr/will not run a daemon process group as root/ ],
    [ 'unknown user', 'user=wsgi-no-such-user', qr/unknown user 'wsgi-no-such-user'/ ],
    [ 'unknown group', 'user=wsgidaemon group=wsgi-no-such-group', qr/unknown group 'wsgi-no-such-group'/ ],
    [ 'unknown supplementary group', 'user=wsgidaemon supplementary-groups=wsgisupp1,wsgi-no-such-group',
      qr/unknown group 'wsgi-no-such-group' in supplementary-groups=/ ],
);

sub line_of {
    my($file, $re) = @_;
    open my $fh, '<', $file or die "$file: $!";
    while (<$fh>) { return $. if /$re/ }
    return 0;
}

sub capture {
    my @cmd = @_;
    my $out = `@cmd 2>&1`;
    return ($? >> 8, $out);
}

for my $case (@cases) {
    my($what, $opts, $why) = @$case;
    (my $name = "refused-$what") =~ s/\W+/-/g;
    my $srv = server(name => $name, conf => "WSGIDaemonProcess bad processes=1 threads=1 $opts\n"
                                          . "WSGIScriptAlias /bad \$root/app/app.wsgi process-group=bad\n");
    my $conf = $srv->conf_file;
    my $line = line_of($conf, qr/^WSGIDaemonProcess bad/);
    my($rc, $out) = capture($srv->httpd_cmd('-k', 'start'));
    isnt $rc, 0, "$what: apache2 -k start fails (exit $rc)";
    select undef, undef, undef, 0.3;
    my $pid = $srv->pid;
    ok !($pid && kill 0, $pid), "$what: no server left running";
    my $log = $srv->slurp_log . $out;
    like $log, qr/WSGIS0603: WSGIDaemonProcess bad \(\Q$conf\E:$line\): $why/,
        "$what: WSGIS0603 names the directive, $conf:$line and the reason" or diag $log;
    # checked in check_config, which apache2 -t runs too
    my($trc, $tout) = capture($srv->httpd_cmd('-t'));
    isnt $trc, 0, "$what: apache2 -t refuses the configuration";
    like $tout, $why, "$what: apache2 -t says why" or diag $tout;
    $srv->cleanup;
}

# Apache's User root: Apache itself refuses, before any daemon is made.
{
    my $srv = server(name => 'refused-apache-root', conf => "WSGIDaemonProcess bad processes=1 threads=1\n");
    # a later User directive wins over the one server() writes first
    open my $fh, '>>', $srv->conf_file or die $!;
    print $fh "User root\n";
    close $fh;
    my($rc, $out) = capture($srv->httpd_cmd('-k', 'start'));
    isnt $rc, 0, "User root: apache2 -k start fails (exit $rc)";
    like $out, qr/Apache has not been designed to serve pages while.{0,8}running as root/s,
        'User root: refused by Apache itself' or diag $out;
    my $pid = $srv->pid;
    ok !($pid && kill 0, $pid), 'User root: no server left running';
    $srv->cleanup;
}

# A home directory that does not exist (useradd -M): the daemon cannot start.
{
    my $home = (getpwnam('wsgiother'))[7];
    SKIP: {
        skip "wsgiother's home $home exists", 6 if -e $home;
        my $srv = server(name => 'refused-no-home', conf => <<'CONF');
Timeout 3
WSGIDaemonProcess nohome processes=1 threads=1 user=wsgiother
WSGIScriptAlias /nohome $root/app/app.wsgi process-group=nohome
<Directory $root/app>
    Require all granted
</Directory>
CONF
        ok $srv->start, 'no home: apache2 starts';
        my $ok = wait_log($srv, qr/WSGIS0603/, 1, 10);
        my($line) = $srv->slurp_log =~ /^(.*WSGIS0603.*)$/m;
        like $line // '', qr/could not start: chdir\(\Q$home\E\): No such file or directory/,
            'no home: WSGIS0603 names the directory and the reason' or diag $srv->slurp_log;
        like $line // '', qr/of group 'nohome' could not start/, 'no home: ... and the group';
        my @rooted = grep { grep { $_ == 0 } @{ $_->{uids} } } @{ apache_processes($srv->pid) };
        is scalar(@rooted), 0, 'no home: the failed daemon waits as wsgiother, nothing but the parent is root'
            or diag explain \@rooted;
        my $t0 = time;
        my($res) = get_json($srv, '/nohome');
        my $code = $res->code;
        ok $code >= 500 && time - $t0 <= 10, "no home: a request fails with $code once Timeout (3 s) is up";
        # mod_wsgi answers 504 (docs/compat.md): no process took the request, so 503
        is $code, 503, 'no home: 503 Service Unavailable';
        like $srv->slurp_log, qr/WSGIS0601: no daemon process of group 'nohome' took the request for '[^']*' within 3 s \(Timeout\): none is running, or all are busy; answered 503/,
            'no home: WSGIS0601 says no process took the request';
        $srv->cleanup;
    }
}

# The reference: mod_wsgi refuses root in `apache2 -t` too.
SKIP: {
    skip "$mod_wsgi not installed", 4 unless -f $mod_wsgi;
    for my $opts ('user=root', 'user=#0') {
        my $srv = server(name => 'refused-mod_wsgi', load => [ [ wsgi_module => $mod_wsgi ] ],
                         conf => "WSGIDaemonProcess bad processes=1 threads=1 $opts\n");
        my($rc, $out) = capture($srv->httpd_cmd('-t'));
        isnt $rc, 0, "reference: mod_wsgi's apache2 -t refuses $opts";
        like $out, qr/WSGI process blocked from running as root/, "reference: mod_wsgi says why" or diag $out;
        $srv->cleanup;
    }
}

done_testing;
