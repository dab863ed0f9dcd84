# WSGIScriptReloading On (the default): a changed mtime reloads the script on
# the next request (new code, generation + 1, WSGIS0102) and leaves other
# modules alone (the helper's per-interpreter token stays the same).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use File::Path qw(make_path);
use WsgiTest qw(t_root ua get_json log_offset wait_log log_since module_name_for
                replace_script versioned_app);

my $dir = t_root() . '/logs/rw';
make_path($dir);
my $script = "$dir/reload_on.wsgi";

sub write_script {
    my($version, $mtime) = @_;
    replace_script($script, versioned_app($version), $mtime);
}

write_script(1, 1700000000);
my $ua = ua();
my $off = log_offset();
(my $r, my $d1) = get_json($ua, '/reload/on');
is $r->code, 200, 'first request 200';
$d1 ||= {};
is $d1->{version}, 1, 'version 1 served';
is $d1->{generation}, 1, 'generation 1';
is $d1->{name}, module_name_for($script), 'module name from path';
like wait_log($off, qr/WSGIS0101\b[^\n]*\Q$script\E/), qr/WSGIS0101\b[^\n]*\Q$script\E/, 'load logged (WSGIS0101)';

(undef, my $same) = get_json($ua, '/reload/on');
is $same && $same->{generation}, 1, 'unchanged file: no reload';

$off = log_offset();
write_script(2, 1700000100);
(my $r2, my $d2) = get_json($ua, '/reload/on');
is $r2->code, 200, 'request after the change 200';
$d2 ||= {};
is $d2->{pid}, $d1->{pid}, 'same child (keep-alive)';
is $d2->{version}, 2, 'new code runs after mtime change';
is $d2->{generation}, 2, 'generation went up to 2';
is $d2->{mtime}, 1700000100 * 1_000_000, '__mtime__ is the new mtime';
is $d2->{name}, $d1->{name}, 'same module name';
is $d2->{token}, $d1->{token}, 'helper module (wsgitest_util) was not reloaded';
my $log = wait_log($off, qr/WSGIS0102\b[^\n]*\Q$script\E/);
like $log, qr/WSGIS0102\b[^\n]*\Q$script\E/, 'reload logged (WSGIS0102) with the path';
like $log, qr/\[wsgiscript:info\][^\n]*WSGIS0102/, 'WSGIS0102 at info level';

# touching it again (mtime only) reloads again
$off = log_offset();
utime 1700000200, 1700000200, $script or die $!;
(undef, my $d3) = get_json($ua, '/reload/on');
is $d3 && $d3->{generation}, 3, 'touch alone reloads: generation 3';
is $d3 && $d3->{token}, $d1->{token}, 'helper still not reloaded';

done_testing;
