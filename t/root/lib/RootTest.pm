package RootTest;
# Shared parts of t/root/*.t: the daemon-mode tests that need Apache started
# as root (privilege drop, socket ownership, other local users).
#
#  - require_root: skip the file unless run as root.
#  - accounts: the test accounts, created when missing (idempotent), never
#    removed: Apache's User (WSGISCRIPT_USER, default wsgitest), a daemon
#    user wsgidaemon (a member of wsgiextra in /etc/group), another local
#    user wsgiother, groups wsgisupp1 and wsgisupp2 for supplementary-groups=,
#    and wsgidemo, the system user of the Debian-style site (04_debian_site.t).
#  - with_home: the daemon user's home directory for the duration of a test
#    (made if missing, removed again at the end if it was made here).
#  - server: a WsgiServer that runs its children as Apache's User.
#  - the identity app (app.wsgi) and the sitecustomize.py that records the
#    identity at the moment Python starts in each process (given to Apache
#    through PYTHONPATH).
use strict;
use warnings;

use Exporter 'import';
use Digest::MD5 ();
use File::Path ();
use JSON::PP ();
use LWP::UserAgent ();
use POSIX ();
use Test::More ();
use Time::HiRes ();
use WsgiServer;

our @EXPORT_OK = qw(require_root accounts with_home server get_json wait_log socket_path proc_status
                    apache_processes run_as write_file identity_app);

my $APACHE_USER = $ENV{WSGISCRIPT_USER} || 'wsgitest';

# Interrupted (^C, a closed pipe, a timeout's TERM): exit through the END
# blocks, which stop the servers and remove the homes made here.
$SIG{$_} = sub { exit 1 } for qw(INT TERM HUP PIPE);

sub require_root {
    Test::More::plan(skip_all => 'needs root: Apache must be started as root to drop daemon processes '
                                 . 'to other users (scripts/test runs this stage only as root)')
        unless $> == 0;
}

sub run {
    my @cmd = @_;
    system(@cmd) == 0 or die "@cmd: exit " . ($? >> 8) . "\n";
}

my %ACCOUNTS;
# { apache => {name, uid, gid}, daemon => ..., other => ..., groups => {name => gid} }
sub accounts {
    return \%ACCOUNTS if %ACCOUNTS;
    for my $g (qw(wsgiextra wsgisupp1 wsgisupp2)) {
        run('groupadd', $g) unless defined getgrnam($g);
    }
    run('useradd', '-M', '-s', '/bin/bash', $APACHE_USER) unless defined getpwnam($APACHE_USER);
    run('useradd', '-M', '-s', '/usr/sbin/nologin', '-G', 'wsgiextra', 'wsgidaemon')
        unless defined getpwnam('wsgidaemon');
    my @members = split ' ', (getgrnam('wsgiextra'))[3] // '';
    run('gpasswd', '-q', '-a', 'wsgidaemon', 'wsgiextra') unless grep { $_ eq 'wsgidaemon' } @members;
    for my $u (qw(wsgiother wsgidemo)) {
        run('useradd', '-M', '-s', '/usr/sbin/nologin', $u) unless defined getpwnam($u);
    }
    for ([ apache => $APACHE_USER ], [ daemon => 'wsgidaemon' ], [ other => 'wsgiother' ], [ site => 'wsgidemo' ]) {
        my($role, $name) = @$_;
        my @pw = getpwnam($name) or die "no user $name";
        $ACCOUNTS{$role} = { name => $name, uid => $pw[2], gid => $pw[3], home => $pw[7] };
    }
    for my $g (qw(wsgiextra wsgisupp1 wsgisupp2 wsgidaemon wsgidemo), $APACHE_USER) {
        my $gid = getgrnam($g);
        die "no group $g" unless defined $gid;
        $ACCOUNTS{groups}{$g} = $gid;
    }
    return \%ACCOUNTS;
}

my @MADE_HOMES;
# The home directory of $user (from passwd) exists, owned by the user, for
# this test; made here if missing and then removed at the end.
sub with_home {
    my $user = shift;
    my @pw = getpwnam($user) or die "no user $user";
    my $home = $pw[7];
    return $home if -d $home;
    File::Path::make_path($home, { mode => 0755 });
    chown $pw[2], $pw[3], $home;
    push @MADE_HOMES, $home;
    return $home;
}
END { File::Path::remove_tree($_) for @MADE_HOMES }

sub write_file {
    my($path, $text, $mode) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh;
    chmod $mode // 0644, $path;
}

# The app: what the process serving the request is (ids, groups, cwd,
# umask, capabilities, title), what it was when Python started (the
# sitecustomize hook) and when the script was imported, and the request's
# REMOTE_USER/REMOTE_ADDR. ?create=PATH makes a file (umask); ?connect=PATH
# tries a UNIX socket; ?remote=1 writes REMOTE_USER to wsgi.errors.
sub identity_app {
    return <<'PY';
import json, os, socket, sys
from urllib.parse import parse_qs

def snapshot():
    status = {}
    with open('/proc/self/status') as f:
        for line in f:
            k, _, v = line.partition(':')
            if k in ('Uid', 'Gid', 'Groups', 'Umask', 'CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'NoNewPrivs'):
                status[k] = v.split()
    with open('/proc/self/cmdline', 'rb') as f:
        cmdline = f.read().rstrip(b'\0').decode('latin-1')
    return {'pid': os.getpid(), 'ppid': os.getppid(), 'uid': os.getuid(), 'euid': os.geteuid(),
            'gid': os.getgid(), 'egid': os.getegid(), 'groups': sorted(os.getgroups()),
            'cwd': os.getcwd(), 'umask': status.get('Umask', ['?'])[0], 'status': status,
            'cmdline': cmdline}

try:
    import sitecustomize
    AT_START = getattr(sitecustomize, 'WSGISCRIPT_AT_START', None)
except ImportError:
    AT_START = None
AT_IMPORT = snapshot()
try:
    import mod_wsgi
    MODULE_GROUP = mod_wsgi.process_group
except (ImportError, AttributeError):
    MODULE_GROUP = None

def application(environ, start_response):
    q = {k: v[0] for k, v in parse_qs(environ.get('QUERY_STRING', '')).items()}
    out = {'now': snapshot(), 'at_start': AT_START, 'at_import': AT_IMPORT,
           'process_group': environ.get('mod_wsgi.process_group'),
           'module_process_group': MODULE_GROUP,
           'env': {k: os.environ.get(k) for k in ('HOME', 'USER', 'LOGNAME', 'USERNAME')},
           'application_group': environ.get('mod_wsgi.application_group'),
           'remote_user': environ.get('REMOTE_USER'), 'remote_addr': environ.get('REMOTE_ADDR')}
    if 'create' in q:
        path = q['create']
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        os.close(fd)
        st = os.stat(path)
        out['created'] = {'uid': st.st_uid, 'gid': st.st_gid, 'mode': '%04o' % (st.st_mode & 0o7777)}
    if 'connect' in q:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            s.connect(q['connect'])
            out['connect'] = 'connected'
        except OSError as e:
            out['connect'] = __import__('errno').errorcode.get(e.errno, str(e.errno))
        finally:
            s.close()
    if 'remote' in q:
        print('SERVED remote_user=%s remote_addr=%s' % (environ.get('REMOTE_USER'), environ.get('REMOTE_ADDR')),
              file=environ['wsgi.errors'])
    body = json.dumps(out).encode()
    start_response('200 OK', [('Content-Type', 'application/json'), ('Content-Length', str(len(body)))])
    return [body]
PY
}

# Imported by site at Python's start in every process of the server
# (PYTHONPATH): the identity at that moment.
my $SITECUSTOMIZE = <<'PY';
import os
def _snapshot():
    status = {}
    with open('/proc/self/status') as f:
        for line in f:
            k, _, v = line.partition(':')
            if k in ('Uid', 'Gid', 'Groups', 'Umask', 'CapEff'):
                status[k] = v.split()
    return {'pid': os.getpid(), 'uid': os.getuid(), 'euid': os.geteuid(), 'gid': os.getgid(),
            'egid': os.getegid(), 'groups': sorted(os.getgroups()), 'cwd': os.getcwd(),
            'umask': status.get('Umask', ['?'])[0], 'status': status}
WSGISCRIPT_AT_START = _snapshot()
del _snapshot
PY

# A WsgiServer whose children run as Apache's User, with the identity app
# at $root/app/app.wsgi and the sitecustomize hook in $root/pystart (given
# to Apache through PYTHONPATH by start()). %o as WsgiServer->new; conf
# text may use $root.
sub server {
    my %o = @_;
    my $acc = accounts();
    my $conf = "User $acc->{apache}{name}\nGroup #$acc->{apache}{gid}\n" . ($o{conf} // '');
    my $srv = WsgiServer->new(%o, conf => $conf);
    my $root = $srv->root;
    mkdir "$root/app";
    mkdir "$root/pystart";
    write_file("$root/app/app.wsgi", identity_app());
    write_file("$root/pystart/sitecustomize.py", $SITECUSTOMIZE);
    mkdir "$root/out";
    chmod 01777, "$root/out";
    return bless $srv, 'RootTest::Server';
}

sub get_json {
    my($srv, $path) = @_;
    my $res = LWP::UserAgent->new(timeout => 20)->get($srv->url($path));
    my $data = eval { JSON::PP::decode_json($res->decoded_content) };
    return ($res, $data);
}

# Wait until the error log matches $re $n times; the count seen.
sub wait_log {
    my($srv, $re, $n, $timeout) = @_;
    my $deadline = Time::HiRes::time() + ($timeout // 20);
    my $count = 0;
    while (1) {
        $count = () = $srv->slurp_log =~ /$re/g;
        return $count if $count >= $n || Time::HiRes::time() > $deadline;
        Time::HiRes::sleep(0.1);
    }
}

# The socket of daemon process group $name: DefaultRuntimeDir (the test
# servers' logs/) + "wsgiscript.<parent pid>.<md5(name) first 6 bytes>.sock".
sub socket_path {
    my($srv, $name) = @_;
    my $hex = substr(Digest::MD5::md5_hex($name), 0, 12);
    return $srv->root . "/logs/wsgiscript." . $srv->pid . ".$hex.sock";
}

# Fields of /proc/PID/status: { Uid => [r, e, s, fs], ... }
sub proc_status {
    my $pid = shift;
    my %st;
    open my $fh, '<', "/proc/$pid/status" or return;
    while (my $line = <$fh>) {
        my($k, $v) = $line =~ /^(\w+):\s*(.*)$/ or next;
        $st{$k} = [ split ' ', $v ];
    }
    return \%st;
}

# Every process whose parent is $ppid: [ { pid, uids => [...], cmdline } ]
sub apache_processes {
    my $ppid = shift;
    my @out;
    for my $dir (glob '/proc/[0-9]*') {
        my($pid) = $dir =~ m{(\d+)$};
        my $st = proc_status($pid) or next;
        next unless ($st->{PPid}[0] // -1) == $ppid;
        open my $fh, '<', "$dir/cmdline" or next;
        my $cmd = do { local $/; <$fh> } // '';
        $cmd =~ s/\0+$//; $cmd =~ s/\0/ /g;
        push @out, { pid => $pid, uids => $st->{Uid}, gids => $st->{Gid}, cmdline => $cmd };
    }
    return \@out;
}

# Run @cmd as $user (runuser); its stdout, and $? as exit status.
sub run_as {
    my($user, @cmd) = @_;
    open my $fh, '-|', 'runuser', '-u', $user, '--', @cmd or die "runuser: $!";
    local $/;
    my $out = <$fh> // '';
    close $fh;
    return $out;
}

package RootTest::Server;
our @ISA = ('WsgiServer');

# Started with the sitecustomize hook on PYTHONPATH and umask $o{umask}
# (default 022) in effect, so the daemons' inherited umask is known.
sub start {
    my($self, %o) = @_;
    local $ENV{PYTHONPATH} = $self->root . '/pystart';
    my $old = umask($o{umask} // 022);
    my $ok = $self->SUPER::start();
    umask $old;
    return $ok;
}

1;
