# Daemon processes run as the user and groups their WSGIDaemonProcess gives
# (Apache started as root, children as Apache's User): user=, group=,
# supplementary-groups=, umask=, home= and their defaults (Apache's
# User/Group, the user's groups from /etc/group, the user's home directory
# when user= is given, Apache's umask and working directory). Each group's
# app reports its real/effective/saved/filesystem ids (/proc/self/status),
# groups, capabilities, cwd, umask, a file it creates, and the same
# identity recorded by sitecustomize at the moment Python started in that
# process (so the drop happened before Python ran any code). Every process
# of the server but the parent runs without root; each group's socket
# belongs to Apache's User and nobody else may use it. The same
# configuration under Debian's mod_wsgi 4.9.4 gives the same identities.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";
use Test::More;
use File::Temp ();
use RootTest qw(require_root accounts with_home server get_json wait_log socket_path proc_status
                apache_processes);

require_root();
my $acc = accounts();
my $daemon_home = with_home('wsgidaemon');
my $mod_wsgi = '/usr/lib/apache2/modules/mod_wsgi.so';
my $start_umask = 027;  # Apache is started with it: the daemons' default umask

# The groups a process gets from initgroups(user, gid): gid and every group
# listing the user as a member in /etc/group.
sub init_groups {
    my($user, $gid) = @_;
    my %g = ($gid => 1);
    setgrent();
    while (my @gr = getgrent()) {
        $g{ $gr[2] } = 1 if grep { $_ eq $user } split ' ', $gr[3];
    }
    endgrent();
    return [ sort { $a <=> $b } keys %g ];
}

my($A, $D) = ($acc->{apache}, $acc->{daemon});
my $G = $acc->{groups};
my %groups = (
    d_default => { opts => '', uid => $A->{uid}, gid => $A->{gid}, groups => init_groups($A->{name}, $A->{gid}),
                   cwd => '/', umask => $start_umask, user => $A },
    d_user => { opts => 'user=wsgidaemon', uid => $D->{uid}, gid => $A->{gid},
                groups => init_groups('wsgidaemon', $A->{gid}), cwd => $daemon_home, umask => $start_umask,
                user => $D },
    d_group => { opts => "user=wsgidaemon group=wsgidaemon umask=0077 display-name='%{GROUP}'", uid => $D->{uid},
                 gid => $G->{wsgidaemon}, groups => init_groups('wsgidaemon', $G->{wsgidaemon}),
                 cwd => $daemon_home, umask => 077, title => '(wsgi:d_group)', user => $D },
    d_supp => { opts => 'user=wsgidaemon group=wsgidaemon supplementary-groups=wsgisupp1,wsgisupp2',
                uid => $D->{uid}, gid => $G->{wsgidaemon},
                groups => [ sort { $a <=> $b } $G->{wsgidaemon}, $G->{wsgisupp1}, $G->{wsgisupp2} ],
                cwd => $daemon_home, umask => $start_umask, user => $D },
    d_home => { opts => 'user=wsgidaemon home=$root/apphome', uid => $D->{uid}, gid => $A->{gid},
                groups => init_groups('wsgidaemon', $A->{gid}), cwd => 'ROOT/apphome', umask => $start_umask,
                user => $D },
    d_numeric => { opts => "user=#$D->{uid} group=#$G->{wsgidaemon}", uid => $D->{uid}, gid => $G->{wsgidaemon},
                   groups => init_groups('wsgidaemon', $G->{wsgidaemon}), cwd => $daemon_home,
                   umask => $start_umask, user => $D },
);
my @names = sort keys %groups;
ok grep({ $_ == $G->{wsgiextra} } @{ $groups{d_user}{groups} }),
    'set-up: wsgidaemon is a member of wsgiextra in /etc/group (what initgroups adds)';

my $conf = '';
for my $n (@names) {
    $conf .= "WSGIDaemonProcess $n processes=1 threads=2 $groups{$n}{opts}\n";
    $conf .= "WSGIScriptAlias /$n \$root/app/app.wsgi process-group=$n application-group=%{GLOBAL}\n";
}
$conf .= "<Directory \$root/app>\n    Require all granted\n</Directory>\n";

# Start a server (our module, or mod_wsgi with $load), ask every group who
# it is; { name => report }, and the server (stopped) for its log.
sub run_server {
    my($label, $load) = @_;
    my $srv = server(name => "identity-$label", conf => $conf, $load ? (load => $load) : ());
    my $root = $srv->root;
    mkdir "$root/apphome";
    # As a root shell (or sudo) would start Apache: HOME and USER are root's.
    local @ENV{qw(HOME USER LOGNAME)} = ('/root', 'root', 'root');
    ok $srv->start(umask => $start_umask), "$label: apache2 starts as root" or diag $srv->slurp_log;
    my %report;
    for my $n (@names) {
        my($res, $data);
        for (1 .. 50) {  # the daemon may still be starting
            ($res, $data) = get_json($srv, "/$n?create=$root/out/$n");
            last if $res->code == 200;
            select undef, undef, undef, 0.2;
        }
        is $res->code, 200, "$label $n: answers" or diag $res->as_string;
        $report{$n} = $data;
    }
    return ($srv, \%report);
}

my($srv, $report) = run_server('mod_wsgiscript');
my $root = $srv->root;
for my $n (@names) {
    my $e = $groups{$n};
    my $r = $report->{$n} or next;
    my($now, $start) = ($r->{now}, $r->{at_start});
    (my $cwd = $e->{cwd}) =~ s/^ROOT/$root/;
    is_deeply $now->{status}{Uid}, [ ($e->{uid}) x 4 ], "$n: real, effective, saved and fs uid are $e->{uid}";
    is_deeply $now->{status}{Gid}, [ ($e->{gid}) x 4 ], "$n: real, effective, saved and fs gid are $e->{gid}";
    is_deeply $now->{groups}, $e->{groups}, "$n: groups are @{ $e->{groups} }";
    is $now->{status}{CapEff}[0], '0000000000000000', "$n: no effective capabilities";
    is $now->{status}{CapPrm}[0], '0000000000000000', "$n: no permitted capabilities";
    is $now->{cwd}, $cwd, "$n: working directory $cwd";
    is $now->{umask}, sprintf('%04o', $e->{umask}), sprintf("$n: umask %04o", $e->{umask});
    is_deeply $r->{created}, { uid => $e->{uid}, gid => $e->{gid}, mode => sprintf('%04o', 0666 & ~$e->{umask}) },
        "$n: a file it creates belongs to its uid/gid, mode 0666 less the umask";
    ok $start && $start->{pid} == $now->{pid}, "$n: sitecustomize ran at Python's start in this process"
        or diag explain $start;
    is_deeply [ @$start{qw(uid euid gid egid groups cwd umask)} ], [ @$now{qw(uid euid gid egid groups cwd umask)} ],
        "$n: the identity was already dropped when Python started (uid, gid, groups, cwd, umask)";
    is_deeply $start->{status}{Uid}, [ ($e->{uid}) x 4 ], "$n: ... with no saved root uid at Python's start";
    if ($e->{title}) {
        like $now->{cmdline}, qr/^\Q$e->{title}\E/, "$n: display-name shows as $e->{title}";
    }
    is $r->{module_process_group}, $n, "$n: mod_wsgi.process_group is '$n'";
    is $r->{process_group}, $n, "$n: environ['mod_wsgi.process_group'] is '$n'";
    # as mod_wsgi: HOME, and USER/LOGNAME where set, name the daemon's user
    is $r->{env}{HOME}, $e->{user}{home}, "$n: HOME is the daemon user's home ($e->{user}{home})";
    is $r->{env}{USER}, $e->{user}{name}, "$n: USER is $e->{user}{name}";
    is $r->{env}{LOGNAME}, $e->{user}{name}, "$n: LOGNAME is $e->{user}{name}";

    my $sock = socket_path($srv, $n);
    my @st = lstat $sock;
    ok @st && -S _, "$n: socket $sock exists" or next;
    is $st[4], $A->{uid}, "$n: the socket belongs to Apache's User ($A->{name})";
    is $st[2] & 077, 0, sprintf("$n: no permission for group or others (mode %04o)", $st[2] & 07777);
}

my $log = $srv->slurp_log;
for my $n (@names) {
    my $e = $groups{$n};
    like $log, qr/WSGIS0600: daemon process \d+ of group '$n' started \(uid $e->{uid}, gid $e->{gid},/,
        "$n: WSGIS0600 names uid $e->{uid} and gid $e->{gid}";
}

# Nothing but the parent keeps root: the children, the daemons.
my $procs = apache_processes($srv->pid);
my %daemon_pid = map { ($report->{$_}{now}{pid} // 0) => $_ } @names;
my @rooted = grep { grep { $_ == 0 } @{ $_->{uids} } } @$procs;
is scalar(@rooted), 0, 'no process of the server but the parent has uid 0 (real, effective, saved or fs)'
    or diag explain \@rooted;
my @children = grep { !$daemon_pid{ $_->{pid} } } @$procs;
ok @children >= 1 && !grep({ $_->{uids}[1] != $A->{uid} } @children), "Apache's children run as $A->{name}"
    or diag explain $procs;
is scalar(grep { $daemon_pid{ $_->{pid} } } @$procs), scalar(@names), 'each group\'s daemon is a child of the parent';
my @crash = grep { /Segmentation fault|exit signal|WSGIS0603|WSGIS0607/ } split /\n/, $log;
is scalar(@crash), 0, 'no crash, start failure or daemon restart in the log' or diag join "\n", @crash;
$srv->cleanup;

# The reference: mod_wsgi 4.9.4 with the same configuration.
SKIP: {
    skip "$mod_wsgi not installed", 1 unless -f $mod_wsgi;
    my($ref_srv, $ref) = run_server('mod_wsgi', [ [ wsgi_module => $mod_wsgi ] ]);
    my $ref_root = $ref_srv->root;
    for my $n (@names) {
        my($ours, $theirs) = ($report->{$n}, $ref->{$n});
        next unless $ours && $theirs;
        (my $cwd = $theirs->{now}{cwd}) =~ s/^\Q$ref_root\E/$root/;
        is_deeply [ @{ $ours->{now} }{qw(uid gid groups umask)}, $ours->{now}{cwd} ],
                  [ @{ $theirs->{now} }{qw(uid gid groups umask)}, $cwd ],
            "$n: uid, gid, groups, umask and cwd as under mod_wsgi";
        is $ours->{module_process_group}, $theirs->{module_process_group}, "$n: mod_wsgi.process_group as mod_wsgi's";
        # what the tests above expect is what mod_wsgi does
        is $theirs->{process_group}, $n, "$n: reference: mod_wsgi's environ['mod_wsgi.process_group'] is '$n'";
        my $u = $groups{$n}{user};
        is_deeply [ @{ $theirs->{env} }{qw(HOME USER LOGNAME)} ], [ $u->{home}, $u->{name}, $u->{name} ],
            "$n: reference: mod_wsgi sets HOME, USER and LOGNAME to $u->{name}'s";
        if (my $title = $groups{$n}{title}) {
            diag "$n: process title: ours '$ours->{now}{cmdline}', mod_wsgi's '$theirs->{now}{cmdline}'"
                if $ENV{TEST_VERBOSE};
        }
    }
    $ref_srv->cleanup;
}

done_testing;
