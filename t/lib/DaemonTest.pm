package DaemonTest;
# Helpers for the daemon-mode tests (t/13_daemon/*.t, t/standalone/13_*.t):
# the processes of a daemon process group as the system shows them (children
# of one Apache parent whose command line is the group's display-name), what
# `ps` prints for a process, and facts asked of t/daemon/info.wsgi.
use strict;
use warnings;

use Exporter 'import';
use JSON::PP ();
use Time::HiRes ();

our @EXPORT_OK = qw(children_of cmdline ps_args group_pids wait_until info_of
                    json_body pid_alive);

# Direct children of $ppid (from /proc).
sub children_of {
    my $ppid = shift;
    my @kids;
    opendir my $dh, '/proc' or return;
    for my $pid (grep { /^\d+$/ } readdir $dh) {
        open my $fh, '<', "/proc/$pid/stat" or next;
        my $stat = <$fh> // next;
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        my($rest) = $stat =~ /\)\s+(.*)$/ or next;
        my(undef, $pp) = split ' ', $rest;
        push @kids, $pid + 0 if $pp == $ppid;
    }
    return sort { $a <=> $b } @kids;
}

# A process's command line as one string (NULs as spaces, trimmed).
sub cmdline {
    my $pid = shift;
    open my $fh, '<', "/proc/$pid/cmdline" or return undef;
    local $/;
    my $s = <$fh> // '';
    $s =~ tr/\0/ /;
    $s =~ s/\s+$//;
    return $s;
}

# What `ps -o args=` shows for $pid (trimmed), undef when it is gone.
sub ps_args {
    my $pid = shift;
    my $out = `ps -o args= -p $pid 2>/dev/null`;
    return undef unless defined $out && length $out;
    $out =~ s/\s+$//;
    $out =~ s/^\s+//;
    return $out;
}

# The processes of one group: children of the Apache parent $ppid whose
# title is $title (for example '(wsgi:NAME)'), alone or followed by spaces
# and what is left of Apache's command line (see t/13_daemon/options.t and
# t/standalone/13_daemon_server.t for what the title should be exactly).
sub group_pids {
    my($ppid, $title) = @_;
    return grep { (cmdline($_) // '') =~ /^\Q$title\E(?:\s|\z)/ } children_of($ppid);
}

sub pid_alive { my $pid = shift; $pid && -e "/proc/$pid" && (cmdline($pid) // '') ne '' }

# Poll $cond every 0.1 s for at most $timeout s; its last value.
sub wait_until {
    my($cond, $timeout) = @_;
    my $deadline = Time::HiRes::time() + ($timeout || 10);
    while (1) {
        my $v = $cond->();
        return $v if $v || Time::HiRes::time() > $deadline;
        Time::HiRes::sleep(0.1);
    }
}

sub json_body {
    my $res = shift;
    return eval { JSON::PP::decode_json($res->decoded_content) };
}

# GET $url with $ua (headers optional): (response, decoded JSON or {}).
sub info_of {
    my($ua, $url, @headers) = @_;
    my $res = $ua->get($url, @headers);
    return ($res, json_body($res) || {});
}

1;
