# request-timeout=2 (group lc_reqtime, shutdown-timeout=1): a request whose
# application sleeps 30 s gets 504 within 10 s; the daemon process logs the
# request's stack (WSGIS0610, down to the line of application() in the
# script), retires naming the request's URL (WSGIS0604), and the parent
# replaces it (WSGIS0607, old and new pid); the next request is served by the
# new process. The Apache child logs its side of it (WSGIS0614).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root log_offset log_since);
use LifecycleTest qw(get pid_of poll_log replaced_re retiring_re);

my $g = 'lc_reqtime';
my $script = t_root() . '/lifecycle/app.wsgi';
my $old = pid_of('/lc/reqtime');
ok $old, "a process of $g answers (pid " . ($old // '?') . ')';

my $off = log_offset();
my $url = '/lc/reqtime?do=sleep&s=30';
my $r = get($url);
is $r->{code}, 504, 'the request that sleeps 30 s gets 504';
cmp_ok $r->{secs}, '<', 10, sprintf('within 10 s (%.1f s)', $r->{secs});
cmp_ok $r->{secs}, '>=', 1.9, 'not before request-timeout (2 s)';

my $log = poll_log($off, replaced_re($old, $g, 'request-timeout'));
like $log, qr/\[wsgiscript:error\][^\n]*WSGIS0610: daemon process $old of group '$g': the request for '\Q$url\E' has run longer than request-timeout \(2 s\); its stack follows/,
    'WSGIS0610: the request and its URL';
like $log, qr/WSGIS0610:\s+File "\Q$script\E", line \d+ in application/,
    'WSGIS0610: the stack shows application() in the script, with its line';
like $log, retiring_re($old, $g, "request-timeout (the request for '$url')"),
    'WSGIS0604: retiring for request-timeout, naming the URL';
like $log, qr/\[wsgiscript:error\][^\n]*WSGIS0614: daemon process $old of group '$g' did not answer the request for '\Q$script\E' within request-timeout \(2 s\); answered 504/,
    'WSGIS0614: the Apache child answered 504';
my($new) = $log =~ replaced_re($old, $g, 'request-timeout');
ok $new, "WSGIS0607 at info: daemon process $old ended (request-timeout); replaced by " . ($new // '?');

my $next = get('/lc/reqtime');
is $next->{code}, 200, 'the next request is served';
is $next->{json} && $next->{json}{pid}, $new, 'by the new process';
isnt $new // $old, $old, 'which is not the old one';

done_testing;
