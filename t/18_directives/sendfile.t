# WSGIEnableSendfile On|Off: wsgi.file_wrapper responses are whole and
# correct either way (On: file buckets marked for sendfile(); Off: read and
# copied; unset: Apache's EnableSendfile decides).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use JSON::PP qw(decode_json);
use WsgiTest qw(log_offset wait_log log_since t_root);
use PepTest qw(raw_http parse_http hostport);

my $hp = hostport();
sub req {
    my($method, $path, $extra, $body) = @_;
    $extra //= '';
    $body //= '';
    return parse_http(raw_http("$method $path HTTP/1.1\r\nHost: $hp\r\nConnection: close\r\n$extra\r\n$body"));
}
sub json { my $r = shift; my $d = eval { decode_json($r->{body}) }; return $d || {} }
use Digest::MD5 qw(md5_hex);

my $blob = join('', map { chr } 0 .. 255) x 4096;
for my $path ('/d18/emb/sendfile_on/file', '/d18/emb/sendfile_off/file', '/d18/emb/file', '/d18/dmn/file') {
    my $res = req('GET', $path);
    is $res->{code}, 200, "$path: 200";
    is length($res->{body}), length($blob), "$path: 1 MiB";
    is md5_hex($res->{body}), md5_hex($blob), "$path: the file's bytes";
}

done_testing;
