# The seed's pickling scenarios, each in its own WSGI script, on a virtual host
# with WSGIPickleDiagnostics On and on one with it Off:
#   not_found         function copied then deleted       -> not-found, function 'a'
#   redefined         function redefined                 -> not-same-object, function 'a'
#   class_deleted     class deleted                      -> not-found, class 'B'
#   instance_deleted  instance of a deleted class        -> not-found, class 'B' (instance)
# The application catches the exception itself and answers 200 with what it
# saw. On: exactly one WSGIS0301 entry per request. Off: none, and the same
# exception (type, message, cause, context).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use JSON::PP ();
use PickleTest qw(call script_path check_entry same_exception ua module_name_for);

# Python 3.11's _pickle says "attribute lookup NAME on MODULE failed" for a name
# that is gone (older Pythons: "it's not found as MODULE.NAME").
my @cases = (
    [ not_found        => 'not-found',       function => 'a', 0,
      qr/^Can't pickle <function a at 0x[0-9a-f]+>: attribute lookup a on _mod_wsgi_[0-9a-f]{32} failed$/ ],
    [ redefined        => 'not-same-object', function => 'a', 0,
      qr/^Can't pickle <function a at 0x[0-9a-f]+>: it's not the same object as _mod_wsgi_[0-9a-f]{32}\.a$/ ],
    [ class_deleted    => 'not-found',       class    => 'B', 0,
      qr/^Can't pickle <class '_mod_wsgi_[0-9a-f]{32}\.B'>: attribute lookup B on _mod_wsgi_[0-9a-f]{32} failed$/ ],
    [ instance_deleted => 'not-found',       class    => 'B', 1,
      qr/^Can't pickle <class '_mod_wsgi_[0-9a-f]{32}\.B'>: attribute lookup B on _mod_wsgi_[0-9a-f]{32} failed$/ ],
);

my $ua_on = ua();
my $ua_off = ua();
for my $c (@cases) {
    my($name, $category, $kind, $qualname, $instance, $message_re) = @$c;
    my $path = script_path("$name.wsgi");
    my $module = module_name_for($path);

    for my $round (1, 2) {   # twice: the failure and its entry repeat per request
        my $on = call($ua_on, pickle_on => "/pickle/$name");
        is $on->{res}->code, 200, "On $name (#$round): 200, the app caught the error";
        is $on->{data}{installed}, JSON::PP::true(), "On $name: diagnostics installed in the interpreter"
            if $round == 1;
        is $on->{data}{ok}, JSON::PP::false(), "On $name: pickling failed";
        is $on->{data}{type}, '_pickle.PicklingError', "On $name: PicklingError";
        like $on->{data}{message} // '', $message_re, "On $name: Python's own message";
        is $on->{data}{module}, $module, "On $name: script module is $module";
        is scalar(@{ $on->{entries} }), 1, "On $name (#$round): exactly one WSGIS0301 entry"
            or diag $on->{log};
        check_entry("On $name", $on->{entries}[0],
                    category => $category, kind => $kind, qualname => $qualname,
                    path => $path, module => $module, instance => $instance,
                    request => "GET /pickle/$name",
                    unlike => [qr/reloaded/]);

        next if $round == 2;
        my $off = call($ua_off, pickle_off => "/pickle/$name");
        is $off->{res}->code, 200, "Off $name: 200";
        is $off->{data}{installed}, JSON::PP::false(), "Off $name: diagnostics not installed";
        is scalar(@{ $off->{entries} }), 0, "Off $name: no WSGIS0301 entry" or diag $off->{log};
        unlike $off->{log}, qr/pickle diagnostics|WSGIS030/, "Off $name: nothing from diagnostics at all";
        same_exception("$name", $on->{data}, $off->{data});
    }
}

done_testing;
