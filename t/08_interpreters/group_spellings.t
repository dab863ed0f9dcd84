# Interpreters are bounded by what the configuration can produce, never by
# URL spellings a client chooses (issue 10, item 3): under MergeSlashes Off
# and the default application group %{RESOURCE}, 10,000 crafted URLs for a
# file alias, a directory alias, a regex alias and a handler create at most
# one interpreter each in the child, and a file alias's group is named from
# its configured URL (mod_wsgi's "host|/app"), whatever the client wrote.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use WsgiTest qw(log_offset decode_json_body settled_log_since);
use PepTest qw(hostport);

my $hp = hostport('hardening_slashes');
my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 30);  # one connection: one child
my $off = log_offset();

my %kinds = (
    'file alias'      => sub { my $i = shift; ("/app/$i//x", "/app//$i/x", "/app///x/$i", "/app/x$i//") },
    'directory alias' => sub { my $i = shift; ("/dir//grp.wsgi/$i", "/dir///grp.wsgi//$i", "/dir/grp.wsgi//$i") },
    'regex alias'     => sub { my $i = shift; ('/' . ('m' x (1 + $i % 500)) . "/grp/$i", '/' . ('m' x (1 + $i % 7)) . "/grp//$i") },
    'handler'         => sub { my $i = shift; ("/h//grp.wsgi/$i", "/h///grp.wsgi//$i", "/h/grp.wsgi/$i") },
);
my $per_kind = 2500;  # 10,000 requests in all
my %pids;
for my $kind (sort keys %kinds) {
    my(%groups, $bad, $n);
    for my $i (1 .. $per_kind) {
        my @paths = $kinds{$kind}->($i);
        my $path = $paths[$i % @paths];
        my $res = $ua->get("http://$hp$path");
        $n++;
        if ($res->code != 200) {
            $bad++;
            diag "$kind: $path -> " . $res->status_line if $bad <= 3;
            next;
        }
        my $j = decode_json_body($res) || {};
        $groups{ $j->{group} // '?' }++;
        $pids{ $j->{pid} // '?' }++;
    }
    is $bad // 0, 0, "$kind: $n crafted URLs all answered 200";
    is scalar(keys %groups), 1, "$kind: one application group for every spelling"
        or diag explain \%groups;
    if ($kind eq 'file alias') {
        my($g) = keys %groups;
        like $g, qr/\|\/app$/, "file alias: the group is named from the configured URL ($g)";
    }
}
is scalar(keys %pids), 1, 'every request went to one child (keep-alive)';

my $log = settled_log_since($off);
my @created = $log =~ /WSGIS0502: created sub-interpreter for application group '([^']*)'/g;
my %seen;
$seen{$_}++ for @created;
cmp_ok scalar(@created), '<=', 4, 'at most one new interpreter per script and alias: ' . scalar(@created)
    or diag join "\n", @created;
ok !(grep { $_ > 1 } values %seen), 'no group was created twice';

done_testing;
