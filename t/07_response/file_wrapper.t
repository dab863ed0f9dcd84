# wsgi.file_wrapper: a real file (Content-Length right, body right, from the
# file's position, cut at a smaller declared length), an io.BytesIO (read in
# blksize blocks), the result wrapped by middleware (iterated), HEAD; close()
# of the file exactly once each time (t/pep3333/filewrap.wsgi, /pep/fw*).
# A text file byte for byte through t/wsgi/response.wsgi (/response/file).
# (100 MiB through it, memory bounded: big_download.t.)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use File::Temp ();
use URI::Escape qw(uri_escape);
use WsgiTest qw(t_root ua url log_offset);
use PepTest qw(raw_http parse_http hostport logs_dir wait_file slurp settled_log_since error_lines);

my $hp = hostport();
my $dir = File::Temp::tempdir('pep-fw-XXXXXX', DIR => logs_dir(), CLEANUP => 1);
chmod 0755, $dir;
my $file = "$dir/data.bin";
my $content = join '', map { pack 'N', $_ * 2654435761 % 4294967296 } 1 .. 75_000;   # 300000 bytes
open my $fh, '>', $file or die; binmode $fh; print $fh $content; close $fh;
chmod 0644, $file;
my $p = uri_escape($file);

sub get {
    my($path, $method) = @_;
    $method ||= 'GET';
    return parse_http(raw_http("$method $path HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n"));
}
sub closes {
    my $id = shift;
    my $mark = logs_dir() . "/pep-fw-$id";
    wait_file($mark, 10);
    settled_log_since(log_offset(), 1);
    return slurp($mark) // '';
}

my $off = log_offset();
my $n = 0;
for my $case (['real', '', $content, 'real file'],
              ['real', '&blksize=1000', $content, 'real file, blksize 1000'],
              ['real', '&offset=1000', substr($content, 1000), 'real file from position 1000'],
              ['real', '&cl=5000', substr($content, 0, 5000), 'real file, Content-Length 5000 < size'],
              ['real_nocl', '', $content, 'real file, no Content-Length declared'],
              ['real_mw', '', $content, 'real file wrapped by middleware']) {
    my($what, $extra, $want, $label) = @$case;
    my $id = 'r' . $n++ . "-$$";
    my $res = get("/pep/fw/$what?id=$id&path=$p$extra");
    is $res->{code}, 200, "$label: 200";
    is $res->{header}->('Content-Length'), length($want), "$label: Content-Length" unless $what eq 'real_nocl';
    ok $res->{complete}, "$label: complete response";
    is length($res->{body}), length($want), "$label: body length";
    ok $res->{body} eq $want, "$label: body bytes right";
    is closes($id), "file close\n", "$label: file closed once";
}

# Under EnableSendfile On and EnableMMAP Off (Apache's switches for its own
# file sending, honoured by the file buckets): the same bytes.
for my $prefix ('/pep/fw-sendfile', '/pep/fw-nommap') {
    for my $case (['', $content, 'real file'], ['&offset=1000', substr($content, 1000), 'from position 1000'],
                  ['&cl=5000', substr($content, 0, 5000), 'Content-Length 5000']) {
        my($extra, $want, $label) = @$case;
        my $id = 's' . $n++ . "-$$";
        my $res = get("$prefix/real?id=$id&path=$p$extra");
        is $res->{code}, 200, "$prefix $label: 200";
        is $res->{header}->('Content-Length'), length($want), "$prefix $label: Content-Length";
        ok $res->{body} eq $want, "$prefix $label: body bytes right";
        is closes($id), "file close\n", "$prefix $label: file closed once";
    }
}

for my $case (['bytesio', 8192, 100_000], ['bytesio', 1000, 5555], ['bytesio_mw', 8192, 100_000]) {
    my($what, $blk, $size) = @$case;
    my $id = 'b' . $n++ . "-$$";
    my $res = get("/pep/fw/$what?id=$id&size=$size&blksize=$blk");
    is $res->{code}, 200, "$what $size/$blk: 200";
    is length($res->{body}), $size, "$what $size/$blk: length";
    is md5_hex($res->{body}), $res->{header}->('X-MD5'), "$what $size/$blk: body bytes right";
    ok $res->{complete}, "$what $size/$blk: complete";
    my $c = closes($id);
    like $c, qr/\Abytesio close reads=[\d,]+\n\z/, "$what $size/$blk: closed once";
    my($reads) = $c =~ /reads=([\d,]+)/;
    my @r = split /,/, $reads // '';
    my $expect = int($size / $blk) + 1;
    cmp_ok scalar(@r), '>=', $expect, "$what $size/$blk: read in blocks ($expect or more reads)";
    is_deeply [ grep { $_ != $blk } @r ], [], "$what $size/$blk: every read asked for blksize";
}

# response.wsgi: t/logs/response_file.txt (3000 lines of text)
{
    my $file = t_root() . '/logs/response_file.txt';
    my $want = join '', map { sprintf "line %05d %s\n", $_, join('', map { chr(97 + ($_ * 7 + $_ ** 2) % 26) } 1 .. 40) } 1 .. 3000;
    { open my $fh, '>', $file or die "$file: $!"; print $fh $want; close $fh }
    my $r = ua()->get(url('/response/file'));
    is $r->code, 200, 'wsgi.file_wrapper: status 200';
    is $r->header('Content-Length'), length $want, 'Content-Length';
    ok $r->decoded_content eq $want, 'wsgi.file_wrapper: the whole file, byte for byte'
        or diag 'got ' . length($r->decoded_content) . ' bytes, want ' . length($want);
}

# HEAD of a file response: no body, file closed
{
    my $id = "head-$$";
    my $raw = raw_http("HEAD /pep/fw/real?id=$id&path=$p HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n");
    my($head, $body) = split /\r\n\r\n/, $raw, 2;
    like $head, qr/^Content-Length: 300000\r?$/mi, 'HEAD file: Content-Length';
    is $body, '', 'HEAD file: no body';
    is closes($id), "file close\n", 'HEAD file: file closed once';
}

my @err = error_lines(settled_log_since($off));
is_deeply \@err, [], 'file_wrapper: no error-level log lines' or diag join "\n", @err;

done_testing;
