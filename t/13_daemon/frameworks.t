# Flask and Django in daemon mode: t/pep3333's Flask app and Django project
# (the ones t/10_frameworks runs embedded) mounted at /d13/flask and
# /d13/django in group d13, each in an application group of its own, behind
# t/daemon/framework.wsgi, which names the serving process in X-D13-Pid and
# X-D13-Process-Group. The same requests as t/10_frameworks: a page with
# SCRIPT_NAME in its links, a 404 of the framework, a form POST with a
# non-ASCII and a repeated field, multipart uploads (Django: one held in
# memory, one large enough to go to a temporary file).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Digest::MD5 qw(md5_hex);
use Encode qw(encode);
use HTTP::Request::Common qw(POST);
use WsgiTest qw(ua url log_offset);
use PepTest qw(settled_log_since error_lines);
use DaemonTest qw(json_body info_of);

my $ua = ua();
my $off = log_offset();
my(undef, $emb) = info_of($ua, url('/d13/embedded/info'));

sub in_daemon {
    my($r, $what) = @_;
    is $r->header('X-D13-Process-Group'), 'd13', "$what: served in group d13";
    my $pid = $r->header('X-D13-Pid') // 0;
    ok $pid && $pid != ($emb->{pid} // 0), "$what: by a daemon process ($pid), not the Apache child";
}

# --- Flask -------------------------------------------------------------------------------------
my $r = $ua->get(url('/d13/flask/'));
is $r->code, 200, 'Flask page: 200';
in_daemon($r, 'Flask page');
like $r->decoded_content, qr{<h1>Flask page</h1>}, 'Flask page: content';
like $r->decoded_content, qr{href="/d13/flask/form"}, 'Flask page: url_for() includes SCRIPT_NAME';
is $ua->get(url('/d13/flask/no-such-page'))->code, 404, 'Flask: unknown page 404';
$r = $ua->post(url('/d13/flask/form'), [name => encode('UTF-8', "J\x{f6}rg & co"), color => 'red', color => 'blue']);
is $r->code, 200, 'Flask form POST: 200';
my $d = json_body($r) || {};
is $d->{name}, "J\x{f6}rg & co", 'Flask form POST: field decoded';
is_deeply $d->{color}, ['red', 'blue'], 'Flask form POST: repeated field';
is $d->{script_root}, '/d13/flask', 'Flask form POST: request.script_root';
my $content = join '', map { chr(($_ * 13) % 256) } 1 .. 300_000;
$r = $ua->request(POST url('/d13/flask/upload'), Content_Type => 'form-data',
    Content => [note => 'a note', file => [undef, 'data.bin', 'Content-Type' => 'application/x-test', Content => $content]]);
is $r->code, 200, 'Flask upload: 200';
$d = json_body($r) || {};
is $d->{size}, length($content), 'Flask upload: size';
is $d->{md5}, md5_hex($content), 'Flask upload: content';
is $d->{note}, 'a note', 'Flask upload: the other field';

# --- Django ------------------------------------------------------------------------------------
$r = $ua->get(url('/d13/django/?x=1'));
is $r->code, 200, 'Django page: 200';
in_daemon($r, 'Django page');
like $r->decoded_content, qr{<h1>Django page</h1><p>/d13/django/\?x=1</p>}, 'Django page: get_full_path() includes SCRIPT_NAME';
is $ua->get(url('/d13/django/no-such-page'))->code, 404, 'Django: unknown page 404';
$r = $ua->post(url('/d13/django/form'), [name => encode('UTF-8', "J\x{f6}rg & co"), color => 'red', color => 'blue']);
is $r->code, 200, 'Django form POST: 200';
$d = json_body($r) || {};
is $d->{name}, "J\x{f6}rg & co", 'Django form POST: field decoded';
is_deeply $d->{color}, ['red', 'blue'], 'Django form POST: repeated field';
is $d->{script_name}, '/d13/django', 'Django form POST: SCRIPT_NAME';
is $d->{path_info}, '/form', 'Django form POST: request.path_info';
for my $size (10_000, 700_000) {
    my $c = join '', map { chr(($_ * 17 + $size) % 256) } 1 .. $size;
    $r = $ua->request(POST url('/d13/django/upload'), Content_Type => 'form-data',
        Content => [note => 'a note', file => [undef, 'data.bin', 'Content-Type' => 'application/x-test', Content => $c]]);
    is $r->code, 200, "Django upload $size: 200";
    $d = json_body($r) || {};
    is $d->{size}, $size, "Django upload $size: size";
    is $d->{md5}, md5_hex($c), "Django upload $size: content";
    is $d->{note}, 'a note', "Django upload $size: the other field";
}

my @err = error_lines(settled_log_since($off));
is_deeply \@err, [], 'no error-level log lines' or diag join "\n", @err;

done_testing;
