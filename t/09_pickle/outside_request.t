# A failure in a thread the application started (outside any request): one
# WSGIS0301 entry, the server's: no client address, no "(request: ...)".
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use JSON::PP ();
use PickleTest qw(call script_path check_entry ua module_name_for);

my $path = script_path('thread.wsgi');
my $module = module_name_for($path);
my $r = call(ua(), pickle_on => '/pickle/thread');
is $r->{res}->code, 200, 'status 200';
is $r->{data}{ok}, JSON::PP::false(), 'pickling in the thread failed';
like $r->{data}{message} // '', qr/attribute lookup a on \Q$module\E failed$/, "Python's message";
is scalar(@{ $r->{entries} }), 1, 'exactly one WSGIS0301 entry' or diag $r->{log};
my $e = $r->{entries}[0] // '';
check_entry('thread', $e, category => 'not-found', kind => 'function', qualname => 'a',
            path => $path, module => $module);
unlike $e, qr/\(request: /, 'no request part: the failure was outside a request';
unlike $e, qr/\[client /, 'no client address';

done_testing;
