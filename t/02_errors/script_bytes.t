# A script must decode whole in its declared encoding before it runs (issue
# 10, item 4): a NUL byte after valid code, invalid UTF-8 inside a comment,
# bytes a declared encoding cannot decode, an unknown encoding, or a UTF-8
# BOM with another declared encoding give 500 and WSGIS0113 naming the file
# and the byte offset (line, column). Valid scripts in Latin-1 (declared)
# or with a BOM are served, their text decoded as declared.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Path ();
use LWP::UserAgent ();
use WsgiTest qw(t_root log_offset settled_log_since);
use PepTest qw(hostport);

my $dir = t_root() . '/logs/rw/bytes';
File::Path::make_path($dir);
my $hp = hostport();
my $ua = LWP::UserAgent->new(timeout => 30);

my $app = "def application(environ, start_response):\n"
        . "    body = TEXT.encode('utf-8')\n"
        . "    start_response('200 OK', [('Content-Type', 'text/plain; charset=utf-8')])\n"
        . "    return [body]\n";

my %bad = (
    'nul'       => ["TEXT = 'x'\n" . $app . "\0" . "print('after the NUL')\n", qr/is a NUL byte/],
    'comment'   => ["# caf\xe9 in Latin-1 inside a comment\nTEXT = 'x'\n" . $app, qr/is not valid in the encoding 'utf-8'/],
    'declared'  => ["# -*- coding: ascii -*-\nTEXT = 'x'\n# \xc3\xa9\n" . $app, qr/is not valid in the encoding 'ascii' \(declared on line 1\)/],
    'unknown'   => ["# coding: no-such-codec\nTEXT = 'x'\n" . $app, qr/declared encoding 'no-such-codec' on line 1 cannot be used/],
    'bomlatin'  => ["\xef\xbb\xbf# coding: latin-1\nTEXT = 'x'\n" . $app, qr/byte order mark but declares the encoding 'latin-1'/],
);
my %where = (nul => [length("TEXT = 'x'\n" . $app), 6, 1], comment => [5, 1, 6], declared => [37, 3, 3]);

for my $name (sort keys %bad) {
    my($src, $why) = @{ $bad{$name} };
    my $file = "$dir/$name.wsgi";
    open my $fh, '>:raw', $file or die $!;
    print $fh $src;
    close $fh;
    my $off = log_offset();
    my $res = $ua->get("http://$hp/hard/bytes/$name.wsgi");
    is $res->code, 500, "$name: 500";
    my $log = settled_log_since($off);
    like $log, qr/\[wsgiscript:error\] [^\n]*WSGIS0113: WSGI script '\Q$file\E' cannot be loaded: [^\n]*$why/,
        "$name: WSGIS0113 names the file and the reason";
    if (my $w = $where{$name}) {
        my($offset, $line, $col) = @$w;
        like $log, qr/byte offset $offset \(line $line, column $col\)/, "$name: and the place (offset $offset, line $line, column $col)";
    }
    unlike $log, qr/after the NUL/, "$name: nothing of the script ran";
}

my %good = (
    'latin1' => ["# -*- coding: latin-1 -*-\nTEXT = 'caf\xe9'\n" . $app, "caf\xc3\xa9"],
    'bom'    => ["\xef\xbb\xbfTEXT = 'caf\xc3\xa9'\n" . $app, "caf\xc3\xa9"],
    'utf8'   => ["# caf\xc3\xa9\nTEXT = '\xe2\x82\xac'\n" . $app, "\xe2\x82\xac"],
);
for my $name (sort keys %good) {
    my($src, $want) = @{ $good{$name} };
    open my $fh, '>:raw', "$dir/$name.wsgi" or die $!;
    print $fh $src;
    close $fh;
    my $res = $ua->get("http://$hp/hard/bytes/$name.wsgi");
    is $res->code, 200, "$name: served";
    is $res->content, $want, "$name: its text decoded as declared";
}

done_testing;
