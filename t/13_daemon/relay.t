# Responses from a daemon process reach the client as they do embedded.
# t/pep3333/resp.wsgi (start_response, write(), str items, close(),
# exc_info, errors before and in the middle of the body, Content-Length too
# short or too long, HEAD) runs embedded (/d13/resp-embedded) and in d13-b
# (/d13/resp); for every case the two responses are compared on the wire
# (status line, headers but Date, body, complete or cut off), with the
# marker files close() writes (called once, after the same items), and the
# log lines each request caused (level, tag, and text with the ids, URLs,
# times and pids taken out), so a daemon-only log line or a missing one
# shows. Then:
# - streaming: the first piece of a generator reaches the client while the
#   generator still runs (t/wsgi/stream.wsgi waits for the client's go);
# - print(), sys.stderr and wsgi.errors of a daemon process: the same
#   WSGIS0201 lines as embedded;
# - a client that goes away mid-response: the generator is closed once,
#   early, write() raises OSError in the app, WSGIS0404 once, no error line;
#   the next request is served;
# - a POST body the app does not read, or reads in part: 200, and the next
#   request on the same client connection is served.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Select ();
use Time::HiRes ();
use WsgiTest qw(t_root log_offset log_since);
use PepTest qw(raw_http parse_http hostport connect_to send_all read_response logs_dir wait_file slurp
               settled_log_since error_lines);

my $hp = hostport();
my $logs = logs_dir();

# the log text since $off once it has been still for 0.15 s (at most 3 s)
sub quiet_log_since {
    my $off = shift;
    my($last, $since) = (-1, Time::HiRes::time());
    my $deadline = Time::HiRes::time() + 3;
    while (Time::HiRes::time() < $deadline) {
        my $size = -s "$logs/error_log";
        if ($size != $last) { ($last, $since) = ($size, Time::HiRes::time()) }
        elsif (Time::HiRes::time() - $since >= 0.15) { last }
        Time::HiRes::sleep(0.03);
    }
    return log_since($off);
}

# Log lines of one request, comparable between embedded and daemon:
# "level TAG text" with timestamps, pids, client ports, the id and the mount
# point taken out.
sub log_shape {
    my($text, $id, $mount) = @_;
    my @out;
    for my $line (split /\n/, $text) {
        next if $line =~ /\[(?:core|http|mpm_\w+|authz_\w+|proxy\w*|ssl|mime|alias|env|setenvif|dir):/;
        my($level, $rest) = $line =~ /\[wsgiscript:(\w+)\] (.*)$/ or next;
        # a process or an interpreter starting (a new Apache child, the
        # first request of a group) is not the request's doing
        next if $rest =~ /\b(?:WSGIS0003|WSGIS0502|WSGIS0101|WSGIS0600):/;
        # nor is another group's process coming and going (d13-idle's)
        next if $rest =~ /\bof group '(?!d13-b')[^']*'/;
        $rest =~ s/^\[pid \d+(?::tid \d+)?\] //;
        $rest =~ s/\[client [\d.:]+\] //;
        $rest =~ s/\Q$id\E/ID/g;
        $rest =~ s/\Q$mount\E/MOUNT/g;
        $rest =~ s/\b\d+ bytes of body sent/N bytes of body sent/;
        push @out, "$level $rest";
    }
    return \@out;
}

# One request: (parsed response, log shape, close marker text)
sub run_case {
    my($method, $mount, $case, $query, $id) = @_;
    (my $mark_name = $case) =~ s{/}{_}g;
    my $mark = "$logs/pep-$mark_name-$id";
    unlink $mark, "$mark.ran";
    my $off = log_offset();
    my $q = $query ? "$query&id=$id" : "id=$id";
    my $raw = raw_http("$method $mount/$case?$q HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n", timeout => 30);
    my $res = parse_http($raw);
    my $log = quiet_log_since($off);
    my $marker = join '', grep { defined } slurp($mark), map { defined $_ ? "ran: $_" : undef } slurp("$mark.ran");
    return ($res, log_shape($log, $id, $mount), $marker);
}

# Framing aside: embedded, Apache computes a Content-Length when the app's
# whole body is at hand; a daemon's response reaches the Apache child piece
# by piece and goes out chunked (as mod_wsgi 4.9.4 does in both modes). The
# headers are compared without Content-Length and Transfer-Encoding, the
# body de-chunked; a Content-Length the app set itself is checked by
# 'declared', and a cut-off response by 'complete'.
# A HEAD response has no body, so "complete" (the body its framing
# announces all there) says nothing: Apache may add the Content-Length of a
# body it saw whole (daemon mode passes pieces that arrived together at once)
# or not (embedded mode flushes each item).
sub wire_shape {
    my($res, $id, $declared, $head) = @_;
    my @h;
    for my $name (sort keys %{ $res->{headers} || {} }) {
        next if $name eq 'date' || $name eq 'content-length' || $name eq 'transfer-encoding';
        push @h, map { "$name: $_" } @{ $res->{headers}{$name} };
    }
    (my $body = $res->{body} // '') =~ s/\Q$id\E/ID/g;
    s/\Q$id\E/ID/g for @h;
    my $cl = $res->{headers}{'content-length'};
    return { status => $res->{status}, headers => \@h, body => $body,
             complete => $head ? 'HEAD' : $res->{complete} ? 1 : 0,
             declared => $declared && $cl ? $cl->[0] : undef };
}

my @cases = (
    ['GET', 'status_caught', 's=999%20Bad'], ['GET', 'status_uncaught', 's=999%20Bad'],
    ['GET', 'header_caught', 'h=crlf'], ['GET', 'header_uncaught', 'h=crlf'], ['GET', 'header_uncaught', 'h=nonlatin1'],
    ['GET', 'latin1', ''], ['GET', 'excinfo_before', ''], ['GET', 'excinfo_after', ''],
    ['GET', 'excinfo_after_uncaught', ''], ['GET', 'second_call', ''], ['GET', 'write', ''],
    ['GET', 'write_cl', ''], ['GET', 'write_str', ''], ['GET', 'str_body', ''], ['GET', 'str_list', ''],
    ['GET', 'str_after_bytes', ''], ['GET', 'close_normal', ''], ['GET', 'close_error_before', ''],
    ['GET', 'close_error_mid', ''], ['GET', 'gen_raise', ''], ['GET', 'gen_raise_cl', ''],
    ['GET', 'too_long', ''], ['GET', 'too_short', ''], ['HEAD', 'head', ''], ['HEAD', 'head_gen', ''],
    ['GET', 'head', ''],
);
my $n = 0;
for my $c (@cases) {
    my($method, $case, $query) = @$c;
    ++$n;
    my $what = "$method $case" . ($query ? "?$query" : '');
    my($re, $le, $me) = run_case($method, '/d13/resp-embedded', $case, $query, "e$n-$$");
    my($rd, $ld, $md) = run_case($method, '/d13/resp', $case, $query, "d$n-$$");
    ok defined $re->{code}, "$what: embedded answered ($re->{code})";
    # the cases whose app sets Content-Length itself
    my $declared = $case =~ /^(?:write_cl|gen_raise_cl|too_long|too_short|head)$/;
    my $head = $method eq 'HEAD';
    is_deeply wire_shape($rd, "d$n-$$", $declared, $head), wire_shape($re, "e$n-$$", $declared, $head),
        "$what: the same response on the wire";
    (my $mes = $me) =~ s/e$n-$$/ID/g;
    (my $mds = $md) =~ s/d$n-$$/ID/g;
    is $mds, $mes, "$what: the same close()/run markers" . ($mes ne '' ? " ($mes)" =~ s/\n/; /gr : '');
    is_deeply $ld, $le, "$what: the same log lines (" . scalar(@$le) . ')';
}

# --- scripts that fail: at import, by sys.exit(), without a callable, by
#     raising; a missing one. The same status and log lines in both; with
#     the import fixed, the next request imports it (in both).
{
    my $flag = "$logs/import_error.flag";
    open my $fh, '>', $flag or die "$flag: $!";
    close $fh;
    for my $case (['import_error.wsgi', 500], ['sysexit.wsgi', 500], ['nocallable.wsgi', 404],
                  ['app_error.wsgi', 500], ['no_such_script.wsgi', 404]) {
        my($script, $want) = @$case;
        my(%code, %shape);
        for my $mount ('/d13/dir-embedded', '/d13/dir') {
            my $off = log_offset();
            my $res = parse_http(raw_http("GET $mount/$script HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n"));
            $code{$mount} = $res->{code};
            $shape{$mount} = log_shape(quiet_log_since($off), 'no-id', $mount);
        }
        is $code{'/d13/dir-embedded'}, $want, "$script: embedded $want";
        is $code{'/d13/dir'}, $want, "$script: daemon $want";
        ok scalar(@{ $shape{'/d13/dir'} }), "$script: daemon: " . scalar(@{ $shape{'/d13/dir'} }) . ' log lines';
        is_deeply $shape{'/d13/dir'}, $shape{'/d13/dir-embedded'}, "$script: the same log lines as embedded";
    }
    unlink $flag;
    for my $mount ('/d13/dir-embedded', '/d13/dir') {
        my $res = parse_http(raw_http("GET $mount/import_error.wsgi HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n"));
        is $res->{code}, 200, "import_error.wsgi fixed ($mount): the next request imports it";
    }
}

# --- streaming -------------------------------------------------------------------------------------
{
    my $id = "d13s$$";
    my $go = "$logs/stream-$id.go";
    unlink $go;
    my $sock = connect_to();
    send_all($sock, "GET /d13/stream?id=$id HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n");
    my $buf = '';
    my $sel = IO::Select->new($sock);
    while ($buf !~ /first-chunk/) {
        last unless $sel->can_read(30);
        last unless sysread $sock, $buf, 4096, length $buf;
    }
    like $buf, qr/first-chunk/, 'streaming: the first piece arrived while the generator runs';
    open my $fh, '>', $go or die "$go: $!";
    close $fh;
    while ($sel->can_read(30)) { last unless sysread $sock, $buf, 4096, length $buf }
    close $sock;
    like $buf, qr/after=go/, 'streaming: the generator saw the go-ahead given after the first piece arrived';
    like $buf, qr/line 0\n.*line 2\n/s, 'streaming: the rest followed';
    unlink $go;
}

# --- print(), sys.stderr, wsgi.errors ------------------------------------------------------------
{
    my %shape;
    for my $mount ('/d13/output-embedded', '/d13/output') {
        my $id = "out$$" . ($mount =~ /embedded/ ? 'e' : 'd');
        my $off = log_offset();
        my $res = parse_http(raw_http("GET $mount?id=$id HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n"));
        is $res->{code}, 200, "output ($mount): 200";
        my $log = settled_log_since($off);
        $shape{$mount} = log_shape($log, $id, $mount);
        like $log, qr/\[wsgiscript:error\] [^\n]*\[client [\d.:]+\] WSGIS0201: print-marker-\Q$id\E/,
            "output ($mount): print() in the error log with the client (WSGIS0201)";
    }
    is_deeply $shape{'/d13/output'}, $shape{'/d13/output-embedded'}, 'output: the same lines as embedded';
}

# --- a client that goes away mid-response ------------------------------------------------------------
for my $case (['disconnect', qr/\Aclose items=(\d+) of 16384\n\z/],
              ['disconnect_write', qr/\Awrite items=(\d+) of 16384 error=OSError: write\(\): the client closed the connection\nclose consumed=0\n\z/]) {
    my($what, $re) = @$case;
    my $id = "d13dc$$";
    my $mark = "$logs/pep-$what-$id";
    unlink $mark;
    my $off = log_offset();
    my $sock = connect_to();
    send_all($sock, "GET /d13/resp/$what?id=$id HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n");
    my $sel = IO::Select->new($sock);
    my($got, $buf) = (0, '');
    while ($got < 300_000 && $sel->can_read(30)) {
        my $k = sysread $sock, $buf, 65536;
        last unless $k;
        $got += $k;
    }
    close $sock;
    cmp_ok $got, '>=', 300_000, "$what: the client received the start of the response";
    wait_file($mark, 60, qr/close/);
    my $log = settled_log_since($off, 2);
    my $m = slurp($mark) // '';
    like $m, $re, "$what: the app saw the client go and close() ran once";
    my($items) = $m =~ $re;
    ok defined $items && $items < 16384, "$what: it stopped early (" . ($items // 'undef') . ' of 16384 blocks of 64 KiB)';
    is scalar(() = $log =~ /WSGIS0404/g), 1, "$what: WSGIS0404 once";
    my @err = error_lines($log);
    is_deeply \@err, [], "$what: no error-level log lines" or diag join "\n", @err;
    my $next = parse_http(raw_http("GET /d13/resp/latin1 HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n"));
    is $next->{code}, 200, "$what: the next request 200";
}

# --- a body the app does not read, or reads in part ----------------------------------------------------
for my $mount ('/d13/embedded', '/d13/main') {
    my $sock = connect_to();
    my $body = 'b' x (1 << 20);
    send_all($sock, "POST $mount/info HTTP/1.1\r\nHost: $hp\r\nContent-Length: " . length($body) . "\r\n\r\n$body");
    my $r1 = read_response($sock);
    is $r1 && $r1->{code}, 200, "$mount: a 1 MiB body the app does not read: 200";
    send_all($sock, "POST $mount/upload?block=1000&max=3000 HTTP/1.1\r\nHost: $hp\r\nContent-Length: " . length($body) . "\r\n\r\n$body");
    my $r2 = read_response($sock);
    is $r2 && $r2->{code}, 200, "$mount: a 1 MiB body the app reads 3000 bytes of: 200";
    like $r2 && $r2->{body}, qr/"bytes": 3000\b/, "$mount: ... it read 3000 bytes";
    send_all($sock, "GET $mount/info HTTP/1.1\r\nHost: $hp\r\n\r\n");
    my $r3 = read_response($sock);
    is $r3 && $r3->{code}, 200, "$mount: the next request on the same connection: 200";
    close $sock;
}

done_testing;
