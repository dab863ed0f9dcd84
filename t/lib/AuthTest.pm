package AuthTest;
# Helpers of t/15_auth: requests with Basic credentials made of exact bytes,
# and the module name of a hook script.
use strict;
use warnings;

use Exporter 'import';
use MIME::Base64 qw(encode_base64);
use WsgiTest qw(t_root url decode_json_body module_name_for);

our @EXPORT_OK = qw(basic_get basic_header hook_module);

# "Basic base64(user:password)" of the bytes given (no encoding applied).
sub basic_header {
    my($user, $password) = @_;
    return 'Basic ' . encode_base64("$user:$password", '');
}

# GET $path with Basic credentials: (response, decoded JSON or undef).
sub basic_get {
    my($ua, $path, $user, $password, @headers) = @_;
    my @auth = defined $user ? (Authorization => basic_header($user, $password)) : ();
    my $res = $ua->get(url($path), @auth, @headers);
    return ($res, $res->code == 200 ? decode_json_body($res) : undef);
}

sub hook_module { module_name_for(t_root() . '/auth/' . shift) }

1;
