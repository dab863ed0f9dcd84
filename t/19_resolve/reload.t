# Objects a script keeps in an ordinary module (resolvetest.kept) outlive its
# reloads. After a rewrite (generation 2), pickling the kept instance, class
# and function fails with Off ("not the same object", unchanged) and, with
# WSGIPickleResolve On, pickles them by name: unpickling gives generation 2's
# definitions. Logged once per (script, name) at info with the generations
# (WSGIS0323). A version without Cart: the kept instance and class fail
# again, and pickle diagnostics explain.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use JSON::PP ();
use File::Path qw(make_path);
use ResolveTest qw(call module_name_for ua t_root rpath);
use WsgiTest qw(replace_script);

my $dir = t_root() . '/logs/rw/resolve';
make_path($dir);
my $script = "$dir/stash.wsgi";
my $module = module_name_for($script);
open my $in, '<', rpath('stash.wsgi') or die $!;
my $v1 = do { local $/; <$in> };
close $in;
(my $v2 = $v1) =~ s/^VERSION = 1$/VERSION = 2/m or die 'VERSION line';
(my $v3 = $v2) =~ s/^class Cart:.*?(?=^def discount)//ms or die 'class Cart';
$v3 =~ s/^VERSION = 2$/VERSION = 3\n\nclass Cart_gone:\n    pass/m;

my($t0, $t1, $t2) = (1700000000, 1700000100, 1700000200);
replace_script($script, $v1, $t0);
my $on = ua();
my $off = ua();

for ([$on, 'resolve_on'], [$off, 'resolve_off']) {
    my($ua, $vhost) = @$_;
    my $r = call($ua, $vhost => '/resolve/stash?do=keep');
    is $r->{data}{generation}, 1, "$vhost: kept objects of generation 1";
    $r = call($ua, $vhost => '/resolve/stash?do=pickle');
    ok $r->{data}{$_}{ok} && $r->{data}{$_}{current}, "$vhost: $_ pickles in its own generation"
        for qw(instance cls function);
    ok $r->{data}{$_}{same_object}, "$vhost: $_ unpickles to itself" for qw(cls function);
}

replace_script($script, $v2, $t1);
my $r = call($on, resolve_on => '/resolve/stash?do=pickle');
is $r->{data}{generation}, 2, 'On: the script is at generation 2';
for my $key (qw(instance cls function)) {
    my $x = $r->{data}{$key} || {};
    is $x->{ok}, JSON::PP::true(), "On: the kept $key pickles" or diag explain $x;
    ok $x->{current}, "On: and unpickles to generation 2's definition";
    ok !$x->{same_object}, "On: not the generation 1 object";
}
my @by_name = grep { /WSGIS0323/ } split /\n/, $r->{log};
is scalar(@by_name), 2, 'two WSGIS0323 lines: Cart and discount' or diag $r->{log};
my($cart) = grep { /class 'Cart'/ } @by_name;
my($fn) = grep { /function 'discount'/ } @by_name;
like $cart // '', qr/\[wsgiscript:info\].*WSGIS0323: WSGIPickleResolve: pickled class 'Cart' of script \Q$script\E \(module \Q$module\E\), for an instance of it, by name: the object comes from generation 1, the script is now at generation 2 \(reloaded at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}\); unpickling gives the current definition \(request: GET \/resolve\/stash\?do=pickle\)/,
    'the class line: generations, reload time, request';
like $fn // '', qr/pickled function 'discount' of script \Q$script\E \(module \Q$module\E\) by name: the object comes from generation 1, the script is now at generation 2/,
    'the function line';
unlike $r->{log}, qr/WSGIS0301/, 'no diagnostics entry: nothing failed';

$r = call($on, resolve_on => '/resolve/stash?do=pickle');
ok $r->{data}{instance}{ok}, 'On: again';
unlike $r->{log}, qr/WSGIS0323/, 'logged once per (script, name)';

$r = call($off, resolve_off => '/resolve/stash?do=pickle');
is $r->{data}{generation}, 2, 'Off: generation 2';
for my $key (qw(instance cls function)) {
    my $x = $r->{data}{$key} || {};
    is $x->{ok}, JSON::PP::false(), "Off: the kept $key does not pickle";
    like $x->{message} // '', qr/it's not the same object as \Q$module\E\.(?:Cart|discount)$/, "Off: pickle's message, unchanged";
}
unlike $r->{log}, qr/WSGIS0323/, 'Off: nothing pickled by name';

replace_script($script, $v3, $t2);
$r = call($on, resolve_on => '/resolve/stash?do=pickle');
is $r->{data}{generation}, 3, 'On: generation 3 has no Cart';
for my $key (qw(instance cls)) {
    is $r->{data}{$key}{ok}, JSON::PP::false(), "On: the kept $key fails again (no Cart any more)";
    like $r->{data}{$key}{message} // '', qr/Cart/, "On: pickle's message";
}
ok $r->{data}{function}{ok} && $r->{data}{function}{current}, 'On: discount still pickles by name';
my @diag = grep { /WSGIS0301/ } split /\n/, $r->{log};
is scalar(@diag), 2, 'diagnostics explain both failures' or diag $r->{log};
like $diag[0] // '', qr/not-found: cannot pickle class 'Cart' of script \Q$script\E/, 'not-found, class Cart';

done_testing;
