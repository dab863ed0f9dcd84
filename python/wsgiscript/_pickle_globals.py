"""The globals pickled data names, read without executing it (``pickletools``).

Unpickling ``pickle.loads(data)`` fails with only a module name when a script
module is missing; the qualified name the data wanted is read out of the data
here: ``GLOBAL`` opcodes carry both, ``STACK_GLOBAL`` takes the last two
strings pushed (possibly through the memo).
"""

_STRING_OPS = frozenset(('SHORT_BINUNICODE', 'BINUNICODE', 'BINUNICODE8', 'UNICODE',
                         'SHORT_BINSTRING', 'BINSTRING', 'STRING'))
_NO_PUSH_OPS = frozenset(('FRAME', 'PROTO', 'STOP', 'MEMOIZE', 'PUT', 'BINPUT',
                          'LONG_BINPUT', 'MARK', 'POP', 'POP_MARK'))


def globals_in_data(data):
    """``(module, qualname)`` of every global the pickle names, in order.

    Truncated or corrupt data gives what was read up to the damage; a
    ``STACK_GLOBAL`` whose strings cannot be traced gives ``None`` parts.
    """
    import pickletools
    found = []
    memo = {}
    pushed = []
    try:
        for op, arg, _pos in pickletools.genops(bytes(data)):
            name = op.name
            if name == 'GLOBAL':
                module, _, qualname = arg.partition(' ')
                found.append((module, qualname))
                pushed.append(None)
            elif name == 'STACK_GLOBAL':
                if len(pushed) >= 2:
                    found.append((pushed[-2], pushed[-1]))
                pushed.append(None)
            elif name in _STRING_OPS:
                pushed.append(arg)
            elif name in ('GET', 'BINGET', 'LONG_BINGET'):
                pushed.append(memo.get(arg))
            elif name == 'MEMOIZE':
                memo[len(memo)] = pushed[-1] if pushed else None
            elif name in ('PUT', 'BINPUT', 'LONG_BINPUT'):
                memo[arg] = pushed[-1] if pushed else None
            elif name not in _NO_PUSH_OPS:
                pushed.append(None)
            if len(pushed) > 64:
                del pushed[:-2]
    except Exception:  # truncated or corrupt data: keep what was read
        pass
    return found
