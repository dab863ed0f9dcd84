# Runs last: the error log of the whole run shows no crash.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url log_since crash_lines);

is ua()->get(url('/hello'))->code, 200, 'server still serving at the end';
my @crash = crash_lines(log_since(0));
is scalar(@crash), 0, 'no segfault / exit signal lines in error_log' or diag join "\n", @crash;
my @fatal = grep { /\[wsgiscript:(?:emerg|alert|crit)\]/ } split /\n/, log_since(0);
is scalar(@fatal), 0, 'no emerg/alert/crit lines from wsgiscript' or diag join "\n", @fatal;

done_testing;
