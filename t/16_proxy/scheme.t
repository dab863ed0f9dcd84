# The scheme: X-Forwarded-Proto, X-Forwarded-Scheme, X-Scheme ('https' /
# 'http') and X-Forwarded-HTTPS, X-Forwarded-SSL, X-HTTPS (On/Off, true/false,
# 1/0; any case) -> wsgi.url_scheme and HTTPS, embedded and in a daemon
# process group. Over TLS: t/16_proxy/listeners.t.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use ProxyTest qw(env_of modes);

my @scheme_vars = qw(HTTP_X_FORWARDED_PROTO HTTP_X_FORWARDED_SCHEME HTTP_X_SCHEME
                     HTTP_X_FORWARDED_HTTPS HTTP_X_FORWARDED_SSL HTTP_X_HTTPS);
sub present { my($d, @keys) = @_; return join ',', grep { exists $d->{$_} } @keys }
sub scheme_of { my $d = shift; return $d->{'wsgi.url_scheme'} . '|' . ($d->{HTTPS} // '-') }

my %words = (
    'X-Forwarded-Proto'  => [[https => 'https'], [HTTPS => 'https'], [http => 'http'], [Http => 'http'],
                             [ftp => 'http'], [on => 'http'], ['https, http' => 'http']],
    'X-Forwarded-Scheme' => [[https => 'https'], [http => 'http'], [wss => 'http']],
    'X-Scheme'           => [[hTTps => 'https'], [http => 'http']],
    'X-Forwarded-HTTPS'  => [[On => 'https'], [on => 'https'], [TRUE => 'https'], [1 => 'https'],
                             [Off => 'http'], [false => 'http'], [0 => 'http'], [yes => 'http'], [https => 'http']],
    'X-Forwarded-SSL'    => [[on => 'https'], [true => 'https'], [1 => 'https'], [off => 'http'], [2 => 'http']],
    'X-HTTPS'            => [[ON => 'https'], [True => 'https'], [1 => 'https'], [OFF => 'http'], [FALSE => 'http']],
);

for my $mode (modes()) {
    my($name, $p, $group) = @$mode;
    my $d;
    my $env = sub { my $path = shift; env_of("$p$path", [@_]) };

    $d = $env->('/open/s');
    is $d->{_process_group}, $group, "$name: process group '$group'";
    is scheme_of($d), 'http|-', "$name: no header: http, no HTTPS";

    for my $header (sort keys %words) {
        (my $var = "HTTP_\U$header") =~ tr/-/_/;
        for my $case (@{ $words{$header} }) {
            my($value, $scheme) = @$case;
            for my $where (qw(open trusted)) {
                $d = $env->("/$where/s", "$header: $value");
                is scheme_of($d), $scheme eq 'https' ? 'https|1' : 'http|-', "$name $where: $header: $value -> $scheme";
            }
        }
        $d = $env->('/trusted/s', "$header: x");
        is present($d, @scheme_vars), $var, "$name trusted: $header stays, the only one of its kind";
        $d = $env->('/untrusted/s', "$header: 1", "$header: https");
        is scheme_of($d), 'http|-', "$name untrusted: $header ignored";
        is present($d, @scheme_vars), '', "$name untrusted: $header removed";
    }

    # several: the one listed last that was sent decides, and only it stays
    $d = $env->('/trusted/s', 'X-Forwarded-Proto: https', 'X-Forwarded-SSL: off');
    is scheme_of($d), 'http|-', "$name trusted: X-Forwarded-SSL (listed after X-Forwarded-Proto) decides";
    is present($d, @scheme_vars), 'HTTP_X_FORWARDED_SSL', "$name trusted: X-Forwarded-Proto removed";
    $d = $env->('/trusted/s', 'X-Forwarded-Proto: https', 'X-Forwarded-SSL: maybe');
    is scheme_of($d), 'https|1', "$name trusted: a value that says nothing leaves the earlier decision";
    is present($d, @scheme_vars), 'HTTP_X_FORWARDED_SSL', "$name trusted: yet it is the header that stays";

    # not listed: passes, decides nothing
    $d = $env->('/partial/s', 'X-Forwarded-Proto: https');
    is scheme_of($d), 'http|-', "$name partial: X-Forwarded-Proto not listed: http";
    is $d->{HTTP_X_FORWARDED_PROTO}, 'https', "$name partial: and the header passes";
    $d = $env->('/nobody/s', 'X-Forwarded-Proto: https');
    is scheme_of($d), 'http|-', "$name nobody trusted: http";
    ok !exists $d->{HTTP_X_FORWARDED_PROTO}, "$name nobody trusted: header removed";

    $d = $env->('/trusted/s', 'X-Forwarded-Proto: https');
    is $d->{REQUEST_SCHEME}, 'http', "$name REQUEST_SCHEME stays httpd's (as mod_wsgi)";
}

done_testing;
