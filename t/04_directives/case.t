# WSGICaseSensitivity Off (in its own virtual host): the module name is made
# from the lower-cased script path.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use Apache::TestRequest ();
use WsgiTest qw(t_root ua decode_json_body module_name_for);

my $script = t_root() . '/wsgi/CaseInfo.wsgi';
Apache::TestRequest::module('case_insensitive');
my $hostport = Apache::TestRequest::hostport();
Apache::TestRequest::module('default');

my $r = ua()->get("http://$hostport/case");
is $r->code, 200, 'case-insensitive vhost: 200';
my $d = decode_json_body($r) || {};
is $d->{name}, module_name_for(lc $script), 'module name is md5 of the lower-cased path';
isnt $d->{name}, module_name_for($script), 'and not of the path as written';

done_testing;
