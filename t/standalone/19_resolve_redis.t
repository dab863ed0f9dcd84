# WSGIPickleResolve with a real shared store: Flask with Flask-Session's
# Redis backend (it pickles the session), a private redis-server started
# here (a UNIX socket in a temporary directory; stopped at the end, also on
# failure). Script A (t/resolve/session/cart_a.wsgi) keeps a Cart, a class
# defined in the script, in the session; script B (cart_b.wsgi, another file
# at another URL) reads the session. For each MPM of $WSGISCRIPT_MPMS among
# event and prefork:
#   Off   B, in another application group, gets an empty session: Flask-Session
#         swallows the unpickling error (HTTP 200, the data simply gone). The
#         test detects the loss, and pickle diagnostics name A's script even
#         though the application caught the error.
#   On    the Cart arrives in B: in another application group; in the same
#         group in a child that has not served A (after a graceful restart,
#         every child is new and only B is requested); on a second Apache
#         server on another port where only B is requested (two nodes behind
#         one store); and in a worker outside Apache (wsgiscript.resolve.install
#         with the manifest the first server wrote), run with the package as
#         `pip install ./python` installs it in a virtual environment.
#   The pickle doctor, run on the bytes taken from Redis with redis-cli,
#   names A's script and says the data would load (exit 0); with a manifest
#   that does not know A, that it would not (exit 1).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Temp ();
use File::Path ();
use HTTP::Cookies ();
use JSON::PP ();
use LWP::UserAgent ();
use POSIX ();
use Time::HiRes ();
use Digest::MD5 qw(md5_hex);
use WsgiServer;

my @mpms = grep { /^(?:event|prefork)$/ } split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event prefork');
plan skip_all => 'only event and prefork are tested here' unless @mpms;
for my $tool ('/usr/bin/redis-server', '/usr/bin/redis-cli') {
    plan skip_all => "$tool not installed (scripts/deps installs redis-server)" unless -x $tool;
}
my $python_dir = "$FindBin::Bin/../../python";
plan skip_all => "no python/ beside t/ ($python_dir)" unless -f "$python_dir/pyproject.toml";

my $tmp = File::Temp::tempdir('wsgis-resolve-redis-XXXXXX', TMPDIR => 1, CLEANUP => !$ENV{WSGISCRIPT_KEEP});
chmod 0755, $tmp;

# --- a private Redis -------------------------------------------------------------
my $sock = "$tmp/redis.sock";
my $redis_pid = fork // die "fork: $!";
if (!$redis_pid) {
    open STDOUT, '>', "$tmp/redis.log";
    open STDERR, '>&', \*STDOUT;
    { exec '/usr/bin/redis-server', '--port', '0', '--unixsocket', $sock, '--unixsocketperm', '700',
          '--save', '', '--appendonly', 'no', '--dir', $tmp; }
    POSIX::_exit(127);
}
END {
    if ($redis_pid) {
        kill 'TERM', $redis_pid;
        waitpid $redis_pid, 0;
    }
}
my $deadline = Time::HiRes::time() + 20;
Time::HiRes::sleep(0.1) until (-S $sock && `/usr/bin/redis-cli -s $sock ping 2>/dev/null` =~ /PONG/)
    || Time::HiRes::time() > $deadline;
ok -S $sock, 'private redis-server answers on its socket' or BAIL_OUT(`cat $tmp/redis.log`);

sub redis_cli { my @args = @_; my $cmd = join ' ', map { "'$_'" } '/usr/bin/redis-cli', '-s', $sock, @args; `$cmd` }

# --- the two scripts, at the same paths for every server -------------------------------
my $scripts = "$tmp/scripts";
mkdir $scripts;
chmod 0755, $scripts;
for my $name (qw(cart_a.wsgi cart_b.wsgi)) {
    open my $in, '<', "$FindBin::Bin/../resolve/session/$name" or die $!;
    my $text = do { local $/; <$in> };
    $text =~ s/\@REDIS_SOCKET\@/$sock/g;
    open my $out, '>', "$scripts/$name" or die $!;
    print $out $text;
    close $out;
}
my $script_a = "$scripts/cart_a.wsgi";
my $module_a = '_mod_wsgi_' . md5_hex($script_a);

# --- the worker's Python: the package as pip installs it ---------------------------------
my $venv = "$tmp/venv";
system('/usr/bin/python3', '-m', 'venv', '--system-site-packages', $venv) == 0 or die 'venv';
my $pip = `'$venv/bin/pip' install --no-index --no-cache-dir --disable-pip-version-check --quiet '$python_dir' 2>&1`;
is $?, 0, 'pip install ./python (offline, in a virtual environment)' or diag $pip;
ok -x "$venv/bin/wsgiscript-doctor", 'it installs the wsgiscript-doctor command';

sub conf {
    my(%o) = @_;
    my $text = "WSGIPickleDiagnostics On\nWSGIPickleResolve $o{resolve}\n";
    $text .= "WSGIScriptManifest \$root/logs/manifest.json\n" if $o{manifest};
    $text .= "WSGIScriptAlias /a $script_a application-group=group-a\n";
    $text .= "WSGIScriptAlias /b $scripts/cart_b.wsgi application-group=group-b\n";
    $text .= "WSGIScriptAlias /shared/a $script_a application-group=shared\n";
    $text .= "WSGIScriptAlias /shared/b $scripts/cart_b.wsgi application-group=shared\n";
    $text .= "<Directory $scripts>\n    Require all granted\n</Directory>\n";
    return $text;
}

sub agent {
    my $jar = shift;
    return LWP::UserAgent->new(timeout => 60, keep_alive => 1, cookie_jar => $jar);
}

sub get_json {
    my($ua, $url) = @_;
    my $res = $ua->get($url);
    my $data = eval { JSON::PP::decode_json($res->decoded_content) } || {};
    return ($res, $data);
}

sub sid_of {
    my $jar = shift;
    my $sid;
    $jar->scan(sub { $sid = $_[2] if $_[1] eq 'session' });
    return $sid;
}

sub resumes { scalar(() = $_[0]->slurp_log =~ /resuming normal operations/g) }

for my $mpm (@mpms) {
    # --- Off: the data is silently lost, and diagnostics say why -----------------------
    my $off = WsgiServer->new(name => "resolve-off-$mpm", mpm => $mpm, conf => conf(resolve => 'Off'));
    ok $off->start, "$mpm Off: server starts" or diag $off->slurp_log;
    my $jar = HTTP::Cookies->new;
    my $ua = agent($jar);
    my($res, $put) = get_json($ua, $off->url('/a/put?items=apple,pear'));
    is $res->code, 200, "$mpm Off: A stores a Cart in the session";
    is_deeply $put->{stored}, ['apple', 'pear'], "$mpm Off: A's answer";
    my $sid = sid_of($jar);
    ok $sid, "$mpm Off: session cookie";
    like redis_cli('--raw', 'GET', "session:$sid"), qr/\Q$module_a\E/, "$mpm Off: Redis holds the pickled session, naming A's module";
    ($res, my $got) = get_json($ua, $off->url('/b/get'));
    is $res->code, 200, "$mpm Off: B answers 200";
    is $got->{cart}, undef, "$mpm Off: but the Cart is gone (Flask-Session started an empty session)";
    is_deeply $got->{keys}, [], "$mpm Off: an empty session";
    my $log = $off->slurp_log;
    like $log, qr/WSGIS0301: pickle diagnostics: module-not-importable: cannot unpickle 'Cart' of script \Q$script_a\E \(module \Q$module_a\E\)/,
        "$mpm Off: diagnostics name A's script though the application caught the error";
    $off->cleanup;

    # --- On, node 1: another group; then a child that never served A -----------------
    my $srv = WsgiServer->new(name => "resolve-on-$mpm", mpm => $mpm, conf => conf(resolve => 'On', manifest => 1));
    ok $srv->start, "$mpm On: server starts" or diag $srv->slurp_log;
    $jar = HTTP::Cookies->new;
    $ua = agent($jar);
    ($res, $put) = get_json($ua, $srv->url('/a/put?items=apple,pear'));
    is $res->code, 200, "$mpm On: A stores a Cart";
    ($res, $got) = get_json($ua, $srv->url('/b/get'));
    is_deeply $got->{cart}, ['apple', 'pear'], "$mpm On: the Cart arrives in B, another application group";
    is $got->{group}, 'group-b', "$mpm On: (B runs in group-b)";
    is $got->{cart_module}, $module_a, "$mpm On: as A's class";
    unlike $srv->slurp_log, qr/WSGIS0301/, "$mpm On: no diagnostics entry";
    like $srv->slurp_log, qr/WSGIS0322: [^\n]*'\Q$module_a\E' imported by name to unpickle 'Cart': loaded script '\Q$script_a\E'[^\n]*into interpreter 'group-b'/,
        "$mpm On: WSGIS0322";

    ($res, $put) = get_json($ua, $srv->url('/shared/a/put?items=plum'));
    is_deeply $put->{stored}, ['plum'], "$mpm On: A in group 'shared' stores another Cart";
    my $writer = $put->{pid};
    my $before = resumes($srv);
    ok $srv->signal('graceful'), "$mpm On: graceful restart (every child replaced)";
    my $until = Time::HiRes::time() + 30;
    Time::HiRes::sleep(0.1) while resumes($srv) <= $before && Time::HiRes::time() < $until;
    my $off_at = length $srv->slurp_log;
    my $fresh = agent($jar);   # a new connection, to a new child
    ($res, $got) = get_json($fresh, $srv->url('/shared/b/get'));
    is_deeply $got->{cart}, ['plum'], "$mpm On: the Cart arrives in B, same group, in a child that never served A";
    isnt $got->{pid}, $writer, "$mpm On: (another process than the writer: $got->{pid})";
    my $since = substr($srv->slurp_log, $off_at);
    like $since, qr/WSGIS0322: [^\n]*'\Q$module_a\E' imported by name[^\n]*into interpreter 'shared'/,
        "$mpm On: A was loaded by name in that child, not by a request";

    # --- On, node 2: another server, only B requested -----------------------------------
    my $node2 = WsgiServer->new(name => "resolve-node2-$mpm", mpm => $mpm, conf => conf(resolve => 'On'));
    ok $node2->start, "$mpm node 2: a second server starts on port " . $node2->port or diag $node2->slurp_log;
    ($res, $got) = get_json(agent($jar), $node2->url('/b/get'));
    is_deeply $got->{cart}, ['plum'], "$mpm node 2: the Cart arrives there (two nodes, one store)";
    unlike $node2->slurp_log, qr/WSGIS0101: [^\n]*\Q$script_a\E[^\n]*in interpreter 'group-a'/, "$mpm node 2: A never requested there";

    # --- outside Apache: a worker and the doctor ------------------------------------------
    $sid = sid_of($jar);
    my $manifest = $srv->root . '/logs/manifest.json';
    ok -s $manifest, "$mpm: node 1 wrote its manifest";
    my $out = `'$venv/bin/python' '$FindBin::Bin/../resolve/session/worker.py' '$manifest' '$sock' 'session:$sid' 2>'$tmp/worker.err'`;
    my $err = do { open my $e, '<', "$tmp/worker.err"; local $/; <$e> } // '';
    is $?, 0, "$mpm worker: ran" or diag "$out\n$err";
    like $err, qr/WSGIS0322: WSGIPickleResolve: module '\Q$module_a\E' imported by name: loaded script '\Q$script_a\E' \(WSGIScriptAlias \/a /,
        "$mpm worker: says what it loaded (WSGIS0322, on stderr)";
    my $w = eval { JSON::PP::decode_json($out) } || {};
    is_deeply $w->{cart}, ['plum'], "$mpm worker: reads the Cart with wsgiscript.resolve.install(manifest)";
    is $w->{script}, $script_a, "$mpm worker: from A's script";
    is $w->{generation}, 1, "$mpm worker: loaded as generation 1";
    like $w->{package} // '', qr{^\Q$venv\E/}, "$mpm worker: the pip-installed package";

    my $blob = "$tmp/blob-$mpm";
    system("/usr/bin/redis-cli -s '$sock' --raw GET 'session:$sid' > '$blob'") == 0 or die 'redis-cli';
    my $doc = `cd /; '$venv/bin/python' -m wsgiscript.doctor --manifest '$manifest' '$blob' 2>&1`;
    is $? >> 8, 0, "$mpm doctor: exit 0 on the bytes from Redis" or diag $doc;
    like $doc, qr/^ok  \Q$module_a\E\.Cart \(class of an instance\)$/m, "$mpm doctor: names the global and its use";
    like $doc, qr/script \Q$script_a\E  \[WSGIScriptAlias \/a /, "$mpm doctor: names A's script and what serves it";
    like $doc, qr/result: would load/, "$mpm doctor: would load";
    my $json = `cd /; '$venv/bin/wsgiscript-doctor' --json --manifest '$manifest' '$blob' 2>/dev/null`;
    my $report = eval { JSON::PP::decode_json($json) } || {};
    ok $report->{would_load}, "$mpm doctor --json: would_load";
    my($cart) = grep { ($_->{name} // '') eq 'Cart' } @{ $report->{globals} || [] };
    is $cart->{script}, $script_a, "$mpm doctor --json: the script";
    my $empty = "$tmp/empty-manifest.json";
    open my $fh, '>', $empty or die $!;
    print $fh '{"format": "wsgiscript-manifest", "version": 1, "case_sensitive": true, "scripts": {}}';
    close $fh;
    `cd /; '$venv/bin/wsgiscript-doctor' --manifest '$empty' '$blob' >/dev/null 2>&1`;
    is $? >> 8, 1, "$mpm doctor: exit 1 when the manifest does not know A's module";

    $node2->cleanup;
    $srv->cleanup;
}

done_testing;
