#!/usr/bin/python3
# The demonstration server in a real browser (TAP, run by prove; scripts/test's
# "browser" stage). Starts scripts/demo on a free port as a user would, opens
# every page in headless Chromium at 1280x800 and at a phone's width, and checks
# the rendered DOM: the dashboard's row of every configured script (module name
# computed here from the path, generation, process, interpreter, its log line),
# the Touch buttons (embedded: generation up and the WSGIS0102 line; daemon:
# a new pid and the WSGIS0604/WSGIS0607 lines), each pickle case's log entry,
# the daemon page's pid, the shared-store pages (a Cart put in the session by
# script A: lost in script B with WSGIPickleResolve Off, with the WSGIS0301
# entry; delivered on the second port where it is On, with the WSGIS0322
# line). Every page: no console error, the demo's one
# stylesheet, no external resource, no sideways scrolling on a phone, a footer
# naming the script's module and generation. Screenshots of each page go to
# $WSGISCRIPT_BROWSER_SHOTS (default build/test-logs/browser/). Then: a second
# scripts/demo on the same port says the port is taken; Ctrl-C (SIGINT to the
# process group) and, on a second run, SIGTERM leave no process (Apache's, the
# private redis-server) and no staging directory behind.
import os
import re
import shutil
import signal
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import demo_browser  # noqa: E402
from demo_browser import module_name  # noqa: E402

LOGS = os.environ.get('WSGISCRIPT_BROWSER_LOGS') or os.path.join(demo_browser.ROOT, 'build', 'test-logs')
SHOTS = os.environ.get('WSGISCRIPT_BROWSER_SHOTS') or os.path.join(LOGS, 'browser')


class Tap:
    def __init__(self):
        self.n = 0
        self.failed = 0

    def ok(self, cond, name, diag=None):
        self.n += 1
        if not cond:
            self.failed += 1
        print('%s %d - %s' % ('ok' if cond else 'not ok', self.n, name.replace('\n', ' ')), flush=True)
        if not cond and diag is not None:
            self.diag(diag)
        return bool(cond)

    def is_(self, got, expected, name):
        return self.ok(got == expected, name, 'got:      %r\nexpected: %r' % (got, expected))

    def like(self, got, pattern, name):
        return self.ok(got is not None and re.search(pattern, got) is not None, name,
                       'got: %r\ndoes not match: %r' % (got, pattern))

    def diag(self, text):
        for line in str(text).splitlines() or ['']:
            print('# ' + line, flush=True)

    def finish(self):
        print('1..%d' % self.n, flush=True)
        return 1 if self.failed else 0


t = Tap()


def check_page(b, name, url=None, shots=True):
    """What every HTML page must show; screenshots at both sizes. url: open it first."""
    if url is not None:
        errors = b.open(url)
    else:
        errors = b.console_errors()
    facts = b.layout_facts()
    t.ok(len(facts['stylesheets']) == 1 and facts['stylesheets'][0].endswith('/demo.css')
         and facts['styled'] == 'rgb(29, 35, 43)',
         '%s: the demo\'s one stylesheet, applied' % name, facts)
    t.ok(not facts['external'] and facts['scripts'] == 0,
         '%s: no external resource, no script' % name, facts)
    if shots:
        b.screenshot(name, 'desktop')
    b.size('phone')
    phone = b.layout_facts()
    t.ok(phone['width'] == demo_browser.PHONE[0] and phone['overflow'] <= 0,
         '%s: fits a phone\'s width (%dpx) without sideways scrolling' % (name, demo_browser.PHONE[0]), phone)
    if shots:
        b.screenshot(name, 'phone')
    b.size('desktop')
    errors += b.console_errors()      # what came after the load (the icon, late resources)
    t.ok(not errors, '%s: no console error' % name, '\n'.join(errors))
    return facts


def check_footer(b, name, path):
    module = b.text('footer.served .module')
    t.is_(module, module_name(path), '%s: the footer names the module of %s' % (name, os.path.basename(path)))
    t.like(b.text('footer.served .generation'), r'^\d+$', '%s: the footer gives its generation' % name)


def dashboard_rows(b):
    return b.js("""
        return Array.from(document.querySelectorAll('table.scripts tbody')).map(tb => ({
          url: tb.dataset.url, path: tb.dataset.path, pid: tb.dataset.pid,
          group: tb.dataset.processGroup, cls: tb.className,
          module: (tb.querySelector('.module') || {}).textContent,
          generation: (tb.querySelector('.generation') || {}).textContent,
          interp: (tb.querySelector('.group') || {}).textContent,
          process: (tb.querySelector('td[data-label=Process]') || {}).innerText,
          reloaded: (tb.querySelector('td[data-label=Reloaded]') || {}).innerText,
          log: (tb.querySelector('tr.log') || {}).innerText,
          touch: !!tb.querySelector('form.touch button'),
        }));""")


def main(demo, b):
    server = demo.url.rstrip('/')
    port = demo.port
    aliases = demo.configured_aliases()
    by_url = {}
    for directive, url, path, options in aliases:
        if directive == 'WSGIScriptAliasMatch':
            url = {'^/$': '/', '^/pickle/?$': '/pickle'}.get(url, url)
        by_url[url] = (path, options)
    t.ok(len(by_url) >= 14, 'the staged configuration maps %d scripts' % len(by_url), aliases)

    # --- the dashboard ----------------------------------------------------------
    check_page(b, 'dashboard', server + '/')
    check_footer(b, 'dashboard', by_url['/'][0])
    rows = {r['url']: r for r in dashboard_rows(b)}
    t.is_(sorted(rows), sorted(by_url), 'dashboard: one row per configured script')
    embedded_pids, daemon_pids = set(), set()
    for url, (path, options) in sorted(by_url.items()):
        r = rows.get(url)
        if not r:
            continue
        t.is_(r['module'], module_name(path), 'dashboard %s: module name of %s' % (url, path))
        t.ok(r['generation'] and r['generation'].isdigit() and int(r['generation']) >= 1,
             'dashboard %s: generation %s' % (url, r['generation']), r)
        group = options.get('process-group', '')
        if group:
            daemon_pids.add(r['pid'])
            t.like(r['process'], r'^daemon %s\s+pid %s$' % (re.escape(group), r['pid']),
                   'dashboard %s: daemon process of group %s, pid %s' % (url, group, r['pid']))
        else:
            embedded_pids.add(r['pid'])
            t.like(r['process'], r'^embedded\s+pid %s$' % r['pid'], 'dashboard %s: embedded, pid %s' % (url, r['pid']))
        expected_interp = options.get('application-group') or ('127.0.0.1:%d|%s' % (port, '' if url == '/' else url))
        t.is_(r['interp'], expected_interp, 'dashboard %s: interpreter' % url)
        t.ok(re.search(r"WSGIS010[12]: (Loading Python script file|Reloading WSGI script) '%s': module '%s' "
                       r"in interpreter '%s'" % (re.escape(path), module_name(path), re.escape(r['interp'] or '')),
                       r['log'] or ''),
             'dashboard %s: the load line of its interpreter from the error log' % url, r['log'])
        t.ok(r['touch'], 'dashboard %s: a Touch button' % url)
    t.ok(len(embedded_pids) == 1 and len(daemon_pids) == 1 and not embedded_pids & daemon_pids,
         'dashboard: one embedded pid, one daemon pid, different (%s, %s)' % (embedded_pids, daemon_pids))
    t.ok(not b.texts('td.bad'), 'dashboard: every script answered', b.texts('td.bad'))

    # Touch /hello: embedded, generation up; /daemon/hello is the same file: a new daemon process.
    before = rows['/hello']
    before_d = rows['/daemon/hello']
    b.click('tbody[data-url="/hello"] form.touch button')
    check_page(b, 'dashboard-touched')
    rows = {r['url']: r for r in dashboard_rows(b)}
    after = rows['/hello']
    t.is_(int(after['generation']), int(before['generation']) + 1, 'touch /hello: the generation went up')
    t.like(after['reloaded'], r'^\d\d:\d\d:\d\d$', 'touch /hello: a reload time')
    t.ok(re.search(r"WSGIS0102: Reloading WSGI script '%s'.*generation %s \(its modification time changed\)"
                   % (re.escape(by_url['/hello'][0]), after['generation']), after['log'] or ''),
         'touch /hello: the WSGIS0102 line it wrote', after['log'])
    t.like(b.text('#touch-result'), r'generation %s → %s' % (before['generation'], after['generation']),
           'touch /hello: the notice says so')
    t.ok('touched' in after['cls'] and 'touched' in rows['/daemon/hello']['cls'],
         'touch /hello: its rows (the same file in the daemon too) are highlighted')
    after_d = rows['/daemon/hello']
    replaced = r"WSGIS0607: daemon process %s of group 'demo-daemon' ended \(a script it loaded has changed\); " \
        r"replaced by %s" % (before_d['pid'], after_d['pid'])
    if not re.search(replaced, after_d['log'] or ''):
        # the Apache parent writes that line as it starts the new process: allow it a moment
        for _ in range(10):
            time.sleep(0.5)
            b.open(b.driver.current_url)
            after_d = {r['url']: r for r in dashboard_rows(b)}['/daemon/hello']
            if re.search(replaced, after_d['log'] or ''):
                break
    t.ok(after_d['pid'] != before_d['pid'] and after_d['generation'] == '1',
         'touch /hello: /daemon/hello is served by a new daemon process (pid %s -> %s), generation 1'
         % (before_d['pid'], after_d['pid']))
    t.ok(re.search(replaced, after_d['log'] or ''),
         'touch /hello: the daemon row shows the WSGIS0607 line of the replacement', after_d['log'])
    t.is_(rows['/daemon']['pid'], after_d['pid'], 'touch /hello: the daemon group answers from one pid')

    # --- the daemon page ----------------------------------------------------------
    check_page(b, 'daemon', server + '/daemon')
    check_footer(b, 'daemon', by_url['/daemon'][0])
    pid = b.text('#daemon-pid')
    t.is_(pid, after_d['pid'], 'daemon: the pid the dashboard showed')
    t.is_(b.text('#process-group'), 'demo-daemon', 'daemon: process group demo-daemon')
    b.click('main form button')
    check_page(b, 'daemon-replaced')
    t.like(b.driver.current_url, r'/daemon\?before=%s$' % pid, 'daemon touch: redirected with the old pid')
    new_pid = b.text('#after-pid')
    t.ok(b.text('#before-pid') == pid and new_pid and new_pid != pid and new_pid == b.text('#daemon-pid'),
         'daemon touch: a new process serves the page (pid %s -> %s)' % (pid, new_pid), b.text('#replaced'))
    log = '\n'.join(b.texts('pre.log'))
    replaced = "WSGIS0607: daemon process %s of group 'demo-daemon' ended (a script it loaded has changed); " \
        "replaced by %s" % (pid, new_pid)
    for _ in range(10):                # the parent's line: see above
        if replaced in log:
            break
        time.sleep(0.5)
        b.open(b.driver.current_url)
        log = '\n'.join(b.texts('pre.log'))
    t.ok("WSGIS0604: daemon process %s of group 'demo-daemon' is retiring: a script it loaded has changed" % pid
         in log, 'daemon touch: the old process\'s WSGIS0604 line', log)
    t.ok(replaced in log, 'daemon touch: the parent\'s WSGIS0607 line', log)
    b.open(server + '/')
    rows = {r['url']: r for r in dashboard_rows(b)}
    t.ok(rows['/daemon']['pid'] == new_pid and rows['/daemon/hello']['pid'] == new_pid,
         'dashboard after the daemon touch: both daemon rows show pid %s' % new_pid)

    # --- about and hello ------------------------------------------------------------
    check_page(b, 'about', server + '/about')
    check_footer(b, 'about', by_url['/about'][0])
    t.is_(b.text('#v-name'), module_name(by_url['/about'][0]), 'about: __name__ is the module name')
    gen = b.text('#v-wsgiscript_generation')
    b.click('main form button')
    check_page(b, 'about-touched', shots=False)
    t.is_(b.text('#v-wsgiscript_generation'), str(int(gen) + 1), 'about: a touch reloads it (generation up)')
    errors = b.open(server + '/hello')
    t.is_(b.text('body'), 'Hello, World!', 'hello: the text')
    b.screenshot('hello', 'desktop')
    time.sleep(1)                     # the browser asks for /favicon.ico after the page
    errors += b.console_errors()
    t.ok(not errors, 'hello: no console error (the browser asks for /favicon.ico)', errors)

    # --- the pickle pages -------------------------------------------------------------
    check_page(b, 'pickle', server + '/pickle')
    check_footer(b, 'pickle', by_url['/pickle'][0])
    links = b.js("return Array.from(document.querySelectorAll('ul.pages a')).map(a => a.getAttribute('href'))")
    scenario_urls = ['/pickle/' + n for n in ('not-found', 'redefined', 'class-deleted', 'instance-deleted',
                                              'reload', 'make-cart', 'read-cart', 'apis', 'builtin')]
    t.ok(set(scenario_urls) <= set(by_url), 'pickle: every scenario is configured', sorted(by_url))
    t.ok(set(scenario_urls) - {'/pickle/read-cart'} <= set(links), 'pickle: the index links to every scenario',
         (links, scenario_urls))
    if '/pickle/shared-store' not in by_url:
        t.like(b.text('li.slot'), r'Redis-backed session.*not in this build yet|not in this build yet',
               'pickle: the shared-store slot says it is not in this build')
    else:
        t.ok('/pickle/shared-store' in links and not b.texts('li.slot'),
             'pickle: the index links to the shared-store pages', links)
    cases = [
        ('/pickle/not-found', 'not-found', "function 'price'"),
        ('/pickle/redefined', 'not-same-object', "function 'discount'"),
        ('/pickle/class-deleted', 'not-found', "class 'Cart'"),
        ('/pickle/instance-deleted', 'not-found', "class 'Cart'"),
    ]
    for url, category, what in cases:
        name = 'pickle-' + url.rsplit('/', 1)[1]
        check_page(b, name, server + url)
        check_footer(b, name, by_url[url][0])
        entries = b.texts('pre.log')
        t.ok(len(entries) == 1 and 'WSGIS0301' in entries[0] and ': %s: ' % category in entries[0]
             and what in entries[0] and by_url[url][0] in entries[0],
             '%s: one WSGIS0301 %s entry naming %s and the script' % (url, category, what), entries)
        t.like(b.text('pre.bad'), r'PicklingError|Can.t pickle', '%s: the exception the application saw' % url)
    check_page(b, 'pickle-apis', server + '/pickle/apis')
    entries = b.texts('pre.log')
    t.ok(len(entries) == 5 and all('WSGIS0301' in e and ': not-found: ' in e for e in entries),
         '/pickle/apis: five entries, one per entry point', entries)
    check_page(b, 'pickle-builtin', server + '/pickle/builtin')
    t.ok(not b.texts('pre.log') and 'Saved and loaded' in (b.text('main') or ''),
         '/pickle/builtin: works, no entry')
    check_page(b, 'pickle-make-cart', server + '/pickle/make-cart')
    check_footer(b, 'pickle-make-cart', by_url['/pickle/make-cart'][0])
    b.click('main form button')
    check_page(b, 'pickle-read-cart')
    check_footer(b, 'pickle-read-cart', by_url['/pickle/read-cart'][0])
    entries = b.texts('pre.log')
    t.ok(len(entries) == 1 and ': module-not-importable: ' in entries[0]
         and module_name(by_url['/pickle/make-cart'][0]) in entries[0],
         '/pickle/read-cart: the module-not-importable entry naming make-cart\'s module', entries)
    check_page(b, 'pickle-reload', server + '/pickle/reload')
    t.like(b.text('main'), r'Step 1: objects kept', '/pickle/reload: step 1')
    b.click('main form button')
    check_page(b, 'pickle-reload-touched')
    entries = b.texts('pre.log')
    t.ok(len(entries) == 2 and all(': not-same-object: ' in e and 'reloaded' in e for e in entries),
         '/pickle/reload after its touch: two not-same-object entries saying "reloaded"', entries)

    # --- the shared-store pages (WSGIPickleResolve) ------------------------------------
    resolve_urls = shared_store(demo, b, by_url)

    # --- a script page added by another topic (conf/demo-*.conf.in) -------------------
    known = {'/', '/hello', '/about', '/daemon', '/daemon/hello', '/pickle'} | set(scenario_urls) | resolve_urls
    for url in sorted(set(by_url) - known):
        name = 'page' + re.sub(r'[^A-Za-z0-9]+', '-', url.split('//', 1)[-1])
        check_page(b, name, url if url.startswith('http') else server + url)

    # --- the stylesheet, and the status endpoint the dashboard uses ---------------------
    status, css = demo.get('/demo.css')
    t.ok(status == 200 and len(css) < 8000, 'demo.css: served, small (%d bytes)' % len(css))
    status, body = demo.get('/hello?wsgiscript-status')
    t.ok(status == 200 and '"module_name": "%s"' % module_name(by_url['/hello'][0]) in body,
         'GET /hello?wsgiscript-status: JSON from the script\'s interpreter')


def shared_store(demo, b, by_url):
    """The walkthrough at /pickle/shared-store: script A puts a Cart in the Redis-backed session;
    script B reads it with WSGIPickleResolve Off (lost, the WSGIS0301 entry) and On (delivered,
    WSGIS0322). Returns the URLs checked here."""
    server = demo.url.rstrip('/')
    on = 'http://127.0.0.1:%s' % demo.port_on
    urls = {'/pickle/shared-store', '/resolve/a', '/resolve/b', on + '/resolve/a', on + '/resolve/b'}
    if not t.ok(urls <= set(by_url) and demo.port_on,
                'shared store: configured, both sides (second port %s)' % demo.port_on, sorted(by_url)):
        return set()
    path_a, path_b = by_url['/resolve/a'][0], by_url['/resolve/b'][0]
    module_a = module_name(path_a)
    t.ok(demo.redis_pid and os.path.exists('/proc/%d' % demo.redis_pid),
         'shared store: scripts/demo said its redis-server pid, and it runs (pid %s)' % demo.redis_pid)

    check_page(b, 'shared-store', server + '/pickle/shared-store')
    check_footer(b, 'shared-store', by_url['/pickle/shared-store'][0])
    t.is_(b.text('nav a[aria-current]'), 'Shared store', 'shared store: its navigation entry is marked')
    t.like(b.text('#explain'), r'Flask-Session.*WSGIPickleResolve Off.*WSGIS0301.*On.*WSGIS0322',
           'shared store: the page says what happens and why')
    hrefs = b.js("return Array.from(document.querySelectorAll('table.sides a')).map(a => a.href)")
    t.is_(sorted(hrefs), sorted([server + '/resolve/a', server + '/resolve/b', on + '/resolve/a', on + '/resolve/b']),
          'shared store: links to script A and B on both sides')
    t.ok(not b.texts('#redis-problem'), 'shared store: Redis answers', b.texts('#redis-problem'))

    # Step 1 and 2: A puts a Cart in (Off side), on to B (Off side): lost.
    field = b.driver.find_element('css selector', 'form#put input[name=items]')
    field.clear()
    field.send_keys('teapot,kettle')
    b.click('form#put button')
    t.is_(b.driver.current_url, server + '/resolve/b', 'shared store Off: script A sent the browser on to script B')
    check_page(b, 'shared-store-off')
    check_footer(b, 'shared-store-off', path_b)
    t.like(b.text('#verdict'), r'session is empty.*the Cart is gone', 'shared store Off: B says the Cart is gone')
    t.ok('bad' in (b.attr('#verdict', 'class') or ''), 'shared store Off: marked as the failure')
    t.is_(b.text('#stored .stored-module'), module_a, 'shared store Off: Redis still holds the pickle naming A\'s module')
    entries = b.texts('pre.log')
    t.ok(len(entries) == 1 and 'WSGIS0301' in entries[0] and ': module-not-importable: ' in entries[0]
         and "cannot unpickle 'Cart' of script %s (module %s)" % (path_a, module_a) in entries[0]
         and '(request: GET /resolve/b)' in entries[0],
         'shared store Off: the WSGIS0301 module-not-importable entry of this request, naming script A', entries)

    # Step 3: B on the On side reads the same session: the Cart arrives.
    b.click('a#on-side')
    t.is_(b.driver.current_url, on + '/resolve/b', 'shared store On: the link leads to B on port %s' % demo.port_on)
    check_page(b, 'shared-store-on')
    check_footer(b, 'shared-store-on', path_b)
    t.like(b.text('#verdict'), r'^The Cart arrived', 'shared store On: B says the Cart arrived')
    t.ok('ok' in (b.attr('#verdict', 'class') or ''), 'shared store On: marked as the success')
    t.is_(b.text('#verdict .items'), 'teapot, kettle', 'shared store On: the items put in by script A')
    t.is_(b.text('#verdict .cart-module'), module_a, 'shared store On: an instance of A\'s Cart')
    log = '\n'.join(b.texts('pre.log'))
    t.ok(re.search(r"WSGIS0322: WSGIPickleResolve: module '%s' imported by name to unpickle 'Cart': loaded script "
                   r"'%s' .* into interpreter 'demo-resolve-on-b'" % (module_a, re.escape(path_a)), log)
         and 'WSGIS0301' not in log,
         'shared store On: the WSGIS0322 line of the load into B\'s interpreter, no WSGIS0301', log)
    nav = b.js("return Array.from(document.querySelectorAll('header.top a')).map(a => a.href)")
    t.ok(nav and all(h.startswith(server + '/') for h in nav),
         'shared store On: the navigation leads back to the main server', nav)
    b.click('a#off-side')
    t.like(b.text('#verdict'), r'the Cart is gone', 'shared store: back on the Off side, still lost (the data stays)')

    # Script A's own page, on each side.
    check_page(b, 'shared-store-a', server + '/resolve/a')
    check_footer(b, 'shared-store-a', path_a)
    t.is_(b.text('.module-a'), module_a, 'shared store: script A names its module')
    t.like(b.text('main'), r'WSGIPickleResolve is Off', 'shared store: script A says which side (Off)')
    check_page(b, 'shared-store-a-on', on + '/resolve/a', shots=False)
    t.like(b.text('main'), r'WSGIPickleResolve is On', 'shared store: script A says which side (On)')
    return urls


class Stop(Exception):
    pass


def on_signal(signum, frame):
    raise Stop('signal %d' % signum)


def stopped_cleanly(demo, how, label):
    rc, seconds = demo.stop(how)
    t.is_(rc, 0, '%s: scripts/demo exits 0 (%.1f s)' % (label, seconds))
    stage_left, procs = demo.leftovers()
    t.ok(demo.stage and not stage_left, '%s: the staging directory %s is removed' % (label, demo.stage))
    t.ok(not procs, '%s: no process of the demo is left' % label, procs)
    t.ok(demo_browser.port_free(demo.port), '%s: port %d is free again' % (label, demo.port))
    t.ok(demo.port_on and demo_browser.port_free(demo.port_on),
         '%s: the second port (%s) is free again' % (label, demo.port_on))


def port_taken(demo):
    """A second scripts/demo on the same port: told so, nothing left behind."""
    import subprocess
    before = set(os.listdir('/tmp'))
    second = subprocess.run([os.path.join(demo_browser.ROOT, 'scripts', 'demo')], cwd=demo_browser.ROOT,
                            env=dict(os.environ, PORT=str(demo.port)), stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    out = second.stdout.decode('utf-8', 'replace')
    t.ok(second.returncode == 2 and 'port %d on 127.0.0.1 is taken' % demo.port in out,
         'a second scripts/demo on port %d: exit 2, "port is taken"' % demo.port, out[-2000:])
    t.ok(not [d for d in set(os.listdir('/tmp')) - before if d.startswith('wsgiscript-demo.')],
         'a second scripts/demo: no staging directory left')


def run():
    os.makedirs(SHOTS, exist_ok=True)
    started = time.time()
    # Interrupted (Ctrl-C, SIGTERM from a runner) or stuck: stop what was started.
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGALRM, on_signal)
    signal.alarm(int(os.environ.get('WSGISCRIPT_BROWSER_TIMEOUT', '900')))
    demos, b = [], None
    tmp_before = set(os.listdir('/tmp'))
    try:
        demo = demo_browser.DemoServer(log=os.path.join(LOGS, 'browser-demo.log'))
        demos.append(demo)
        if not t.ok(demo.start(), 'scripts/demo started and printed its URL (port %d)' % demo.port,
                    demo.text()[-3000:]):
            return t.finish()
        t.is_(demo.url, 'http://127.0.0.1:%d/' % demo.port, 'scripts/demo: the URL it printed')
        t.ok(demo.stage and os.path.isdir(demo.stage) and demo.apache_pid,
             'scripts/demo: said where it staged the scripts and Apache\'s pid')
        try:
            b = demo_browser.Browser(shots_dir=SHOTS)
            main(demo, b)
        except Stop:
            raise
        except Exception:
            t.ok(False, 'the browser part ran to its end', traceback.format_exc())
        finally:
            if b:
                b.quit()
                b = None
            try:
                shutil.copy(demo.error_log, os.path.join(LOGS, 'error_log.browser'))
            except (OSError, TypeError):
                pass
        port_taken(demo)
        # Ctrl-C in its terminal: SIGINT to the whole process group.
        stopped_cleanly(demo, 'INT', 'Ctrl-C')
        # SIGTERM to scripts/demo alone (kill PID, a service manager): the same.
        demo2 = demo_browser.DemoServer(log=os.path.join(LOGS, 'browser-demo.log'))
        demos.append(demo2)
        if t.ok(demo2.start(), 'scripts/demo started again (port %d)' % demo2.port, demo2.text()[-3000:]):
            status, body = demo2.get('/daemon')
            t.ok(status == 200 and 'demo-daemon' in body, 'second run: the daemon page answers')
            stopped_cleanly(demo2, 'TERM', 'SIGTERM')
    except Stop as exc:
        t.ok(False, 'the browser test was not interrupted (%s)' % exc)
    finally:
        signal.alarm(0)
        if b:
            b.quit()
        for d in demos:
            d.stop('TERM', timeout=20)
            d.kill_all()
    left = sorted(d for d in set(os.listdir('/tmp')) - tmp_before
                  if d.startswith(('wsgiscript-demo.', 'wsgiscript-browser.', 'org.chromium.', '.org.chromium.')))
    t.ok(not left, 'nothing of the demo or the browser is left in /tmp', left)
    t.diag('browser test: %.1f s; screenshots in %s' % (time.time() - started, SHOTS))
    return t.finish()


if __name__ == '__main__':
    sys.exit(run())
