"""Run scripts/demo and drive headless Chromium through its pages.

Used by t/browser/demo.t (the browser test of scripts/test) and by
scripts/screenshots (docs/screenshots/*.png). Debian's chromium,
chromium-driver and python3-selenium (scripts/deps installs them).

DemoServer   scripts/demo on a free port, as a user starts it, in a session
             of its own (so that a Ctrl-C can be sent as a terminal sends it:
             SIGINT to the whole foreground process group); stop() and the
             checks that nothing is left behind.
Browser      one Chromium through chromedriver: pages at 1280x800 and at a
             phone's width (390x844, a mobile viewport), the console's
             messages, screenshots, and what the rendered DOM shows.
"""
import glob
import hashlib
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
DESKTOP = (1280, 800)
PHONE = (390, 844)
CHROMIUM = '/usr/bin/chromium'
CHROMEDRIVER = '/usr/bin/chromedriver'


def module_name(path):
    """The module name mod_wsgiscript loads a script file under."""
    return '_mod_wsgi_' + hashlib.md5(path.encode('utf-8', 'surrogateescape')).hexdigest()


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def port_free(port):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(('127.0.0.1', port))
            s.listen(1)
        except OSError:
            return False
    return True


def processes_mentioning(text):
    """[(pid, command line)] of the processes whose command line contains text."""
    out = []
    for d in glob.glob('/proc/[0-9]*'):
        try:
            with open(d + '/cmdline', 'rb') as f:
                cmd = f.read().replace(b'\0', b' ').decode('utf-8', 'replace')
        except OSError:
            continue
        if text in cmd:
            out.append((int(d[6:]), cmd.strip()))
    return out


def processes_in_group(pgid):
    """[(pid, command line)] of the live processes of process group pgid (zombies left out)."""
    out = []
    for d in glob.glob('/proc/[0-9]*'):
        try:
            with open(d + '/stat') as f:
                stat = f.read()
            fields = stat.rsplit(')', 1)[1].split()
            state, group = fields[0], int(fields[2])
            if group != pgid or state == 'Z':
                continue
            with open(d + '/cmdline', 'rb') as f:
                cmd = f.read().replace(b'\0', b' ').decode('utf-8', 'replace')
        except (OSError, ValueError, IndexError):
            continue
        out.append((int(d[6:]), cmd.strip()))
    return out


class DemoServer:
    """scripts/demo, started as a user starts it; the output it printed is kept."""

    def __init__(self, port=None, log=None, timeout=600):
        self.port = port or free_port()
        self.log = log                      # file to copy the demo's output into
        self.timeout = timeout              # deps + build may run first
        self.proc = None
        self.output = []
        self.url = None
        self.stage = None
        self.error_log = None
        self.apache_pid = None
        self.port_on = None                 # the virtual host with WSGIPickleResolve On
        self.redis_pid = None               # the private redis-server of the shared-store pages
        self._reader = None
        self._ready = threading.Event()

    def start(self):
        env = dict(os.environ, PORT=str(self.port))
        self.proc = subprocess.Popen([os.path.join(ROOT, 'scripts', 'demo')], cwd=ROOT, env=env,
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        deadline = time.time() + self.timeout
        while time.time() < deadline and self.proc.poll() is None and not self._ready.is_set():
            self._ready.wait(0.2)
        if not self._ready.is_set():
            self._reader.join(5)
            return False
        # the lines after the URL (staging directory, error log, pid)
        for _ in range(50):
            if self.apache_pid:
                break
            time.sleep(0.1)
        return True

    def _read(self):
        logf = open(self.log, 'a') if self.log else None
        for raw in self.proc.stdout:
            line = raw.decode('utf-8', 'replace').rstrip('\n')
            self.output.append(line)
            if logf:
                logf.write(line + '\n')
                logf.flush()
            m = re.match(r'^mod_wsgiscript demo on (http://127\.0\.0\.1:\d+/)$', line)
            if m:
                self.url = m.group(1)
            m = re.match(r'^Staged scripts: (\S+)/apps/$', line)
            if m:
                self.stage = m.group(1)
            m = re.match(r'^Error log: +(\S+)', line)
            if m:
                self.error_log = m.group(1)
            m = re.match(r'^Resolve On: +http://127\.0\.0\.1:(\d+)/', line)
            if m:
                self.port_on = int(m.group(1))
            m = re.match(r'^Redis: +\S+ +\(redis-server pid (\d+)\)', line)
            if m:
                self.redis_pid = int(m.group(1))
            m = re.match(r'^Apache: +pid (\d+)', line)
            if m:
                self.apache_pid = int(m.group(1))
            if self.url and not self._ready.is_set():
                self._ready.set()
        if logf:
            logf.close()

    def text(self):
        return '\n'.join(self.output)

    def stop(self, how='INT', timeout=40):
        """Stop as a user would: 'INT' is Ctrl-C in its terminal (SIGINT to the process group),
        'TERM' is kill PID (SIGTERM to scripts/demo alone). Returns (exit status or None, seconds)."""
        if self.proc is None or self.proc.poll() is not None:
            return (self.proc.returncode if self.proc else None), 0.0
        start = time.time()
        if how == 'INT':
            os.killpg(self.proc.pid, signal.SIGINT)
        else:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rc = self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            rc = None
        if self._reader:
            self._reader.join(5)
        return rc, time.time() - start

    def leftovers(self):
        """What the stopped demo left behind: (staging directory exists, [(pid, cmd)] of processes)."""
        procs = []
        if self.stage:
            procs += processes_mentioning(self.stage)
        if self.apache_pid:
            procs += [p for p in processes_in_group(self.apache_pid) if p not in procs]
        procs += [p for p in self._redis() if p not in procs]
        return bool(self.stage and os.path.exists(self.stage)), procs

    def _redis(self):
        """[(pid, cmd)] of this run's redis-server if it is still running."""
        if not self.redis_pid:
            return []
        try:
            with open('/proc/%d/cmdline' % self.redis_pid, 'rb') as f:
                cmd = f.read().replace(b'\0', b' ').decode('utf-8', 'replace').strip()
        except OSError:
            return []
        return [(self.redis_pid, cmd)] if 'redis-server' in cmd else []

    def kill_all(self):
        """Last resort after a failed test: end whatever this run started."""
        if self.proc and self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                pass
        pids = [pid for pid, _ in processes_in_group(self.apache_pid)] if self.apache_pid else []
        for pid in pids + [pid for pid, _ in self._redis()]:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass

    def configured_aliases(self):
        """[(directive, url or pattern, path, {option: value})] from the staged configuration,
        read here independently of the dashboard. The URL of an alias inside
        <VirtualHost addr:port> is absolute (http://addr:port/url), as the dashboard's rows are."""
        out = []
        files = [os.path.join(self.stage, 'httpd.conf')] + sorted(glob.glob(os.path.join(self.stage, 'conf.d', '*.conf')))
        for name in files:
            vhost = None
            with open(name) as f:
                for line in f:
                    words = shlex.split(line, comments=True)
                    if words and words[0].lower() == '<virtualhost':
                        vhost = words[1].rstrip('>')
                    elif words and words[0].lower() == '</virtualhost>':
                        vhost = None
                    elif words and words[0] in ('WSGIScriptAlias', 'WSGIScriptAliasMatch'):
                        url = 'http://%s%s' % (vhost, words[1]) if vhost else words[1]
                        out.append((words[0], url, words[2],
                                    dict(w.split('=', 1) for w in words[3:] if '=' in w)))
        return out

    def read_error_log(self):
        with open(self.error_log, encoding='utf-8', errors='replace') as f:
            return f.read()

    def get(self, path, timeout=20):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(self.url.rstrip('/') + path, timeout=timeout) as r:
            return r.status, r.read().decode('utf-8', 'replace')


class Browser:
    """Headless Chromium through chromedriver (selenium)."""

    def __init__(self, shots_dir=None):
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        # --no-sandbox: Chromium refuses to start as root without it (CI runs
        # as root), and its sandbox needs user namespaces a container may not
        # give; these pages are the test's own, from 127.0.0.1.
        for arg in ('--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage',
                    '--hide-scrollbars', '--no-first-run', '--disable-extensions',
                    '--disable-background-networking', '--window-size=%d,%d' % DESKTOP):
            options.add_argument(arg)
        options.set_capability('goog:loggingPrefs', {'browser': 'ALL'})
        # Chromium's profile and shared-memory files go to a directory of our
        # own, removed by quit() (left in /tmp otherwise).
        self.tmp = tempfile.mkdtemp(prefix='wsgiscript-browser.')
        env = dict(os.environ, TMPDIR=self.tmp, HOME=self.tmp)
        try:
            self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER, env=env), options=options)
        except Exception:
            shutil.rmtree(self.tmp, ignore_errors=True)
            raise
        self.driver.set_page_load_timeout(60)
        self.shots_dir = shots_dir
        self.console = []              # every console entry seen: (url, level, message)
        self.size('desktop')

    def quit(self):
        try:
            self.driver.quit()
        except Exception:
            pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def size(self, which):
        width, height = DESKTOP if which == 'desktop' else PHONE
        self.driver.execute_cdp_cmd('Emulation.setDeviceMetricsOverride', {
            'width': width, 'height': height, 'deviceScaleFactor': 1, 'mobile': which == 'phone'})

    def open(self, url):
        self.size('desktop')
        self.driver.get(url)
        return self.console_errors()

    def console_errors(self):
        """Console entries since the last call at level SEVERE (errors, failed loads, exceptions)."""
        entries = self.driver.get_log('browser')
        url = self.driver.current_url
        self.console += [(url, e.get('level'), e.get('message')) for e in entries]
        return [e.get('message') for e in entries if e.get('level') == 'SEVERE']

    def wait(self, condition, timeout=30):
        """Wait for condition(driver) to be true; returns its last value."""
        deadline = time.time() + timeout
        value = None
        while time.time() < deadline:
            try:
                value = condition(self.driver)
            except Exception:
                value = None
            if value:
                return value
            time.sleep(0.1)
        return value

    def click(self, css, timeout=60):
        """Click the element css and wait until a new page has loaded."""
        old = self.driver.find_element('tag name', 'html')
        self.driver.find_element('css selector', css).click()

        def reloaded(d):
            try:
                old.tag_name               # raises once the old document is gone
                return False
            except Exception:
                return d.execute_script('return document.readyState') == 'complete'
        return self.wait(reloaded, timeout)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def text(self, css):
        els = self.driver.find_elements('css selector', css)
        return els[0].text if els else None

    def texts(self, css):
        return [e.text for e in self.driver.find_elements('css selector', css)]

    def attr(self, css, name):
        els = self.driver.find_elements('css selector', css)
        return els[0].get_attribute(name) if els else None

    def layout_facts(self):
        """What every page of the demo must have, measured in the rendered page."""
        return self.js("""
            const header = document.querySelector('header.top');
            const res = performance.getEntriesByType('resource').map(e => e.name);
            return {
              stylesheets: Array.from(document.styleSheets).map(s => s.href),
              styled: header ? getComputedStyle(header).backgroundColor : null,
              external: res.filter(n => !n.startsWith(location.origin + '/') && !n.startsWith('data:')),
              scripts: document.scripts.length,
              overflow: document.documentElement.scrollWidth - window.innerWidth,
              width: window.innerWidth,
              title: document.title,
              h1: (document.querySelector('h1') || {}).textContent || null,
            };""")

    def screenshot(self, name, which):
        """Save the viewport as SHOTS/NAME-WHICH.png (which: desktop or phone)."""
        if not self.shots_dir:
            return None
        os.makedirs(self.shots_dir, exist_ok=True)
        path = os.path.join(self.shots_dir, '%s-%s.png' % (name, which))
        self.driver.save_screenshot(path)
        return path
