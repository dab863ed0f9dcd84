# Daemon mode: the same resolution in a daemon process (rs-daemon). Data a
# daemon process pickled (make.wsgi in rs-dmaker) is unpickled in an Apache
# child (rs-reader), and data an Apache child pickled is unpickled in the
# daemon process (rs-dreader), where make.wsgi was never requested in that
# group.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use JSON::PP ();
use ResolveTest qw(call rpath module_name_for ua);

my $maker = rpath('make.wsgi');
my $module = module_name_for($maker);
my $ua = ua();

my $made = call($ua, resolve_on => '/resolve/dmake?what=instance');
is $made->{res}->code, 200, 'made in the daemon process';
my $r = call($ua, resolve_on => '/resolve/read', $made->{res}->content);
is $r->{data}{ok}, JSON::PP::true(), 'unpickled in an Apache child' or diag explain $r->{data};
is $r->{data}{module_of}, $module, 'make.wsgi\'s class';

$made = call($ua, resolve_on => '/resolve/make?what=instance');
$r = call($ua, resolve_on => '/resolve/dread', $made->{res}->content);
is $r->{data}{process_group}, 'rs-daemon', 'read in the daemon process';
is $r->{data}{group}, 'rs-dreader', 'in its reader group';
is $r->{data}{ok}, JSON::PP::true(), 'unpickled there' or diag explain $r->{data};
is_deeply $r->{data}{items}, ['apple', 'pear'], 'with its state';
is $r->{data}{registry}{$module}{generation}, 1, 'loaded there, generation 1';
like $r->{log}, qr/WSGIS0322: [^\n]*'\Q$module\E'[^\n]*into interpreter 'rs-dreader'/, 'WSGIS0322 from the daemon process';

done_testing;
