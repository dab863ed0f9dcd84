# wsgi.input: read(), read(n), readline(), readline(limit), readlines(),
# readlines(hint), iteration, reads past the end give b''. Every sequence is
# also run by the app on io.BytesIO of the same body (sent hex-encoded in a
# header) and must give the same answers; a few are also spelled out here.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use WsgiTest qw(ua url decode_json_body log_offset);
use PepTest qw(settled_log_since error_lines);

my $ua = ua();
my $body = "alpha\nbeta gamma\n\n\x00\xff binary\r\nlast-no-newline";
my $hex = unpack 'H*', $body;

sub post {
    my($ops, $content, %h) = @_;
    my $r = $ua->post(url("/pep/input?ops=$ops"), 'Content-Type' => 'application/octet-stream',
                      Content => $content, %h);
    return ($r, decode_json_body($r) || {});
}
sub vals { [ map { ref $_ eq 'ARRAY' ? vals($_) : $_->{value} } @{ shift() } ] }

my $off = log_offset();
my @seqs = (
    'read', 'read,read,read:10,readline,readlines,iter',
    'read:-1,read', 'read:0,read:5,read:5,read:1000,read:1',
    'readline*7',
    'readline:3*16', 'readline:0,readline:-1,readline',
    'readlines', 'readlines:1,readlines:1', 'readlines:7,readlines:12,readlines:1000,readlines',
    'iter', 'read:3,readline,iter,read', 'readn:7', 'readline,readn:1',
    'readlines:0',
);
for my $ops (@seqs) {
    my($r, $d) = post($ops, $body, 'X-Body-Hex' => $hex);
    is $r->code, 200, "$ops: 200";
    ok $d->{same_as_bytesio}, "$ops: same answers as io.BytesIO"
        or diag explain { got => vals($d->{results} || []), bytesio => vals($d->{bytesio} || []) };
}

# spelled out
my($r, $d) = post('read,read,read:10,readline,readlines,iter', $body);
is_deeply vals($d->{results}), [$body, '', '', '', [], []], 'read() then b\'\' / [] past the end';
is $d->{CONTENT_LENGTH}, length($body), 'CONTENT_LENGTH';
($r, $d) = post('readline*7', $body);
is_deeply vals($d->{results}),
    ["alpha\n", "beta gamma\n", "\n", "\x00\xff binary\r\n", 'last-no-newline', '', ''],
    'readline() line by line, then b\'\'';
($r, $d) = post('readline:4*5', $body);
is_deeply vals($d->{results}), ['alph', "a\n", 'beta', ' gam', "ma\n"], 'readline(4)';
($r, $d) = post('readlines:7,readlines', $body);
is_deeply vals($d->{results}), [["alpha\n", "beta gamma\n"], ["\n", "\x00\xff binary\r\n", 'last-no-newline']],
    'readlines(7) stops once 7 bytes are reached';
($r, $d) = post('iter', $body);
is_deeply vals($d->{results}), [["alpha\n", "beta gamma\n", "\n", "\x00\xff binary\r\n", 'last-no-newline']],
    'iteration yields lines';
($r, $d) = post('read:5,read:5,read:100,read:5', $body);
is_deeply vals($d->{results}), ['alpha', "\nbeta", substr($body, 10), ''], 'read(n): up to n, b\'\' at the end';

# empty body
($r, $d) = post('read,readline,readlines,iter,read:10', '');
is_deeply vals($d->{results}), ['', '', [], [], ''], 'empty body: everything empty';

# a bigger body: lines longer than any buffer, many lines
my $big = join '', map { ('x' x ($_ * 37 % 9000)) . "\n" } 1 .. 300;
$big .= 'tail';
for my $ops ('iter', 'readlines', 'readlines:100000,readlines', 'readn:65536', 'readn:1', 'read',
             'readline:1000*3000') {
    ($r, $d) = post($ops, $big);
    is $r->code, 200, "big body, $ops: 200";
    is $d->{length}, length($big), "big body, $ops: all bytes";
    is $d->{md5}, md5_hex($big), "big body, $ops: the right bytes";
}
($r, $d) = post('iter', $big);
my $lines = $d->{results}[0] || [];
is scalar(@$lines), 301, 'big body: 301 lines by iteration';
is scalar(grep { $_->{value} !~ /\n\z/ } @$lines), 1, 'big body: only the last line lacks its newline';
($r, $d) = post('readline:1000*3000', $big);
my @l = grep { length $_ } @{ vals($d->{results}) };
is scalar(grep { length($_) > 1000 } @l), 0, 'readline(1000): no piece longer than 1000';

my @err = error_lines(settled_log_since($off));
is_deeply \@err, [], 'no error-level log lines' or diag join "\n", @err;

done_testing;
