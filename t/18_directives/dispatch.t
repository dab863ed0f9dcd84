# WSGIDispatchScript: process_group(), application_group() and
# callable_object() of the dispatch script choose per request (None keeps
# the configuration's choice); the values are expanded as the directives'
# are; an exception or a wrong type answers 500 with WSGIS0115.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP qw(decode_json);
use WsgiTest qw(ua url log_offset wait_log);

my $ua = ua();
sub get { my $r = $ua->get(url(shift)); my $d = eval { decode_json($r->decoded_content) } || {}; return ($r, $d) }

my($r, $d) = get('/d18/disp/x');
is $r->code, 200, 'nothing chosen: 200';
is $d->{group}, '', 'nothing chosen: embedded';
like $d->{app_group}, qr/\|\/d18\/disp$/, 'nothing chosen: the %{RESOURCE} interpreter';

($r, $d) = get('/d18/disp/x?pg=d18');
is $r->code, 200, 'process_group() d18: 200';
is $d->{group}, 'd18', 'process_group() d18: served by the daemon group';

($r, $d) = get('/d18/disp/daemon/y');
is $d->{group}, 'd18', 'process_group() from REQUEST_URI';

($r, $d) = get('/d18/disp/x?ag=custom');
is $d->{app_group}, 'custom-group', 'application_group(): a named interpreter';

($r, $d) = get('/d18/disp/x?ag=global');
is $d->{app_group}, '', 'application_group() %{GLOBAL}: expanded to the main interpreter';

($r, $d) = get('/d18/disp/x?ag=mine');
is $d->{app_group}, 'seen-GLOBAL-', "the dispatch environ names the dispatch script's interpreter (%{GLOBAL}) and process group ''";

($r, $d) = get('/d18/disp/x?cb=other');
ok $d->{other}, 'callable_object(): other_app runs';
is $d->{callable}, 'other_app', 'mod_wsgi.callable_object says so';

($r, $d) = get('/d18/disp/x?pg=d18&ag=custom&cb=other');
ok $d->{other}, 'all three at once (daemon mode): other_app';

my $off = log_offset();
($r, $d) = get('/d18/disp/x?ag=raise');
is $r->code, 500, 'application_group() raises: 500';
ok wait_log($off, qr/WSGIS0115: Exception occurred processing WSGI dispatch script '[^']*dispatch\.py'/), 'WSGIS0115';
like WsgiTest::log_since($off), qr/WSGIS0115: [^\n]*RuntimeError: dispatch-raised/, 'with the traceback';

$off = log_offset();
($r, $d) = get('/d18/disp/x?ag=int');
is $r->code, 500, 'application_group() returns an int: 500';
ok wait_log($off, qr/WSGIS0115: [^\n]*TypeError: application_group\(\) must return a str or None, not int/), 'the TypeError logged';

$off = log_offset();
($r, $d) = get('/d18/disp/x?pg=nosuch');
is $r->code, 500, 'process_group() names no group: 500';
ok wait_log($off, qr/WSGIS0608: no WSGIDaemonProcess named 'nosuchgroup'/), 'WSGIS0608';

done_testing;
