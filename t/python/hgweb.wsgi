# Mercurial's own hgweb (Debian's mercurial package), as its example
# hgweb.wsgi sets it up, serving the repository t/17_python/hgweb.t makes in
# t/logs/hgrepo.
import os

config = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), 'logs', 'hgrepo').encode()

from mercurial import demandimport; demandimport.enable()

from mercurial.hgweb import hgweb
application = hgweb(config)
