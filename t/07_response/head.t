# HEAD runs the app (it sees REQUEST_METHOD HEAD), sends the headers and no
# body, and still calls close() once; a pipelined request after it is intact.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(log_offset);
use PepTest qw(raw_http parse_http hostport logs_dir wait_file slurp settled_log_since error_lines);

my $hp = hostport();
my $off = log_offset();
for my $case (['head', 1], ['head_gen', 0]) {
    my($what, $has_cl) = @$case;
    my $id = "h$$";
    my $mark = logs_dir() . "/pep-$what-$id";
    unlink $mark, "$mark.ran";
    my $raw = raw_http("HEAD /pep/resp/$what?id=$id HTTP/1.1\r\nHost: $hp\r\n\r\n"
                       . "GET /pep/resp/close_normal HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n");
    my($head, $after) = split /\r\n\r\n/, $raw, 2;
    like $head, qr{^HTTP/1\.1 200 OK\r\n}, "$what: HEAD 200";
    like $head, qr/^X-Head: yes\r?$/mi, "$what: the app's headers";
    my $cl = length "head-body-$id";
    like $head, qr/^Content-Length: $cl\r?$/mi, "$what: declared Content-Length kept" if $has_cl;
    like $after // '', qr{\AHTTP/1\.1 200 OK\r\n}, "$what: no body bytes: the next thing on the wire is the pipelined response";
    my $next = parse_http($after // '');
    is $next->{body}, 'abc', "$what: the pipelined response is intact";
    is wait_file("$mark.ran", 10), "method=HEAD\n", "$what: the app ran and saw REQUEST_METHOD HEAD";
    wait_file($mark, 10);
    settled_log_since(log_offset(), 1);
    like slurp($mark) // '', qr/\Aclose consumed=\d\n\z/, "$what: close() called once";
}
my @err = error_lines(settled_log_since($off));
is_deeply \@err, [], 'HEAD: no error-level log lines' or diag join "\n", @err;

done_testing;
