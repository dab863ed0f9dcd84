# Objects a script stashed in an ordinary module (t/pickle/lib/stash.py,
# imported from WSGIPythonPath) outlive reloads of the script. After a touch
# (mtime only) the script runs again as generation 2: the stashed function and
# the stashed Cart instance are no longer the objects their names lead to
# (not-same-object, "reloaded", generation 1 -> 2). After a rewrite that drops
# price and Cart (generation 3): not-found, from generation 1, now 3; and the
# pickled Cart bytes kept from generation 1 no longer load (not-found, cannot
# unpickle). wsgiscript.loaded_scripts() shows the script, its generation and
# reload times. One keep-alive connection: one child, one interpreter.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", $FindBin::Bin;
use Test::More;
use JSON::PP ();
use File::Path qw(make_path);
use POSIX ();
use PickleTest qw(call check_entry ua t_root module_name_for);

my $template = t_root() . '/pickle/stash.wsgi';
my $dir = t_root() . '/logs/rw/pickle';
make_path($dir);
my $script = "$dir/stash.wsgi";
my $module = module_name_for($script);

sub write_script {
    my($mtime, $drop_v1_only) = @_;
    open my $in, '<', $template or die "$template: $!";
    my $text = do { local $/; <$in> };
    close $in;
    $text =~ s/^# BEGIN v1-only\n.*?^# END v1-only\n//ms or die 'markers not found'
        if $drop_v1_only;
    open my $out, '>', "$script.tmp" or die "$script.tmp: $!";
    print $out $text;
    close $out;
    rename "$script.tmp", $script or die $!;
    utime $mtime, $mtime, $script or die $!;
}

my $when_re = qr/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}/;
sub when { POSIX::strftime('%Y-%m-%d %H:%M:%S %z', localtime(shift)) }

my($t0, $t1, $t2) = (1700000000, 1700000100, 1700000200);
write_script($t0);
my $ua = ua();

# --- generation 1: store, everything pickles ---------------------------------
my $r = call($ua, pickle_on => '/pickle/stash?registry');
is $r->{res}->code, 200, 'stash script served';
my $g1 = $r->{data}{generation} // 0;
my $pid = $r->{data}{pid};
ok $g1 >= 1, "loaded, generation $g1";
is $r->{data}{module}, $module, 'module name from the path';
my $rec = $r->{data}{record} || {};
is $rec->{path}, $script, 'loaded_scripts(): path';
is $rec->{module_name}, $module, 'loaded_scripts(): module_name';
is $rec->{generation}, $g1, 'loaded_scripts(): generation';
is $rec->{mtime}, $t0 * 1_000_000, 'loaded_scripts(): mtime in microseconds';
ok !defined $rec->{reloaded_at} || $g1 > 1, 'loaded_scripts(): reloaded_at None before any reload';

$r = call($ua, pickle_on => '/pickle/stash?store');
is $r->{data}{ok}, JSON::PP::true(), 'store: the objects pickle in their own generation';
is scalar(@{ $r->{entries} }), 0, 'store: no entry';

# --- touch: generation 2 -----------------------------------------------------
utime $t1, $t1, $script or die $!;
$r = call($ua, pickle_on => '/pickle/stash?discount');
is $r->{data}{pid}, $pid, 'same child (keep-alive)';
my $g2 = $g1 + 1;
is $r->{data}{generation}, $g2, "touch reloaded the script: generation $g2";
like $r->{log}, qr/WSGIS0102\b[^\n]*\Q$script\E/, 'reload logged (WSGIS0102)';
is $r->{data}{ok}, JSON::PP::false(), 'stashed discount no longer pickles';
like $r->{data}{message} // '', qr/it's not the same object as \Q$module\E\.discount$/, "Python's message";
is scalar(@{ $r->{entries} }), 1, 'discount: exactly one WSGIS0301 entry' or diag $r->{log};

$r = call($ua, pickle_on => '/pickle/stash?registry');
$rec = $r->{data}{record} || {};
is $rec->{generation}, $g2, "loaded_scripts(): generation $g2 after the touch";
is $rec->{mtime}, $t1 * 1_000_000, 'loaded_scripts(): the new mtime';
ok defined $rec->{reloaded_at} && $rec->{reloaded_at} >= ($rec->{loaded_at} // 9e99),
    'loaded_scripts(): reloaded_at set, not before loaded_at';
ok abs(($rec->{reloaded_at} // 0) - time) < 120, 'loaded_scripts(): reloaded_at is now';
is scalar(@{ $rec->{history} || [] }), $g2, 'loaded_scripts(): one history record per load';
is_deeply [ map { $_->[0] } @{ $rec->{history} || [] } ], [ 1 .. $g2 ], 'history generations in order';
is $rec->{history}[-1][1], $t1 * 1_000_000, 'history: mtime of the latest load';
my $reload2 = when($rec->{history}[-1][2] // 0);
is scalar(@{ $r->{entries} }), 0, 'registry request: no entry';

# the entry of the discount request, now that we know the reload time
my $discount_entry = call($ua, pickle_on => '/pickle/stash?discount');
is scalar(@{ $discount_entry->{entries} }), 1, 'discount again: exactly one entry';
for my $e ($discount_entry->{entries}[0]) {
    check_entry('discount after touch', $e,
                category => 'not-same-object', kind => 'function', qualname => 'discount',
                path => $script, module => $module, instance => 0,
                request => 'GET /pickle/stash?discount',
                like => [ qr/the name 'discount' in the script now refers to another object/,
                          qr/reloaded/,
                          qr/the object comes from generation $g1, the script is now at generation $g2 \(reloaded at \Q$reload2\E\)/ ]);
}

$r = call($ua, pickle_on => '/pickle/stash?cart');
is $r->{data}{ok}, JSON::PP::false(), 'stashed Cart instance no longer pickles';
like $r->{data}{message} // '', qr/it's not the same object as \Q$module\E\.Cart$/, "Python's message";
is scalar(@{ $r->{entries} }), 1, 'cart: exactly one entry' or diag $r->{log};
check_entry('cart after touch', $r->{entries}[0],
            category => 'not-same-object', kind => 'class', qualname => 'Cart',
            path => $script, module => $module, instance => 1,
            request => 'GET /pickle/stash?cart',
            like => [ qr/reloaded/,
                      qr/the object comes from generation $g1, the script is now at generation $g2 \(reloaded at $when_re\)/ ]);

$r = call($ua, pickle_on => '/pickle/stash?cart_bytes');
is $r->{data}{ok}, JSON::PP::true(), 'bytes pickled in generation 1 still load (Cart exists in generation 2)';
is scalar(@{ $r->{entries} }), 0, 'cart_bytes: no entry';

# --- rewrite without price and Cart: generation 3 ------------------------------
write_script($t2, 1);
my $g3 = $g2 + 1;
$r = call($ua, pickle_on => '/pickle/stash?price');
is $r->{data}{generation}, $g3, "rewrite reloaded the script: generation $g3";
is $r->{data}{ok}, JSON::PP::false(), 'stashed price no longer pickles';
like $r->{data}{message} // '', qr/attribute lookup price on \Q$module\E failed$/, "Python's message";
is scalar(@{ $r->{entries} }), 1, 'price: exactly one entry' or diag $r->{log};
check_entry('price after rewrite', $r->{entries}[0],
            category => 'not-found', kind => 'function', qualname => 'price',
            path => $script, module => $module, instance => 0,
            request => 'GET /pickle/stash?price',
            like => [ qr/the script no longer has anything named 'price'/,
                      qr/reloaded/,
                      qr/the object comes from generation $g1, the script is now at generation $g3 \(reloaded at \Q$reload2\E, last reloaded at $when_re\)/ ]);

$r = call($ua, pickle_on => '/pickle/stash?cart');
is scalar(@{ $r->{entries} }), 1, 'cart after rewrite: exactly one entry' or diag $r->{log};
check_entry('cart after rewrite', $r->{entries}[0],
            category => 'not-found', kind => 'class', qualname => 'Cart',
            path => $script, module => $module, instance => 1,
            request => 'GET /pickle/stash?cart',
            like => [ qr/the object comes from generation $g1, the script is now at generation $g3/ ]);

$r = call($ua, pickle_on => '/pickle/stash?cart_bytes');
is $r->{data}{ok}, JSON::PP::false(), 'bytes from generation 1 no longer load';
is $r->{data}{type}, 'builtins.AttributeError', 'AttributeError';
like $r->{data}{message} // '', qr/^Can't get attribute 'Cart' on <module '\Q$module\E'/, "Python's message";
is scalar(@{ $r->{entries} }), 1, 'cart_bytes after rewrite: exactly one entry' or diag $r->{log};
check_entry('cart_bytes after rewrite', $r->{entries}[0],
            category => 'not-found', op => 'unpickle', qualname => 'Cart',
            path => $script, module => $module,
            request => 'GET /pickle/stash?cart_bytes',
            like => [ qr/the loaded script has no attribute 'Cart'/,
                      qr/the script has been reloaded \(now generation $g3, last reloaded at $when_re\)/ ]);

$r = call($ua, pickle_on => '/pickle/stash?discount');
is scalar(@{ $r->{entries} }), 1, 'discount after rewrite: exactly one entry' or diag $r->{log};
check_entry('discount after rewrite', $r->{entries}[0],
            category => 'not-same-object', kind => 'function', qualname => 'discount',
            path => $script, module => $module,
            request => 'GET /pickle/stash?discount',
            like => [ qr/the object comes from generation $g1, the script is now at generation $g3/ ]);

$r = call($ua, pickle_on => '/pickle/stash?registry');
$rec = $r->{data}{record} || {};
is $rec->{generation}, $g3, "loaded_scripts(): generation $g3";
is $rec->{mtime}, $t2 * 1_000_000, 'loaded_scripts(): mtime of the rewrite';
is scalar(@{ $rec->{history} || [] }), $g3, 'loaded_scripts(): three loads in the history';

done_testing;
