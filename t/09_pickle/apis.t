# One failure (a function whose name was deleted) through every pickling entry
# point: pickle.dumps, pickle.dump, pickle.Pickler(...).dump, a Pickler
# subclass defined by the script, a subclass whose dump() calls pickle.dumps
# (two diagnosing calls, still one entry), and
# multiprocessing.reduction.ForkingPickler imported during the request.
# On: exactly one WSGIS0301 each. Off: none, same exception.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use JSON::PP ();
use PickleTest qw(call script_path check_entry same_exception ua module_name_for);

my $path = script_path('apis.wsgi');
my $module = module_name_for($path);
my $ua_on = ua();
my $ua_off = ua();

for my $api (qw(dumps dump pickler subclass nested forking)) {
    my $on = call($ua_on, pickle_on => "/pickle/apis?api=$api");
    is $on->{res}->code, 200, "On $api: 200";
    is $on->{data}{api}, $api, "On $api: ran $api";
    is $on->{data}{ok}, JSON::PP::false(), "On $api: pickling failed";
    like $on->{data}{message} // '', qr/^Can't pickle <function a at 0x[0-9a-f]+>: attribute lookup a on \Q$module\E failed$/, "On $api: Python's message";
    ok $on->{data}{diagnosed_mark}, "On $api: exception carries the diagnosed mark";
    is scalar(@{ $on->{entries} }), 1, "On $api: exactly one WSGIS0301 entry" or diag $on->{log};
    check_entry("On $api", $on->{entries}[0],
                category => 'not-found', kind => 'function', qualname => 'a',
                path => $path, module => $module, instance => 0,
                request => "GET /pickle/apis?api=$api");

    my $off = call($ua_off, pickle_off => "/pickle/apis?api=$api");
    is $off->{res}->code, 200, "Off $api: 200";
    is scalar(@{ $off->{entries} }), 0, "Off $api: no WSGIS0301 entry" or diag $off->{log};
    ok !$off->{data}{diagnosed_mark}, "Off $api: exception untouched (no mark)";
    same_exception("$api", $on->{data}, $off->{data});
}

done_testing;
