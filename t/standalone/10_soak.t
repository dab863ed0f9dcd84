# Soak: for 60 s, 32 clients against 4 scripts while one script is rewritten
# (or touched) every 0.1 s and Apache gets `apache2 -k graceful` every 5 s.
# Passes with 0 unexpected responses, 0 crash lines, no wsgiscript lines at
# warn or above, and child RSS growth < 5 MiB after warm-up.
#
# Scripts (each response body is checked in full, not just the status), all
# preloaded at child start (process-group=%{GLOBAL} on the alias), so that a
# child's interpreters exist before its first request and the RSS after
# warm-up is not an interpreter being created late:
#   /hello   %{GLOBAL} (main interpreter): "Hello, World!" with Content-Length.
#   /echo    %{GLOBAL}: POST of 0..64 KiB of random bytes, read from wsgi.input
#            in 8 KiB pieces, in one read(n) or by readline(), in turn;
#            answers "len=N md5=HEX" and must match what was sent.
#   /stream  %{SERVER} (a sub-interpreter): a generator yields 1..24 chunks
#            (no Content-Length, so chunked); the decoded body must be exactly
#            the chunks the query asked for.
#   /reload  application-group=soak-reload (named sub-interpreter): rewritten
#            with VERSION = N+1 every 0.1 s (every 5th tick only touched, same
#            content). It answers VERSION, __wsgiscript_generation__, its group
#            and len(TABLE) (a 5000-VERSION%97 list built at import, so a reload
#            that leaked old modules would show in the RSS figures). The writer
#            publishes N in a side file after the rename; a client reads it
#            before (L) and after (U) each request and requires
#            L <= VERSION <= U+1 (a request that starts after a rewrite never
#            runs the old code), VERSION never going down for one client,
#            __wsgiscript_generation__ never going down for one client and one
#            child, and len(TABLE) matching VERSION. The versions seen must rise.
#
# Clients: 32 forked processes (8 per script), each with its own keep-alive
# connection, a minimal HTTP/1.1 client written here so that every failure
# mode is visible: no pipelining, one request at a time, a 30 s limit per
# request, at most $max_requests requests, stopping at the deadline.
#
# What counts as expected (everything else fails the test):
#   A "retry": a request sent on a *reused* keep-alive connection (one that
#   already carried a complete response) gets the connection closed (EOF,
#   ECONNRESET, EPIPE) before any byte of a response, the client sends it
#   again once on a new connection, and it was within $retry_window s after a
#   graceful restart was signalled. During a graceful restart Apache closes
#   idle keep-alive connections of the old children (event) or closes the
#   connection after the request in progress (prefork); a client can always
#   race that close, and HTTP clients retry such requests (RFC 9112 9.3.1).
#   POST /echo is retried too: the client knows it has no side effects
#   (RFC 9110 9.2.2). Retries are counted and shown with diag.
#   Failures: any status but 200, a wrong or truncated body, a close or reset
#   after some response bytes, a close on a new connection, a retry that fails
#   again, a retry outside a graceful window (e.g. mpm_event's "kill'em all"
#   when its workers are all busy), a timeout, a refused connection.
# To keep mpm_event from closing keep-alive connections because all workers
# are busy (see 06_interp_threads.t and NOTES.md), each event child has 64
# threads for the 32 clients (2 children); prefork has 40 children.
#
# RSS: the children of the Apache parent (PPid) are read from /proc every
# $sample_every s. The children of generation k are those alive and not
# seen before the k-th graceful (generation 0: the first children). For
# each child, "warm" is its first sample $warm_after s after it was first
# seen; "end" is the generation's last sample before the next graceful.
# A graceful is sent $graceful_every s after the previous one returned, and
# not before the current generation has been seen (children, warm sample, an
# end sample $min_gen_span s after its first), so a slow restart on a loaded
# machine delays the next graceful instead of leaving a generation unmeasured,
# and the load goes on after the set duration (at most $overtime s) until the
# last generation has been seen.
# Generation 0 is warm-up and generation 1 the baseline. Asserted, mean RSS per
# child:
#   across generations: end(k) - end(1) < 5 MiB for every k >= 2 (memory that
#     survives a graceful restart, e.g. in the parent, inherited by every new
#     child);
#   within a generation: end(k) - warm(k) < 5 MiB for every k >= 1, over the
#     children in both samples (memory a child gains under load and reloads:
#     /reload's TABLE is about 0.4 MiB and each child reloads it about 10
#     times a second, so a reload that kept old modules alive would show).
# /reload calls gc.collect() when it is loaded: the module it replaces is a
# cycle (its dict and its functions) that only the cyclic GC frees, and in an
# interpreter that allocates little the GC runs only every ~60 reloads; without
# the collection, the garbage waiting for it raised an event child's RSS by
# about 55 MiB in 25 s; one gc.collect() then freed every old module (seen
# here with Python 3.11: nothing was leaked).
# The parent's RSS (after the first graceful, and at the end) must also grow
# < 5 MiB.
# Under prefork a generation can have far fewer than 40 children for a few
# seconds: prefork replaces an exiting child 1-for-1 only when it reaps it in
# its first pass after the graceful, and the children take tens of ms to exit
# (Python is finalised), so most slots are refilled by the idle maintenance, one
# child a second (Debian's mod_wsgi behaves the same). The clients then wait in
# the listen queue; nothing fails.
#
# MPMs: event and prefork (60 s each, about 64 s with start and stop), those of
# them listed in $WSGISCRIPT_MPMS (scripts/test sets it; unset: both). worker
# shares the threaded paths with event (event adds the async keep-alive
# handling that graceful restarts exercise), prefork covers one thread per
# child and the most interpreter starts per graceful; a third minute adds
# little for its cost. $WSGISCRIPT_SOAK_MPMS overrides the list (e.g.
# "worker"), $WSGISCRIPT_SOAK_SECONDS the duration (gracefuls stay every 5 s).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use IO::Select ();
use IO::Socket::INET ();
use JSON::PP ();
use POSIX ();
use Time::HiRes qw(time sleep);
use WsgiServer;
use WsgiTest ();

my %soakable = map { $_ => 1 } qw(event prefork);
my @mpms = $ENV{WSGISCRIPT_SOAK_MPMS}
    ? split(' ', $ENV{WSGISCRIPT_SOAK_MPMS})
    : grep { $soakable{$_} } split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event prefork');
plan skip_all => "soak runs under event and prefork; WSGISCRIPT_MPMS has neither" unless @mpms;

my $duration       = $ENV{WSGISCRIPT_SOAK_SECONDS} || 60;
my $clients        = 32;
my @types          = qw(hello echo stream reload);
my $graceful_every = 5;
my $touch_every    = 0.1;
my $warm_after     = 1.5;      # s after a child was first seen: its warm sample
my $sample_every   = 0.5;
my $min_gen_span   = 3.5;      # s from a generation's first child seen to its end sample
my $retry_window   = 3;        # s after `apache2 -k graceful` returned
my $overtime       = 20;       # s the load may go on after $duration until the last generation is seen
my $req_timeout    = 30;
my $max_requests   = 500_000;  # per client; far above what 60 s allows
my $rss_limit_kb   = 5 * 1024;

my %apps = (
    hello => <<'PY',
def application(environ, start_response):
    body = b'Hello, World!'
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
PY
    echo => <<'PY',
import hashlib


def application(environ, start_response):
    n = int(environ.get('CONTENT_LENGTH') or 0)
    stream = environ['wsgi.input']
    mode = environ.get('QUERY_STRING', '')
    h = hashlib.md5()
    got = 0
    if mode == 'whole':
        data = stream.read(n)
        h.update(data)
        got = len(data)
    elif mode == 'lines':
        while got < n:
            line = stream.readline()
            if not line:
                break
            h.update(line)
            got += len(line)
    else:
        while got < n:
            piece = stream.read(min(8192, n - got))
            if not piece:
                break
            h.update(piece)
            got += len(piece)
    body = ('len=%d md5=%s\n' % (got, h.hexdigest())).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
PY
    stream => <<'PY',
import time
from urllib.parse import parse_qs


def application(environ, start_response):
    q = parse_qs(environ.get('QUERY_STRING', ''))
    n = int(q['n'][0])
    seed = q['seed'][0]
    start_response('200 OK', [('Content-Type', 'text/plain')])

    def chunks():
        for i in range(1, n + 1):
            yield ('chunk %d/%d seed %s %s\n' % (i, n, seed, 'x' * (i * 37 % 500))).encode()
            if i % 8 == 0:
                time.sleep(0.001)
    return chunks()
PY
);

sub reload_app {
    my $v = shift;
    return <<"PY";
import gc
import os

import mod_wsgi

# The previous generation of this module is garbage in a cycle (its dict and
# its functions) that only the cyclic GC frees, and this interpreter allocates
# too little for the GC to run often: collect it here, so that what RSS shows
# is memory still referenced, not garbage waiting for a collection.
gc.collect()

VERSION = $v
TABLE = [str(i) * 8 for i in range(VERSION % 97, 5000)]


def application(environ, start_response):
    body = ('version=%d generation=%d group=%s pid=%d table=%d\\n' % (
        VERSION, __wsgiscript_generation__, mod_wsgi.application_group,
        os.getpid(), len(TABLE))).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'),
                              ('Content-Length', str(len(body)))])
    return [body]
PY
}

sub write_atomic {
    my($path, $text) = @_;
    open my $fh, '>', "$path.tmp" or die "$path.tmp: $!";
    print $fh $text;
    close $fh or die "$path.tmp: $!";
    rename "$path.tmp", $path or die "$path: $!";
}

sub read_file {
    my $path = shift;
    open my $fh, '<', $path or return;
    local $/;
    return scalar <$fh>;
}

# --- a minimal HTTP/1.1 client ------------------------------------------------

# Read more into $$buf; returns the byte count, 0 at EOF; dies "timeout" or "read: ERR".
sub fill {
    my($sock, $buf, $got, $deadline) = @_;
    my $sel = IO::Select->new($sock);
    while (1) {
        my $left = $deadline - time;
        die "timeout after $req_timeout s\n" if $left <= 0;
        next unless $sel->can_read($left);
        my $n = sysread $sock, $$buf, 65536, length $$buf;
        if (!defined $n) {
            next if $!{EAGAIN} || $!{EWOULDBLOCK} || $!{EINTR};
            die "read: $!\n";
        }
        $$got += $n;
        return $n;
    }
}

# One request/response on $sock. Returns { status, headers, body } or
# { error, got } where got is the number of response bytes received.
sub exchange {
    my($sock, $req, $deadline) = @_;
    my($got, $buf) = (0, '');
    my $res = eval {
        my $off = 0;
        my $sel = IO::Select->new($sock);
        while ($off < length $req) {
            my $left = $deadline - time;
            die "timeout after $req_timeout s (writing)\n" if $left <= 0;
            next unless $sel->can_write($left);
            my $n = syswrite $sock, $req, length($req) - $off, $off;
            if (!defined $n) {
                next if $!{EAGAIN} || $!{EWOULDBLOCK} || $!{EINTR};
                die "write: $!\n";
            }
            $off += $n;
        }
        my $hend;
        until (($hend = index $buf, "\r\n\r\n") >= 0) {
            fill($sock, \$buf, \$got, $deadline) or die "eof\n";
            die "response head over 64 KiB\n" if length $buf > 65536;
        }
        my $head = substr $buf, 0, $hend + 4, '';
        my($status) = $head =~ m{\AHTTP/1\.[01] (\d{3}) } or die "bad status line\n";
        my %h;
        for (split /\r\n/, $head) { $h{lc $1} = $2 if /^([^:]+):\s*(.*)$/ }
        my $body = '';
        if (($h{'transfer-encoding'} // '') =~ /chunked/i) {
            while (1) {
                my $le;
                until (($le = index $buf, "\r\n") >= 0) {
                    fill($sock, \$buf, \$got, $deadline) or die "eof in a chunk size line\n";
                }
                my $line = substr $buf, 0, $le + 2, '';
                my($hex) = $line =~ /^([0-9a-fA-F]+)/ or die "bad chunk size line\n";
                my $size = hex $hex;
                if ($size == 0) {
                    while (1) {    # trailers, up to the empty line
                        until (($le = index $buf, "\r\n") >= 0) {
                            fill($sock, \$buf, \$got, $deadline) or die "eof in the trailer\n";
                        }
                        last if substr($buf, 0, $le + 2, '') eq "\r\n";
                    }
                    last;
                }
                while (length $buf < $size + 2) {
                    fill($sock, \$buf, \$got, $deadline) or die "eof in a chunk\n";
                }
                $body .= substr $buf, 0, $size;
                substr($buf, $size, 2) eq "\r\n" or die "bad chunk end\n";
                substr $buf, 0, $size + 2, '';
            }
        }
        elsif (defined $h{'content-length'}) {
            my $cl = $h{'content-length'};
            while (length $buf < $cl) {
                fill($sock, \$buf, \$got, $deadline)
                    or die sprintf("eof in the body (%d of %d bytes)\n", length $buf, $cl);
            }
            $body = substr $buf, 0, $cl, '';
        }
        else {
            1 while fill($sock, \$buf, \$got, $deadline);
            ($body, $buf) = ($buf, '');
            $h{connection} = 'close';
        }
        die "unexpected bytes after the response\n" if length $buf;
        { status => $status, headers => \%h, body => $body };
    };
    return $res if $res;
    chomp(my $err = $@);
    return { error => $err, got => $got, partial => substr($buf, 0, 200) };
}

sub connect_to {
    my $port = shift;
    my $s = IO::Socket::INET->new(PeerAddr => '127.0.0.1', PeerPort => $port, Proto => 'tcp', Timeout => 10)
        or return (undef, "connect: $@");
    $s->blocking(0);
    return ($s);
}

# --- the client processes -------------------------------------------------------

my $rand_pool = join '', map { chr int rand 256 } 1 .. 65536;

# Build the next request for $type; returns [ request text, label, checker ].
sub next_request {
    my($type, $port, $st) = @_;
    my $host = "Host: 127.0.0.1:$port\r\n";
    if ($type eq 'hello') {
        return [ "GET /hello HTTP/1.1\r\n$host\r\n", 'GET /hello',
                 sub { $_[0] eq 'Hello, World!' } ];
    }
    if ($type eq 'echo') {
        my $len = (0, 1, 100, 8191, 8192, 65536)[rand 6];
        $len = int rand 65537 if rand() < 0.5;
        my $data = substr $rand_pool, int(rand(65537 - $len)), $len;
        my $mode = (qw(pieces whole lines))[($st->{requests} // 0) % 3];
        my $want = sprintf "len=%d md5=%s\n", $len, md5_hex($data);
        return [ "POST /echo?$mode HTTP/1.1\r\n${host}Content-Type: application/octet-stream\r\n"
                 . "Content-Length: $len\r\n\r\n$data", "POST /echo?$mode ($len bytes)",
                 sub { $_[0] eq $want } ];
    }
    if ($type eq 'stream') {
        my $n = 1 + int rand 24;
        my $seed = int rand 1_000_000;
        my $want = join '', map { sprintf "chunk %d/%d seed %s %s\n", $_, $n, $seed, 'x' x ($_ * 37 % 500) } 1 .. $n;
        return [ "GET /stream?n=$n&seed=$seed HTTP/1.1\r\n$host\r\n", "GET /stream?n=$n&seed=$seed",
                 sub { $_[0] eq $want } ];
    }
    # reload: bounds from the published version, before and after
    my $published = $st->{published_file};
    my $lo = read_file($published) // 0;
    return [ "GET /reload HTTP/1.1\r\n$host\r\n", "GET /reload (published $lo before)", sub {
        my $body = shift;
        my($v, $g, $group, $pid, $table) =
            $body =~ /\Aversion=(\d+) generation=(\d+) group=(\S+) pid=(\d+) table=(\d+)\n\z/ or return 0;
        my $hi = read_file($published) // 0;
        my @why;
        push @why, "group $group" unless $group eq 'soak-reload';
        push @why, "table $table for version $v" unless $table == 5000 - $v % 97;
        push @why, "version $v below the published $lo" if $v < $lo;
        push @why, "version $v above the published $hi + 1" if $v > $hi + 1;
        push @why, "version $v after $st->{last_version}" if $v < $st->{last_version};
        my $pg = $st->{gen_by_pid}{$pid} // 0;
        push @why, "generation $g after $pg in pid $pid" if $g < $pg;
        if (@why) { $st->{why} = join '; ', @why; return 0 }
        $st->{last_version} = $v;
        $st->{gen_by_pid}{$pid} = $g;
        $st->{versions}{$v} = 1;
        $st->{max_generation} = $g if $g > ($st->{max_generation} // 0);
        return 1;
    } ];
}

sub run_client {
    my($k, $type, $srv, $t0, $end, $stopfile, $out) = @_;
    $SIG{PIPE} = 'IGNORE';
    srand($$ ^ int(time * 1000));
    my $port = $srv->port;
    my %st = (type => $type, requests => 0, ok => 0, connections => 0, statuses => {},
              retries => [], failures => [], last_version => 0,
              published_file => $srv->root . '/published');
    my $conn;
    my $fail = sub {
        my %f = @_;
        $f{t} = sprintf '%.3f', time - $t0;
        push @{ $st{failures} }, \%f if @{ $st{failures} } < 20;
        $st{failed}++;
    };
    while (time < $end && !-e $stopfile && $st{requests} < $max_requests) {
        my($req, $label, $check) = @{ next_request($type, $port, \%st) };
        $st{requests}++;
        my $res;
        for my $attempt (1, 2) {
            if (!$conn) {
                my($sock, $err) = connect_to($port);
                if (!$sock) { $res = { error => $err, got => 0 }; last }
                $conn = { sock => $sock, served => 0 };
                $st{connections}++;
            }
            $res = exchange($conn->{sock}, $req, time + $req_timeout);
            if ($res->{error}) {
                my $served = $conn->{served};
                close $conn->{sock};
                $conn = undef;
                if ($attempt == 1 && $served > 0 && $res->{got} == 0
                    && $res->{error} =~ /^(?:eof|read: Connection reset|write: (?:Broken pipe|Connection reset))/) {
                    push @{ $st{retries} }, { t => time, error => $res->{error}, served => $served };
                    next;
                }
                $res->{attempt} = $attempt;
                $res->{served_before} = $served;
                last;
            }
            $conn->{served}++;
            if (($res->{headers}{connection} // '') =~ /close/i) {
                close $conn->{sock};
                $conn = undef;
            }
            last;
        }
        if ($res->{error}) {
            $fail->(request => $label, error => $res->{error}, got => $res->{got},
                    attempt => $res->{attempt}, served_before => $res->{served_before},
                    partial => $res->{partial} // '');
            next;
        }
        $st{statuses}{ $res->{status} }++;
        if ($res->{status} != 200 || !$check->($res->{body})) {
            $fail->(request => $label, status => $res->{status}, body => substr($res->{body}, 0, 200),
                    ($st{why} ? (why => delete $st{why}) : ()));
            next;
        }
        $st{ok}++;
    }
    close $conn->{sock} if $conn;
    delete $st{gen_by_pid};
    $st{versions} = [ sort { $a <=> $b } keys %{ $st{versions} || {} } ];
    open my $fh, '>', "$out.tmp" or POSIX::_exit(2);
    print $fh JSON::PP->new->canonical->encode(\%st);
    close $fh;
    rename "$out.tmp", $out;
    POSIX::_exit(0);
}

# Rewrites /reload every $touch_every s (every 5th tick: touch only) and
# publishes the version after each rename.
sub run_writer {
    my($srv, $end, $stopfile, $out) = @_;
    my $root = $srv->root;
    my $v = read_file("$root/published") // 1;
    my($rewrites, $touches, $tick) = (0, 0, 0);
    my $next = time + $touch_every;
    while (time < $end && !-e $stopfile) {
        my $wait = $next - time;
        sleep $wait if $wait > 0;
        $next += $touch_every;
        if (++$tick % 5 == 0) {
            utime undef, undef, "$root/reload.wsgi" or die "touch: $!";
            $touches++;
        }
        else {
            $v++;
            write_atomic("$root/reload.wsgi", reload_app($v));
            write_atomic("$root/published", $v);
            $rewrites++;
        }
    }
    open my $fh, '>', $out or POSIX::_exit(2);
    print $fh "$rewrites $touches $v\n";
    close $fh;
    POSIX::_exit(0);
}

# --- /proc ----------------------------------------------------------------------

sub rss_kb {
    my $pid = shift;
    open my $fh, '<', "/proc/$pid/status" or return;
    while (<$fh>) { return $1 if /^VmRSS:\s+(\d+)\s+kB/ }
    return;
}

# pid => RSS in kB of every process whose parent is $ppid
sub children_rss {
    my $ppid = shift;
    my %rss;
    opendir my $d, '/proc' or return {};
    for my $pid (grep { /^\d+$/ } readdir $d) {
        open my $fh, '<', "/proc/$pid/stat" or next;
        my $stat = <$fh> // next;
        my($pp) = $stat =~ /\) \S+ (\d+)/ or next;
        next unless $pp == $ppid;
        my $kb = rss_kb($pid);
        $rss{$pid} = $kb if defined $kb;
    }
    return \%rss;
}

sub mean { @_ ? (eval { my $s = 0; $s += $_ for @_; $s }) / @_ : undef }

sub max_of { my $m; for (@_) { $m = $_ if !defined $m || $_ > $m } $m }

# --- one MPM ------------------------------------------------------------------------

sub soak {
    my $mpm = shift;
    my $srv = WsgiServer->new(name => "soak-$mpm", mpm => $mpm, conf => <<'CONF');
<IfModule mpm_event_module>
    LogLevel info mpm_event:trace1
    StartServers 2
    ThreadsPerChild 64
    ThreadLimit 64
    MaxRequestWorkers 128
    MinSpareThreads 32
    MaxSpareThreads 128
</IfModule>
<IfModule mpm_prefork_module>
    StartServers 40
    MinSpareServers 4
    MaxSpareServers 40
    MaxRequestWorkers 40
    ServerLimit 40
</IfModule>
WSGIScriptAlias /hello $root/hello.wsgi process-group=%{GLOBAL} application-group=%{GLOBAL}
WSGIScriptAlias /echo $root/echo.wsgi process-group=%{GLOBAL} application-group=%{GLOBAL}
WSGIScriptAlias /stream $root/stream.wsgi process-group=%{GLOBAL} application-group=%{SERVER}
WSGIScriptAlias /reload $root/reload.wsgi process-group=%{GLOBAL} application-group=soak-reload
CONF
    my $root = $srv->root;
    for my $name (sort keys %apps) {
        open my $fh, '>', "$root/$name.wsgi" or die $!;
        print $fh $apps{$name};
        close $fh;
    }
    write_atomic("$root/reload.wsgi", reload_app(1));
    write_atomic("$root/published", 1);

    ok $srv->start, "$mpm: server starts" or do { diag $srv->slurp_log; $srv->cleanup; return };
    my $parent = $srv->pid;

    # every script answers before the load starts
    my %st0 = (published_file => "$root/published", last_version => 0);
    my @warm_bad;
    for my $type (@types) {
        my($sock, $err) = connect_to($srv->port);
        my($req, $label, $check) = @{ next_request($type, $srv->port, \%st0) };
        my $res = $sock ? exchange($sock, $req, time + $req_timeout) : { error => $err };
        close $sock if $sock;
        push @warm_bad, "$label: " . ($res->{error} // "$res->{status} " . substr($res->{body}, 0, 200))
            unless !$res->{error} && $res->{status} == 200 && $check->($res->{body});
    }
    is "@warm_bad", '', "$mpm: the four scripts answer before the soak" or do {
        diag $srv->slurp_log;
        $srv->cleanup;
        return;
    };

    my $stopfile = "$root/stop-soak";
    my $t0 = time + 0.5;
    my $end = $t0 + $duration;
    my $hard_end = $end + $overtime;    # clients and writer stop at the stop file, at the latest here
    my(@kids);
    for my $k (1 .. $clients) {
        my $type = $types[($k - 1) % @types];
        my $pid = fork // die "fork: $!";
        if (!$pid) {
            sleep $t0 - time if $t0 > time;
            eval { run_client($k, $type, $srv, $t0, $hard_end, $stopfile, "$root/client.$k") };
            print STDERR "client $k: $@";
            POSIX::_exit(3);
        }
        push @kids, $pid;
    }
    my $writer = fork // die "fork: $!";
    if (!$writer) {
        sleep $t0 - time if $t0 > time;
        eval { run_writer($srv, $hard_end, $stopfile, "$root/writer") };
        print STDERR "writer: $@";
        POSIX::_exit(3);
    }

    # gracefuls and RSS samples (every $sample_every s)
    sleep $t0 - time if $t0 > time;
    my(@gens, @gracefuls, $parent_first, @graceful_fail, %ever);
    $gens[0] = { before => {}, series => [] };
    my $gen = 0;
    my $next_sample = 0;
    my $next_graceful = $t0 + $graceful_every;
    while (1) {
        my $now = time;
        my $g = $gens[$gen];
        # A generation ends when it has been seen: its children appeared, the
        # warm sample was taken and an end sample at least $min_gen_span s
        # after its first one. On a loaded machine a graceful restart (the
        # `apache2 -k graceful` command, then the parent's restart) can take
        # seconds (7 s seen in CI); the next graceful then waits, so no
        # generation goes unmeasured. It waits at most $graceful_every more
        # seconds. The last generation is measured under load too: the load
        # goes on after $duration until it has been seen, $overtime s at most.
        my $seen = %{ $g->{warm} || {} } && $g->{appeared} && $now - $g->{appeared} >= $min_gen_span;
        my $last = ($now >= $end - 0.1 && $seen) || $now >= $hard_end - 0.1;
        my $switch = !$last && $now >= $next_graceful && ($seen || $now >= $next_graceful + $graceful_every)
            && $now <= $end - $graceful_every + 0.5;
        if ($now >= $next_sample || $last || $switch) {
            $next_sample = $now + $sample_every;
            my $all = children_rss($parent);
            $ever{$_} = 1 for keys %$all;
            my %cur = map { $_ => $all->{$_} } grep { !$g->{before}{$_} } keys %$all;
            if (%cur) {
                $g->{appeared} //= $now;
                push @{ $g->{series} }, [ $now - $g->{appeared}, mean(values %cur) ];
                # each child's warm sample is its own first one $warm_after s
                # after it was first seen (under prefork the children of one
                # generation appear over seconds, and a child of the previous
                # generation forked while the graceful was under way can be
                # the first one seen)
                for my $p (keys %cur) {
                    $g->{first}{$p} //= $now;
                    $g->{warm}{$p} //= $cur{$p} if $now >= $g->{first}{$p} + $warm_after;
                }
                $g->{end} = \%cur;
            }
            last if $last;
            if ($switch) {
                my $sent = time;
                $srv->signal('graceful') or push @graceful_fail, sprintf('%.1f', $sent - $t0);
                push @gracefuls, [ $sent, time ];
                $next_graceful = time + $graceful_every;
                # every child seen so far, not only those of this sample: a
                # child that one read of /proc missed (its status file not
                # readable for a moment) must not count as a new generation's
                $gens[++$gen] = { before => { %ever }, series => [] };
                $parent_first = rss_kb($parent) if $gen == 1;
            }
            next;
        }
        sleep 0.05;
    }
    my $load_secs = time - $t0;
    my $parent_last = rss_kb($parent);
    my $parent_same = WsgiServer::alive($parent) && ($srv->pid // 0) == $parent;

    # stop the load; every client ends by itself within one request timeout
    open my $sf, '>', $stopfile or die $!;
    close $sf;
    my $wait_until = time + $req_timeout + 15;
    my %left = map { $_ => 1 } @kids, $writer;
    while (%left && time < $wait_until) {
        my $p = waitpid -1, POSIX::WNOHANG();
        if ($p > 0) { delete $left{$p}; next }
        sleep 0.1;
    }
    my @hung = sort keys %left;
    for my $p (@hung) { kill 'KILL', $p; waitpid $p, 0 }
    my $elapsed = time - $t0;

    # server state after the run, then stop it
    my $resumes = () = $srv->slurp_log =~ /resuming normal operations/g;
    $srv->stop;
    my $log = $srv->slurp_log;

    # --- results
    my(%by_type, @failures, @retries, %versions, $max_gen);
    for my $k (1 .. $clients) {
        my $txt = read_file("$root/client.$k");
        my $r = $txt && eval { JSON::PP::decode_json($txt) };
        if (!$r) { push @failures, { client => $k, error => 'no result (client killed?)' }; next }
        my $bt = $by_type{ $r->{type} } ||= { requests => 0, ok => 0, failed => 0, retries => 0,
                                               connections => 0, statuses => {} };
        $bt->{$_} += $r->{$_} // 0 for qw(requests ok failed connections);
        $bt->{retries} += @{ $r->{retries} };
        $bt->{statuses}{$_} += $r->{statuses}{$_} for keys %{ $r->{statuses} };
        push @failures, map { { client => $k, type => $r->{type}, %$_ } } @{ $r->{failures} };
        push @retries, map { { client => $k, type => $r->{type}, %$_ } } @{ $r->{retries} };
        $versions{$_} = 1 for @{ $r->{versions} || [] };
        $max_gen = $r->{max_generation} if ($r->{max_generation} // 0) > ($max_gen // 0);
    }
    my($rewrites, $touches, $last_version) = split ' ', (read_file("$root/writer") // '0 0 0');

    # retries: expected only within $retry_window s after a graceful
    my(@retry_late, %retry_kind, $retry_max_delay);
    for my $r (@retries) {
        my($delay) = sort { $a <=> $b } map { $r->{t} - $_->[0] } grep { $_->[0] <= $r->{t} } @gracefuls;
        my @win = grep { $r->{t} >= $_->[0] && $r->{t} <= $_->[1] + $retry_window } @gracefuls;
        (my $kind = $r->{error}) =~ s/:.*//;
        $retry_kind{$kind}++;
        if (@win) { $retry_max_delay = $delay if !defined $retry_max_delay || $delay > $retry_max_delay }
        else {
            push @retry_late, sprintf('client %d (%s) at %.3f s: %s after %d responses on the connection (%s)',
                                      $r->{client}, $r->{type}, $r->{t} - $t0, $r->{error}, $r->{served},
                                      defined $delay ? sprintf('%.2f s after a graceful', $delay) : 'before any graceful');
        }
    }

    my $total_failed = 0;
    $total_failed += $_->{failed} for values %by_type;
    $total_failed += grep { $_->{error} && $_->{error} =~ /^no result/ } @failures;
    is $total_failed + @retry_late + @hung, 0,
        "$mpm: 0 unexpected responses, 0 retries outside a graceful window, no hung client"
        or do {
            diag "$mpm: failure: " . JSON::PP->new->canonical->encode($_) for @failures[0 .. ($#failures < 14 ? $#failures : 14)];
            diag "$mpm: retry outside a graceful window: $_" for @retry_late[0 .. ($#retry_late < 9 ? $#retry_late : 9)];
            diag "$mpm: client pids killed after the deadline: @hung" if @hung;
            my @ka = grep { /All workers are|Too many open connections/ } split /\n/, $log;
            diag "$mpm: mpm_event closed keep-alive connections " . scalar(@ka) . " time(s)" if @ka;
            diag "$mpm: $_" for @ka[0 .. ($#ka < 4 ? $#ka : 4)];
        };
    for my $type (@types) {
        my $bt = $by_type{$type} || { ok => 0 };
        ok $bt->{ok} >= 100, "$mpm: $type clients were served ($bt->{ok} requests answered as expected)";
    }

    my @vs = sort { $a <=> $b } keys %versions;
    ok @vs >= 0.25 * $rewrites && @vs && $vs[-1] >= $last_version - 20,
        sprintf("$mpm: /reload followed the rewrites: %d versions seen of %d written (last seen %s, last written %s)",
                scalar @vs, $rewrites, $vs[-1] // '-', $last_version);
    my $reloads = () = $log =~ /WSGIS0102: Reloading WSGI script '[^']*reload\.wsgi'/g;
    ok $reloads >= 0.5 * ($rewrites + $touches),
        "$mpm: reloads logged (WSGIS0102): $reloads for $rewrites rewrites + $touches touches";

    my $want_resumes = 1 + @gracefuls;
    ok $parent_same && !@graceful_fail && $resumes == $want_resumes,
        sprintf("$mpm: %d gracefuls, each took effect (resuming normal operations %d of %d), parent %d kept",
                scalar @gracefuls, $resumes, $want_resumes, $parent)
        or diag "$mpm: apache2 -k graceful failed at @graceful_fail s" x !!@graceful_fail;

    my @crash = WsgiTest::crash_lines($log);
    is scalar(@crash), 0, "$mpm: no crash lines (exit signal, segfault, abort)"
        or diag join "\n", @crash[0 .. ($#crash < 9 ? $#crash : 9)];
    my @werr = grep { /\[wsgiscript:(?:warn|error|crit|alert|emerg)\]/ } split /\n/, $log;
    is scalar(@werr), 0, "$mpm: no wsgiscript lines at warn or above"
        or diag join "\n", @werr[0 .. ($#werr < 9 ? $#werr : 9)];
    my @other = grep { /\[[a-z_0-9]+:(?:error|crit|alert|emerg)\]/ && !/\[wsgiscript:/ } split /\n/, $log;
    is scalar(@other), 0, "$mpm: no error lines from Apache either"
        or diag join "\n", @other[0 .. ($#other < 9 ? $#other : 9)];

    # RSS, mean per child (kB)
    my @rows;
    for my $i (0 .. $#gens) {
        my $g = $gens[$i];
        my($w, $e) = ($g->{warm} || {}, $g->{end} || {});
        my @both = grep { exists $w->{$_} } keys %$e;
        push @rows, { gen => $i, n_end => scalar(keys %$e), n_warm => scalar(keys %$w),
                      warm => mean(values %$w), end => mean(values %$e), max_end => max_of(values %$e),
                      within => mean(map { $e->{$_} - $w->{$_} } @both),
                      series => join(' ', map { sprintf '%.1f:%.1f', $_->[0], $_->[1] / 1024 } @{ $g->{series} }) };
    }
    my $base = $rows[1];
    my($across_max, $within_max, @rss_bad);
    for my $r (@rows[1 .. $#rows]) {
        if (!defined $r->{end} || !defined $r->{within}) { push @rss_bad, "generation $r->{gen}: no sample"; next }
        $within_max = $r->{within} if !defined $within_max || $r->{within} > $within_max;
        next if $r->{gen} < 2;
        my $d = $r->{end} - $base->{end};
        $across_max = $d if !defined $across_max || $d > $across_max;
    }
    my $rss_across = ok defined $base && defined $base->{end} && !@rss_bad && defined $across_max && $across_max < $rss_limit_kb,
        sprintf("$mpm: child RSS across generations: end of each generation - end of generation 1 < 5 MiB "
                . "(max %+.0f kB)", $across_max // 0)
        or diag "@rss_bad";
    my $rss_within = ok defined $within_max && $within_max < $rss_limit_kb,
        sprintf("$mpm: child RSS within a generation: end - warm (%.1f s in) < 5 MiB (max %+.0f kB)",
                $warm_after, $within_max // 0);
    my $rss_parent = ok defined $parent_first && defined $parent_last && $parent_last - $parent_first < $rss_limit_kb,
        sprintf("$mpm: parent RSS after the first graceful -> end: %s -> %s kB", $parent_first // '?', $parent_last // '?');

    # summary
    diag sprintf("%s: soak %.1f s (load %.1f s: %d s and until the last generation was seen), %d clients, "
                 . "%d gracefuls (apache2 -k graceful took %s s)", $mpm,
                 $elapsed, $load_secs, $duration, $clients, scalar @gracefuls,
                 join(' ', map { sprintf '%.1f', $_->[1] - $_->[0] } @gracefuls) || '-');
    for my $type (@types) {
        my $bt = $by_type{$type} or next;
        diag sprintf("%s:   %-6s requests %6d  ok %6d  failed %d  retries %d  connections %d  statuses %s",
                     $mpm, $type, @$bt{qw(requests ok failed retries connections)},
                     join(',', map { "$_=$bt->{statuses}{$_}" } sort keys %{ $bt->{statuses} }) || '-');
    }
    diag sprintf("%s:   retries %d (%s), each within %.2f s of a graceful at most; %d outside a graceful window",
                 $mpm, scalar @retries, join(', ', map { "$_ $retry_kind{$_}" } sort keys %retry_kind) || '-',
                 $retry_max_delay // 0, scalar @retry_late);
    diag sprintf("%s:   /reload: %d rewrites + %d touches, %d versions seen (max %s), %d reloads logged, "
                 . "max generation seen %s", $mpm, $rewrites, $touches, scalar @vs, $vs[-1] // '-', $reloads,
                 $max_gen // '-');
    diag sprintf("%s:   RSS kB per child (growth: across generations max %+.0f, within a generation max %+.0f); "
                 . "generation: children warm/end, mean warm -> end (max end)", $mpm, $across_max // 0, $within_max // 0);
    for my $r (@rows) {
        diag sprintf("%s:     gen %2d: %2d/%2d  %6.0f -> %6.0f (%s)%s", $mpm, $r->{gen}, $r->{n_warm}, $r->{n_end},
                     $r->{warm} // 0, $r->{end} // 0, $r->{max_end} // '-',
                     $r->{gen} == 0 ? '  warm-up' : $r->{gen} == 1 ? '  baseline' : '');
        diag sprintf("%s:             s:MiB %s", $mpm, $r->{series}) unless $rss_across && $rss_within && $rss_parent;
    }
    diag sprintf("%s:   parent RSS %s -> %s kB", $mpm, $parent_first // '?', $parent_last // '?');
    my $ka = () = $log =~ /All workers are busy|Too many open connections/g;
    diag "$mpm:   mpm_event keep-alive closes for busy workers: $ka" if $mpm eq 'event';
    $srv->cleanup;
}

soak($_) for @mpms;

done_testing;
