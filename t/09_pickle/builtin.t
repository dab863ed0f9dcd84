# Builtin data (a dict of 100 mixed values, a list of 10k ints) pickles and
# unpickles through every entry point and protocol, On and Off, with no
# WSGIS0301 entry.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use JSON::PP ();
use PickleTest qw(call ua);

for my $vhost (qw(pickle_on pickle_off)) {
    my $r = call(ua(), $vhost => '/pickle/builtin');
    is $r->{res}->code, 200, "$vhost: 200";
    is $r->{data}{ok}, JSON::PP::true(), "$vhost: no exception" or diag explain $r->{data};
    my $checks = $r->{data}{checks} || {};
    ok scalar(keys %$checks) >= 9, "$vhost: all round trips ran";
    my @bad = grep { !$checks->{$_} } sort keys %$checks;
    is "@bad", '', "$vhost: every round trip gives equal data";
    is scalar(@{ $r->{entries} }), 0, "$vhost: no WSGIS0301 entry" or diag $r->{log};
    unlike $r->{log}, qr/WSGIS030[123]/, "$vhost: nothing from diagnostics";
    is $r->{data}{installed}, ($vhost eq 'pickle_on' ? JSON::PP::true() : JSON::PP::false()),
        "$vhost: diagnostics installed only with On";
}

done_testing;
