package LifecycleTest;
# Helpers of t/14_lifecycle: one request at a time on a connection of its own
# (never a kept one, so that no Apache child is held between requests: the
# prefork MPM of Apache::Test has only 3), requests in the background
# (forked), the side-effect files of t/lifecycle/app.wsgi, and the error-log
# lines of the daemon process lifecycle.
use strict;
use warnings;

use Exporter 'import';
use File::Path qw(make_path);
use JSON::PP ();
use LWP::UserAgent ();
use POSIX ();
use Storable ();
use Time::HiRes ();
use Time::Local ();
use WsgiTest qw(t_root url log_offset log_since wait_log);

our @EXPORT_OK = qw(get post bg pid_of marks_dir mark_file read_mark wait_for
                    replaced_re retiring_re started_pid poll_log line_time);

# GET $path: { code, body, json (if the body is JSON), secs, header => {...} }
sub get { request(GET => @_) }

# POST $body to $path (%o as get's)
sub post { my($path, $body, %o) = @_; request(POST => $path, %o, content => $body) }

sub request {
    my($method, $path, %o) = @_;
    my $ua = LWP::UserAgent->new(keep_alive => 0, timeout => $o{timeout} || 60);
    my $t0 = Time::HiRes::time();
    my $res = $method eq 'POST'
        ? $ua->post(url($path), 'Connection' => 'close', 'Content-Type' => 'application/octet-stream',
                    Content => $o{content})
        : $ua->get(url($path), 'Connection' => 'close');
    my %r = (code => $res->code, secs => Time::HiRes::time() - $t0, body => $res->content,
             header => { map { lc($_) => scalar $res->header($_) } $res->header_field_names },
             message => $res->message);
    $r{json} = eval { JSON::PP::decode_json($r{body}) } if ($r{header}{'content-type'} // '') =~ /json/;
    return \%r;
}

# GET $path in a forked process; ->wait gives what get() gives.
sub bg {
    my($path, %o) = @_;
    my $file = marks_dir() . "/.bg.$$." . int(rand(1e9));
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        my $r = eval { get($path, %o) } || { code => 0, body => "$@" };
        Storable::nstore($r, "$file.tmp");
        rename "$file.tmp", $file;
        POSIX::_exit(0);
    }
    return bless { pid => $pid, file => $file, path => $path }, 'LifecycleTest::Bg';
}

sub LifecycleTest::Bg::wait {
    my $self = shift;
    waitpid $self->{pid}, 0 if $self->{pid};
    $self->{pid} = 0;
    my $r = eval { Storable::retrieve($self->{file}) } || { code => 0, body => 'no result' };
    unlink $self->{file};
    return $r;
}

sub LifecycleTest::Bg::done { my $self = shift; !$self->{pid} || waitpid($self->{pid}, POSIX::WNOHANG()) != 0 }

sub pid_of {
    my $r = get(@_);
    return $r->{code} == 200 && $r->{json} ? $r->{json}{pid} : undef;
}

sub marks_dir {
    my $d = t_root() . '/logs/lc';
    make_path($d) unless -d $d;
    return $d;
}

sub mark_file { marks_dir() . '/' . shift }

# [pid, time] from a mark written by the app, or ()
sub read_mark {
    open my $fh, '<', mark_file(shift) or return;
    my $line = <$fh> // return;
    return split ' ', $line;
}

# poll $cond every 0.1 s for up to $timeout s; returns its last value
sub wait_for {
    my($cond, $timeout) = @_;
    my $deadline = Time::HiRes::time() + ($timeout || 10);
    while (1) {
        my $v = $cond->();
        return $v if $v || Time::HiRes::time() > $deadline;
        Time::HiRes::sleep(0.1);
    }
}

# the error log since $off once it matches $re (else what is there after $timeout s)
sub poll_log { my($off, $re, $timeout) = @_; wait_log($off, $re, $timeout || 15) }

# The Apache parent's line for a replacement: old pid, group, reason, new pid ($1).
sub replaced_re {
    my($old, $group, $reason, $level) = @_;
    $level ||= 'info';
    return qr/\[wsgiscript:\Q$level\E\][^\n]*WSGIS0607: daemon process \Q$old\E of group '\Q$group\E' ended \(\Q$reason\E\); replaced by (\d+)/;
}

sub retiring_re {
    my($pid, $group, $reason) = @_;
    return qr/\[wsgiscript:info\][^\n]*WSGIS0604: daemon process \Q$pid\E of group '\Q$group\E' is retiring: \Q$reason\E/;
}

# the pid of the last process of $group that logged its start (WSGIS0600) in $text
sub started_pid {
    my($text, $group) = @_;
    my @p = $text =~ /WSGIS0600: daemon process (\d+) of group '\Q$group\E' started/g;
    return $p[-1];
}

my %MON = (Jan => 0, Feb => 1, Mar => 2, Apr => 3, May => 4, Jun => 5,
           Jul => 6, Aug => 7, Sep => 8, Oct => 9, Nov => 10, Dec => 11);

# The time (epoch seconds, with the microseconds) of the first line of $text
# that matches $re: "[Tue Dec 01 01:30:37.732401 2026] ..."; undef if none.
sub line_time {
    my($text, $re) = @_;
    for my $line (split /\n/, $text) {
        next unless $line =~ $re;
        my($mon, $d, $h, $m, $s, $us, $y) =
            $line =~ /^\[\w+ (\w+) (\d+) (\d+):(\d+):(\d+)\.(\d+) (\d+)\]/ or next;
        return Time::Local::timelocal($s, $m, $h, $d, $MON{$mon}, $y) + $us / 1e6;
    }
    return;
}

1;
