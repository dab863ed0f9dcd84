"""A PEP 517 build backend for python/ (standard library only).

Builds the wheel of the pure-Python package ``wsgiscript`` (every
``wsgiscript/*.py``) and its sdist, from the name, version, description and
scripts in ``pyproject.toml``.  Kept this small so that ``pip install
./python`` needs nothing from an index (``requires = []``).
"""

import base64
import hashlib
import io
import os
import re
import tarfile
import zipfile

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PACKAGE = 'wsgiscript'
TAG = 'py3-none-any'


def _project():
    text = open(os.path.join(HERE, 'pyproject.toml'), encoding='utf-8').read()
    section = text.split('[project]', 1)[1].split('\n[', 1)[0]

    def field(key):
        m = re.search(r'^%s\s*=\s*"([^"]*)"' % key, section, re.M)
        return m.group(1) if m else ''
    scripts = dict(re.findall(r'^([\w-]+)\s*=\s*"([^"]+)"',
                              text.split('[project.scripts]', 1)[1], re.M)) if '[project.scripts]' in text else {}
    return field('name'), field('version'), field('description'), field('requires-python'), scripts


def _metadata():
    name, version, description, python, _ = _project()
    lines = ['Metadata-Version: 2.1', 'Name: ' + name, 'Version: ' + version, 'Summary: ' + description,
             'License: Apache-2.0']
    if python:
        lines.append('Requires-Python: ' + python)
    return '\n'.join(lines) + '\n'


def _dist_info():
    name, version, _, _, _ = _project()
    return '%s-%s.dist-info' % (name, version)


def _files():
    src = os.path.join(HERE, PACKAGE)
    for f in sorted(os.listdir(src)):
        if f.endswith('.py'):
            yield '%s/%s' % (PACKAGE, f), os.path.join(src, f)


def _dist_info_files():
    _, _, _, _, scripts = _project()
    out = {'METADATA': _metadata(),
           'WHEEL': 'Wheel-Version: 1.0\nGenerator: wsgiscript_build\nRoot-Is-Purelib: true\nTag: %s\n' % TAG}
    if scripts:
        out['entry_points.txt'] = '[console_scripts]\n' + ''.join(
            '%s = %s\n' % item for item in sorted(scripts.items()))
    return out


def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    info = os.path.join(metadata_directory, _dist_info())
    os.makedirs(info, exist_ok=True)
    for name, text in _dist_info_files().items():
        with open(os.path.join(info, name), 'w', encoding='utf-8') as f:
            f.write(text)
    return _dist_info()


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    name, version, _, _, _ = _project()
    filename = '%s-%s-%s.whl' % (name, version, TAG)
    info = _dist_info()
    record = []

    def digest(data):
        return 'sha256=' + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()

    with zipfile.ZipFile(os.path.join(wheel_directory, filename), 'w', zipfile.ZIP_DEFLATED) as whl:
        for arcname, path in _files():
            data = open(path, 'rb').read()
            whl.writestr(arcname, data)
            record.append('%s,%s,%d' % (arcname, digest(data), len(data)))
        for name_, text in _dist_info_files().items():
            data = text.encode('utf-8')
            whl.writestr('%s/%s' % (info, name_), data)
            record.append('%s/%s,%s,%d' % (info, name_, digest(data), len(data)))
        record.append('%s/RECORD,,' % info)
        whl.writestr('%s/RECORD' % info, '\n'.join(record) + '\n')
    return filename


def build_sdist(sdist_directory, config_settings=None):
    name, version, _, _, _ = _project()
    base = '%s-%s' % (name, version)
    filename = base + '.tar.gz'
    with tarfile.open(os.path.join(sdist_directory, filename), 'w:gz') as tar:
        for arcname, path in list(_files()) + [('pyproject.toml', os.path.join(HERE, 'pyproject.toml')),
                                                ('_build/wsgiscript_build.py', os.path.abspath(__file__))]:
            tar.add(path, arcname='%s/%s' % (base, arcname))
        data = _metadata().encode('utf-8')
        ti = tarfile.TarInfo('%s/PKG-INFO' % base)
        ti.size = len(data)
        tar.addfile(ti, io.BytesIO(data))
    return filename
