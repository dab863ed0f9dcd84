# Preloading: WSGIImportScript ... process-group=%{GLOBAL} application-group=NAME,
# a WSGIScriptAlias with both process-group=%{GLOBAL} and application-group=,
# and WSGIImportScript into %{GLOBAL}, all load the script when the child
# starts: the import time the script wrote (t/logs/interp/NAME.PID.json) is
# older than the first request, the request finds the module already in
# sys.modules with generation 1, and the child's WSGIS0101 line for it was
# logged before the request (and none after).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP ();
use WsgiTest qw(t_root ua url decode_json_body log_offset log_since);

my $ua = ua();
for my $case ([ '/interp/preload/import', 'preload', 'interp-preload', 'WSGIImportScript' ],
              [ '/interp/preload/alias', 'preload_alias', 'interp-preload-alias',
                'WSGIScriptAlias process-group=%{GLOBAL} application-group=' ],
              [ '/interp/preload/global', 'preload_global', '', 'WSGIImportScript application-group=%{GLOBAL}' ]) {
    my($path, $base, $group, $what) = @$case;
    my $script = t_root() . "/interp/$base.wsgi";
    my $off = log_offset();
    my $res = $ua->get(url($path));
    is $res->code, 200, "$what: $path 200";
    my $d = decode_json_body($res) || {};
    my $pid = $d->{pid} // 0;
    my $file = t_root() . "/logs/interp/$base.$pid.json";
    ok -f $file, "$what: child $pid wrote its import record" or next;
    my $imp = do { local $/; open my $fh, '<', $file or die $!; JSON::PP::decode_json(<$fh>) };
    cmp_ok $imp->{time}, '<', $d->{time}, "$what: imported before the first request ("
        . sprintf('%.3f s earlier', $d->{time} - $imp->{time}) . ')';
    is $imp->{group}, $group, "$what: imported in group '$group'";
    is $imp->{generation}, 1, "$what: generation 1 at import";
    is $imp->{name}, $d->{name}, "$what: the request runs the preloaded module";
    ok $d->{in_sys_modules}, "$what: module in sys.modules";
    is $d->{generation}, 1, "$what: still generation 1 (not loaded again)";
    is $d->{module_hits}, 1, "$what: first request to that module";
    is $d->{mod_wsgi_group}, $group, "$what: request in group '$group'";
    if ($group eq '') {
        ok $d->{is_main} && $imp->{is_main}, "$what: main interpreter at import and request";
    } else {
        ok defined $d->{is_main} && !$d->{is_main}, "$what: sub-interpreter";
    }
    my $before = log_since(0);
    $before = substr $before, 0, $off;
    my $after = log_since($off);
    my $load_re = qr/\[pid \Q$pid\E\b[^\n]*WSGIS0101\b[^\n]*\Q$script\E/;
    like $before, $load_re, "$what: WSGIS0101 for $base.wsgi in child $pid logged before the request";
    unlike $after, $load_re, "$what: no load by the request";
    if ($group ne '') {
        like $before, qr/\[pid \Q$pid\E\b[^\n]*WSGIS0502\b[^\n]*'\Q$group\E'/,
            "$what: sub-interpreter '$group' created (WSGIS0502) at child start";
    }
}

done_testing;
