package ResolveTest;
# Helpers for t/19_resolve/*.t: requests to the resolve_on / resolve_off
# virtual hosts of t/conf/19_resolve.conf.in, pickled bytes made here (so
# that no child has to have served the script they name), and the lines each
# request added to t/logs/error_log.
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use Apache::TestRequest ();
use JSON::PP ();
use WsgiTest qw(t_root ua module_name_for vurl vhost_call);

our @EXPORT_OK = qw(vurl call instance_bytes rpath module_name_for t_root ua manifest);

sub rpath { t_root() . '/resolve/' . shift }

# Pickled bytes (protocol 2) of an instance of $name defined in the script at
# $path, made without that script: GLOBAL, EMPTY_TUPLE, NEWOBJ, EMPTY_DICT,
# BUILD. $module overrides the module name (hostile names).
sub instance_bytes {
    my($path, $name, $module) = @_;
    $module //= module_name_for($path);
    $name //= 'Cart';
    return "\x80\x02c$module\n$name\nq\x00)\x81q\x01}q\x02b.";
}

# call($ua, $vhost, $path [, $post_body]) -> { res, data, log }
sub call { vhost_call(@_) }

# The manifest the suite's server writes (WSGIScriptManifest in 19_resolve.conf.in).
sub manifest {
    my $file = t_root() . '/logs/resolve-manifest.json';
    open my $fh, '<', $file or return undef;
    local $/;
    return JSON::PP::decode_json(<$fh>);
}

1;
