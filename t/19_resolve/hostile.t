# Names in pickled data come from whoever wrote the store. None of these may
# make the server load a file: a script outside every configured place
# (outside/evil.wsgi, which leaves a mark if it ever runs), the same reached
# from a directory target with "..", a link leading out of the directory, a
# linked directory, a hidden file, a handler directory without ExecCGI, a
# file without the handler's extension, names that only look like script
# modules, and a link re-pointed outside after the index was built (refused
# at load time: WSGIS0324). Each is Python's ordinary ModuleNotFoundError;
# diagnostics say no script of this server has the name.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use JSON::PP ();
use ResolveTest qw(call instance_bytes rpath module_name_for ua manifest t_root);

my $mark = t_root() . '/logs/rw/resolve-evil-ran';
unlink $mark;
my $ua = ua();
my $m = manifest() || {};
call($ua, resolve_on => '/resolve/read', 'warm-up: read.wsgi loaded before the first case');

my @paths = (
    'outside/evil.wsgi',
    'dir/../outside/evil.wsgi',
    'dir/escape_link.wsgi',
    'dir/outside_dir/evil.wsgi',
    'dir/.hidden.wsgi',
    'handlers/noexec/h.wsgi',
    'handlers/exec/notascript.txt',
);
for my $rel (@paths) {
    my $path = rpath($rel);
    my $module = module_name_for($path);
    ok !exists $m->{scripts}{$module}, "$rel: not in the manifest";
    my $r = call($ua, resolve_on => '/resolve/read', instance_bytes($path));
    is $r->{data}{ok}, JSON::PP::false(), "$rel: not unpickled";
    is $r->{data}{type}, 'builtins.ModuleNotFoundError', "$rel: ModuleNotFoundError";
    is $r->{data}{message}, "No module named '$module'", "$rel: Python's own message";
    unlike $r->{log}, qr/WSGIS0101[^\n]*'\Q$path\E'|WSGIS0322/, "$rel: nothing loaded";
    like $r->{log}, qr/WSGIS0301: pickle diagnostics: module-not-importable: [^\n]*WSGIPickleResolve loads only scripts this server serves/,
        "$rel: diagnostics: not a script of this server";
}

# Module names that are not (or only look like) script module names.
for my $module ('_mod_wsgi_' . ('0' x 32), '_mod_wsgi_' . ('A' x 32), '_mod_wsgi_../../../../etc/passwd',
                '_mod_wsgi_', 'os.path') {
    my $r = call($ua, resolve_on => '/resolve/read', instance_bytes(undef, 'Cart', $module));
    is $r->{data}{ok}, JSON::PP::false(), "$module: not unpickled";
    unlike $r->{log}, qr/WSGIS0101[^\n]*module '\Q$module\E'|WSGIS0322|WSGIS0324/, "$module: nothing loaded";
}

# A link that pointed inside when the index was built, re-pointed outside.
my $link = rpath('dir/swap_link.wsgi');
my $module = module_name_for($link);
ok exists $m->{scripts}{$module}, 'swap_link.wsgi (pointing inside) is in the index';
unlink $link or die "$link: $!";
symlink '../outside/evil.wsgi', $link or die "$link: $!";
my $r = call($ua, resolve_on => '/resolve/read', instance_bytes($link));
is $r->{data}{type}, 'builtins.ModuleNotFoundError', 're-pointed link: ModuleNotFoundError';
like $r->{log}, qr/\[wsgiscript:warn\][^\n]*WSGIS0324: WSGIPickleResolve: module '\Q$module\E' names '\Q$link\E' \([^\n]*\), which is not loaded: [^\n]*outside/,
    're-pointed link: WSGIS0324 says why';
unlike $r->{log}, qr/WSGIS0101[^\n]*'\Q$link\E'/, 're-pointed link: nothing loaded';
my $again = call($ua, resolve_on => '/resolve/read', instance_bytes($link));
unlike $again->{log}, qr/WSGIS0324/, 'WSGIS0324 once per name';
unlink $link;
symlink 'inner.wsgi', $link or die "$link: $!";

ok !-e $mark, 'outside/evil.wsgi never ran';
done_testing;
