# The test server loads exactly the modules t/TEST.PL chose (nothing from
# /etc/apache2/mods-enabled, in particular not mod_wsgi), with the MPM asked for.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(t_root log_since);

my $mpm = $ENV{WSGISCRIPT_MPM} || 'event';
my $conf = t_root() . '/conf/httpd.conf';
open my $fh, '<', $conf or die "$conf: $!";
my %loaded;
while (<$fh>) {
    $loaded{$1} = $2 if /^\s*LoadModule\s+(\S+)\s+"?([^"\s]+)/;
}
close $fh;
is_deeply [ sort keys %loaded ],
    [ sort "mpm_${mpm}_module", qw(authz_core_module authz_host_module mime_module alias_module
          dir_module env_module setenvif_module deflate_module wsgiscript_module
          authn_core_module auth_basic_module auth_digest_module authz_user_module) ],
    'LoadModule lines are exactly the chosen list' or diag explain \%loaded;
ok !grep({ m{/mod_wsgi\.so$} } values %loaded), 'mod_wsgi.so is not loaded';
like $loaded{wsgiscript_module} // '', qr{/mod_wsgiscript\.so$}, 'our module is loaded';
unlike log_since(0), qr/WSGIS0001/, 'no "beside mod_wsgi" refusal in the log';

done_testing;
