# mod_wsgi.server_metrics() where t/17_python/metrics.t cannot look, for
# each MPM in $WSGISCRIPT_MPMS: WSGIServerMetrics not given (Off, the
# default) makes it None in the Apache children; a daemon group with
# server-metrics=On started with Apache (before httpd makes its scoreboard)
# answers None and says so (WSGIS0618), and after a graceful restart its new
# process reads the scoreboard: the Apache children of the new generation.
# WSGIServerMetrics in a <VirtualHost> and a bad value are refused.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Copy ();
use JSON::PP ();
use LWP::UserAgent ();
use Time::HiRes ();
use WsgiServer;

my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event');

for my $case (["<VirtualHost *:80>\nWSGIServerMetrics On\n</VirtualHost>\n", qr/WSGIServerMetrics cannot occur within <VirtualHost> section/, 'in a <VirtualHost>'],
              ["WSGIServerMetrics Yes\n", qr/WSGIServerMetrics must be On or Off/, 'a value other than On|Off']) {
    my($conf, $re, $what) = @$case;
    my $srv = WsgiServer->new(name => 'python-metrics-conf', conf => $conf);
    my $check = join ' ', map { "'$_'" } $srv->httpd_cmd('-t');
    my $out = `$check 2>&1`;
    like $out, $re, "WSGIServerMetrics $what: refused";
    $srv->cleanup;
}

for my $mpm (@mpms) {
    my $srv = WsgiServer->new(name => "python-metrics-$mpm", mpm => $mpm, conf => <<'CONF');
WSGIDaemonProcess dm processes=1 threads=2 server-metrics=On
WSGIScriptAlias /emb $root/metrics.wsgi application-group=%{GLOBAL}
WSGIScriptAlias /dmn $root/metrics.wsgi process-group=dm application-group=%{GLOBAL}
CONF
    File::Copy::copy("$FindBin::Bin/../python/metrics.wsgi", $srv->root . '/metrics.wsgi') or die $!;
    ok $srv->start, "$mpm: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };
    my $ua = LWP::UserAgent->new(timeout => 30);
    my $get = sub {
        my $res = $ua->get($srv->url(shift));
        return eval { JSON::PP::decode_json($res->decoded_content) } || { code => $res->code };
    };

    my $e = $get->('/emb/server');
    ok exists $e->{metrics} && !defined $e->{metrics}, "$mpm: WSGIServerMetrics not given (Off): None in the Apache children";
    my $d = $get->('/dmn/server');
    ok exists $d->{metrics} && !defined $d->{metrics}, "$mpm: daemon started with Apache: None (no scoreboard yet)";
    my @lines = grep { /WSGIS0618: daemon process $d->{pid} of group 'dm'/ } split /\n/, $srv->slurp_log;
    is scalar @lines, 1, "$mpm: ... and WSGIS0618 says why, once";
    my $p = $get->('/emb/process');
    ok(defined $p->{request_count} && ($p->{active_requests} // 0) == 1,
       "$mpm: process_metrics() does not depend on WSGIServerMetrics");

    ok $srv->signal('graceful'), "$mpm: graceful restart";
    # The new daemon process can answer before every new Apache child is in
    # the scoreboard (and the child that serves /emb may be one of them):
    # asked again, /emb first, until the daemon's answer lists that child.
    my($after, $emb, @children);
    my $deadline = Time::HiRes::time() + 60;
    while (Time::HiRes::time() < $deadline) {
        $emb = $get->('/emb/server');
        my $x = $get->('/dmn/server');
        if (($x->{pid} // $d->{pid}) != $d->{pid}) {
            $after = $x;
            my $m = ref $x->{metrics} eq 'HASH' ? $x->{metrics} : {};
            @children = grep { $_->{pid} && $_->{generation} == ($m->{running_generation} // -1) } @{ $m->{processes} || [] };
            last if ref $x->{metrics} ne 'HASH' || grep { $_->{pid} == ($emb->{pid} // 0) } @children;
        }
        Time::HiRes::sleep(0.2);
    }
    ok $after, "$mpm: a new daemon process after the restart";
    my $m = $after && $after->{metrics};
    is ref $m, 'HASH', "$mpm: ... reads the scoreboard: server_metrics() is a dict";
    $m ||= {};
    ok(($m->{running_generation} // 0) >= 1, "$mpm: ... of the new generation");
    ok scalar(@children) >= 1, "$mpm: ... listing the new generation's Apache children";
    ok scalar(grep { $_->{pid} == ($emb->{pid} // 0) } @children), "$mpm: ... among them the child that just served /emb";
    @lines = grep { /WSGIS0618/ } split /\n/, $srv->slurp_log;
    is scalar @lines, 1, "$mpm: no WSGIS0618 from the new daemon process";
    $srv->stop;
    $srv->cleanup;
}

done_testing;
