# The GIL is released while wsgi.input waits for body data: with one request
# of a child blocked in read() (its client sent half of its body), another
# request served by the same child (same interpreter) still gets its answer.
# Threaded MPMs only. (A liveness check with a generous timeout, not timing.)
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use IO::Select ();
use WsgiTest qw(log_offset);
use PepTest qw(connect_to hostport read_response json_of settled_log_since error_lines);

my $mpm = $ENV{WSGISCRIPT_MPM} || 'event';
plan skip_all => "$mpm runs one request per process" if $mpm eq 'prefork';

my $hp = hostport();
my $off = log_offset();

my $a = connect_to();
print $a "GET /pep/big/pid HTTP/1.1\r\nHost: $hp\r\n\r\n";
my $pid = (json_of(read_response($a)->{body}) || {})->{pid};
ok $pid, "request A's child: $pid";
# A: half a body; the app blocks in wsgi.input.read(10)
print $a "POST /pep/input?ops=read:10 HTTP/1.1\r\nHost: $hp\r\nContent-Type: text/plain\r\n"
       . "Content-Length: 10\r\n\r\nhello";

my($same, $answered, $tries) = (0, 0, 0);
while (!$same && $tries++ < 400) {  # connections go to whichever child accepts first
    my $b = connect_to();
    print $b "GET /pep/big/pid HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n";
    my $sel = IO::Select->new($b);
    if (!$sel->can_read(30)) {
        # no answer at all: the only way is a child stuck behind request A
        $same = 1;
        last;
    }
    my $res = read_response($b);
    my $d = json_of($res && $res->{body}) || {};
    if (($d->{pid} // 0) == $pid) {
        $same = 1;
        $answered = 1;
    }
    close $b;
}
ok $same, "another request reached child $pid" . ($tries > 1 ? " (after $tries connections)" : '');
ok $answered, 'it was answered while request A was blocked reading its body (GIL released)';

print $a 'world';
my $res = read_response($a);
is $res && $res->{code}, 200, 'A: 200 once the rest of the body came';
my $d = json_of($res && $res->{body}) || {};
is $d->{results} && $d->{results}[0]{value}, 'helloworld', 'A: read(10) got the whole body';
close $a;

my @err = error_lines(settled_log_since($off));
is_deeply \@err, [], 'no error-level log lines' or diag join "\n", @err;

done_testing;
