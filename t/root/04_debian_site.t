# A stock Debian-style daemon-mode site, unchanged apart from LoadModule:
# t/root/site/wsgidemo.conf is written the way Debian packages ship their
# /etc/apache2/conf-available/ snippets for mod_wsgi (a daemon group with
# its own system user, processes=5 threads=5 display-name='%{GROUP}'
# inactivity-timeout=120, WSGIImportScript preloading into %{GLOBAL}, an
# Alias for the static files next to the WSGIScriptAlias), and
# t/root/site/wsgidemo/ is what the package installs in /usr/share/wsgidemo.
# The test installs both under a staging root (the one change to the
# snippet: its /usr/share/wsgidemo prefix), enables the snippet the way
# a2enconf does (a symlink in conf-enabled/, included by the main config)
# and starts Apache as root, then:
#  - 5 daemon processes titled (wsgi:wsgidemo), each with uid, gid (real,
#    effective, saved, fs) of wsgidemo; nothing but the parent keeps root;
#  - every request is answered by one of them, in the main interpreter, by
#    the script the process loaded at its start (one import per process, run
#    by the process's main thread, not by a request's), with wsgidemo's home
#    as working directory;
#  - the static files are Apache's (exact bytes, text/css, ETag), no index;
#  - the same under Debian's mod_wsgi 4.9.4 (the snippet is a working
#    mod_wsgi configuration and both modules serve it alike);
#  - the snippet wrapped in <IfModule mod_wsgi.c> (as Debian's own
#    mods-available/wsgi.conf is) works under mod_wsgi; under mod_wsgiscript
#    it is served too (the module answers to the name mod_wsgi.c).
use strict;
use warnings;
use FindBin;
use lib "$FindBin::Bin/../lib", "$FindBin::Bin/lib";
use Test::More;
use File::Copy ();
use File::Path ();
use HTTP::Date ();
use LWP::UserAgent ();
use Time::HiRes ();
use RootTest qw(require_root accounts with_home server get_json proc_status apache_processes);

require_root();
my $acc = accounts();
my $site_user = $acc->{site};
my $site_gid = $acc->{groups}{wsgidemo};
my $home = with_home('wsgidemo');
my $mod_wsgi = '/usr/lib/apache2/modules/mod_wsgi.so';
# what Debian's apache2 enables by default and the snippet relies on
my @stock = map { [ "${_}_module" => "/usr/lib/apache2/modules/mod_$_.so" ] } qw(alias dir autoindex);
my $ours = [ wsgiscript_module => WsgiServer::so() ];
my $site_dir = "$FindBin::Bin/site";
my $ua = LWP::UserAgent->new(timeout => 20);

sub slurp { my $f = shift; open my $fh, '<', $f or die "$f: $!"; local $/; scalar <$fh> }

# The package's files under $root/usr/share/wsgidemo, the snippet in
# $root/etc/apache2/conf-available, enabled by a symlink in conf-enabled.
sub install_site {
    my($root, $wrap) = @_;
    my $prefix = "$root/usr/share/wsgidemo";
    File::Path::make_path("$prefix/static", "$root/etc/apache2/conf-available", "$root/etc/apache2/conf-enabled",
                          { mode => 0755 });
    for my $f ('wsgidemo.wsgi', 'static/style.css') {
        File::Copy::copy("$site_dir/wsgidemo/$f", "$prefix/$f") or die "$f: $!";
        chmod 0644, "$prefix/$f";
    }
    my $text = slurp("$site_dir/wsgidemo.conf");
    $text =~ s{/usr/share/wsgidemo}{$prefix}g;
    $text = "<IfModule mod_wsgi.c>\n$text</IfModule>\n" if $wrap;
    open my $fh, '>', "$root/etc/apache2/conf-available/wsgidemo.conf" or die $!;
    print $fh $text;
    close $fh;
    symlink '../conf-available/wsgidemo.conf', "$root/etc/apache2/conf-enabled/wsgidemo.conf" or die $!;
    return $prefix;
}

sub daemons {
    my $srv = shift;
    return [ grep { $_->{cmdline} =~ /^\(wsgi:wsgidemo\)/ } @{ apache_processes($srv->pid) } ];
}

sub wait_daemons {
    my($srv, $n, $timeout) = @_;
    my $deadline = Time::HiRes::time() + ($timeout // 20);
    my $d;
    Time::HiRes::sleep(0.1) while @{ $d = daemons($srv) } < $n && Time::HiRes::time() < $deadline;
    return $d;
}

sub check_site {
    my($label, $module) = @_;
    my $srv = server(name => "site-$label", load => [ @stock, $module ],
                     conf => "IncludeOptional \$root/etc/apache2/conf-enabled/*.conf\n");
    my $prefix = install_site($srv->root, 0);
    ok $srv->start, "$label: apache2 starts as root with the site enabled" or do { diag $srv->slurp_log; return };

    my $daemons = wait_daemons($srv, 5);
    is scalar(@$daemons), 5, "$label: 5 daemon processes titled (wsgi:wsgidemo)";
    my @wrong = grep {
        my $st = proc_status($_->{pid});
        !$st || "@{ $st->{Uid} }" ne "@{[ ($site_user->{uid}) x 4 ]}" || "@{ $st->{Gid} }" ne "@{[ ($site_gid) x 4 ]}"
    } @$daemons;
    is scalar(@wrong), 0, "$label: each runs as wsgidemo:wsgidemo (real, effective, saved, fs)" or diag explain \@wrong;
    my @rooted = grep { grep { $_ == 0 } @{ $_->{uids} } } @{ apache_processes($srv->pid) };
    is scalar(@rooted), 0, "$label: no process but the parent keeps root" or diag explain \@rooted;

    my %daemon_pid;
    $daemon_pid{ $_->{pid} } = 1 for @$daemons;
    my(@bad, %seen);
    for my $i (1 .. 12) {
        my($res, $w) = get_json($srv, '/wsgidemo/whoami');
        if ($res->code != 200 || !$w) { push @bad, "request $i: " . $res->status_line; next }
        $seen{ $w->{pid} }++;
        push @bad, "request $i: pid $w->{pid} is not a daemon" unless $daemon_pid{ $w->{pid} };
        push @bad, "request $i: uid/gid $w->{uid}/$w->{gid}" unless $w->{uid} == $site_user->{uid} && $w->{gid} == $site_gid;
        push @bad, "request $i: cwd $w->{cwd}" unless $w->{cwd} eq $home;
        push @bad, "request $i: title '$w->{title}'" unless $w->{title} =~ /^\(wsgi:wsgidemo\)\s*$/;
        push @bad, "request $i: application group '" . ($w->{application_group} // 'undef') . "'"
            unless defined $w->{application_group} && $w->{application_group} eq '';
        push @bad, "request $i: mod_wsgi.process_group " . ($w->{module_process_group} // 'undef')
            unless ($w->{module_process_group} // '') eq 'wsgidemo';
        my @imports = @{ $w->{imports} || [] };
        push @bad, "request $i: " . scalar(@imports) . " imports in this process" unless @imports == 1;
        push @bad, "request $i: imported by pid $imports[0]{pid}" unless @imports && $imports[0]{pid} == $w->{pid};
        push @bad, "request $i: imported in thread $imports[0]{tid}, not in the process's main thread"
            unless @imports && $imports[0]{tid} == $w->{pid};
    }
    is scalar(@bad), 0, "$label: 12 requests answered by the daemons as wsgidemo, in %{GLOBAL}, by the script "
                        . 'each loaded once at its start (WSGIImportScript)' or diag join "\n", @bad;
    note "$label: answered by " . join(', ', map { "$_ x$seen{$_}" } sort keys %seen);

    my $res = $ua->get($srv->url('/wsgidemo/'));
    is $res->code, 200, "$label: the app's page";
    like $res->decoded_content, qr{href="/wsgidemo/static/style\.css"}, "$label: ... links the stylesheet";
    my $css = $ua->get($srv->url('/wsgidemo/static/style.css'));
    is $css->code, 200, "$label: static file served";
    is $css->content, slurp("$prefix/static/style.css"), "$label: ... its exact bytes";
    like $css->header('Content-Type') // '', qr{^text/css}, "$label: ... as text/css";
    ok $css->header('ETag') && $css->header('Last-Modified'), "$label: ... by Apache (ETag, Last-Modified)";
    is HTTP::Date::str2time($css->header('Last-Modified') // ''), (stat "$prefix/static/style.css")[9],
        "$label: ... Last-Modified is the file's";
    is $ua->get($srv->url('/wsgidemo/static/'))->code, 403, "$label: no index of the static directory (Options -Indexes)";

    my @crash = grep { /Segmentation fault|exit signal|WSGIS0603|WSGIS0607|WSGIS060[12]/ } split /\n/, $srv->slurp_log;
    is scalar(@crash), 0, "$label: no crash, start failure or daemon restart" or diag join "\n", @crash;
    $srv->cleanup;
}

check_site('mod_wsgiscript', $ours);
SKIP: {
    skip "$mod_wsgi not installed", 1 unless -f $mod_wsgi;
    check_site('mod_wsgi', [ wsgi_module => $mod_wsgi ]);
}

# The snippet inside <IfModule mod_wsgi.c>.
for my $case ([ 'mod_wsgiscript', $ours ], -f $mod_wsgi ? ([ 'mod_wsgi', [ wsgi_module => $mod_wsgi ] ]) : ()) {
    my($label, $module) = @$case;
    my $srv = server(name => "site-ifmodule-$label", load => [ @stock, $module ],
                     conf => "IncludeOptional \$root/etc/apache2/conf-enabled/*.conf\n");
    install_site($srv->root, 1);
    ok $srv->start, "<IfModule mod_wsgi.c>, $label: apache2 starts" or do { diag $srv->slurp_log; next };
    is scalar(@{ wait_daemons($srv, 5, 5) }), 5, "<IfModule mod_wsgi.c>, $label: the site's 5 daemon processes run";
    my($res) = get_json($srv, '/wsgidemo/whoami');
    is $res->code, 200, "<IfModule mod_wsgi.c>, $label: the app answers";
    $srv->cleanup;
}

done_testing;
