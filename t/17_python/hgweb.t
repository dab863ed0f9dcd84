# Mercurial's hgweb (Debian's mercurial, installed by scripts/deps) served by
# the module: it keeps sys.stdin.buffer and sys.stdout.buffer at import,
# which needs mod_wsgi's io.TextIOWrapper streams. A small repository is
# made in t/logs/hgrepo; t/python/hgweb.wsgi is Mercurial's example script.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Path ();
use WsgiTest qw(ua url t_root log_offset settled_log_since);
use PepTest qw(error_lines);

my $hg = '/usr/bin/hg';
plan skip_all => "Mercurial is not installed ($hg; scripts/deps installs it)" unless -x $hg;

my $repo = t_root() . '/logs/hgrepo';
File::Path::remove_tree($repo);
local $ENV{HGUSER} = 'wsgiscript test <test@example.invalid>';
local $ENV{HGRCPATH} = '';
system($hg, 'init', $repo) == 0 or die "hg init failed";
open my $fh, '>', "$repo/hello.txt" or die $!;
print $fh "hello from hgweb under mod_wsgiscript\n";
close $fh;
system($hg, '-R', $repo, 'add', '-q', "$repo/hello.txt") == 0 or die "hg add failed";
system($hg, '-R', $repo, 'commit', '-q', '-m', 'first commit py17') == 0 or die "hg commit failed";

my $ua = ua();
my $off = log_offset();
my $r = $ua->get(url('/py17/hgweb/'));
is $r->code, 200, 'hgweb: the repository page';
like $r->decoded_content, qr/first commit py17/, '... shows the commit';
$r = $ua->get(url('/py17/hgweb/raw-file/tip/hello.txt'));
is $r->code, 200, 'hgweb: a file at tip';
is $r->decoded_content, "hello from hgweb under mod_wsgiscript\n", '... its content';
$r = $ua->get(url('/py17/hgweb/log?style=raw'));
is $r->code, 200, 'hgweb: the raw log';
like $r->decoded_content, qr/first commit py17/, '... names the commit';
my @errors = error_lines(settled_log_since($off));
is scalar(@errors), 0, 'no error lines in the log' or diag join "\n", @errors;

done_testing;
