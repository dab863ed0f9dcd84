# The application does not catch the pickling error: 500, the traceback
# (WSGIS0110), and exactly one WSGIS0301 entry. Off: 500, traceback, no entry.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use PickleTest qw(call script_path check_entry ua module_name_for);

my $path = script_path('uncaught.wsgi');
my $module = module_name_for($path);
my $ua = ua();

for my $round (1, 2) {
    my $r = call($ua, pickle_on => '/pickle/uncaught');
    is $r->{res}->code, 500, "On (#$round): 500";
    like $r->{log}, qr/WSGIS0110\b/, "On (#$round): application exception logged (WSGIS0110)";
    like $r->{log}, qr/PicklingError: Can't pickle <function a at 0x[0-9a-f]+>: attribute lookup a on \Q$module\E failed/,
        "On (#$round): traceback shows pickle's own message";
    is scalar(@{ $r->{entries} }), 1, "On (#$round): exactly one WSGIS0301 entry" or diag $r->{log};
    check_entry("On (#$round)", $r->{entries}[0],
                category => 'not-found', kind => 'function', qualname => 'a',
                path => $path, module => $module, request => 'GET /pickle/uncaught');
}

my $off = call(ua(), pickle_off => '/pickle/uncaught');
is $off->{res}->code, 500, 'Off: 500';
like $off->{log}, qr/WSGIS0110\b/, 'Off: application exception logged';
like $off->{log}, qr/PicklingError: Can't pickle <function a at 0x[0-9a-f]+>: attribute lookup a on \Q$module\E failed/,
    'Off: same message in the traceback';
is scalar(@{ $off->{entries} }), 0, 'Off: no WSGIS0301 entry' or diag $off->{log};

done_testing;
