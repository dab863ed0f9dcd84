# wsgi.errors is made once per thread and interpreter and aimed at each
# request in turn (making an io.TextIOWrapper per request was a quarter of
# a hello world's instructions), never at a request that did not get it:
# - in a daemon group of one thread, two requests in a row get the same
#   stream object (reused);
# - a stream an application kept from an earlier request writes to the
#   server's log (no [client]), and the request gets a new one;
# - a stream given attributes of its own, or reconfigured
#   (write_through=False), is not handed to a later request: that one sees
#   no such attribute and write_through True; the text the reconfigured one
#   held goes to the server's log, not to a later request's client;
# embedded and in the daemon group.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url log_offset wait_log);
use PepTest qw(json_of);

my $ua = ua();

sub call {
    my($path) = @_;
    my $r = $ua->get(url($path));
    return json_of($r->decoded_content) || { code => $r->code };
}

for my $base ('/py17/errors-d', '/py17/errors') {
    my $where = $base =~ /-d$/ ? 'daemon, one thread' : 'embedded';
    my $id = "e$$" . ($base =~ /-d$/ ? 'd' : 'e');
    my $off = log_offset();

    my $p1 = call("$base?tag=p1-$id");
    my $p2 = call("$base?tag=p2-$id");
    is $p2->{id}, $p1->{id}, "$where: two requests in a row, one stream object (reused)" if $where =~ /daemon/;
    is $p1->{write_through}, JSON::PP::true(), "$where: write_through True";
    is $p1->{encoding}, 'utf-8', "$where: encoding utf-8";

    call("$base?do=keep&tag=k-$id");
    my $s = call("$base?do=stale&tag=s-$id");
    ok defined $s->{same_as_kept} && !$s->{same_as_kept}, "$where: a kept stream is not handed to a later request";

    call("$base?do=attr&tag=a-$id");
    my $p3 = call("$base?tag=p3-$id");
    is $p3->{mine}, undef, "$where: a later request does not see the attribute an earlier one set";

    call("$base?do=reconf&tag=r-$id");
    my $p4 = call("$base?tag=p4-$id");
    is $p4->{write_through}, JSON::PP::true(), "$where: a later request's stream is not the reconfigured one";

    my $log = wait_log($off, qr/plain-p4-$id/);
    like $log, qr/\[client [^\]]+\] WSGIS0201: plain-p1-$id\n/, "$where: a request's line has its client";
    like $log, qr/\[client [^\]]+\] WSGIS0201: kept-k-$id\n/, "$where: the keeping request's line has its client";
    like $log, qr/\[client [^\]]+\] WSGIS0201: fresh-s-$id\n/, "$where: the new stream writes with the request's client";
    like $log, qr/\] WSGIS0201: stale-s-$id\n/, "$where: the kept stream's line is logged";
    unlike $log, qr/\[client [^\]]+\] WSGIS0201: stale-s-$id/, "$where: ... to the server's log, not with a later request's client";
    if ($where =~ /daemon/) {
        like $log, qr/\] WSGIS0201: held-r-$id\n/, "$where: the text the reconfigured stream held is logged once it is let go";
    }
    unlike $log, qr/\[client [^\]]+\] WSGIS0201: held-r-$id/, "$where: ... never with a later request's client";
}

done_testing;
