"""``PatchSet``: attributes of a module replaced, and put back.

Pickle diagnostics (``_pickle_patch``) and pickle resolve
(``_resolve_pickle``) each replace some of ``pickle``'s entry points with
wrappers.  One ``PatchSet`` per installation keeps what was there, what was
put there and where that installation logs; :meth:`PatchSet.restore` puts
back only the attributes nobody replaced since.
"""


class PatchSet:
    """``module``'s attributes ``originals`` (name -> value), replaced by ``replacements``."""
    __slots__ = ('module', 'originals', 'replacements', 'log')

    def __init__(self, module, originals, replacements, log):
        self.module = module
        self.originals = originals
        self.replacements = replacements
        self.log = log

    def apply(self):
        for name, value in self.replacements.items():
            setattr(self.module, name, value)

    def restore(self):
        """Put back each original whose replacement is still in place."""
        for name, value in self.originals.items():
            if getattr(self.module, name, None) is self.replacements[name]:
                setattr(self.module, name, value)
