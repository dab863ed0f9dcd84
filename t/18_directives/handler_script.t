# WSGIHandlerScript: a handler name (AddHandler/SetHandler) runs the
# script's handle_request for the file the URL maps to (which need not
# exist), with process-group= and application-group= as options.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP qw(decode_json);
use Digest::MD5 qw(md5_hex);
use WsgiTest qw(ua url t_root);

my $ua = ua();
sub get { my $r = $ua->get(url(shift)); my $d = eval { decode_json($r->decoded_content) } || {}; return ($r, $d) }
my $dir = t_root() . '/directives';

my($r, $d) = get('/d18/res/a.thing');
is $r->code, 200, 'AddHandler d18-handler .thing: 200';
is $d->{script_filename}, "$dir/res/a.thing", 'SCRIPT_FILENAME is the file the URL maps to';
is $d->{content}, 'thing-a', 'the handler reads it';
is $d->{callable}, 'handle_request', 'the callable is handle_request';
is $d->{module}, '_mod_wsgi_' . md5_hex("$dir/handler.wsgi"), 'the handler script loads as _mod_wsgi_<md5 of its path>';
is $d->{group}, '', 'embedded by default';
is $d->{request_handler}, 'd18-handler', 'mod_wsgi.request_handler is the handler name (as mod_wsgi)';
is $d->{handler_script}, "$dir/handler.wsgi", 'mod_wsgi.handler_script is the handler script (as mod_wsgi)';

($r, $d) = get('/d18/res/missing.thing');
is $r->code, 200, 'a file that does not exist: the handler still runs';
ok !$d->{exists}, '... and sees it does not exist';

($r, $d) = get('/d18/res/b.dthing');
is $r->code, 200, 'process-group=d18 application-group=%{GLOBAL}: 200';
is $d->{group}, 'd18', 'served by the daemon group';
is $d->{app_group}, '', 'in the main interpreter';
is $d->{content}, 'thing-b', 'the file it maps to';
is $d->{request_handler}, 'd18-dhandler', 'daemon: mod_wsgi.request_handler';
is $d->{handler_script}, "$dir/handler.wsgi", 'daemon: mod_wsgi.handler_script';

($r, $d) = get('/d18/res/a.txt');
isnt $d->{callable}, 'handle_request', 'other files are not handled by it';

done_testing;
