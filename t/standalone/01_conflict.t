# mod_wsgiscript refuses to run beside Debian's mod_wsgi: apache2 exits
# non-zero at startup with a message tagged WSGIS0001, in either load order.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use POSIX ();
use Time::HiRes ();
use WsgiServer;

my $mod_wsgi = '/usr/lib/apache2/modules/mod_wsgi.so';
plan skip_all => "$mod_wsgi not installed (scripts/deps installs it)" unless -f $mod_wsgi;

for my $order ([ 'mod_wsgi first', [ wsgi_module => $mod_wsgi ], [ wsgiscript_module => WsgiServer::so() ] ],
               [ 'ours first',     [ wsgiscript_module => WsgiServer::so() ], [ wsgi_module => $mod_wsgi ] ]) {
    my($what, @load) = @$order;
    (my $name = "conflict-$what") =~ s/\s+/-/g;
    my $srv = WsgiServer->new(name => $name, load => \@load,
                              conf => "WSGIScriptAlias /hello \$root/hello.wsgi\n");
    my $out = "$srv->{root}/logs/stderr";
    my $pid = fork // die "fork: $!";
    if (!$pid) {
        open STDOUT, '>', $out; open STDERR, '>&', \*STDOUT;
        exec $srv->httpd_cmd('-D', 'FOREGROUND');
        exit 127;
    }
    my $deadline = Time::HiRes::time() + 30;
    my $got;
    while (Time::HiRes::time() < $deadline) {
        $got = waitpid $pid, POSIX::WNOHANG();
        last if $got == $pid;
        Time::HiRes::sleep(0.1);
    }
    my $exited = defined $got && $got == $pid;
    my $status = $?;
    if (!$exited) { kill 'TERM', $pid; waitpid $pid, 0; $srv->stop }
    ok $exited, "$what: apache2 stops by itself at startup";
    ok $exited && $status != 0, "$what: exit status is non-zero" or diag "status $status";
    my $text = do { local $/; open my $fh, '<', $out; <$fh> // '' } . $srv->slurp_log;
    like $text, qr/WSGIS0001/, "$what: message tagged WSGIS0001" or diag $text;
    like $text, qr/WSGIS0001[^\n]*mod_wsgi/, "$what: the WSGIS0001 message names mod_wsgi";
    $srv->cleanup;
}

done_testing;
