# 20 threads of one interpreter unpickle, at the same moment, data naming
# once.wsgi, which no one has loaded (its top-level code takes 0.3 s and
# counts its runs): the script is loaded once, every thread gets the same
# class.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use JSON::PP ();
use ResolveTest qw(call instance_bytes rpath module_name_for ua);

my $path = rpath('once.wsgi');
my $module = module_name_for($path);
my $r = call(ua(), resolve_on => '/resolve/read?api=threads&n=20', instance_bytes($path, 'Thing'));
my $d = $r->{data};
is $d->{succeeded}, 20, 'all 20 threads unpickled' or diag explain $d;
is $d->{classes}, 1, 'one class object among them';
is $d->{module_of}, $module, 'once.wsgi\'s';
is $d->{top_level_runs}, 1, 'its top-level code ran once';
is $d->{registry}{$module}{generation}, 1, 'generation 1';
my @loads = $r->{log} =~ /(WSGIS0101: Loading Python script file '\Q$path\E')/g;
is scalar(@loads), 1, 'one WSGIS0101 for it' or diag $r->{log};
my @resolved = $r->{log} =~ /(WSGIS0322: [^\n]*\Q$module\E)/g;
is scalar(@resolved), 1, 'one WSGIS0322';

done_testing;
