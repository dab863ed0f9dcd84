# Unpickling bytes that name a script module not loaded in this interpreter.
# /pickle/make (application group pickle-on-maker) answers pickle.dumps(Cart());
# the bytes name make.wsgi's module. They load fine when posted back to
# /pickle/make; posted to /pickle/unpickle (group pickle-on-reader, another
# interpreter) they fail with ModuleNotFoundError through pickle.loads,
# pickle.load, pickle.Unpickler(...).load and an Unpickler subclass:
# module-not-importable, with make.wsgi's path (the server configures it) and
# the name Cart: read out of the data for pickle.loads, and for the stream
# APIs from the name the unpickler asked for (the server's audit hook).
# Bytes naming a module no script of this server has: "script unknown".
# Off: no entries, same exceptions.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use JSON::PP ();
use Digest::MD5 qw(md5_hex);
use PickleTest qw(call script_path check_entry same_exception ua module_name_for);

my $maker = script_path('make.wsgi');
my $maker_module = module_name_for($maker);
my $ua = ua();
my $ua_off = ua();

my $made = call($ua, pickle_on => '/pickle/make');
is $made->{res}->code, 200, 'maker: 200';
my $bytes = $made->{res}->content;
like $bytes, qr/\Q$maker_module\E/, 'the bytes name the maker script module';
like $bytes, qr/Cart/, 'and the class Cart';
is scalar(@{ $made->{entries} }), 0, 'making the bytes: no entry';

my $back = call($ua, pickle_on => '/pickle/make', $bytes);
is $back->{data}{ok}, JSON::PP::true(), 'the bytes load in the maker\'s own interpreter';
is $back->{data}{value}, "['apple', 'pear']", 'to a Cart with its items';
is scalar(@{ $back->{entries} }), 0, 'no entry for a successful load';

my $made_off = call($ua_off, pickle_off => '/pickle/make');
is $made_off->{res}->content, $bytes, 'Off maker makes the same bytes';

for my $api (qw(loads load unpickler subclass)) {
    my $r = call($ua, pickle_on => "/pickle/unpickle?api=$api", $bytes);
    is $r->{res}->code, 200, "$api in another group: 200";
    is $r->{data}{ok}, JSON::PP::false(), "$api: unpickling failed";
    is $r->{data}{type}, 'builtins.ModuleNotFoundError', "$api: ModuleNotFoundError";
    is $r->{data}{message}, "No module named '$maker_module'", "$api: Python's message";
    isnt $r->{data}{module}, $maker_module, "$api: ran in unpickle.wsgi, not the maker";
    is scalar(@{ $r->{entries} }), 1, "$api: exactly one WSGIS0301 entry" or diag $r->{log};
    check_entry("$api", $r->{entries}[0],
                category => 'module-not-importable', op => 'unpickle',
                qualname => 'Cart',
                path => $maker, module => $maker_module,
                request => "POST /pickle/unpickle?api=$api",
                like => [ qr/that script is not loaded in this interpreter/,
                          qr/cannot unpickle 'Cart' of script/ ],
                unlike => [ qr/name not recoverable/ ]);

    my $off = call($ua_off, pickle_off => "/pickle/unpickle?api=$api", $bytes);
    is $off->{res}->code, 200, "Off $api: 200";
    is scalar(@{ $off->{entries} }), 0, "Off $api: no entry" or diag $off->{log};
    same_exception("$api", $r->{data}, $off->{data});
}

# the same bytes, renamed to a module no script of this server has
my $stranger_path = '/nonexistent/elsewhere.wsgi';
my $stranger = '_mod_wsgi_' . md5_hex($stranger_path);
(my $foreign = $bytes) =~ s/\Q$maker_module\E/$stranger/g;
my $r = call($ua, pickle_on => '/pickle/unpickle?api=loads', $foreign);
is $r->{data}{message}, "No module named '$stranger'", 'unknown module: Python\'s message';
is scalar(@{ $r->{entries} }), 1, 'unknown module: exactly one entry' or diag $r->{log};
check_entry('unknown module', $r->{entries}[0],
            category => 'module-not-importable', op => 'unpickle', qualname => 'Cart',
            path => undef, module => $stranger,
            request => 'POST /pickle/unpickle?api=loads',
            like => [ qr/out of the script that defines it into a module imported from sys\.path/ ]);

done_testing;
