package WsgiTest;
# Helpers shared by the Apache::Test files: a keep-alive user agent (one
# connection, so one server process, so one set of interpreters), error_log
# reading from an offset, and the module-name rule.
use strict;
use warnings;

use Exporter 'import';
use Apache::Test ();
use Apache::TestRequest ();
use Digest::MD5 qw(md5_hex);
use JSON::PP ();
use LWP::UserAgent ();
use Time::HiRes ();

our @EXPORT_OK = qw(t_root ua url get_json log_offset log_since wait_log
                    module_name_for decode_json_body crash_lines replace_script
                    versioned_app settled_log_since vurl vhost_call);

sub t_root { Apache::Test::vars('serverroot') }

sub url {
    my $path = shift;
    my $hostport = Apache::TestRequest::hostport(Apache::Test::config());
    return "http://$hostport$path";
}

# A URL on one of the suite's virtual hosts (<VirtualHost name> in t/conf).
sub vurl {
    my($vhost, $path) = @_;
    local $Apache::TestRequest::Module = $vhost;
    my $hostport = Apache::TestRequest::hostport(Apache::Test::config());
    return "http://$hostport$path";
}

# vhost_call($ua, $vhost, $path [, $post_body]) -> hashref: res
# (HTTP::Response), data (the decoded JSON body, {} if none), log (what the
# request added to the error_log, settled).
sub vhost_call {
    my($ua, $vhost, $path, $body) = @_;
    my $off = log_offset();
    my $url = vurl($vhost, $path);
    my $res = defined $body
        ? $ua->post($url, 'Content-Type' => 'application/octet-stream', Content => $body)
        : $ua->get($url);
    my $log = settled_log_since($off);
    my $data = ($res->header('Content-Type') // '') =~ m{^application/json} ? decode_json_body($res) : undef;
    return { res => $res, data => $data || {}, log => $log };
}

# One connection per agent: requests of one agent reach the same child.
sub ua {
    my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 60);
    return $ua;
}

sub decode_json_body {
    my $res = shift;
    my $data = eval { JSON::PP::decode_json($res->decoded_content) };
    return $data;
}

sub get_json {
    my($ua, $path) = @_;
    my $res = $ua->get(url($path));
    return ($res, decode_json_body($res));
}

sub error_log { t_root() . '/logs/error_log' }

sub log_offset { -s error_log() || 0 }

sub log_since {
    my $offset = shift || 0;
    open my $fh, '<', error_log() or return '';
    seek $fh, $offset, 0;
    local $/;
    my $s = <$fh>;
    return defined $s ? $s : '';
}

# Poll the error log (from $offset) until $re matches or $timeout seconds pass;
# returns the log text since $offset. Used because lines from a child can land
# just after the response.
sub wait_log {
    my($offset, $re, $timeout) = @_;
    $timeout ||= 5;
    my $deadline = Time::HiRes::time() + $timeout;
    my $text;
    while (1) {
        $text = log_since($offset);
        return $text if $text =~ $re;
        last if Time::HiRes::time() > $deadline;
        Time::HiRes::sleep(0.1);
    }
    return $text;
}

# Wait until the error log stops growing (0.3 s unchanged, at most $max s).
sub settled_log_since {
    my($off, $max) = @_;
    $max ||= 5;
    my $deadline = Time::HiRes::time() + $max;
    my $last = -1;
    my $stable_since = Time::HiRes::time();
    while (Time::HiRes::time() < $deadline) {
        my $size = log_offset();
        if ($size != $last) {
            $last = $size;
            $stable_since = Time::HiRes::time();
        }
        elsif (Time::HiRes::time() - $stable_since >= 0.3) {
            last;
        }
        Time::HiRes::sleep(0.05);
    }
    return log_since($off);
}

sub module_name_for { '_mod_wsgi_' . md5_hex(shift) }

# Replace a script atomically (write, rename) and give it a chosen mtime, so a
# request never sees a half-written file and reloads are deterministic.
sub replace_script {
    my($path, $source, $mtime) = @_;
    open my $fh, '>', "$path.tmp" or die "$path.tmp: $!";
    print $fh $source;
    close $fh or die "$path.tmp: $!";
    rename "$path.tmp", $path or die "$path: $!";
    utime $mtime, $mtime, $path or die "$path: $!";
}

# A WSGI app answering its module facts (wsgitest_util.module_info) plus VERSION.
sub versioned_app {
    my($version) = @_;
    return <<"PY";
import wsgitest_util

VERSION = $version


def application(environ, start_response):
    info = wsgitest_util.module_info(globals())
    info['version'] = VERSION
    return wsgitest_util.json_response(start_response, info)
PY
}

sub crash_lines {
    my $text = shift;
    return grep { /Segmentation fault|exit signal|AH00052|double free|Aborted/ } split /\n/, $text;
}

1;
