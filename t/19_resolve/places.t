# What the index holds: scripts of every kind of place, loaded by name in a
# group that never served them. never.wsgi is requested by no test at all, so
# the child that unpickles its Cart has never served it. Also a
# WSGIImportScript file, files of a directory target (and of its
# subdirectory, and a link to a file inside it) and a wsgi-script handler
# directory with ExecCGI. The manifest (WSGIScriptManifest) lists them with
# the directive that makes the server serve each.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use JSON::PP ();
use ResolveTest qw(call instance_bytes rpath module_name_for ua manifest);
use WsgiTest qw(log_since);

my %cases = (
    'never.wsgi'         => ['never-served', qr/WSGIScriptAlias \/resolve\/never/],
    'imported.wsgi'      => ['imported', qr/WSGIImportScript/],
    'dir/inner.wsgi'     => ['dir', qr/WSGIScriptAlias \/resolve\/dir\//],
    'dir/sub/deep.wsgi'  => ['dir', qr/WSGIScriptAlias \/resolve\/dir\//],
    'dir/inner_link.wsgi' => ['dir', qr/WSGIScriptAlias \/resolve\/dir\//],
    'handlers/exec/h.wsgi' => ['dir', qr/AddHandler wsgi-script \.wsgi/],
);

my $m = manifest();
ok $m, 'the manifest was written' or BAIL_OUT('no manifest');
is $m->{format}, 'wsgiscript-manifest', 'its format';
like log_since(0), qr/WSGIS0320: WSGIPickleResolve: index built: \d+ scripts from \d+ places/, 'WSGIS0320 at start';
like log_since(0), qr/WSGIS0328: WSGIScriptManifest: \d+ scripts written to \S*resolve-manifest\.json/, 'WSGIS0328';

my $ua = ua();
for my $rel (sort keys %cases) {
    my($items, $source) = @{ $cases{$rel} };
    my $path = rpath($rel);
    my $module = module_name_for($path);
    my $entry = $m->{scripts}{$module};
    ok $entry, "$rel: in the manifest";
    is $entry->{path}, $path, "$rel: its path";
    like $entry->{source} // '', $source, "$rel: and what serves it";
    my $r = call($ua, resolve_on => '/resolve/read', instance_bytes($path));
    is $r->{data}{ok}, JSON::PP::true(), "$rel: unpickled in rs-reader" or diag explain $r->{data};
    is $r->{data}{module_of}, $module, "$rel: from its module";
    my $got = $r->{data}{items};
    $got = $got->[0] if ref $got;
    ok !defined $got || $got eq $items || $items eq 'dir', "$rel: its own Cart";
    like $r->{log}, qr/WSGIS0322: [^\n]*'\Q$module\E'[^\n]*'\Q$path\E'/, "$rel: WSGIS0322";
}
is $m->{scripts}{module_name_for(rpath('dir/inner.wsgi'))}{kind}, 'tree', 'a directory\'s file is kind "tree"';
is $m->{scripts}{module_name_for(rpath('never.wsgi'))}{kind}, 'file', 'a file target is kind "file"';

# The module of a directory target's file is the one a request loads.
my $inner = rpath('dir/inner.wsgi');
my $inner_module = module_name_for($inner);
my $r = call($ua, resolve_on => '/resolve/dir/inner.wsgi');
is $r->{res}->code, 200, 'dir/inner.wsgi requested';
like $r->{log}, qr/WSGIS0101: [^\n]*'\Q$inner\E': module '\Q$inner_module\E' in interpreter 'rs-dir'/,
    'a request loads it under the same module name';

done_testing;
