# callable-object= on WSGIScriptAlias and WSGICallableObject pick the callable.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use WsgiTest qw(ua url);

my $ua = ua();
for ([ '/callable/default'   => 'callable=application', 'default is "application"' ],
     [ '/callable/option'    => 'callable=other',       'callable-object=other' ],
     [ '/callable/directive' => 'callable=second',      'WSGICallableObject second' ]) {
    my($path, $body, $what) = @$_;
    my $res = $ua->get(url($path));
    is $res->code, 200, "$what: 200";
    is $res->decoded_content, $body, "$what: body";
}

done_testing;
