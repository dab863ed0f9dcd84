"""The pickle doctor: would this pickled data load, and if not, why?

::

    python3 -m wsgiscript.doctor [--manifest FILE] [--json] PICKLE-FILE|-
    redis-cli --raw GET session:abc > blob && python3 -m wsgiscript.doctor --manifest m.json blob

Reads pickled data **without executing it** (``pickletools`` only: no
object is built, no module is imported), lists every global it references
(module and qualified name, and how the data uses it: as the class of an
instance, as something called, or as a plain reference), and, for each
script module (``_mod_wsgi_<md5>``), says which script file it is and whether
it would load now: the script is there (and, with a manifest, may be loaded:
the server's safety rule), it defines the name (read with ``ast``, never
run), and defines it as the kind of object the data needs (a class for an
instance).  Other modules are looked up without importing them.

Where script modules come from: ``--manifest FILE`` (the file
``WSGIScriptManifest`` makes the server write); without it, every file under
the current directory (skipping hidden ones; at most 8 levels and 10,000
files) is a candidate, named by its absolute path as the server would name
it (as written and lower-cased, for ``WSGICaseSensitivity Off``).

Exit status: 0 when the data would load, 1 when not, 2 when the input cannot
be read or is not pickled data.
"""

import argparse
import json
import os
import sys

from . import is_script_module_name, mangle

__all__ = ['examine', 'main']

MAX_DEPTH = 8
MAX_FILES = 10000

# How the data uses a global.
USE_CLASS = 'class'          # the class of an instance (NEWOBJ, INST, OBJ, copyreg reconstructors)
USE_CALLED = 'called'        # called with arguments (REDUCE)
USE_REFERENCE = 'reference'  # stored as it is (a function or class by reference)

_RECONSTRUCTORS = {('copyreg', '_reconstructor'), ('copy_reg', '_reconstructor'),
                   ('copyreg', '__newobj__'), ('copyreg', '__newobj_ex__')}


class DoctorError(Exception):
    """The input cannot be read or is not pickled data (exit status 2)."""


# -- reading the data -------------------------------------------------------------------

class _Global:
    __slots__ = ('module', 'name', 'uses', 'offset')

    def __init__(self, module, name, offset):
        self.module, self.name, self.offset = module, name, offset
        self.uses = set()


class _Str(str):
    """A string pushed by the data (STACK_GLOBAL takes its names from two of them)."""


class _Tuple(tuple):
    pass


_MARK = object()
_OTHER = object()


def read_globals(data):
    """``(globals, protocol, end)``: every global ``data`` names, in order, with its uses.

    Raises DoctorError when ``data`` is not a complete pickle.
    """
    import pickletools
    stack, memo, found = [], {}, []
    protocol, end = 0, None

    def pop():
        return stack.pop() if stack else _OTHER

    def pop_to_mark():
        items = []
        while stack:
            item = stack.pop()
            if item is _MARK:
                break
            items.append(item)
        items.reverse()
        return items

    def use(obj, how):
        if isinstance(obj, _Global):
            obj.uses.add(how)

    try:
        for op, arg, pos in pickletools.genops(data):
            name = op.name
            if name == 'PROTO':
                protocol = arg
            elif name == 'STOP':
                end = pos + 1
                break
            elif name == 'MARK':
                stack.append(_MARK)
            elif name in ('GLOBAL', 'INST'):
                module, _, qualname = arg.partition(' ')
                g = _Global(module, qualname, pos)
                found.append(g)
                if name == 'INST':
                    pop_to_mark()
                    g.uses.add(USE_CLASS)
                    stack.append(_OTHER)
                else:
                    stack.append(g)
            elif name == 'STACK_GLOBAL':
                qualname, module = pop(), pop()
                g = _Global(str(module) if isinstance(module, str) else None,
                            str(qualname) if isinstance(qualname, str) else None, pos)
                found.append(g)
                stack.append(g)
            elif 'UNICODE' in name or 'STRING' in name:
                stack.append(_Str(arg) if isinstance(arg, str) else _OTHER)
            elif name in ('PUT', 'BINPUT', 'LONG_BINPUT'):
                memo[arg] = stack[-1] if stack else _OTHER
            elif name == 'MEMOIZE':
                memo[len(memo)] = stack[-1] if stack else _OTHER
            elif name in ('GET', 'BINGET', 'LONG_BINGET'):
                stack.append(memo.get(arg, _OTHER))
            elif name in ('TUPLE1', 'TUPLE2', 'TUPLE3'):
                n = int(name[-1])
                items = [pop() for _ in range(n)][::-1]
                stack.append(_Tuple(items))
            elif name == 'TUPLE':
                stack.append(_Tuple(pop_to_mark()))
            elif name == 'EMPTY_TUPLE':
                stack.append(_Tuple())
            elif name == 'NEWOBJ':
                pop()
                use(pop(), USE_CLASS)
                stack.append(_OTHER)
            elif name == 'NEWOBJ_EX':
                pop()
                pop()
                use(pop(), USE_CLASS)
                stack.append(_OTHER)
            elif name == 'OBJ':
                items = pop_to_mark()
                if items:
                    use(items[0], USE_CLASS)
                stack.append(_OTHER)
            elif name == 'REDUCE':
                args, func = pop(), pop()
                if (isinstance(func, _Global) and (func.module, func.name) in _RECONSTRUCTORS
                        and isinstance(args, _Tuple) and args):
                    use(args[0], USE_CLASS)
                    func.uses.add(USE_CALLED)
                else:
                    use(func, USE_CALLED)
                stack.append(_OTHER)
            else:
                for item in reversed(op.stack_before):
                    if item is pickletools.stackslice:
                        pop_to_mark()     # the mark with it
                    elif item is not pickletools.markobject:
                        pop()
                stack.extend(_OTHER for _ in op.stack_after)
    except Exception as err:
        raise DoctorError('not pickled data, or truncated: %s' % err) from None
    if end is None:
        raise DoctorError('not pickled data, or truncated: no STOP opcode')
    for g in found:
        if not g.uses:
            g.uses.add(USE_REFERENCE)
        if protocol < 3 and g.module is not None and g.name is not None:
            # What the unpickler does with fix_imports (the default): Python 2 names.
            import _compat_pickle
            if (g.module, g.name) in _compat_pickle.NAME_MAPPING:
                g.module, g.name = _compat_pickle.NAME_MAPPING[(g.module, g.name)]
            elif g.module in _compat_pickle.IMPORT_MAPPING:
                g.module = _compat_pickle.IMPORT_MAPPING[g.module]
    return found, protocol, end


# -- where script modules come from ----------------------------------------------------

def scripts_from_manifest(path):
    """``{module name: (path, source, entry)}`` from a manifest."""
    from . import _manifest
    try:
        m = _manifest.read(path)
    except (OSError, ValueError) as err:
        raise DoctorError('manifest %s: %s' % (path, err)) from None
    return {name: (e.path, e.source, e) for name, e in m.scripts.items()}


def scripts_under(directory):
    """``{module name: (path, source, None)}`` for the files under ``directory`` (bounded)."""
    out = {}
    count = 0
    queue = [(os.path.abspath(directory), 0)]
    while queue and count < MAX_FILES:
        d, depth = queue.pop(0)
        try:
            names = sorted(os.listdir(d))
        except OSError:
            continue
        for n in names:
            if n.startswith('.'):
                continue
            p = os.path.join(d, n)
            if os.path.isdir(p) and not os.path.islink(p):
                if depth < MAX_DEPTH:
                    queue.append((p, depth + 1))
                continue
            if not os.path.isfile(p):
                continue
            count += 1
            source = 'a file under %s' % os.path.abspath(directory)
            out.setdefault(mangle(p), (p, source, None))
            out.setdefault(mangle(''.join(c.lower() if 'A' <= c <= 'Z' else c for c in p)), (p, source, None))
            if count >= MAX_FILES:
                break
    return out


# -- what a script defines (read, never run) -------------------------------------------

def definition(path, qualname):
    """``(kind, detail)``: kind 'class', 'function', 'value', 'imported', or None (not defined).

    Raises SyntaxError (the script does not compile) and OSError.
    """
    import ast
    with open(path, 'rb') as f:
        tree = ast.parse(f.read(), filename=path)
    scope = tree.body
    parts = qualname.split('.')
    if '<locals>' in parts or '<lambda>' in parts:
        return None, 'defined inside a function: no name leads to it'
    star = False
    # Definitions in if/try blocks count: a class statement anywhere in the
    # scope beats a function, which beats an import, which beats an assignment.
    rank = {'class': 3, 'function': 2, 'imported': 1, 'value': 0}
    for i, part in enumerate(parts):
        found = None

        def better(kind, node, found):
            return (kind, node) if found is None or rank[kind] > rank[found[0]] else found
        for stmt in _statements(scope):
            if isinstance(stmt, ast.ClassDef) and stmt.name == part:
                found = better('class', stmt, found)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name == part:
                found = better('function', stmt, found)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                if any(part in _names(t) for t in targets):
                    found = better('value', None, found)
            elif isinstance(stmt, (ast.Import, ast.ImportFrom)):
                for alias in stmt.names:
                    if alias.name == '*':
                        star = True
                    elif (alias.asname or alias.name.split('.')[0]) == part:
                        found = better('imported', None, found)
        if found is None:
            return (None, 'not defined (the script has "from ... import *": it may come from there)'
                    if star and i == 0 else 'not defined')
        if i == len(parts) - 1:
            return found[0], ''
        if found[0] != 'class':
            return None, '%s is not a class defined in the script' % '.'.join(parts[:i + 1])
        scope = found[1].body
    return None, 'not defined'


def _statements(body):
    """The statements of a scope, with those inside if/try/with/for/while blocks."""
    import ast
    for stmt in body:
        yield stmt
        for field in ('body', 'orelse', 'finalbody'):
            inner = getattr(stmt, field, None)
            if isinstance(inner, list) and not isinstance(stmt, (ast.ClassDef, ast.FunctionDef,
                                                                 ast.AsyncFunctionDef)):
                yield from _statements(inner)
        for handler in getattr(stmt, 'handlers', ()) or ():
            yield from _statements(handler.body)


def _names(target):
    import ast
    if isinstance(target, ast.Name):
        return {target.id}
    if isinstance(target, (ast.Tuple, ast.List)):
        out = set()
        for t in target.elts:
            out |= _names(t)
        return out
    return set()


def module_found(name):
    """Is module ``name`` importable here? Found without importing anything."""
    import importlib.machinery
    import importlib.util
    if not name or name.startswith('.'):
        return False
    if name in sys.modules:
        return True
    parts = name.split('.')
    try:
        spec = importlib.util.find_spec(parts[0])
        for i in range(1, len(parts)):
            if spec is None or not spec.submodule_search_locations:
                return False
            spec = importlib.machinery.PathFinder.find_spec('.'.join(parts[:i + 1]),
                                                              list(spec.submodule_search_locations))
    except (ImportError, ValueError):
        return False
    return spec is not None


# -- the examination ------------------------------------------------------------------------

def examine(data, scripts):
    """The report (a dict, what ``--json`` prints) on ``data`` with ``scripts`` as candidates."""
    globals_, protocol, end = read_globals(data)
    items = []
    for g in globals_:
        item = {'module': g.module, 'name': g.name, 'uses': sorted(g.uses), 'script': None,
                'source': None}
        if g.module is None or g.name is None:
            item.update(status='unreadable', would_load=False,
                        detail='the module or name is not readable from the data')
        elif is_script_module_name(g.module):
            _examine_script(g, item, scripts)
        else:
            found = module_found(g.module)
            item.update(status='module-found' if found else 'module-not-found', would_load=found,
                        detail=('module found (not imported: the name is not checked)' if found
                                else 'no module %r here' % g.module))
        items.append(item)
    script_items = [i for i in items if is_script_module_name(i['module'] or '')]
    return {
        'bytes': len(data),
        'pickle_bytes': end,
        'protocol': protocol,
        'globals': items,
        'script_globals': len(script_items),
        'would_load': all(i['would_load'] for i in items),
    }


def _examine_script(g, item, scripts):
    from . import _manifest
    entry = scripts.get(g.module)
    if entry is None:
        item.update(status='unknown-script', would_load=False,
                    detail='no script known here has this module name')
        return
    path, source, manifest_entry = entry
    item['script'], item['source'] = path, source
    if manifest_entry is not None:
        why = _manifest.check(manifest_entry)
        if why:
            item.update(status='refused', would_load=False, detail='would not be loaded: ' + why)
            return
    if not os.path.isfile(path):
        item.update(status='missing-script', would_load=False, detail='the script file is not there')
        return
    try:
        kind, detail = definition(path, g.name)
    except SyntaxError as err:
        item.update(status='script-error', would_load=False,
                    detail='the script does not compile (line %s: %s)' % (err.lineno, err.msg))
        return
    except OSError as err:
        item.update(status='missing-script', would_load=False,
                    detail='the script cannot be read: %s' % (err.strerror or err))
        return
    item['defined_as'] = kind
    if kind is None:
        item.update(status='name-missing', would_load=False, detail='%r is %s' % (g.name, detail))
    elif USE_CLASS in g.uses and kind == 'function':
        item.update(status='kind-differs', would_load=False,
                    detail='the data needs a class (it holds an instance of %r), the script now '
                           'defines a function by that name' % g.name)
    elif USE_CLASS in g.uses and kind != 'class':
        item.update(status='loads', would_load=True,
                    detail='defined (%s): that it is a class cannot be told without running the '
                           'script' % ('by an assignment' if kind == 'value' else 'imported'))
    else:
        item.update(status='loads', would_load=True,
                    detail='the script defines %s %s' % (kind if kind in ('class', 'function') else
                                                          'the name', g.name))


# -- the command -------------------------------------------------------------------------

def _text(report, label, scripts_from):
    out = ['%s: %d bytes of pickle data, protocol %d, %d globals (%d from WSGI scripts); '
           'script modules from %s' % (label, report['pickle_bytes'], report['protocol'],
                                       len(report['globals']), report['script_globals'], scripts_from)]
    if report['bytes'] > report['pickle_bytes']:
        out.append('  (%d bytes after the end of the pickle ignored)'
                   % (report['bytes'] - report['pickle_bytes']))
    for item in report['globals']:
        mark = 'ok ' if item['would_load'] else 'NO '
        uses = ', '.join({'class': 'class of an instance', 'called': 'called',
                          'reference': 'by reference'}[u] for u in item['uses'])
        out.append('%s %s.%s (%s)' % (mark, item['module'], item['name'], uses))
        if item['script']:
            out.append('      script %s  [%s]' % (item['script'], item['source']))
        out.append('      %s: %s' % (item['status'], item['detail']))
    out.append('result: %s' % ('would load' if report['would_load'] else 'would NOT load'))
    return '\n'.join(out)


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog='python3 -m wsgiscript.doctor',
        description='Say whether pickled data would load, without executing it.')
    parser.add_argument('--manifest', metavar='FILE',
                        help='the manifest WSGIScriptManifest writes (default: the files under '
                             'the current directory)')
    parser.add_argument('--json', action='store_true', help='print the report as JSON')
    parser.add_argument('input', metavar='PICKLE-FILE|-', help='the pickled data, - for stdin')
    args = parser.parse_args(argv)
    try:
        if args.input == '-':
            data, label = sys.stdin.buffer.read(), '<stdin>'
        else:
            with open(args.input, 'rb') as f:
                data, label = f.read(), args.input
    except OSError as err:
        print('doctor: cannot read %s: %s' % (args.input, err.strerror or err), file=sys.stderr)
        return 2
    try:
        if args.manifest:
            scripts, scripts_from = scripts_from_manifest(args.manifest), 'manifest %s' % args.manifest
        else:
            scripts, scripts_from = scripts_under(os.getcwd()), 'files under %s' % os.getcwd()
        report = examine(data, scripts)
    except DoctorError as err:
        if args.json:
            print(json.dumps({'error': str(err), 'would_load': None}))
        print('doctor: %s: %s' % (label, err), file=sys.stderr)
        return 2
    report['input'] = label
    report['scripts_from'] = scripts_from
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True, ensure_ascii=False))
    else:
        print(_text(report, label, scripts_from))
    return 0 if report['would_load'] else 1


if __name__ == '__main__':
    sys.exit(main())
