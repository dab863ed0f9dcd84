package PepTest;
# Helpers for the tests that need to see the wire (first written for the
# PEP 3333 tests; now used in 05_environ to 10_frameworks and 12_output):
# raw HTTP over IO::Socket::INET (to see exactly what went over the wire:
# chunk framing, injected headers, a connection closed early), a response
# parser that says whether the body was complete, marker files written by
# the apps, a child's VmRSS, and error_log reading that waits for the log to
# settle.
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use Apache::TestRequest ();
use IO::Select ();
use IO::Socket::INET ();
use JSON::PP ();
use Time::HiRes ();
use WsgiTest qw(t_root log_offset log_since settled_log_since);  # re-exported

our @EXPORT_OK = qw(hostport vhostport connect_to raw_http read_all parse_http
                    settled_log_since logs_dir wait_file slurp json_of
                    error_lines wsgis_lines read_response vmrss_kib rss_limit_kib send_all);

sub hostport {
    my $vhost = shift;
    local $Apache::TestRequest::Module = $vhost if defined $vhost;
    return Apache::TestRequest::hostport(Apache::Test::config());
}
sub vhostport { hostport(@_) }

sub logs_dir { t_root() . '/logs' }

sub connect_to {
    my $vhost = shift;
    my $sock = IO::Socket::INET->new(PeerAddr => hostport($vhost), Timeout => 30)
        or die "connect: $!";
    binmode $sock;
    return $sock;
}

# Read until EOF (or $timeout seconds without data); returns the bytes.
sub read_all {
    my($sock, $timeout) = @_;
    $timeout ||= 60;
    my $sel = IO::Select->new($sock);
    my $buf = '';
    while ($sel->can_read($timeout)) {
        my $n = sysread $sock, $buf, 65536, length $buf;
        last unless $n;
    }
    return $buf;
}

# Write all of $data to $sock (syswrite may take less than it is given).
sub send_all {
    my($sock, $data) = @_;
    my $off = 0;
    while ($off < length $data) {
        my $n = syswrite $sock, $data, length($data) - $off, $off;
        die "write: $!" unless defined $n;
        $off += $n;
    }
}

# raw_http($request_bytes, vhost => NAME, timeout => S): one request on a new
# connection; the server's bytes until it closes the connection.
sub raw_http {
    my($req, %o) = @_;
    my $sock = connect_to($o{vhost});
    send_all($sock, $req);
    my $raw = read_all($sock, $o{timeout});
    close $sock;
    return $raw;
}

# parse_http($raw) -> hashref: status line, code, head (raw header block),
# headers {lc name => [values]}, body (de-chunked), chunked (bool),
# complete (final chunk seen / Content-Length bytes all there), rest (bytes
# after a complete body).
sub parse_http {
    my $raw = shift;
    my %r = (raw => $raw, complete => 0, chunked => 0, body => '', headers => {});
    my $i = index $raw, "\r\n\r\n";
    return \%r if $i < 0;
    my $head = substr $raw, 0, $i;
    my $rest = substr $raw, $i + 4;
    $r{head} = $head;
    my @lines = split /\r\n/, $head;
    $r{status} = shift @lines;
    ($r{code}) = $r{status} =~ m{^HTTP/\d\.\d (\d{3})};
    for (@lines) {
        my($n, $v) = /^([^:]+):\s*(.*)$/ or next;
        push @{ $r{headers}{lc $n} }, $v;
    }
    my $te = join ',', @{ $r{headers}{'transfer-encoding'} || [] };
    if ($te =~ /chunked/i) {
        $r{chunked} = 1;
        my $body = '';
        while (1) {
            my $j = index $rest, "\r\n";
            last if $j < 0;
            my($size) = substr($rest, 0, $j) =~ /^([0-9a-fA-F]+)/ or last;
            $size = hex $size;
            if ($size == 0) {
                $r{complete} = 1 if substr($rest, $j + 2) =~ /^(?:[^\r\n]+\r\n)*\r\n/;
                last;
            }
            last if length($rest) < $j + 2 + $size;
            $body .= substr $rest, $j + 2, $size;
            $rest = substr $rest, $j + 2 + $size;
            last unless $rest =~ s/^\r\n//;
        }
        $r{body} = $body;
    }
    elsif (my $cl = $r{headers}{'content-length'}) {
        $r{body} = substr $rest, 0, $cl->[0];
        $r{complete} = length($r{body}) == $cl->[0] ? 1 : 0;
        $r{rest} = substr $rest, length $r{body};
    }
    else {
        $r{body} = $rest;
        $r{complete} = 1;    # until close
    }
    $r{header} = sub { my $h = $r{headers}{lc shift}; $h ? join(', ', @$h) : undef };
    return \%r;
}

# Read one response from a kept-alive socket (Content-Length or chunked);
# $sink, if given, gets the body in pieces instead of it being kept.
sub read_response {
    my($sock, $sink) = @_;
    my $buf = '';
    my $sel = IO::Select->new($sock);
    my $fill = sub {
        return 0 unless $sel->can_read(60);
        my $n = sysread $sock, $buf, 1 << 20, length $buf;
        return $n;
    };
    while (index($buf, "\r\n\r\n") < 0) { $fill->() or return undef }
    my $i = index $buf, "\r\n\r\n";
    my $res = parse_http(substr($buf, 0, $i + 4));
    $buf = substr $buf, $i + 4;
    my $body = '';
    my $take = sub { my $piece = shift; if ($sink) { $sink->($piece) } else { $body .= $piece } };
    if (my $cl = $res->{headers}{'content-length'}) {
        my $left = $cl->[0];
        while ($left > 0) {
            if (!length $buf) { $fill->() or last }
            my $piece = substr $buf, 0, $left > length($buf) ? length($buf) : $left, '';
            $left -= length $piece;
            $take->($piece);
        }
        $res->{complete} = $left == 0 ? 1 : 0;
    }
    elsif ($res->{chunked}) {
        while (1) {
            while (index($buf, "\r\n") < 0) { $fill->() or return $res }
            $buf =~ s/^([0-9a-fA-F]+)[^\r]*\r\n// or return $res;
            my $size = hex $1;
            if ($size == 0) { $res->{complete} = 1; last }
            while (length($buf) < $size + 2) { $fill->() or return $res }
            $take->(substr $buf, 0, $size);
            $buf = substr $buf, $size + 2;
        }
    }
    $res->{body} = $body;
    return $res;
}

sub vmrss_kib {
    my $pid = shift;
    open my $fh, '<', "/proc/$pid/status" or return undef;
    while (<$fh>) { return $1 if /^VmRSS:\s+(\d+)/ }
    return undef;
}

# The RSS growth allowed to process $pid for streaming 100 MiB: $kib, or
# 32 MiB when the process runs under AddressSanitizer (libasan mapped; the
# sanitizer stage of scripts/test). ASan's allocator keeps freed chunks in a
# quarantine and in per-thread, per-size-class caches instead of reusing them
# at once, and maps shadow memory for every new heap region: a child that
# had served the whole suite grew by 13 MiB over a 100 MiB upload (the same
# child alone: 3.6 MiB). 32 MiB is still far below the 100 MiB that keeping
# the body would cost, which is what the limit is there to catch.
sub rss_limit_kib {
    my($pid, $kib) = @_;
    open my $fh, '<', "/proc/$pid/maps" or return $kib;
    while (<$fh>) { return 32 * 1024 if m{/libasan\.so} }
    return $kib;
}

sub slurp {
    my $path = shift;
    open my $fh, '<', $path or return undef;
    binmode $fh;
    local $/;
    my $s = <$fh>;
    return $s;
}

# Wait (at most $timeout s) for $path to exist and, if $re is given, for its
# content to match; returns the content (undef if it never appeared).
sub wait_file {
    my($path, $timeout, $re) = @_;
    $timeout ||= 10;
    my $deadline = Time::HiRes::time() + $timeout;
    while (1) {
        my $s = slurp($path);
        # not while it is empty: made, not yet written (the apps write
        # their marks with open() and write())
        return $s if defined $s && length $s && (!$re || $s =~ $re);
        return $s if Time::HiRes::time() > $deadline;
        Time::HiRes::sleep(0.05);
    }
}

sub json_of {
    my $s = shift;
    return undef unless defined $s;
    return eval { JSON::PP->new->utf8->decode($s) };
}

# Lines of level error (or worse) in $log text.
sub error_lines {
    my $log = shift;
    return grep { /\[[a-z_0-9]+:(?:error|crit|alert|emerg)\]/ } split /\n/, $log;
}

sub wsgis_lines {
    my($log, $tag) = @_;
    return grep { /\b$tag\b/ } split /\n/, $log;
}

1;
