# The Debian package (scripts/package) on this machine, in Debian's own
# layout, driven by Debian's own tools:
#  - beside an enabled mod_wsgi (libapache2-mod-wsgi-py3, installed by
#    scripts/deps): dpkg -i does not enable the module and says why;
#    "a2enmod wsgiscript" is refused with a2enmod's conflict message (the
#    .load file's "# Conflicts: wsgi"); after "a2dismod wsgi" it is enabled;
#  - a fresh install: the postinst enables it (a2query: enabled by
#    maintainer script), the files are where Debian puts them (module
#    directory, conffiles in mods-available, docs, the Python package that
#    /usr/bin/python3 imports outside Apache, byte-compiled), "a2enmod
#    wsgiscript" says it is already enabled;
#  - a site in sites-available with WSGIScriptAlias (embedded and a daemon
#    process group), a2ensite, "apache2ctl configtest" of the system's
#    configuration, then Apache started from that configuration on a free
#    port: APACHE_CONFDIR names a directory whose apache2.conf, mods-*,
#    conf-* and sites-* are symbolic links to /etc/apache2's, with only
#    ports.conf (Listen 127.0.0.1:PORT) and envvars (run, lock and log
#    directories of its own) differing; apache2ctl start, requests, stop;
#  - mod_wsgi enabled while wsgiscript is: a2enmod does not refuse (it reads
#    only the .load of the module being enabled) but "apache2ctl configtest"
#    fails with WSGIS0001;
#  - the administrator's a2dismod is kept when the package is installed
#    again; dpkg -r keeps the conffiles and removes the rest (byte-compiled
#    files too); dpkg --purge removes the conffiles and a2enmod's state;
#  - after each round the system is as it was before: installed packages,
#    /etc/apache2 and /var/lib/apache2 (a2enmod's state) with checksums,
#    enabled modules, sites and confs, /usr/lib/apache2/modules with
#    checksums, the package's other paths, and the system Apache's processes.
# The package's maintainer scripts ask invoke-rc.d to restart the system
# Apache, as every Debian module package's do: a policy-rc.d that refuses
# keeps the service untouched (this machine has one; if not, one is put in
# place for the test and removed at the end).
# The .deb: $WSGISCRIPT_DEB (scripts/test's package stage), else built here
# with scripts/package. Skipped when libapache2-mod-wsgiscript is already
# installed (the test would purge it).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";
use Test::More;
use Digest::MD5 ();
use Digest::SHA ();
use Fcntl qw(:flock);
use File::Find ();
use File::Path ();
use File::Temp ();
use JSON::PP ();
use LWP::UserAgent ();
use POSIX ();
use Time::HiRes ();
use RootTest qw(require_root);
use WsgiServer ();

require_root();
$ENV{PATH} = "/usr/sbin:/usr/bin:/sbin:/bin";
my $PKG = 'libapache2-mod-wsgiscript';
my $SITE = 'wsgiscript-pkgtest';
my $SITE_FILE = "/etc/apache2/sites-available/$SITE.conf";
my $POLICY = '/usr/sbin/policy-rc.d';

# --- helpers -------------------------------------------------------------------
# Run @$cmd (stdin /dev/null, stderr into stdout): (exit status, output).
# The command running is kept in $RUNNING, so that a test interrupted (^C,
# TERM) waits for it in cleanup() before it undoes what the test did.
my $RUNNING;
sub run {
    my($cmd, %env) = @_;
    my $pid = open(my $fh, '-|') // die "fork: $!";
    if (!$pid) {
        open STDERR, '>&', \*STDOUT;
        open STDIN, '<', '/dev/null';
        @ENV{ keys %env } = values %env;
        exec @$cmd or do { print "exec @$cmd: $!\n"; POSIX::_exit(127) };
    }
    $RUNNING = $fh;
    local $/;
    my $out = <$fh> // '';
    close $fh;
    undef $RUNNING;
    return ($? >> 8, $out);
}

# dpkg, waiting (2 min at most) while another dpkg or apt holds its lock.
sub dpkg {
    my @args = @_;
    my($rc, $out);
    for (1 .. 60) {
        ($rc, $out) = run([ 'dpkg', @args ], DEBIAN_FRONTEND => 'noninteractive');
        last unless $rc && $out =~ /lock/i && $out =~ /locked|unable to (acquire|lock)/i;
        sleep 2;
    }
    return ($rc, $out);
}

# dpkg's two letters (ii, rc, iU, ...), or '' when it knows no such package
# (not installed, or purged).
sub pkg_status {
    my($rc, $out) = run([ 'dpkg-query', '-W', '-f=${db:Status-Abbrev}', $PKG ]);
    return '' if $rc || $out !~ /^([a-z][a-zA-Z])/ || $1 eq 'un' || $1 eq 'pn';
    return $1;
}

sub slurp { my $f = shift; open my $fh, '<', $f or return undef; local $/; scalar <$fh> }

sub write_file {
    my($path, $text, $mode) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh;
    chmod $mode // 0644, $path;
}

# One line per path under $top: mode, owner, and the link target, "dir" or
# the file's SHA-256 (modification times left out).
sub tree {
    my $top = shift;
    return "$top absent\n" unless -e $top || -l $top;
    my @lines;
    File::Find::find({ no_chdir => 1, wanted => sub {
        my $p = $File::Find::name;
        my @st = lstat $p or return;
        my $what = -l _ ? 'link ' . readlink($p)
                 : -d _ ? 'dir'
                 : -f _ ? 'sha256 ' . Digest::SHA->new(256)->addfile($p)->hexdigest
                 : 'other';
        push @lines, sprintf "%s %04o %d:%d %s\n", $p, $st[2] & 07777, $st[4], $st[5], $what;
    } }, $top);
    return join '', sort @lines;
}

sub cmdline {
    my $pid = shift;
    my $c = slurp("/proc/$pid/cmdline") // return undef;
    $c =~ s/\0+$//;
    $c =~ s/\0/ /g;
    return $c;
}

sub apache_pids {
    my @pids;
    for my $dir (glob '/proc/[0-9]*') {
        my($pid) = $dir =~ m{(\d+)$};
        my $exe = readlink("$dir/exe") // next;
        push @pids, $pid if $exe =~ m{/apache2$};
    }
    return sort { $a <=> $b } @pids;
}

# The system's Apache: the apache2 processes whose first apache2 ancestor
# (the parent of its server) was started without -d/-f; the test servers of
# this project, also those of other runs on this machine, all pass them (and
# their daemon processes, retitled, are known by that parent). Plus what the
# stock PidFile names.
sub ppid_of { my $st = RootTest::proc_status($_[0]); $st ? $st->{PPid}[0] : 0 }
sub system_apache {
    my %apache = map { $_ => 1 } apache_pids();
    my @system;
    for my $pid (sort { $a <=> $b } keys %apache) {
        my $top = $pid;
        $top = ppid_of($top) while $apache{ ppid_of($top) };
        my $cmd = cmdline($top) // next;
        push @system, "$pid " . (cmdline($pid) // '') . "\n" unless $cmd =~ /(^| )-[df] /;
    }
    my $pidfile = slurp('/var/run/apache2/apache2.pid');
    return join '', @system, 'PidFile: ' . (defined $pidfile ? $pidfile : "none\n");
}

sub state {
    my %s;
    (undef, $s{packages}) = run([ 'dpkg-query', '-W', '-f=${binary:Package} ${Version} ${db:Status-Abbrev}\n' ]);
    $s{packages} = join "\n", sort split /\n/, $s{packages};
    $s{'/etc/apache2'} = tree('/etc/apache2');
    $s{'/var/lib/apache2'} = tree('/var/lib/apache2');
    $s{'/usr/lib/apache2/modules'} = tree('/usr/lib/apache2/modules');
    for my $what ([ modules => '-m' ], [ sites => '-s' ], [ confs => '-c' ]) {
        (undef, my $out) = run([ 'a2query', $what->[1] ]);
        $s{"enabled $what->[0]"} = join "\n", sort split /\n/, $out;
    }
    $s{'package paths'} = join '', map { tree($_) }
        '/usr/lib/python3/dist-packages/wsgiscript', "/usr/share/doc/$PKG", $POLICY,
        (glob("/var/lib/dpkg/info/$PKG.*"), glob("/var/lib/dpkg/info/$PKG:*"));
    $s{'system Apache processes'} = system_apache();
    return \%s;
}

# The state now is $before, key by key; differing lines are shown.
sub same_state {
    my($label, $before) = @_;
    my $now = state();
    for my $k (sort keys %$before) {
        my %old = map { $_ => 1 } split /\n/, $before->{$k};
        my %new = map { $_ => 1 } split /\n/, $now->{$k};
        my @diff = ((map { "- $_" } grep { !$new{$_} } sort keys %old),
                    (map { "+ $_" } grep { !$old{$_} } sort keys %new));
        ok !@diff, "$label: $k as before" or diag join "\n", @diff[0 .. ($#diff < 40 ? $#diff : 39)];
    }
}

sub enabled { my(undef, $out) = run([ 'a2query', '-m', $_[0] ]); return $out =~ /\(enabled/ ? $out : '' }

# --- preconditions -------------------------------------------------------------
plan skip_all => 'no apache2 package (apache2-maintscript-helper, a2query)'
    unless -e '/usr/share/apache2/apache2-maintscript-helper' && -x '/usr/sbin/a2query';
plan skip_all => "$PKG is installed on this machine (" . pkg_status() . "): the test installs and purges it"
    if pkg_status();
if (-e $POLICY) {
    my($rc) = run([ $POLICY, 'apache2', 'restart' ]);
    plan skip_all => "$POLICY allows invoke-rc.d to restart the system Apache (exit $rc): "
                   . 'the maintainer scripts would restart it' unless $rc == 101;
}

# One run at a time on this machine (it changes /etc/apache2 and dpkg's database).
open my $lock, '>', '/run/lock/wsgiscript-06_package.lock' or die "lock: $!";
my $waited = 0;
until (flock $lock, LOCK_EX | LOCK_NB) {
    die "another t/root/06_package.t has held the lock for 10 minutes\n" if ++$waited > 600;
    sleep 1;
}

my $deb = $ENV{WSGISCRIPT_DEB};
my $made_dir;
if (!$deb) {
    my $script = "$FindBin::Bin/../../scripts/package";
    plan skip_all => 'no .deb: set WSGISCRIPT_DEB (scripts/test does) or run from a checkout with scripts/package'
        unless -x $script;
    $made_dir = File::Temp::tempdir('wsgis-deb-XXXXXX', TMPDIR => 1, CLEANUP => 1);
    my($rc, $out) = run([ $script, $made_dir ], WSGISCRIPT_DEPS => 0);
    ($deb) = glob "$made_dir/${PKG}_*.deb";
    BAIL_OUT("scripts/package failed:\n$out") if $rc || !$deb;
}
die "$deb: not found\n" unless -f $deb;
my(undef, $deb_version) = run([ 'dpkg-deb', '--field', $deb, 'Version' ]);
chomp $deb_version;
note "package: $deb ($deb_version)";

# --- what the test changes, undone at the end also when it fails -----------------
my $before = state();
my $work = File::Temp::tempdir('wsgis-pkg-XXXXXX', TMPDIR => 1, CLEANUP => 0);
chmod 0755, $work;
my $wsgi_available = -e '/etc/apache2/mods-available/wsgi.load';
my $wsgi_was_enabled = $wsgi_available && enabled('wsgi') ? 1 : 0;
# a2enmod's state markers for wsgi (/var/lib/apache2/module/*/wsgi), restored exactly
my @wsgi_markers = grep { -f } glob '/var/lib/apache2/module/*/wsgi';
# a2enmod/a2dissite make their state directories (enabled_by_admin, ...) on
# first use; those the test's own a2enmod/a2dismod made go again when empty
my %state_dirs_before = map { $_ => 1 } grep { -d } glob '/var/lib/apache2/*/*';
my $made_policy = 0;
if (!-e $POLICY) {
    write_file($POLICY, "#!/bin/sh\n# t/root/06_package.t: no service starts or restarts during the test\nexit 101\n", 0755);
    $made_policy = 1;
}
my $confdir;    # the private instance's APACHE_CONFDIR, while it may run
my $cleaned = 0;

sub apache2ctl {
    my @args = @_;
    # A clean environment, as a service manager gives Apache. On a systemd
    # host apache2ctl start would hand over to "systemctl start apache2@..."
    # unless told it is being started by systemd.
    return run([ 'env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LANG=C', "APACHE_CONFDIR=$confdir",
                 'APACHE_STARTED_BY_SYSTEMD=1', 'apache2ctl', @args ]);
}

sub private_parent {
    return undef unless $confdir;
    my $pid = slurp("$work/run/apache2.pid") // return undef;
    chomp $pid;
    return $pid && kill(0, $pid) ? $pid : undef;
}

sub stop_private {
    return unless $confdir;
    my $parent = private_parent();
    my @children = $parent ? (grep { ppid_of($_) == $parent } apache_pids()) : ();
    apache2ctl('stop') if $parent;
    my $deadline = Time::HiRes::time() + 15;
    Time::HiRes::sleep(0.1) while grep({ kill 0, $_ } grep { $_ } $parent, @children) && Time::HiRes::time() < $deadline;
    kill 'KILL', grep { $_ && kill 0, $_ } $parent, @children;
    return !grep { kill 0, $_ } grep { $_ } $parent, @children;
}

sub set_wsgi {
    my $on = shift;
    return unless $wsgi_available;
    if ($on && !enabled('wsgi')) { run([ 'a2enmod', '-q', 'wsgi' ]) }
    if (!$on && enabled('wsgi')) { run([ 'a2dismod', '-q', 'wsgi' ]) }
}

sub restore_wsgi {
    return unless $wsgi_available;
    set_wsgi($wsgi_was_enabled);
    unlink grep { -f } glob '/var/lib/apache2/module/*/wsgi';
    for my $m (@wsgi_markers) {
        File::Path::make_path(($m =~ m{^(.*)/})[0]);
        write_file($m, '');
    }
    rmdir for grep { -d && !$state_dirs_before{$_} } glob '/var/lib/apache2/*/*';  # only empty ones go
}

sub cleanup {
    return if $cleaned++;
    return unless defined $SITE_FILE;  # skipped before anything was set up
    if ($RUNNING) {    # interrupted while a command ran (dpkg, say): let it finish first
        local $/;
        my $fh = $RUNNING;
        undef $RUNNING;
        my $rest = <$fh>;
        close $fh;
    }
    stop_private();
    if (-e $SITE_FILE || grep { -e } glob("/var/lib/apache2/site/*/$SITE")) {
        run([ 'a2dissite', '-q', '-p', $SITE ]);
        unlink $SITE_FILE;
    }
    dpkg('--purge', $PKG) if pkg_status();
    restore_wsgi();
    unlink $POLICY if $made_policy;
    File::Path::remove_tree($work);
}
END { my $rc = $?; cleanup(); $? = $rc }

# The site: embedded, and a daemon process group; the app tells which copy of
# the wsgiscript package it sees.
File::Path::make_path("$work/app", { mode => 0755 });
write_file("$work/app/app.wsgi", <<'PY');
import json, os, sys
import wsgiscript

def application(environ, start_response):
    spec = wsgiscript.__spec__
    body = json.dumps({
        'pid': os.getpid(), 'uid': os.getuid(),
        'python': '%d.%d' % sys.version_info[:2],
        'wsgiscript_origin': spec.origin, 'wsgiscript_loader': type(spec.loader).__name__,
        'mangle': wsgiscript.mangle('/srv/app/app.wsgi'),
        'process_group': environ.get('mod_wsgi.process_group'),
    }).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]
PY
my $port = WsgiServer::free_port();
my $site_text = <<"CONF";
# t/root/06_package.t: a site of the installed module, removed at the end
<VirtualHost *:$port>
    ServerName 127.0.0.1
    WSGIDaemonProcess pkgtest processes=1 threads=2 display-name=%{GROUP}
    WSGIScriptAlias /embedded $work/app/app.wsgi
    WSGIScriptAlias /daemon $work/app/app.wsgi process-group=pkgtest application-group=%{GLOBAL}
    <Directory $work/app>
        Require all granted
    </Directory>
</VirtualHost>
CONF
my $expected_mangle = '_mod_wsgi_' . Digest::MD5::md5_hex('/srv/app/app.wsgi');
my $moddir = do { my(undef, $d) = run([ 'a2query', '-d' ]); $d =~ s/\s+$//; $d =~ s{/$}{}; $d };
my $ua = LWP::UserAgent->new(timeout => 30);

# --- 1. installed while Debian's mod_wsgi is enabled ---------------------------------
SKIP: {
    skip 'libapache2-mod-wsgi-py3 is not installed (no mods-available/wsgi.load)', 9 unless $wsgi_available;
    set_wsgi(1);
    ok enabled('wsgi'), 'beside mod_wsgi: wsgi is enabled';
    my($rc, $out) = dpkg('-i', $deb);
    is $rc, 0, 'beside mod_wsgi: dpkg -i succeeds' or diag $out;
    like $out, qr/not enabling the module wsgiscript: Debian's mod_wsgi \(module wsgi\) is enabled/,
        'beside mod_wsgi: the postinst says why it does not enable the module';
    ok !enabled('wsgiscript') && !-e '/etc/apache2/mods-enabled/wsgiscript.load',
        'beside mod_wsgi: wsgiscript is not enabled';
    ($rc, $out) = run([ 'a2enmod', 'wsgiscript' ]);
    isnt $rc, 0, 'beside mod_wsgi: a2enmod wsgiscript fails';
    like $out, qr/Module wsgi is enabled - cannot proceed due to conflicts/,
        'beside mod_wsgi: a2enmod gives the conflict (wsgiscript.load: # Conflicts: wsgi)' or diag $out;
    ok !-e '/etc/apache2/mods-enabled/wsgiscript.load', 'beside mod_wsgi: nothing enabled';
    set_wsgi(0);
    ($rc, $out) = run([ 'a2enmod', 'wsgiscript' ]);
    ok $rc == 0 && enabled('wsgiscript'), 'after a2dismod wsgi: a2enmod wsgiscript enables it' or diag $out;
    run([ 'a2dismod', '-q', 'wsgiscript' ]);
    ($rc, $out) = dpkg('--purge', $PKG);
    is $rc, 0, 'beside mod_wsgi: dpkg --purge succeeds' or diag $out;
    restore_wsgi();
}
same_state('after the round beside mod_wsgi', $before);

# --- 2. a fresh install ---------------------------------------------------------------------
set_wsgi(0);
my($rc, $out) = dpkg('-i', $deb);
is $rc, 0, 'dpkg -i succeeds' or diag $out;
is pkg_status(), 'ii', "$PKG is installed";
like enabled('wsgiscript'), qr/enabled by maintainer script/, 'the postinst enabled wsgiscript (a2query -m)';
is readlink('/etc/apache2/mods-enabled/wsgiscript.load'), '../mods-available/wsgiscript.load',
    'mods-enabled/wsgiscript.load links to mods-available';

(undef, my $conffiles) = run([ 'dpkg-query', '-W', '-f=${Conffiles}', $PKG ]);
like $conffiles, qr{^ /etc/apache2/mods-available/wsgiscript\.load [0-9a-f]{32}$}m, 'wsgiscript.load is a conffile';
like $conffiles, qr{^ /etc/apache2/mods-available/wsgiscript\.conf [0-9a-f]{32}$}m, 'wsgiscript.conf is a conffile';
my $load = slurp('/etc/apache2/mods-available/wsgiscript.load') // '';
like $load, qr/^# Conflicts: wsgi$/m, 'wsgiscript.load: # Conflicts: wsgi';
like $load, qr{^LoadModule wsgiscript_module \Q$moddir\E/mod_wsgiscript\.so$}m,
    "wsgiscript.load loads $moddir/mod_wsgiscript.so (a2query -d)";
ok -f "$moddir/mod_wsgiscript.so", 'the module is in the module directory';
(undef, $out) = run([ 'ldd', "$moddir/mod_wsgiscript.so" ]);
unlike $out, qr/not found/, 'every library the module needs is there (ldd)';
like $out, qr/libpython3\.\d+\.so/, 'the module links libpython3';
(undef, my $files) = run([ 'dpkg', '-L', $PKG ]);
my %listed = map { $_ => 1 } split /\n/, $files;
for my $f ("/usr/share/doc/$PKG/copyright", "/usr/share/doc/$PKG/changelog.Debian.gz",
           "/usr/share/doc/$PKG/docs/directives/WSGIScriptAlias.md.gz",
           '/usr/lib/python3/dist-packages/wsgiscript/__init__.py') {
    ok $listed{$f} && -f $f, "installed: $f";
}
ok +(grep { m{^/usr/share/doc/\Q$PKG\E/README\.md(\.gz)?$} && -f } keys %listed), 'installed: the README';
ok -f '/usr/lib/python3/dist-packages/wsgiscript/__pycache__/__init__.cpython-'
      . join('', `/usr/bin/python3 -c 'import sys; print("%d%d" % sys.version_info[:2], end="")'`) . '.pyc',
    'the Python package is byte-compiled (py3compile)';
($rc, $out) = run([ 'runuser', '-u', 'nobody', '--', 'env', '-C', '/', '/usr/bin/python3', '-c',
                    "import wsgiscript; print(wsgiscript.__file__); print(wsgiscript.mangle('/srv/app/app.wsgi'))" ]);
is $out, "/usr/lib/python3/dist-packages/wsgiscript/__init__.py\n$expected_mangle\n",
    'outside Apache, /usr/bin/python3 (as nobody) imports the installed wsgiscript package' or diag "exit $rc";
($rc, $out) = run([ 'a2enmod', 'wsgiscript' ]);
ok $rc == 0 && $out =~ /already enabled/, 'a2enmod wsgiscript: already enabled' or diag $out;

# --- 3. a site in sites-available, Apache from the system's configuration ------------------
write_file($SITE_FILE, $site_text);
($rc, $out) = run([ 'a2ensite', $SITE ]);
is $rc, 0, "a2ensite $SITE" or diag $out;
($rc, $out) = run([ 'apache2ctl', 'configtest' ]);
ok $rc == 0 && $out =~ /Syntax OK/, "apache2ctl configtest: the system's configuration with the module and the site"
    or diag $out;

$confdir = "$work/apache2";
mkdir $confdir, 0755;
for my $entry (glob '/etc/apache2/*') {
    my($name) = $entry =~ m{([^/]+)$};
    next if $name eq 'envvars' || $name eq 'ports.conf';
    symlink $entry, "$confdir/$name" or die "symlink $entry: $!";
}
write_file("$confdir/ports.conf", "# t/root/06_package.t: instead of /etc/apache2/ports.conf\nListen 127.0.0.1:$port\n");
write_file("$confdir/envvars", <<"SH");
# t/root/06_package.t: the system's envvars, with directories of this instance
. /etc/apache2/envvars
export APACHE_RUN_DIR=$work/run
export APACHE_PID_FILE=$work/run/apache2.pid
export APACHE_LOCK_DIR=$work/lock
export APACHE_LOG_DIR=$work/log
SH
File::Path::make_path("$work/log", { mode => 0755 });
($rc, $out) = apache2ctl('configtest');
ok $rc == 0 && $out =~ /Syntax OK/, 'apache2ctl configtest with APACHE_CONFDIR (Listen 127.0.0.1:PORT)' or diag $out;
($rc, $out) = apache2ctl('start');
is $rc, 0, 'apache2ctl start' or diag $out;
my $deadline = Time::HiRes::time() + 20;
Time::HiRes::sleep(0.1) until private_parent() || Time::HiRes::time() > $deadline;
my $parent = private_parent();
ok $parent, 'Apache runs (its PidFile names a live process)' or diag slurp("$work/log/error.log");
my $www_uid = getpwnam('www-data');

my %got;
for my $where (qw(embedded daemon)) {
    my $res = $ua->get("http://127.0.0.1:$port/$where");
    my $data = eval { JSON::PP::decode_json($res->decoded_content) };
    ok $res->code == 200 && $data, "GET /$where: 200" or diag $res->status_line, "\n", $res->decoded_content;
    $got{$where} = $data || {};
}
is $got{embedded}{uid}, $www_uid, 'embedded: served by a child running as www-data (envvars)';
is $got{embedded}{process_group}, '', 'embedded: no process group';
is $got{daemon}{process_group}, 'pkgtest', 'daemon: served by the group pkgtest';
is $got{daemon}{uid}, $www_uid, 'daemon: running as www-data';
isnt $got{daemon}{pid} // 0, $got{embedded}{pid} // 0, 'daemon: another process than the embedded child';
my $py = `/usr/bin/python3 -c 'import sys; print("%d.%d" % sys.version_info[:2], end="")'`;
is $got{embedded}{python}, $py, "the module runs Python $py, the system's";
is $got{embedded}{mangle}, $expected_mangle, 'wsgiscript.mangle() inside Apache';
is $got{$_}{wsgiscript_loader}, 'WsgiscriptFinder', "$_: the wsgiscript package is the module's own copy" for qw(embedded daemon);
unlike $got{embedded}{wsgiscript_origin} // '', qr{^/usr/lib/python3/dist-packages/},
    'inside Apache the installed dist-packages copy is not the one imported';
my $log = slurp("$work/log/error.log") // '';
like $log, qr/AH00489: Apache\S* .*configured -- resuming normal operations/, 'the error log: Apache started';
my @bad = grep { /\[(\w+:)?(emerg|alert|crit|error)\]|exit signal|Segmentation/ } split /\n/, $log;
is scalar(@bad), 0, 'the error log: no error lines' or diag join "\n", @bad;
ok stop_private(), 'apache2ctl stop: the instance and its children are gone';
ok !-e "$work/run/apache2.pid", 'the PidFile is removed';
undef $confdir;

($rc, $out) = run([ 'a2dissite', '-q', '-p', $SITE ]);
is $rc, 0, "a2dissite --purge $SITE" or diag $out;
unlink $SITE_FILE;

# --- 4. mod_wsgi enabled after wsgiscript ------------------------------------------------------
SKIP: {
    skip 'libapache2-mod-wsgi-py3 is not installed', 3 unless $wsgi_available;
    ($rc, $out) = run([ 'a2enmod', 'wsgi' ]);
    is $rc, 0, 'a2enmod wsgi while wsgiscript is enabled is not refused (a2enmod reads wsgi.load only)'
        or diag $out;
    ($rc, $out) = run([ 'apache2ctl', 'configtest' ]);
    isnt $rc, 0, 'apache2ctl configtest fails with both enabled';
    like $out, qr/WSGIS0001: mod_wsgiscript cannot run in the same server as mod_wsgi/, '... with WSGIS0001'
        or diag $out;
    restore_wsgi();
}

# --- 5. the administrator's choice, remove, purge ---------------------------------------------------
($rc, $out) = run([ 'a2dismod', 'wsgiscript' ]);
ok $rc == 0 && !enabled('wsgiscript'), 'a2dismod wsgiscript' or diag $out;
($rc, $out) = dpkg('-i', $deb);
is $rc, 0, 'dpkg -i again (the same version)' or diag $out;
(undef, $out) = run([ 'a2query', '-m', 'wsgiscript' ]);
like $out, qr/disabled by site administrator/, "installed again: the administrator's a2dismod is kept";
($rc, $out) = dpkg('-r', $PKG);
is $rc, 0, 'dpkg -r succeeds' or diag $out;
is pkg_status(), 'rc', 'removed: the configuration files are kept';
ok -f '/etc/apache2/mods-available/wsgiscript.load' && -f '/etc/apache2/mods-available/wsgiscript.conf',
    'removed: wsgiscript.load and wsgiscript.conf are still there';
ok !-e "$moddir/mod_wsgiscript.so", 'removed: the module is gone';
ok !-e '/usr/lib/python3/dist-packages/wsgiscript', 'removed: the Python package, byte-compiled files too (py3clean)';
($rc, $out) = dpkg('--purge', $PKG);
is $rc, 0, 'dpkg --purge succeeds' or diag $out;
is pkg_status(), '', 'purged: dpkg knows the package no more';
ok !-e '/etc/apache2/mods-available/wsgiscript.load', 'purged: the conffiles are gone';
is_deeply [ glob '/var/lib/apache2/module/*/wsgiscript' ], [], "purged: no a2enmod state for wsgiscript";
restore_wsgi();
same_state('after install, site, Apache, remove and purge', $before);

cleanup();
ok !-e $work, 'the scratch directory is removed';
done_testing();
