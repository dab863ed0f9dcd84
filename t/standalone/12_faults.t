# No C++ exception crosses a Python, APR or httpd callback (issue 10):
# with the failure-injection build of the module ($WSGISCRIPT_FAULT_SO,
# built by scripts/test with -DWSGISCRIPT_FAULT_INJECTION=ON), each entry
# point is made to throw std::bad_alloc (or std::runtime_error) and must
# log a tag and fail cleanly: a directive gives a configuration error with
# file and line; a hook gives 500 and WSGIS0005; a method Python called
# raises MemoryError in the application; the child that took the fault
# lives on and the next request is served; no crash.
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib";
use Test::More;
use LWP::UserAgent ();
use Time::HiRes ();
use WsgiServer;

my $so = $ENV{WSGISCRIPT_FAULT_SO};
plan skip_all => 'needs the failure-injection build ($WSGISCRIPT_FAULT_SO)' unless $so && -f $so;
my @mpms = split ' ', ($ENV{WSGISCRIPT_MPMS} || 'event');

my $app = <<'PY';
import os
import sys

def application(environ, start_response):
    op = environ.get('PATH_INFO', '').strip('/')
    caught = 'none'
    try:
        if op == 'read':
            environ['wsgi.input'].read()
        elif op == 'print':
            print('hello from the app')
        elif op == 'errors':
            environ['wsgi.errors'].write('to wsgi.errors\n')
    except Exception as e:
        caught = type(e).__name__
    if op == 'write':
        write = start_response('200 OK', [('Content-Type', 'text/plain')])
        try:
            write(b'x')
        except Exception as e:
            caught = type(e).__name__
        return [('%s %d' % (caught, os.getpid())).encode()]
    start_response('200 OK', [('Content-Type', 'text/plain'), ('X-Pid', str(os.getpid()))])
    return [('%s %d' % (caught, os.getpid())).encode()]
PY

my @request_faults = (
    # [point, path, expected status, expected body kind, log pattern]
    [ 'handler',         '/f/plain',  500, undef,         qr/WSGIS0005: internal error: out of memory \(std::bad_alloc\)/ ],
    [ 'handler:runtime', '/f/plain',  500, undef,         qr/WSGIS0005: internal error: injected fault at handler/ ],
    [ 'environ',         '/f/plain',  500, undef,         qr/WSGIS0005: internal error: out of memory/ ],
    [ 'input.read',      '/f/read',   200, 'MemoryError', undef ],
    [ 'log.write',       '/f/print',  200, 'MemoryError', undef ],
    [ 'log.write',       '/f/errors', 200, 'MemoryError', undef ],
    [ 'response.write',  '/f/write',  200, 'MemoryError', undef ],
    [ 'response.start',  '/f/plain',  500, undef,         qr/WSGIS0110: [^\n]*MemoryError/ ],
);

for my $mpm (@mpms) {
    my $conf = "WSGIScriptAlias /f \$root/app.wsgi\nWSGIScriptAlias /ok \$root/app.wsgi\n";
    for my $i (0 .. $#request_faults) {
        $conf .= "<Location /f$i>\n    SetEnv WSGISCRIPT_FAULT $request_faults[$i][0]\n</Location>\n"
               . "WSGIScriptAlias /f$i \$root/app.wsgi\n";
    }
    my $srv = WsgiServer->new(name => "faults-$mpm", mpm => $mpm,
                              load => [ [ wsgiscript_module => $so ],
                                        [ env_module => '/usr/lib/apache2/modules/mod_env.so' ] ],
                              conf => $conf);
    open my $fh, '>', "$srv->{root}/app.wsgi" or die $!;
    print $fh $app;
    close $fh;

    # a directive handler: a configuration error with file and line, no crash
    {
        local $ENV{WSGISCRIPT_FAULT} = 'config';
        my $cmd = join ' ', map { "'$_'" } $srv->httpd_cmd('-t');
        my $out = `$cmd 2>&1`;
        my $rc = $? >> 8;
        isnt $rc, 0, "$mpm: config fault: apache2 -t fails";
        like $out, qr/Syntax error on line \d+ of \Q@{[ $srv->conf_file ]}\E/, "$mpm: config fault: file and line";
        like $out, qr/WSGIScriptAlias: internal error: out of memory/, "$mpm: config fault: the directive's message";
        unlike $out, qr/Segmentation|Aborted|terminate called/, "$mpm: config fault: no crash";
    }

    ok $srv->start, "$mpm: server starts" or do { diag $srv->slurp_log; $srv->cleanup; next };
    my $ua = LWP::UserAgent->new(keep_alive => 1, timeout => 20);
    my $ok = $ua->get($srv->url('/ok/plain'));
    my($pid) = $ok->decoded_content =~ /^none (\d+)$/;
    ok $pid, "$mpm: a normal request is served" or diag $ok->as_string;

    for my $i (0 .. $#request_faults) {
        my($point, $path, $code, $kind, $log_re) = @{ $request_faults[$i] };
        (my $p = $path) =~ s{^/f}{/f$i};
        my $off = length $srv->slurp_log;
        my $res = $ua->get($srv->url($p));
        is $res->code, $code, "$mpm: $point at $path: $code";
        if ($kind) {
            like $res->decoded_content, qr/^\Q$kind\E \d+$/, "$mpm: $point at $path: the application sees $kind";
        }
        Time::HiRes::sleep(0.2);
        my $log = substr $srv->slurp_log, $off;
        like $log, $log_re, "$mpm: $point at $path: logged" if $log_re;
        my $after = $ua->get($srv->url('/ok/plain'));
        is $after->code, 200, "$mpm: $point: the next request is served";
        ok kill(0, $res->header('X-Pid') // $pid), "$mpm: $point: the child that took the fault lives on";
    }

    my @crash = grep { /Segmentation fault|exit signal|double free|Aborted|terminate called/ } split /\n/, $srv->slurp_log;
    is scalar(@crash), 0, "$mpm: no crash lines" or diag join "\n", @crash;
    $srv->cleanup;

    # process-wide points: the translate hook, child start, child exit
    for my $case (['translate', qr/WSGIS0005: internal error: out of memory/, 500],
                  ['child_init', qr/WSGIS0005: internal error at child start: out of memory/, 500],
                  ['shutdown', qr/WSGIS0005: internal error at child exit: out of memory/, 200]) {
        my($point, $re, $code) = @$case;
        my $s2 = WsgiServer->new(name => "faults-$mpm-$point", mpm => $mpm,
                                 load => [ [ wsgiscript_module => $so ] ],
                                 conf => "WSGIScriptAlias /ok \$root/app.wsgi\n");
        open my $fh2, '>', "$s2->{root}/app.wsgi" or die $!;
        print $fh2 $app;
        close $fh2;
        {
            local $ENV{WSGISCRIPT_FAULT} = $point;
            ok $s2->start, "$mpm: $point fault: server starts" or do { diag $s2->slurp_log; $s2->cleanup; next };
        }
        my $r1 = LWP::UserAgent->new(timeout => 20)->get($s2->url('/ok/plain'));
        is $r1->code, $code, "$mpm: $point fault: requests answer $code";
        my $parent = $s2->pid;
        $s2->stop;
        ok !WsgiServer::alive($parent), "$mpm: $point fault: the server stops";
        my $log = $s2->slurp_log;
        like $log, $re, "$mpm: $point fault: WSGIS0005";
        my @c2 = grep { /Segmentation fault|exit signal|double free|Aborted|terminate called/ } split /\n/, $log;
        is scalar(@c2), 0, "$mpm: $point fault: no crash lines" or diag join "\n", @c2;
        $s2->cleanup;
    }
}

done_testing;
