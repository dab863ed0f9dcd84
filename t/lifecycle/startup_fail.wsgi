"""startup-timeout: this script never loads. It notes the pid of the process
that tried (LOGS/lc/startup_fail.pid), then raises."""
import os

import wsgitest_util

with open(os.path.join(wsgitest_util.logs_dir(__file__), 'lc', 'startup_fail.pid'), 'a') as f:
    f.write('%d\n' % os.getpid())
raise RuntimeError('t/lifecycle/startup_fail.wsgi fails at import on purpose')
