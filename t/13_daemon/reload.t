# Reload by restart (group d13-reload, one process): when a script a daemon
# process loaded has changed, the process retires (WSGIS0604 names the
# reason) and the request that noticed is served by the new process with the
# new code; there the script starts again at generation 1. An unchanged
# script restarts nothing. Three more rounds of change with three requests
# at once each: every request 200 with the newest code. With
# WSGIScriptReloading Off (for t/logs/rw/d13/off) a changed script neither
# restarts the process nor reloads.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Path qw(make_path);
use JSON::PP ();
use WsgiTest qw(ua url t_root log_offset log_since wait_log replace_script versioned_app);
use PepTest qw(connect_to hostport send_all read_response);
use DaemonTest qw(info_of);

my $dir = t_root() . '/logs/rw/d13';
make_path("$dir/off");
my $script = "$dir/reload.wsgi";
my $off_script = "$dir/off/noreload.wsgi";
my $mtime = 1700000000;
replace_script($script, versioned_app(1), $mtime);
replace_script($off_script, versioned_app(1), $mtime);

my $ua = ua();
my($r, $v1) = info_of($ua, url('/d13/reload'));
is $r->code, 200, 'first request 200';
is $v1->{version}, 1, 'version 1';
is $v1->{generation}, 1, 'generation 1';
is $v1->{mod_wsgi}{process_group}, 'd13-reload', 'in d13-reload';
($r, my $same) = info_of($ua, url('/d13/reload'));
is $same->{pid}, $v1->{pid}, 'unchanged script: the same process';
is $same->{generation}, 1, 'unchanged script: still generation 1';

my $off = log_offset();
replace_script($script, versioned_app(2), $mtime += 100);
($r, my $v2) = info_of($ua, url('/d13/reload'));
is $r->code, 200, 'request after the change: 200';
is $v2->{version}, 2, 'request after the change: the new code';
isnt $v2->{pid}, $v1->{pid}, "request after the change: a new process ($v1->{pid} -> $v2->{pid})";
is $v2->{generation}, 1, 'request after the change: generation starts again at 1';
is $v2->{mtime}, $mtime * 1_000_000, '__mtime__ is the new mtime';
my $log = wait_log($off, qr/WSGIS0607: daemon process $v1->{pid}\b/, 10);
like $log, qr/WSGIS0604: daemon process $v1->{pid} of group 'd13-reload' is retiring: a script it loaded has changed/,
    'WSGIS0604: the old process retires because a script changed';
like $log, qr/\[wsgiscript:info\][^\n]*WSGIS0607: daemon process $v1->{pid} of group 'd13-reload' ended \(a script it loaded has changed\); replaced by \d+/,
    'WSGIS0607 (info): it exited with status 0';
unlike $log, qr/WSGIS0102/, 'no in-process reload (WSGIS0102) in daemon mode';

# touching alone restarts too
($r, my $t) = do { utime $mtime + 50, $mtime + 50, $script or die $!; $mtime += 50; info_of($ua, url('/d13/reload')) };
is $r->code, 200, 'touch: 200';
isnt $t->{pid}, $v2->{pid}, 'touch: another new process';
is $t->{generation}, 1, 'touch: generation 1';

# three rounds: change, then three requests at once
my $hp = hostport();
my $last = $t->{pid};
for my $round (3 .. 5) {
    replace_script($script, versioned_app($round), $mtime += 100);
    my @socks = map { connect_to() } 1 .. 3;
    send_all($_, "GET /d13/reload HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n\r\n") for @socks;
    my @got;
    for my $s (@socks) {
        my $res = read_response($s);
        close $s;
        push @got, { code => $res && $res->{code}, %{ json_or_empty($res) } };
    }
    is_deeply [ map { $_->{code} // 0 } @got ], [200, 200, 200], "round $round: three requests at once, all 200";
    is_deeply [ map { $_->{version} // 0 } @got ], [$round, $round, $round], "round $round: all the new code";
    ok !(grep { ($_->{pid} // 0) == $last } @got), "round $round: none from the old process";
    $last = $got[0]{pid} // 0;
}

# --- WSGIScriptReloading Off ---------------------------------------------------------------------------
($r, my $n1) = info_of($ua, url('/d13/noreload'));
is $r->code, 200, 'reloading Off: 200';
is $n1->{version}, 1, 'reloading Off: version 1';
$off = log_offset();
replace_script($off_script, versioned_app(2), $mtime += 100);
($r, my $n2) = info_of($ua, url('/d13/noreload'));
is $r->code, 200, 'reloading Off, changed script: 200';
is $n2->{version}, 1, 'reloading Off, changed script: the old code still runs';
is $n2->{pid}, $n1->{pid}, 'reloading Off, changed script: the same process';
is $n2->{generation}, 1, 'reloading Off, changed script: generation 1';
is $n2->{token}, $n1->{token}, 'reloading Off, changed script: the same interpreter';
unlike log_since($off), qr/WSGIS0604: daemon process $n1->{pid}\b/, 'reloading Off: no retirement logged';

sub json_or_empty {
    my $res = shift;
    my $d = $res && eval { JSON::PP::decode_json($res->{body}) };
    return ref $d eq 'HASH' ? $d : {};
}

done_testing;
