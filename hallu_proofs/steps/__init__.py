"""Proof-step tables: every numbered step of every proof in the book, with how it is checked.

One module per chapter (``hallu_proofs/steps/<chapter>.py``) defines ``STEPS``, a dict from a
result's name as in `hallu_proofs.ledger.PAPER_RESULTS` (``"Theorem 1"``) to a tuple of `Step`.
A step is checked by the tests it names (pytest node ids, each marked with
``@pytest.mark.result``), or, for a cited textbook fact, by its citation.

>>> sorted(STEP_KINDS)[:3]
['cited', 'exact_random', 'exhaustive']
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

#: How a step can be checked, and what that kind of check establishes.
STEP_KINDS = {
    "symbolic": "SymPy proves it for every value of its symbols",
    "smt": "an SMT solver proves it for every real instance up to a size",
    "exhaustive": "checked on every exact instance up to a size",
    "exact_random": "exact (Fraction) check on random instances",
    "float_random": "float check on random instances",
    "cited": "a named textbook result, cited",
}

#: The chapters that have a step table, in book order.
CHAPTERS = ("iiv_reduction", "calibration", "missing_mass", "arbitrary_facts", "poor_models",
            "hardness", "evaluation")


@dataclass(frozen=True)
class Step:
    """One step of a proof: its number in the book, the claim, and the check that carries it."""

    number: str
    claim: str
    kind: str
    tests: tuple = ()
    citation: str = ""

    def __post_init__(self):
        if self.kind not in STEP_KINDS:
            raise ValueError(f"step {self.number}: kind must be one of {sorted(STEP_KINDS)}, "
                             f"got {self.kind!r}")
        if self.kind == "cited" and not self.citation:
            raise ValueError(f"step {self.number}: a cited step needs a citation")
        if self.kind != "cited" and not self.tests:
            raise ValueError(f"step {self.number}: a {self.kind} step needs the tests that check it")


def step_tables() -> dict:
    """Every chapter's table: ``{chapter: {result: (Step, ...)}}``, in book order."""
    return {chapter: importlib.import_module(f"{__name__}.{chapter}").STEPS
            for chapter in CHAPTERS}
