# Demo page for daemon mode: this script runs in the WSGIDaemonProcess group
# demo-daemon (conf/demo.conf.in), not in the Apache child. When it changes
# on disk, the daemon process that loaded it is replaced by a new one: the
# next request is answered by a new pid, with fresh interpreters.
import grp
import os
import pwd
import sys

import demo_site
from demo_site import esc

TAGS = ('WSGIS0600', 'WSGIS0604', 'WSGIS0607', 'WSGIS0101', 'WSGIS0102')


def account(lookup, number):
    try:
        return '%s (%d)' % (lookup(number)[0], number)
    except KeyError:
        return str(number)


def facts(environ):
    import mod_wsgi
    name, rec = demo_site.this_script(environ)
    return [
        ('process group', '<code id="process-group">%s</code>' % esc(mod_wsgi.process_group)),
        ('pid', '<b id="daemon-pid">%d</b>' % os.getpid()),
        ('process started', demo_site.time_html(demo_site.process_started_at(), 'unknown')),
        ('process title (ps)', '<code>%s</code>' % esc(demo_site.process_title())),
        ('parent (the Apache parent)', '%d' % os.getppid()),
        ('user, group', '%s, %s' % (esc(account(pwd.getpwuid, os.getuid())), esc(account(grp.getgrgid, os.getgid())))),
        ('threads per process', esc(getattr(mod_wsgi, 'threads_per_process', '?'))),
        ('wsgi.multiprocess / wsgi.multithread', '%s / %s' % (
            environ.get('wsgi.multiprocess'), environ.get('wsgi.multithread'))),
        ('interpreter (application group)', '<code>%s</code>' % esc(mod_wsgi.application_group)),
        ('module', '<code>%s</code>' % esc(name)),
        ('generation', '%s, loaded %s' % (rec.generation if rec else '?',
                                         demo_site.time_html(rec.loaded_at if rec else None))),
        ('Python', esc(sys.version.split()[0])),
    ]


def group_log(environ, pids):
    """Lines of the error log about this group or these processes, the latest 10."""
    import mod_wsgi
    group = "of group '%s'" % mod_wsgi.process_group
    marks = ['[pid %d:' % p for p in pids] + [group]
    lines = [line for line in demo_site.log_lines(environ)
             if any(t in line for t in TAGS) and any(m in line for m in marks)]
    return lines[-10:]


def daemon_page(environ, start_response):
    if environ['REQUEST_METHOD'] == 'POST':
        if not demo_site.touch_allowed(environ):
            return demo_site.redirect(start_response, '/daemon')
        error = demo_site.touch(__file__)
        if error:
            return demo_site.page(environ, start_response, 'Could not touch the script',
                                  '<p class="bad">%s</p>' % esc(error))
        return demo_site.redirect(start_response, '/daemon?before=%d' % os.getpid())

    before = demo_site.query(environ).get('before', '')
    result = ''
    pids = [os.getpid()]
    if before.isdigit():
        pids.append(int(before))
        if int(before) != os.getpid():
            result = ('<div class="notice" id="replaced">The touch replaced the daemon process: pid '
                      '<b id="before-pid">%s</b> &rarr; <b id="after-pid">%d</b>. The old process answered '
                      'the request that noticed the change "restarting" without running anything, '
                      'finished its other requests and exited; the new one loaded this script into '
                      'a fresh interpreter (generation 1 again).</div>' % (esc(before), os.getpid()))
        else:
            result = ('<div class="notice bad">Still pid %d: the change was not noticed (is '
                      'WSGIScriptReloading Off?).</div>' % os.getpid())
    touch = ''
    if demo_site.touch_allowed(environ):
        touch = ('<form method="post" action="/daemon"><button type="submit">Touch this script</button> '
                 '<span class="muted">(sets its mtime to now; the next request is served by a new '
                 'process)</span></form>')
    log = ''.join(demo_site.log_html(line) for line in group_log(environ, pids)) or \
        '<p class="muted">nothing about this group in the error log yet</p>'
    body = """<p class="lead">This script runs in the daemon process group <code>demo-daemon</code>
(<code>WSGIDaemonProcess demo-daemon processes=1 threads=4 display-name=%%{GROUP}</code>): a process of its
own that the Apache parent starts and restarts, which the Apache child hands the request to.</p>
%s
<table class="facts">%s</table>
<h2>Reloading in daemon mode</h2>
<p>Embedded, a changed script is run again inside the same interpreter (the generation goes up). In a
daemon process the whole process is replaced instead, as mod_wsgi does: nothing from before the change
survives, and the new process starts at generation 1. <a href="/daemon/hello">/daemon/hello</a> is the
same file as <a href="/hello">/hello</a>, in this process.</p>
%s
<h2>The error log about this group</h2>
%s
""" % (result, ''.join('<tr><th>%s</th><td>%s</td></tr>' % (esc(k), v) for k, v in facts(environ)),
       touch, log)
    return demo_site.page(environ, start_response, 'Daemon mode', body)


application = demo_site.with_status(daemon_page, globals())
