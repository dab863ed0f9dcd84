package PickleTest;
# Helpers for t/09_pickle/*.t: requests to the pickle_on / pickle_off virtual
# hosts of t/conf/09_pickle.conf.in, the WSGIS0301 entries each request appended
# to t/logs/error_log (offset before, settled log after), and checks of one
# entry's fields.
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use Apache::TestRequest ();
use Test::More ();
use Time::HiRes ();
use WsgiTest qw(t_root ua module_name_for vurl vhost_call);

our @EXPORT_OK = qw(vurl call script_path check_entry same_exception normalize
                    t_root ua module_name_for);

sub script_path { t_root() . '/pickle/' . shift }

# call($ua, $vhost, $path [, $post_body]) -> hashref:
#   WsgiTest::vhost_call's res, data and log, and entries (the WSGIS0301
#   lines among the log)
sub call {
    my $r = vhost_call(@_);
    $r->{entries} = [ grep { /WSGIS0301/ } split /\n/, $r->{log} ];
    return $r;
}

# check_entry($label, $entry, %expect): one Test::More check per field.
#   category (required), qualname, kind ('function'|'class'|undef), path
#   (undef: 'script unknown to this server'), module, request ("GET /x?y"),
#   instance (bool), op ('pickle'|'unpickle'), like => [qr//...]
sub check_entry {
    my($label, $entry, %x) = @_;
    $entry //= '';
    my $ok = 1;
    my $check = sub {
        my($re, $what) = @_;
        $ok &&= Test::More::like($entry, $re, "$label: $what");
    };
    $check->(qr/\[wsgiscript:warn\]/, 'level warn');
    $check->(qr/WSGIS0301: pickle diagnostics: \Q$x{category}\E: /, "category $x{category}");
    my $op = $x{op} || 'pickle';
    if (defined $x{qualname}) {
        my $what = $op eq 'pickle' ? "cannot pickle \Q$x{kind}\E '\Q$x{qualname}\E'"
                                   : "cannot unpickle '\Q$x{qualname}\E'";
        $check->(qr/$what of /, "names the $op of '$x{qualname}'");
    }
    if (exists $x{path} && !defined $x{path}) {
        $check->(qr/of module \Q$x{module}\E \(script unknown to this server\)/,
                 'module named, script unknown to this server');
    }
    elsif (defined $x{path}) {
        my $module = $x{module} // module_name_for($x{path});
        $check->(qr/of script \Q$x{path}\E \(module \Q$module\E\)/, 'script path and mangled module name');
        $check->(qr/Remedy: .*\Q$x{path}\E/, 'remedy names the script');
    }
    $check->(qr/Remedy: pickle only builtin types/, 'remedy sentence');
    if (exists $x{instance}) {
        if ($x{instance}) { $check->(qr/needed to pickle an instance of it/, 'says it was an instance') }
        else { $ok &&= Test::More::unlike($entry, qr/instance of it/, "$label: not an instance") }
    }
    if (defined $x{request}) {
        $check->(qr/\(request: \Q$x{request}\E\)\s*$/, "request '$x{request}' at the end");
        $check->(qr/\[client [0-9a-f.:\[\]]+\]/, 'client address');
    }
    for my $re (@{ $x{like} || [] }) {
        $check->($re, "matches $re");
    }
    for my $re (@{ $x{unlike} || [] }) {
        $ok &&= Test::More::unlike($entry, $re, "$label: does not match $re");
    }
    return $ok;
}

# Exception text as the application saw it, with object addresses (which
# differ between interpreters) blanked.
sub normalize {
    my $s = shift // '';
    $s =~ s/0x[0-9a-f]+/0x.../g;
    return $s;
}

# The application saw the same exception with diagnostics On and Off.
sub same_exception {
    my($label, $on, $off) = @_;
    Test::More::is($off->{ok}, $on->{ok}, "$label: Off fails like On") &&
    Test::More::is($off->{type}, $on->{type}, "$label: same exception type ($on->{type})") &&
    Test::More::is(normalize($off->{message}), normalize($on->{message}), "$label: same message") &&
    Test::More::is(normalize($off->{cause}), normalize($on->{cause}), "$label: same __cause__") &&
    Test::More::is(normalize($off->{context}), normalize($on->{context}), "$label: same __context__");
}

1;
