# An application that keeps a request's objects and uses them after the
# request ended never reaches the finished request: wsgi.input reads b'',
# start_response() and write() raise RuntimeError, wsgi.errors writes to the
# server's log (no [client] of the old request).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url get_json log_offset settled_log_since crash_lines);

my $ua = ua();
my $off = log_offset();
my $res = $ua->post(url('/stale/keep'), Content => 'body of the first request');
is $res->code, 200, 'the first request keeps its objects';
my($r2, $j) = get_json($ua, '/stale/use');
is $r2->code, 200, 'the next request uses them';
is $j->{input}, '', 'wsgi.input of the finished request reads b\'\'';
like $j->{start_response}, qr/^RuntimeError: start_response\(\) called after the request finished/, 'start_response() raises';
like $j->{write}, qr/^RuntimeError: write\(\) called after the request finished/, 'write() raises';
is $j->{errors}, 'written', 'wsgi.errors still writes';
my $log = settled_log_since($off);
like $log, qr/^\[[^\]]+\] \[wsgiscript:error\] \[pid [^\]]+\] WSGIS0201: stale wsgi.errors line$/m,
    'the line is logged for the server, not under the old request';
is scalar(crash_lines($log)), 0, 'no crash';

done_testing;
