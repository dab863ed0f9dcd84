# A client that sends less than its Content-Length and then goes away (or a
# malformed chunked body): the app's read raises OSError, which it can catch
# (it records the error to t/logs/pep-input-ID.json); later reads give b'';
# WSGIS0401 (info) says what happened. Uncaught: WSGIS0110 with the traceback.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Socket qw(SHUT_WR);
use WsgiTest qw(log_offset wait_log);
use PepTest qw(connect_to read_all hostport logs_dir wait_file json_of settled_log_since);

my $hp = hostport();

sub short_request {
    my($path, $head_extra, $sent, $how) = @_;
    my $sock = connect_to();
    print $sock "POST $path HTTP/1.1\r\nHost: $hp\r\nContent-Type: application/octet-stream\r\n"
        . $head_extra . "\r\n" . $sent;
    if ($how eq 'shutdown') {
        shutdown $sock, SHUT_WR;
        my $raw = read_all($sock, 30);
        close $sock;
        return $raw;
    }
    close $sock;
    return '';
}

for my $how ('close', 'shutdown') {
    my $id = "short-$how-$$";
    my $file = logs_dir() . "/pep-input-$id.json";
    unlink $file;
    my $off = log_offset();
    short_request("/pep/input?catch=$id", "Content-Length: 100000\r\n", 'B' x 1000, $how);
    my $rec = json_of(wait_file($file, 30)) || {};
    like $rec->{error} // '', qr/^OSError: wsgi\.input: request body could not be read after \d+ bytes of Content-Length 100000/,
        "$how: the app caught an OSError saying what happened";
    my $total = ($rec->{received} // 0) + ($rec->{later_reads}[0] // 0) + ($rec->{later_reads}[1] // 0);
    is $total, 1000, "$how: the app got exactly the 1000 bytes sent (before the error and on the next read)"
        or diag explain $rec;
    is $rec->{later_reads}[2], 0, "$how: then read(n) gives b''";
    is $rec->{later_read_all}, 0, "$how: then read() gives b''";
    my $log = wait_log($off, qr/WSGIS0401/, 10);
    like $log, qr/\[wsgiscript:info\] [^\n]*WSGIS0401: request body could not be read after \d+ bytes of Content-Length 100000/,
        "$how: WSGIS0401 at info";
    $log = settled_log_since($off);
    unlike $log, qr/\[wsgiscript:error\]/, "$how: caught by the app: no wsgiscript error lines";
    unlike $log, qr/WSGIS0110/, "$how: no WSGIS0110";
}

# malformed chunked body
{
    my $id = "badchunk-$$";
    my $file = logs_dir() . "/pep-input-$id.json";
    unlink $file;
    my $off = log_offset();
    my $raw = short_request("/pep/input?catch=$id", "Transfer-Encoding: chunked\r\n",
                            "5\r\nhello\r\nzz-not-hex\r\n\r\n", 'shutdown');
    my $rec = json_of(wait_file($file, 30)) || {};
    like $rec->{error} // '', qr/^OSError: wsgi\.input: request body could not be read after \d+ bytes/,
        'malformed chunk: OSError the app can catch';
    ok defined $rec->{received} && $rec->{received} <= 5, 'malformed chunk: at most the good chunk received';
    my $log = wait_log($off, qr/WSGIS0401/, 10);
    like $log, qr/\[wsgiscript:info\] [^\n]*WSGIS0401/, 'malformed chunk: WSGIS0401';
}

# not caught: WSGIS0110 with the traceback naming the OSError
{
    my $off = log_offset();
    short_request('/pep/input?ops=read', "Content-Length: 50000\r\n", 'C' x 100, 'close');
    my $log = wait_log($off, qr/WSGIS0110.*\n(?:.*\n)*.*OSError: wsgi\.input/, 15);
    like $log, qr/WSGIS0401/, 'uncaught: WSGIS0401';
    like $log, qr/\[wsgiscript:error\] [^\n]*WSGIS0110: Exception occurred processing WSGI script '[^']*input\.wsgi'/,
        'uncaught: WSGIS0110';
    like $log, qr/WSGIS0110: [^\n]*OSError: wsgi\.input: request body could not be read after \d+ bytes of Content-Length 50000/,
        'uncaught: the traceback ends with the OSError';
}

done_testing;
