"""SymPy on first use: ``from ._lazy import sympy as sp`` gives a stand-in that imports SymPy
the first time an attribute is read, so that ``import hallu_proofs`` stays light (SymPy alone
takes most of a second to import) and only the symbolic derivations pay for it.

>>> from hallu_proofs._lazy import sympy as sp
>>> sp.Rational(1, 3) + sp.Rational(1, 6)
1/2
"""

import importlib


class _LazyModule:
    """A module imported when one of its attributes is first read."""

    def __init__(self, name):
        self._name = name

    def __getattr__(self, attribute):
        return getattr(importlib.import_module(self._name), attribute)


sympy = _LazyModule("sympy")
