# A chunked request body (no Content-Length) through wsgi.input: read(),
# read(n), readline(), iteration; CONTENT_LENGTH absent; input_terminated.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use WsgiTest qw(log_offset);
use PepTest qw(raw_http parse_http json_of hostport settled_log_since error_lines);

my $hp = hostport();

sub chunked_post {
    my($ops, $body, $sizes, %h) = @_;
    my $req = "POST /pep/input?ops=$ops HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n"
        . "Content-Type: application/octet-stream\r\nTransfer-Encoding: chunked\r\n";
    $req .= "$_: $h{$_}\r\n" for sort keys %h;
    $req .= "\r\n";
    my $pos = 0;
    my $i = 0;
    while ($pos < length $body) {
        my $n = $sizes->[$i++ % @$sizes];
        $n = length($body) - $pos if $pos + $n > length $body;
        $req .= sprintf("%x\r\n", $n) . substr($body, $pos, $n) . "\r\n";
        $pos += $n;
    }
    $req .= "0\r\n\r\n";
    my $res = parse_http(raw_http($req));
    return ($res, json_of($res->{body}) || {});
}
sub vals { [ map { ref $_ eq 'ARRAY' ? vals($_) : $_->{value} } @{ shift() } ] }

my $off = log_offset();
my $body = "alpha\nbeta gamma\n\n\x00\xff binary\r\nlast-no-newline";
for my $ops ('read', 'read:4,read:4,read:100,read', 'readline*7',
             'readline:3*16', 'iter', 'readlines:7,readlines') {
    my($res, $d) = chunked_post($ops, $body, [1, 3, 7, 2], 'X-Body-Hex' => unpack('H*', $body));
    is $res->{code}, 200, "chunked $ops: 200";
    ok $d->{same_as_bytesio}, "chunked $ops: same answers as io.BytesIO"
        or diag explain { got => vals($d->{results} || []), bytesio => vals($d->{bytesio} || []) };
    ok !defined $d->{CONTENT_LENGTH}, "chunked $ops: no CONTENT_LENGTH";
    is $d->{input_terminated}, JSON::PP::true(), "chunked $ops: wsgi.input_terminated";
}
my($res, $d) = chunked_post('read,read,read:5', $body, [5]);
is_deeply vals($d->{results}), [$body, '', ''], 'chunked: read() whole body, then b\'\'';

my $big = join '', map { chr(($_ * 31) % 256) } 1 .. 1_000_000;
for my $ops ('read', 'readn:65536', 'readn:1000') {
    ($res, $d) = chunked_post($ops, $big, [65536, 1, 100_000, 4097]);
    is $res->{code}, 200, "1 MB chunked, $ops: 200";
    is $d->{length}, length($big), "1 MB chunked, $ops: all bytes";
    is $d->{md5}, md5_hex($big), "1 MB chunked, $ops: right bytes";
}

my @err = error_lines(settled_log_since($off));
is_deeply \@err, [], 'no error-level log lines' or diag join "\n", @err;

done_testing;
