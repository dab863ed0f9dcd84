package LifecycleServer;
# For the standalone lifecycle tests (t/standalone/1[45]_lifecycle_*.t): a
# WsgiServer with t/lifecycle/app.wsgi staged in its root (side-effect files
# in ROOT/logs/lc) and t/pylib on WSGIPythonPath; HTTP/1.1 requests on raw
# sockets (sent now, read later, several on one keep-alive connection); and
# the daemon processes as /proc shows them.
use strict;
use warnings;

use Exporter 'import';
use File::Copy ();
use FindBin;
use IO::Select ();
use IO::Socket::INET ();
use JSON::PP ();
use Time::HiRes ();
use WsgiServer;

our @EXPORT_OK = qw(lifecycle_server connect_http send_get send_request read_response get_json
                    alive wait_gone daemon_pids mark_path rss_kb);

# new WsgiServer; $conf may use $root and $app (the staged script)
sub lifecycle_server {
    my(%o) = @_;
    my $pylib = "$FindBin::Bin/../pylib";
    my $conf = "WSGIPythonPath $pylib\n" . ($o{conf} // '');
    $conf =~ s/\$app\b/\$root\/app.wsgi/g;
    my $srv = WsgiServer->new(%o, conf => $conf);
    File::Copy::copy("$FindBin::Bin/../lifecycle/app.wsgi", $srv->root . '/app.wsgi') or die "app.wsgi: $!";
    chmod 0644, $srv->root . '/app.wsgi';
    mkdir $srv->root . '/logs/lc';
    chmod 0777, $srv->root . '/logs/lc';  # the daemon processes' user writes there
    return $srv;
}

sub mark_path { my($srv, $name) = @_; $srv->root . "/logs/lc/$name" }

sub connect_http {
    my $srv = shift;
    return IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $srv->port, Timeout => 10)
        || die "connect to port " . $srv->port . ": $!";
}

# send GET $path on $sock (keep-alive unless $close)
sub send_get {
    my($sock, $path, $close) = @_;
    my $conn = $close ? 'close' : 'keep-alive';
    print {$sock} "GET $path HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: $conn\r\n\r\n";
}

# send METHOD $path with $body (if defined) on $sock
sub send_request {
    my($sock, $method, $path, $body, $close) = @_;
    my $conn = $close ? 'close' : 'keep-alive';
    my $len = defined $body ? "Content-Length: " . length($body) . "\r\nContent-Type: application/octet-stream\r\n" : '';
    my $msg = "$method $path HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: $conn\r\n$len\r\n" . ($body // '');
    while (length $msg) {
        my $n = syswrite $sock, $msg;
        return 0 unless $n;
        substr($msg, 0, $n) = '';
    }
    return 1;
}

# one response from $sock (Content-Length or chunked or to EOF), waiting up to
# $timeout s: { code, head, body, json, secs (from $t0 if given), error }
sub read_response {
    my($sock, $timeout, $t0) = @_;
    $timeout ||= 60;
    my $deadline = Time::HiRes::time() + $timeout;
    my $sel = IO::Select->new($sock);
    my $buf = '';
    my $timed_out = 0;
    my $more = sub {
        my $left = $deadline - Time::HiRes::time();
        if ($left <= 0 || !$sel->can_read($left)) { $timed_out = 1; return 0 }
        my $n = sysread $sock, $buf, 65536, length $buf;
        return $n ? 1 : 0;
    };
    my %r = (code => 0, body => '');
    while ($buf !~ /\r\n\r\n/) {
        $more->() or do {
            $r{error} = $timed_out ? "timeout ($timeout s)" : length $buf ? 'cut in the head' : 'closed';
            return done(\%r, $t0);
        };
    }
    my($head, $rest) = split /\r\n\r\n/, $buf, 2;
    ($r{code}) = $head =~ m{^HTTP/1\.\d (\d{3})};
    $r{head} = $head;
    $buf = $rest;
    if ($head =~ /^Content-Length:\s*(\d+)/mi) {
        my $n = $1;
        while (length $buf < $n) { $more->() or do { $r{error} = 'cut in the body'; last } }
        $r{body} = substr $buf, 0, $n;
    }
    elsif ($head =~ /^Transfer-Encoding:\s*chunked/mi) {
        my $body = '';
        CHUNK: while (1) {
            while ($buf !~ /\r\n/) { $more->() or do { $r{error} = 'cut in the body'; last CHUNK } }
            $buf =~ s/^([0-9a-fA-F]+)[^\r\n]*\r\n// or do { $r{error} = 'bad chunk'; last };
            my $len = hex $1;
            last if $len == 0;
            while (length $buf < $len + 2) { $more->() or do { $r{error} = 'cut in the body'; last CHUNK } }
            $body .= substr $buf, 0, $len;
            substr($buf, 0, $len + 2) = '';
        }
        $r{body} = $body;
    }
    else {
        1 while $more->();
        $r{body} = $buf;
    }
    $r{error} = "timeout ($timeout s) in the body" if $timed_out && !$r{error};
    return done(\%r, $t0);
}

sub done {
    my($r, $t0) = @_;
    $r->{secs} = Time::HiRes::time() - $t0 if defined $t0;
    $r->{json} = eval { JSON::PP::decode_json($r->{body}) } if $r->{code} && $r->{body} =~ /^\{/;
    return $r;
}

# GET on a connection of its own
sub get_json {
    my($srv, $path, $timeout) = @_;
    my $t0 = Time::HiRes::time();
    my $s = connect_http($srv);
    send_get($s, $path, 1);
    my $r = read_response($s, $timeout, $t0);
    close $s;
    return $r;
}

sub alive {
    my $pid = shift;
    return 0 unless $pid && kill 0, $pid;
    open my $fh, '<', "/proc/$pid/stat" or return 0;
    my $stat = <$fh> // return 0;
    return $stat !~ /\) Z /;  # a zombie has ended
}

# wait up to $timeout s for $pid to end: the time it took, or undef
sub wait_gone {
    my($pid, $timeout, $t0) = @_;
    $t0 //= Time::HiRes::time();
    my $deadline = Time::HiRes::time() + $timeout;
    while (Time::HiRes::time() < $deadline) {
        return Time::HiRes::time() - $t0 unless alive($pid);
        Time::HiRes::sleep(0.05);
    }
    return alive($pid) ? undef : Time::HiRes::time() - $t0;
}

# pids of the processes whose parent is $ppid and whose title is (wsgi:$group)
sub daemon_pids {
    my($ppid, $group) = @_;
    my @pids;
    opendir my $d, '/proc' or return;
    for my $pid (grep { /^\d+$/ } readdir $d) {
        open my $fh, '<', "/proc/$pid/stat" or next;
        my $stat = <$fh> // next;
        my($state, $pp) = $stat =~ /\) (\S) (\d+)/ or next;
        next unless $pp == $ppid && $state ne 'Z';
        open my $c, '<', "/proc/$pid/cmdline" or next;
        my $cmd = <$c> // '';
        $cmd =~ s/\0+$//;
        push @pids, $pid if !defined $group ? $cmd =~ /^\(wsgi:/ : $cmd eq "(wsgi:$group)";
    }
    return sort { $a <=> $b } @pids;
}

sub rss_kb {
    my $pid = shift;
    open my $fh, '<', "/proc/$pid/status" or return;
    while (<$fh>) { return $1 if /^VmRSS:\s+(\d+)\s+kB/ }
    return;
}

1;
