# WSGIScriptReloading Off: a changed script is not reloaded.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Path qw(make_path);
use WsgiTest qw(t_root ua get_json log_offset wait_log log_since
                replace_script versioned_app);

my $dir = t_root() . '/logs/rw/noreload';
make_path($dir);
my $script = "$dir/reload_off.wsgi";

sub write_script {
    my($version, $mtime) = @_;
    replace_script($script, versioned_app($version), $mtime);
}

write_script(1, 1700000000);
my $ua = ua();
(my $r, my $d1) = get_json($ua, '/reload/off');
is $r->code, 200, 'first request 200';
is $d1 && $d1->{version}, 1, 'version 1';

my $off = log_offset();
write_script(2, 1700000100);
(my $r2, my $d2) = get_json($ua, '/reload/off');
is $r2->code, 200, 'request after change 200';
is $d2 && $d2->{pid}, $d1 && $d1->{pid}, 'same child (keep-alive)';
is $d2 && $d2->{version}, 1, 'old code still runs with WSGIScriptReloading Off';
is $d2 && $d2->{generation}, 1, 'generation still 1';
unlike log_since($off), qr/WSGIS010[12]\b[^\n]*\Q$script\E/, 'no load or reload logged';

done_testing;
