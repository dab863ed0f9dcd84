# The auth hooks on servers of their own (t/15_auth has the rest):
#  1. WSGIRestrictEmbedded On (a global directive): the application runs
#     only in its daemon process group, yet the hook scripts (and a
#     WSGIDispatchScript) still run in the Apache children, as in mod_wsgi
#     (Python starts there for them alone); REMOTE_USER reaches the daemon;
#     an embedded alias is refused.
#  2. WSGIRestrictEmbedded On and a hook named only in a .htaccess file:
#     Python is not started in the children, so the hook answers 500 with
#     WSGIS0705 saying why (never access).
#  3. Configuration errors (apache2 -t): the refused application groups and
#     options, the contexts, WSGIGroupAuthoritative's values.
# Each MPM of $WSGISCRIPT_MPMS (default event) for 1 and 2.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use Time::HiRes ();
use MIME::Base64 qw(encode_base64);
use WsgiServer;

my $moddir = '/usr/lib/apache2/modules';
my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event');
my @load = ([ authn_core_module => "$moddir/mod_authn_core.so" ],
            [ auth_basic_module => "$moddir/mod_auth_basic.so" ],
            [ authz_user_module => "$moddir/mod_authz_user.so" ],
            [ alias_module      => "$moddir/mod_alias.so" ],
            [ wsgiscript_module => WsgiServer::so() ]);

my $hook = <<'PY';
import os


def check_password(environ, user, password):
    environ['wsgi.errors'].write('s15 hook in pid %d\n' % os.getpid())
    return password == 'secret' if user == 'spy' else None
PY
my $app = <<'PY';
import os


def application(environ, start_response):
    import mod_wsgi
    body = ('%s %s %s %d' % (environ.get('REMOTE_USER'), environ.get('AUTH_TYPE'),
                             mod_wsgi.process_group, os.getpid())).encode()
    start_response('200 OK', [('Content-Type', 'text/plain'), ('Content-Length', str(len(body)))])
    return [body]
PY

sub write_file {
    my($path, $text) = @_;
    open my $fh, '>', $path or die "$path: $!";
    print $fh $text;
    close $fh;
}

sub basic { ('Authorization' => 'Basic ' . encode_base64(join(':', @_), '')) }

for my $mpm (@mpms) {
    # --- 1. WSGIRestrictEmbedded On, hooks in the main configuration ----------
    my $srv = WsgiServer->new(name => "auth-restrict-$mpm", mpm => $mpm, load => \@load, conf => <<'CONF');
WSGIRestrictEmbedded On
WSGIDaemonProcess s15 processes=1 threads=2
WSGIScriptAlias /app $root/app.wsgi process-group=s15
WSGIScriptAlias /embedded $root/app.wsgi
# a WSGIDispatchScript also runs in the Apache child (it chooses s15 here)
WSGIScriptAlias /dispatched $root/app.wsgi
<Location /dispatched>
    WSGIDispatchScript $root/dispatch.wsgi
</Location>
<Location /app>
    AuthType Basic
    AuthName "s15"
    AuthBasicProvider wsgi
    WSGIAuthUserScript $root/auth.wsgi
    Require valid-user
</Location>
CONF
    write_file("$srv->{root}/auth.wsgi", $hook);
    write_file("$srv->{root}/app.wsgi", $app);
    write_file("$srv->{root}/dispatch.wsgi", "def process_group(environ):\n    return 's15'\n");
    ok $srv->start, "$mpm: WSGIRestrictEmbedded On with a hook script: server starts"
        or do { diag $srv->slurp_log; $srv->cleanup; next };
    my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 30);
    is $ua->get($srv->url('/app/x'))->code, 401, "$mpm: no credentials: 401";
    my $res = $ua->get($srv->url('/app/x'), basic('spy', 'secret'));
    is $res->code, 200, "$mpm: the hook ran (Python in the child for it): 200";
    my($user, $type, $group, $app_pid) = split ' ', $res->decoded_content // '';
    is "$user $type $group", 'spy Basic s15', "$mpm: REMOTE_USER and AUTH_TYPE in the daemon process group";
    is $ua->get($srv->url('/app/x'), basic('spy', 'wrong'))->code, 401, "$mpm: wrong password: 401";
    my $off = length $srv->slurp_log;
    is $ua->get($srv->url('/embedded/x'))->code, 500, "$mpm: an application not delegated is still refused: 500";
    $res = $ua->get($srv->url('/dispatched/x'));
    is $res->code, 200, "$mpm: a WSGIDispatchScript runs in the child too (as mod_wsgi): 200";
    like $res->decoded_content // '', qr/^None None s15 /, "$mpm: and sent the request to s15";
    Time::HiRes::sleep(0.3);
    my $log = $srv->slurp_log;
    like substr($log, $off), qr/WSGIS0609: WSGIRestrictEmbedded On/, "$mpm: WSGIS0609";
    my($hook_pid) = $log =~ /\[pid (\d+):tid \d+\][^\n]*s15 hook in pid (\d+)/;
    ok $hook_pid && $hook_pid != $app_pid, "$mpm: the hook ran in an Apache child, not in the daemon";
    like $log, qr/WSGIS0003: Python [\d.]+ initialised in process $hook_pid/, "$mpm: Python started in that child";
    unlike $log, qr/\[wsgiscript:(?:crit|alert|emerg)\]/, "$mpm: no crit lines";
    $srv->cleanup;

    # --- 2. WSGIRestrictEmbedded On, a hook only in a .htaccess file -----------
    $srv = WsgiServer->new(name => "auth-restrict-ht-$mpm", mpm => $mpm, load => \@load, conf => <<'CONF');
WSGIRestrictEmbedded On
Alias /static $root/static
<Directory $root/static>
    AllowOverride AuthConfig
</Directory>
CONF
    mkdir "$srv->{root}/static";
    chmod 0755, "$srv->{root}/static";
    write_file("$srv->{root}/static/hello.txt", "hello\n");
    write_file("$srv->{root}/auth.wsgi", $hook);
    write_file("$srv->{root}/static/.htaccess", <<"HT");
AuthType Basic
AuthName "s15 ht"
AuthBasicProvider wsgi
WSGIAuthUserScript $srv->{root}/auth.wsgi
Require valid-user
HT
    ok $srv->start, "$mpm: .htaccess-only hook: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };
    $res = $ua->get($srv->url('/static/hello.txt'), basic('spy', 'secret'));
    is $res->code, 500, "$mpm: .htaccess-only hook under WSGIRestrictEmbedded On: 500, never access";
    Time::HiRes::sleep(0.3);
    like $srv->slurp_log,
        qr/WSGIS0705: WSGIAuthUserScript '[^']*auth\.wsgi' cannot run: Python is not started in this Apache child \(WSGIRestrictEmbedded On, and the script is named only in a \.htaccess file\)/,
        "$mpm: WSGIS0705 says why";
    $srv->cleanup;
}

# --- 3. configuration errors -----------------------------------------------------
my @bad = (
    [ "<Location /x>\nWSGIAuthUserScript /tmp/a.wsgi application-group=%{HOST}\n</Location>",
      qr/WSGIAuthUserScript: application-group=%\{HOST\} is refused: the client's Host header would choose the interpreter/ ],
    [ "<Location /x>\nWSGIAccessScript /tmp/a.wsgi application-group=%{RESOURCE}\n</Location>",
      qr/WSGIAccessScript: application-group '%\{RESOURCE\}': a hook script's group must be a name, %\{GLOBAL\} or %\{SERVER\}/ ],
    [ "<Location /x>\nWSGIAuthGroupScript /tmp/a.wsgi application-group=%{ENV:G}\n</Location>",
      qr/WSGIAuthGroupScript: application-group '%\{ENV:G\}'/ ],
    [ "<Location /x>\nWSGIAuthUserScript /tmp/a.wsgi process-group=d\n</Location>",
      qr/WSGIAuthUserScript: unknown option 'process-group' \(only application-group= applies here\)/ ],
    [ "<Location /x>\nWSGIAuthUserScript /tmp/a.wsgi application-group=\n</Location>",
      qr/WSGIAuthUserScript: application-group= needs a name/ ],
    [ "<Location /x>\nWSGIAuthUserScript\n</Location>", qr/WSGIAuthUserScript: takes a script path and application-group=NAME/ ],
    [ "WSGIAuthUserScript /tmp/a.wsgi", qr/WSGIAuthUserScript not allowed here/ ],
    [ "WSGIAccessScript /tmp/a.wsgi", qr/WSGIAccessScript not allowed here/ ],
    [ "<Location /x>\nWSGIGroupAuthoritative maybe\n</Location>", qr/WSGIGroupAuthoritative must be On or Off/ ],
);
my $good = "<Location /x>\nWSGIAuthUserScript /tmp/a.wsgi application-group=%{SERVER}\n"
         . "WSGIAuthGroupScript /tmp/a.wsgi\nWSGIAccessScript /tmp/a.wsgi application-group=auth\n"
         . "WSGIGroupAuthoritative Off\n</Location>";
for my $case ([ $good, undef ], @bad) {
    my($conf, $want) = @$case;
    my $srv = WsgiServer->new(name => 'auth-conf', load => \@load, conf => $conf);
    my $cmd = join ' ', map { "'$_'" } $srv->httpd_cmd('-t');
    my $out = `$cmd 2>&1`;
    my $rc = $? >> 8;
    (my $what = $conf) =~ s/\n/ /g;
    if ($want) {
        isnt $rc, 0, "refused: $what";
        like $out, $want, "message: $what";
    } else {
        is $rc, 0, "accepted: $what" or diag $out;
    }
    $srv->cleanup;
}

done_testing;
