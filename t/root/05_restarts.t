# The privilege drop holds on every path that starts a daemon process, not
# only the first start: a daemon killed (SIGKILL) is replaced by the root
# parent with one of the same identity, and so are the daemons of the next
# generation after `apache2 -k graceful` and `-k restart`; each time the
# socket is made again for Apache's User alone and no process but the
# parent keeps root.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";
use Test::More;
use Time::HiRes ();
use RootTest qw(require_root accounts with_home server get_json wait_log socket_path apache_processes);

require_root();
my $acc = accounts();
my($A, $D, $G) = @$acc{qw(apache daemon groups)};
my $home = with_home('wsgidaemon');
my @want_groups = sort { $a <=> $b } $G->{wsgidaemon}, $G->{wsgisupp1};

my $srv = server(name => 'restarts', conf => <<'CONF');
WSGIDaemonProcess kept processes=2 threads=2 user=wsgidaemon group=wsgidaemon supplementary-groups=wsgisupp1 umask=0007
WSGIScriptAlias /kept $root/app/app.wsgi process-group=kept application-group=%{GLOBAL}
<Directory $root/app>
    Require all granted
</Directory>
CONF
ok $srv->start, 'apache2 starts as root' or BAIL_OUT($srv->slurp_log);
my $parent = $srv->pid;

# Ask until a daemon answers that is not in %$old; its report.
sub fresh_report {
    my($old) = @_;
    my $deadline = Time::HiRes::time() + 20;
    while (Time::HiRes::time() < $deadline) {
        my($res, $data) = get_json($srv, '/kept');
        return $data if $res->code == 200 && $data && !$old->{ $data->{now}{pid} };
        Time::HiRes::sleep(0.1);
    }
    return;
}

sub check {
    my($when, $r) = @_;
    ok $r, "$when: a new daemon process answers" or return;
    my $now = $r->{now};
    is_deeply [ $now->{status}{Uid}, $now->{status}{Gid}, $now->{groups}, $now->{umask}, $now->{cwd} ],
              [ [ ($D->{uid}) x 4 ], [ ($G->{wsgidaemon}) x 4 ], \@want_groups, '0007', $home ],
        "$when: it runs as wsgidaemon:wsgidaemon + wsgisupp1, umask 0007, in $home";
    is_deeply [ @{ $r->{at_start} }{qw(uid gid groups umask)} ], [ @$now{qw(uid gid groups umask)} ],
        "$when: ... already when Python started";
    my @st = lstat socket_path($srv, 'kept');
    ok @st && -S _ && $st[4] == $A->{uid} && ($st[2] & 077) == 0,
        sprintf "$when: the socket belongs to %s, mode %04o", $A->{name}, @st ? $st[2] & 07777 : 0;
    my @rooted = grep { grep { $_ == 0 } @{ $_->{uids} } } @{ apache_processes($srv->pid) };
    is scalar(@rooted), 0, "$when: no process but the parent keeps root" or diag explain \@rooted;
}

my $first = fresh_report({});
check('first start', $first);
my %seen = ($first->{now}{pid} => 1);

# A daemon killed: the parent starts another one.
kill 'KILL', $first->{now}{pid};
is wait_log($srv, qr/WSGIS0607: daemon process $first->{now}{pid} of group 'kept' ended with exit status 9 \(or was killed by signal 9, Killed\); replaced by \d+/, 1), 1,
    'killed daemon: WSGIS0607 logged';
my $r = fresh_report(\%seen);
check('after SIGKILL', $r);
$seen{ $r->{now}{pid} } = 1 if $r;

for my $how (qw(graceful restart)) {
    # the daemons of this generation: the next one's are new processes
    $seen{ $_->{pid} } = 1 for grep { $_->{uids}[0] == $D->{uid} } @{ apache_processes($parent) };
    my $resumes = () = $srv->slurp_log =~ /resuming normal operations/g;
    ok $srv->signal($how), "apache2 -k $how";
    wait_log($srv, qr/resuming normal operations/, $resumes + 1);
    $r = fresh_report(\%seen);
    is $srv->pid, $parent, "-k $how: the same parent";
    check("after -k $how", $r);
    $seen{ $r->{now}{pid} } = 1 if $r;
}

my @crash = grep { /Segmentation fault|exit signal|WSGIS0603/ } split /\n/, $srv->slurp_log;
is scalar(@crash), 0, 'no crash or start failure' or diag join "\n", @crash;
$srv->cleanup;

done_testing;
