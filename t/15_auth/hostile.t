# User names and passwords come from the client: any bytes reach the hook
# as str decoded as latin-1 (one character per byte, as mod_wsgi 5.0.1+):
# UTF-8, invalid UTF-8, control characters, ':' in the password, a NUL (httpd
# ends the credentials there), names of thousands of bytes, random bytes. No
# crash, no 500: the hook decides (here: unknown user, 401).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url log_since crash_lines log_offset);
use AuthTest qw(basic_get);

my $ua = ua();
my $start = log_offset();

# The arguments check_password got in this request (shown by the app, which
# only runs after a success): ask with a user the hook accepts next.
sub last_args {
    my($r, $d) = basic_get($ua, '/a15/basic/x', 'alice', 'wonderland');
    my @seen = @{ $d ? $d->{users}{seen} : [] };
    return $seen[-2] ? $seen[-2]{args} : undef;    # [-1] is alice's own call
}

my($r, $d) = basic_get($ua, '/a15/basic/x', "j\xc3\xb6rg", "stra\xc3\x9fe");
is $r->code, 200, 'UTF-8 user and password: 200';
is_deeply $d ? $d->{users}{seen}[-1]{args} : [], ["j\xc3\xb6rg", "stra\xc3\x9fe"],
    'the hook got the bytes as latin-1 str (it re-decodes them as UTF-8)';
is $d && $d->{REMOTE_USER}, "j\xc3\xb6rg", 'REMOTE_USER: the same bytes';

my @cases = (
    [ 'invalid UTF-8', "\xff\xfe\x80", 'x' ],
    [ 'latin-1 bytes', "j\xf6rg", "stra\xdfe" ],
    [ 'control characters', "a\x01b\x1b[31m\x7f", "\t\r" ],
    [ 'a colon in the password', 'bob', 'build:er' ],
    [ 'a long name', 'u' x 5000, 'p' x 100 ],
    [ 'an empty name', '', 'x' ],
);
for my $c (@cases) {
    my($what, $user, $password) = @$c;
    ($r) = basic_get($ua, '/a15/basic/x', $user, $password);
    is $r->code, 401, "$what: 401";
    is_deeply last_args(), [$user, $password], "$what: the hook got each byte as one character";
}

($r) = basic_get($ua, '/a15/basic/x', "al\0ice", 'wonderland');
is $r->code, 401, 'a NUL in the user name: 401 (httpd ends the decoded credentials at the NUL)';
is_deeply last_args(), ['al', ''], 'the hook got what came before the NUL: user "al", no password';

srand(15);
my $codes = '';
for (1 .. 60) {
    my $user = join '', map { chr(1 + int rand 255) } 1 .. 1 + int rand 40;
    $user =~ s/:/;/g;
    my $password = join '', map { chr(int rand 256) } 1 .. int rand 40;
    ($r) = basic_get($ua, '/a15/basic/x', $user, $password);
    $codes .= $r->code == 401 ? '' : " " . $r->code;
}
is $codes, '', '60 random byte names and passwords: all 401';

is $ua->get(url('/hello'))->code, 200, 'still serving';
my @crash = crash_lines(log_since($start));
is scalar(@crash), 0, 'no crash in the log' or diag join "\n", @crash;
unlike log_since($start), qr/WSGIS070[0-9]/, 'no hook failure logged';

done_testing;
