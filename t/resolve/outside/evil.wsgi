# t/19_resolve: NOT a script this server serves (no directive names it, no
# directory of one holds it). If it ever runs, it leaves a mark the tests look
# for, and fails.
import os

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, '..', '..', 'logs', 'rw', 'resolve-evil-ran'), 'a') as f:
    f.write('%s %d\n' % (__file__, os.getpid()))
raise RuntimeError('outside/evil.wsgi must never be loaded')


class Cart:
    pass
