# The modules installed into every interpreter hold no extra reference to
# their names (issue 10, item 9: PyModule_GetNameObject's reference was
# leaked): mod_wsgi's and _wsgiscript's names have the reference count of a
# module installed the same way by Python, in a sub-interpreter and in the
# main one.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url get_json);

for my $path ('/hard/refs', '/hard/refs-global') {
    my($res, $j) = get_json(ua(), $path);
    is $res->code, 200, "$path: 200" or next;
    ok $j->{control} >= 2, "$path: control count $j->{control}";
    is $j->{mod_wsgi}, $j->{control}, "$path: mod_wsgi's name is referenced as often as the control's";
    is $j->{_wsgiscript}, $j->{control}, "$path: _wsgiscript's name too";
}

done_testing;
