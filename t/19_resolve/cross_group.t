# Data pickled in one application group (rs-maker) names make.wsgi's module.
# With WSGIPickleResolve On, another group (rs-reader) unpickles it: the
# script is loaded there as a first request would load it (same module name,
# registry entry, generation 1, its top-level code run once; a later request
# for the script in that group finds it loaded). Instance, class and function;
# pickle.loads, pickle.load and Unpickler.load. With it Off (resolve_off):
# the unchanged ModuleNotFoundError, and pickle diagnostics name the object
# even when the data came from a stream.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use JSON::PP ();
use ResolveTest qw(call rpath module_name_for ua);

my $maker = rpath('make.wsgi');
my $module = module_name_for($maker);
my $ua = ua();

my %made;
for my $what (qw(instance class function)) {
    my $r = call($ua, resolve_on => "/resolve/make?what=$what");
    is $r->{res}->code, 200, "maker ($what): 200";
    $made{$what} = $r->{res}->content;
    like $made{$what}, qr/\Q$module\E/, "$what: the bytes name make.wsgi's module";
}

my $first = call($ua, resolve_on => '/resolve/read?api=loads', $made{instance});
my $d = $first->{data};
is $d->{ok}, JSON::PP::true(), 'another group unpickles the instance' or diag explain $d;
is $d->{group}, 'rs-reader', 'in the reader group';
is $d->{module_of}, $module, 'of the class of make.wsgi\'s module';
is $d->{name}, 'Cart', 'Cart';
is_deeply $d->{items}, ['apple', 'pear'], 'with its state';
ok $d->{current}, 'the class is the loaded module\'s Cart';
is $d->{module_generation}, 1, 'generation 1';
is_deeply $d->{registry}{$module}, { path => $maker, generation => 1 },
    'the registry of the reader lists make.wsgi (path, generation 1)';
like $first->{log}, qr/WSGIS0101: Loading Python script file '\Q$maker\E': module '\Q$module\E' in interpreter 'rs-reader', generation 1/,
    'loaded as a first request loads it (WSGIS0101)';
like $first->{log}, qr/\[wsgiscript:info\].*WSGIS0322: WSGIPickleResolve: module '\Q$module\E' imported by name to unpickle 'Cart': loaded script '\Q$maker\E' \(WSGIScriptAlias \/resolve\/make \(.*19_resolve\.conf:\d+\)\) into interpreter 'rs-reader', generation 1/,
    'WSGIS0322 says what was loaded, why and where';
unlike $first->{log}, qr/WSGIS0301/, 'no diagnostics entry';

for my $api (qw(loads load unpickler)) {
    for my $what (qw(instance class function)) {
        my $r = call($ua, resolve_on => "/resolve/read?api=$api", $made{$what});
        is $r->{data}{ok}, JSON::PP::true(), "$api $what: unpickled" or diag explain $r->{data};
        is $r->{data}{kind}, $what, "$api $what: a $what";
        ok $r->{data}{current}, "$api $what: the current definition";
        unlike $r->{log}, qr/WSGIS0101[^\n]*'\Q$maker\E'|WSGIS0322/, "$api $what: not loaded again";
    }
}

# A request for make.wsgi in the reader's group now finds it loaded.
my $reg = call($ua, resolve_on => '/resolve/make-in-reader?registry=1');
is $reg->{data}{group}, 'rs-reader', 'make.wsgi requested in the reader group';
is $reg->{data}{pid}, $d->{pid}, 'same child';
is $reg->{data}{generation}, 1, 'the module it runs is generation 1';
is $reg->{data}{loads}, 1, 'its top-level code ran once in that interpreter';
unlike $reg->{log}, qr/WSGIS010[12][^\n]*'\Q$maker\E'[^\n]*'rs-reader'/, 'no load, no reload for the request';

# Off: the ordinary failure, explained by diagnostics, named for streams too.
my $ua_off = ua();
for my $api (qw(loads load unpickler)) {
    my $r = call($ua_off, resolve_off => "/resolve/read?api=$api", $made{instance});
    is $r->{data}{ok}, JSON::PP::false(), "Off $api: fails";
    is $r->{data}{type}, 'builtins.ModuleNotFoundError', "Off $api: ModuleNotFoundError";
    is $r->{data}{message}, "No module named '$module'", "Off $api: Python's message";
    ok !grep({ $_ eq $module } @{ $r->{data}{script_modules} || [] }), "Off $api: not loaded";
    my @entries = grep { /WSGIS0301/ } split /\n/, $r->{log};
    is scalar(@entries), 1, "Off $api: one diagnostics entry" or diag $r->{log};
    like $entries[0] // '', qr/module-not-importable: cannot unpickle 'Cart' of script \Q$maker\E \(module \Q$module\E\): that script is not loaded in this interpreter, and script modules cannot be imported by name/,
        "Off $api: the entry names Cart and the script";
}

done_testing;
