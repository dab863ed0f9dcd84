# A Flask app (Debian's python3-flask) mounted at /flask: a page (with
# url_for() honouring SCRIPT_NAME), a form POST, a multipart file upload.
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
my $r = $ua->get(url('/flask/'));
is $r->code, 200, 'page: 200';
like $r->header('Content-Type'), qr{^text/html}, 'page: text/html';
like $r->decoded_content, qr{<h1>Flask page</h1>}, 'page: content';
like $r->decoded_content, qr{href="/flask/form"}, 'page: url_for() includes SCRIPT_NAME';

$r = $ua->get(url('/flask/no-such-page'));
is $r->code, 404, 'unknown page: Flask 404';

$r = $ua->post(url('/flask/form'), [name => encode("UTF-8", "J\x{f6}rg & co"), color => 'red', color => 'blue']);
is $r->code, 200, 'form POST: 200';
my $d = decode_json_body($r) || {};
is $d->{name}, "J\x{f6}rg & co", 'form POST: field decoded';
is_deeply $d->{color}, ['red', 'blue'], 'form POST: repeated field';
is $d->{script_root}, '/flask', 'form POST: request.script_root';
is $d->{path}, '/form', 'form POST: request.path';

my $content = join '', map { chr(($_ * 13) % 256) } 1 .. 300_000;
$r = $ua->request(POST url('/flask/upload'), Content_Type => 'form-data',
    Content => [note => 'a note', file => [undef, 'data.bin', 'Content-Type' => 'application/x-test', Content => $content]]);
is $r->code, 200, 'upload: 200';
$d = decode_json_body($r) || {};
is $d->{filename}, 'data.bin', 'upload: file name';
is $d->{size}, length($content), 'upload: size';
is $d->{md5}, md5_hex($content), 'upload: content';
is $d->{content_type}, 'application/x-test', 'upload: part content type';
is $d->{note}, 'a note', 'upload: the other form field';

my @err = error_lines(settled_log_since($off));
is_deeply \@err, [], 'Flask: no error-level log lines' or diag join "\n", @err;

done_testing;
