"""The manifest ``WSGIScriptManifest`` makes the server write, read back.

The server writes it atomically (a temporary file, then a rename), at
start-up and whenever its index of scripts changes::

    {"format": "wsgiscript-manifest", "version": 1,
     "generated_at": 1700000000.123, "server": "www.example.org",
     "case_sensitive": true,
     "scripts": {"_mod_wsgi_<md5>": {"path": "/srv/app/app.wsgi",
                                     "root": "/srv/app/app.wsgi",
                                     "kind": "file",
                                     "source": "WSGIScriptAlias /app (/etc/apache2/sites-enabled/app.conf:3)"},
                 ...}}

``kind`` is ``"file"`` for a file the configuration names (``root`` is the
file itself) and ``"tree"`` for a file found in a directory the
configuration serves (``root`` is that directory).  Paths that are not
UTF-8 are written with Python's surrogateescape (``\\udcXX``), so
``os.fsencode(path)`` gives the bytes back.

:func:`read` checks everything a worker relies on, and refuses a manifest
whose names do not match their paths.  :func:`check` is the safety rule
applied just before a script is loaded, the same as in the server.
"""

import os

FORMAT = 'wsgiscript-manifest'
VERSION = 1


class Entry(tuple):
    """One script: ``(module_name, path, root, kind, source)``."""
    __slots__ = ()

    def __new__(cls, module_name, path, root, kind, source):
        return tuple.__new__(cls, (module_name, path, root, kind, source))

    module_name = property(lambda self: self[0], doc='mangled module name')
    path = property(lambda self: self[1], doc='the script file, as the server names it')
    root = property(lambda self: self[2], doc='the file itself, or the directory it was found in')
    kind = property(lambda self: self[3], doc="'file' or 'tree'")
    source = property(lambda self: self[4], doc='the directive that makes the server serve it')

    def __repr__(self):
        return 'Entry(module_name=%r, path=%r, root=%r, kind=%r, source=%r)' % tuple(self)


class Manifest:
    """A manifest read from ``path``: ``scripts`` maps module names to :class:`Entry`."""
    __slots__ = ('path', 'scripts', 'server', 'generated_at', 'case_sensitive', 'mtime_ns')

    def __init__(self, path, scripts, server, generated_at, case_sensitive, mtime_ns):
        self.path = path
        self.scripts = scripts
        self.server = server
        self.generated_at = generated_at
        self.case_sensitive = case_sensitive
        self.mtime_ns = mtime_ns

    def __repr__(self):
        return '<wsgiscript manifest %s: %d scripts of %s>' % (self.path, len(self.scripts), self.server)


def read(path):
    """The :class:`Manifest` at ``path``; ``ValueError`` (or ``OSError``) when unusable."""
    import json
    from . import is_script_module_name, mangle
    path = os.fspath(path)
    with open(path, 'rb') as f:
        mtime_ns = os.fstat(f.fileno()).st_mtime_ns
        raw = f.read()
    try:
        doc = json.loads(raw.decode('utf-8', 'surrogateescape'))
    except ValueError as err:
        raise ValueError('%s is not a JSON manifest: %s' % (path, err)) from None
    if not isinstance(doc, dict) or doc.get('format') != FORMAT:
        raise ValueError('%s is not a wsgiscript manifest (no "format": "%s")' % (path, FORMAT))
    if doc.get('version') != VERSION:
        raise ValueError('%s: manifest version %r, this wsgiscript reads version %d'
                         % (path, doc.get('version'), VERSION))
    case_sensitive = doc.get('case_sensitive', True)
    scripts = doc.get('scripts')
    if not isinstance(scripts, dict) or not isinstance(case_sensitive, bool):
        raise ValueError('%s: "scripts" must be an object and "case_sensitive" a boolean' % path)
    entries = {}
    for name, value in scripts.items():
        if not is_script_module_name(name) or not isinstance(value, dict):
            raise ValueError('%s: %r is not a script module name with an object' % (path, name))
        script, root, kind = value.get('path'), value.get('root'), value.get('kind')
        source = value.get('source', '')
        if (not isinstance(script, str) or not isinstance(root, str) or not os.path.isabs(script)
                or not os.path.isabs(root) or kind not in ('file', 'tree') or not isinstance(source, str)):
            raise ValueError('%s: entry %s needs an absolute "path" and "root" and a "kind" of '
                             '"file" or "tree"' % (path, name))
        if mangle(script if case_sensitive else _lower_ascii(script)) != name:
            raise ValueError('%s: entry %s does not name the module of %r' % (path, name, script))
        entries[name] = Entry(name, script, root, kind, source)
    generated_at = doc.get('generated_at')
    return Manifest(path, entries, doc.get('server', ''), generated_at, case_sensitive, mtime_ns)


def _lower_ascii(path):
    return ''.join(c.lower() if 'A' <= c <= 'Z' else c for c in path)


def check(entry):
    """'' when ``entry`` may be loaded now, else why not (the server's rule).

    A ``file`` entry must be a regular file.  A ``tree`` entry's real path
    must still lie inside its directory's real path (no symlink or ``..``
    leads out) and be a regular file.
    """
    if entry.kind == 'file':
        return '' if os.path.isfile(entry.path) else '%r is not a regular file (or does not exist)' % entry.path
    try:
        real = os.path.realpath(entry.path, strict=True)
        root = os.path.realpath(entry.root, strict=True)
    except OSError as err:
        return '%r cannot be resolved: %s' % (entry.path, err.strerror or err)
    if not inside(real, root):
        return '%r now leads to %r, outside %r' % (entry.path, real, root)
    if not os.path.isfile(real):
        return '%r is not a regular file' % entry.path
    return ''


def inside(inner, outer):
    """Is the real path ``inner`` inside the real directory ``outer``?"""
    if outer == '/':
        return len(inner) > 1 and inner.startswith('/')
    return len(inner) > len(outer) + 1 and inner.startswith(outer) and inner[len(outer)] == '/'
