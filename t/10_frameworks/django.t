# A minimal Django project (Debian's python3-django; settings in
# t/pep3333/djangosite: DEBUG False, ALLOWED_HOSTS ['*'], no database) mounted
# at /django: a page, a form POST, a multipart file upload (one in memory,
# one large enough to go to a temporary file).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use Encode qw(encode);
use HTTP::Request::Common qw(POST);
use WsgiTest qw(ua url decode_json_body log_offset);
use PepTest qw(settled_log_since error_lines);

my $ua = ua();
my $off = log_offset();
my $r = $ua->get(url('/django/?x=1'));
is $r->code, 200, 'page: 200';
like $r->header('Content-Type'), qr{^text/html}, 'page: text/html';
like $r->decoded_content, qr{<h1>Django page</h1><p>/django/\?x=1</p>}, 'page: content, get_full_path() includes SCRIPT_NAME';

$r = $ua->get(url('/django/no-such-page'));
is $r->code, 404, 'unknown page: Django 404';

$r = $ua->post(url('/django/form'), [name => encode("UTF-8", "J\x{f6}rg & co"), color => 'red', color => 'blue']);
is $r->code, 200, 'form POST: 200';
my $d = decode_json_body($r) || {};
is $d->{name}, "J\x{f6}rg & co", 'form POST: field decoded';
is_deeply $d->{color}, ['red', 'blue'], 'form POST: repeated field';
is $d->{script_name}, '/django', 'form POST: SCRIPT_NAME';
is $d->{path}, '/django/form', 'form POST: request.path';
is $d->{path_info}, '/form', 'form POST: request.path_info';

for my $size (10_000, 700_000) {
    my $content = join '', map { chr(($_ * 17 + $size) % 256) } 1 .. $size;
    $r = $ua->request(POST url('/django/upload'), Content_Type => 'form-data',
        Content => [note => 'a note', file => [undef, 'data.bin', 'Content-Type' => 'application/x-test', Content => $content]]);
    is $r->code, 200, "upload $size: 200";
    $d = decode_json_body($r) || {};
    is $d->{filename}, 'data.bin', "upload $size: file name";
    is $d->{size}, $size, "upload $size: size";
    is $d->{md5}, md5_hex($content), "upload $size: content";
    is $d->{content_type}, 'application/x-test', "upload $size: part content type";
    is $d->{note}, 'a note', "upload $size: the other form field";
}

my @err = error_lines(settled_log_since($off));
is_deeply \@err, [], 'Django: no error-level log lines' or diag join "\n", @err;

done_testing;
