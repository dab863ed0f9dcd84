# Every WSGIDaemonProcess option that works without root, as the
# application in the daemon process sees it (t/daemon/info.wsgi), next to
# the same script embedded (/d13/embedded):
#   processes=  the number of processes `ps` shows under the Apache parent,
#               mod_wsgi.maximum_processes, wsgi.multiprocess (True when
#               written, also for processes=1, False when not: mod_wsgi's rule)
#   threads=    mod_wsgi.threads_per_process, wsgi.multithread (False for 1)
#               (that threads= requests really run at once: threads.t)
#   display-name=  the title `ps` shows ('(wsgi:NAME)' for %{GROUP}, or the
#               value) and the thread name (comm, 15 bytes)
#   home=       the working directory (without it: Apache's, '/', as embedded)
#   umask=      the umask (without it: Apache's, as embedded)
#   python-home=  sys.prefix is the virtual environment t/daemon/venv, its
#               site-packages is on sys.path, the system's are not
#   python-path=  its directory on sys.path, in place of WSGIPythonPath's
#               (without it: WSGIPythonPath's, as embedded)
#   lang=, locale=  LANG and LC_ALL, and the LC_CTYPE Python started with
#   python-eggs=  PYTHON_EGG_CACHE
#   user=, group=, supplementary-groups=  accepted and ignored: Apache runs
#               unprivileged, so the daemon runs as Apache's user with its
#               groups (as mod_wsgi; the root stage checks them applied)
#   graceful-timeout=, shutdown-timeout=  accepted (their effect:
#               t/standalone/13_daemon_server.t)
# and that daemon processes are children of the Apache parent, not of an
# Apache child. inactivity-timeout=: idle.t.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url t_root log_since);
use DaemonTest qw(info_of group_pids ps_args children_of);

my $root = t_root();
my $ua = ua();

my($r, $emb) = info_of($ua, url('/d13/embedded/info'));
is $r->code, 200, 'embedded: 200';
is $emb->{process_group}, '', "embedded: mod_wsgi.process_group ''";
my $parent = $emb->{ppid};
ok $parent && $parent > 1, "the Apache parent is $parent (the embedded child's parent)";

my %d;
for my $g (qw(main b opts idle)) {
    ($r, $d{$g}) = info_of($ua, url("/d13/$g/info"));
    is $r->code, 200, "/d13/$g: 200";
}
my %name = (main => 'd13', b => 'd13-b', opts => 'd13-opts', idle => 'd13-idle');
for my $g (sort keys %d) {
    my $d = $d{$g};
    is $d->{process_group}, $name{$g}, "$name{$g}: mod_wsgi.process_group is the group's name";
    isnt $d->{pid}, $emb->{pid}, "$name{$g}: not served by the Apache child";
    is $d->{ppid}, $parent, "$name{$g}: a child of the Apache parent";
}

# --- processes= and threads= as the application sees them ------------------------
is $d{main}{maximum_processes}, 2, 'processes=2: mod_wsgi.maximum_processes 2';
is $d{main}{threads_per_process}, 4, 'threads=4: mod_wsgi.threads_per_process 4';
is $d{main}{multiprocess}, 'True', 'processes=2: wsgi.multiprocess True';
is $d{main}{multithread}, 'True', 'threads=4: wsgi.multithread True';
is $d{b}{maximum_processes}, 1, 'processes=1: mod_wsgi.maximum_processes 1';
is $d{b}{multiprocess}, 'True', 'processes=1 written: wsgi.multiprocess True (as mod_wsgi)';
is $d{opts}{maximum_processes}, 1, 'no processes=: one process';
is $d{opts}{multiprocess}, 'False', 'no processes=: wsgi.multiprocess False';
is $d{opts}{threads_per_process}, 2, 'threads=2: mod_wsgi.threads_per_process 2';
is $d{idle}{threads_per_process}, 1, 'threads=1: mod_wsgi.threads_per_process 1';
is $d{idle}{multithread}, 'False', 'threads=1: wsgi.multithread False';

# --- processes= and display-name= as ps shows them -------------------------------
my @main_pids = group_pids($parent, '(wsgi:d13)');
is scalar(@main_pids), 2, 'processes=2: two processes titled (wsgi:d13) under the Apache parent'
    or diag join "\n", map { "$_: " . (ps_args($_) // '?') } children_of($parent);
ok((grep { $_ == $d{main}{pid} } @main_pids), 'the process that answered is one of them');
is ps_args($d{main}{pid}), '(wsgi:d13)', "display-name=%{GROUP}: ps shows '(wsgi:d13)'";
is $d{main}{comm}, '(wsgi:d13)', 'display-name=%{GROUP}: thread name (comm) too';
is scalar(group_pids($parent, '(wsgi:d13-b)')), 1, 'processes=1: one process titled (wsgi:d13-b)';
is ps_args($d{opts}{pid}), 'd13-custom-title', "display-name=d13-custom-title: ps shows it";
is $d{opts}{comm}, substr('d13-custom-title', 0, 15), 'display-name=: comm is its first 15 bytes';
like $emb->{title}, qr{apache2}, 'embedded: the Apache child keeps its own title';

# --- accounts: user=, group=, supplementary-groups= ignored unprivileged ---------
SKIP: {
    skip 'Apache runs as root: user=/group= apply (the root stage checks them)', 4 if $emb->{euid} == 0;
    is $d{opts}{uid}, $emb->{uid}, "user=www-data ignored: uid $emb->{uid}, Apache's";
    is $d{opts}{gid}, $emb->{gid}, "group=www-data ignored: gid $emb->{gid}, Apache's";
    is_deeply $d{opts}{groups}, $emb->{groups}, 'supplementary-groups=adm ignored: the same groups as Apache';
    like log_since(0), qr/WSGIS0600: daemon process $d{opts}{pid} of group 'd13-opts' started \(uid $emb->{uid}, gid $emb->{gid}, 2 thread\(s\)\)/,
        'WSGIS0600 says the uid and gid it runs as';
}
is $d{main}{uid}, $emb->{uid}, 'no user=: the uid of the Apache child';
is $d{main}{gid}, $emb->{gid}, 'no group=: the gid of the Apache child';

# --- home=, umask= -------------------------------------------------------------------
is $d{opts}{cwd}, "$root/daemon", 'home=: the working directory';
is $d{main}{cwd}, $emb->{cwd}, "no home=: the working directory of Apache ($emb->{cwd}), as embedded";
is $d{opts}{umask}, '0027', 'umask=0027';
is $d{main}{umask}, $emb->{umask}, "no umask=: Apache's umask ($emb->{umask}), as embedded";

# --- python-home=, python-path= -------------------------------------------------------
is $d{opts}{prefix}, "$root/daemon/venv", 'python-home=venv: sys.prefix is the virtual environment';
is $d{opts}{base_prefix}, '/usr', 'python-home=venv: sys.base_prefix is the system Python';
ok $d{opts}{importable}{d13_venv_marker}, "python-home=venv: the venv's site-packages is on sys.path";
ok !(grep { m{/dist-packages$} } @{ $d{opts}{path} }), "python-home=venv: the system's dist-packages are not"
    or diag explain $d{opts}{path};
ok((grep { $_ eq "$root/daemon/extra" } @{ $d{opts}{path} }), 'python-path=: its directory on sys.path');
ok $d{opts}{importable}{d13_extra_marker}, 'python-path=: a module there imports';
ok !$d{opts}{importable}{wsgitest_util}, "python-path= replaces WSGIPythonPath (t/pylib not on sys.path)";
is $d{main}{prefix}, $emb->{prefix}, "no python-home=: WSGIPythonHome's sys.prefix ($emb->{prefix}), as embedded";
is_deeply $d{main}{path}, $emb->{path}, 'no python-path=: the same sys.path as embedded (WSGIPythonPath)';
ok !$d{main}{importable}{d13_extra_marker}, 'no python-path=: the extra directory is not on sys.path';

# --- lang=, locale=, python-eggs= -------------------------------------------------------
is $d{opts}{env}{LANG}, 'POSIX', 'lang=POSIX: LANG';
is $d{opts}{env}{LC_ALL}, 'C.utf8', 'locale=C.utf8: LC_ALL';
is $d{opts}{lc_ctype}, 'C.utf8', 'locale=: the LC_CTYPE Python started with';
is $d{opts}{env}{PYTHON_EGG_CACHE}, "$root/logs", 'python-eggs=: PYTHON_EGG_CACHE';
is $d{main}{env}{LANG}, $emb->{env}{LANG}, 'no lang=: LANG as embedded';
is $d{main}{env}{LC_ALL}, $emb->{env}{LC_ALL}, 'no locale=: LC_ALL as embedded';
is $d{main}{env}{PYTHON_EGG_CACHE}, undef, 'no python-eggs=: no PYTHON_EGG_CACHE';

done_testing;
