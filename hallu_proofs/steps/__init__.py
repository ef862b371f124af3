"""Proof-step tables: every numbered step of every proof in the book, with how it is checked.

One module per chapter (``hallu_proofs/steps/<chapter>.py``) defines ``STEPS``, a dict from a
result's name to a tuple of `Step`. The names are those of `hallu_proofs.ledger.PAPER_RESULTS`
(``"Theorem 1"``); a name that is not a result of the paper (``"Good-Turing bias lemma"``) is a
*supporting result* of the chapter whose table holds it. A step is checked by the tests it names
(pytest node ids, ``tests/test_x.py::test_name``, each marked with ``@pytest.mark.result`` for
the step's result), or, for a cited textbook fact, by its citation.

A step counts as *checked* when it is cited, or when every test it names is recorded in the
ledger's test data (``book/data/ledger_tests.json``, written by ``make ledger``) for the step's
result, with every recorded run of it passed. `coverage` counts steps; `step_problems` lists
what keeps a step from being checked; ``python -m hallu_proofs.steps [RECORDS.json]`` prints both.

>>> sorted(STEP_KINDS)[:3]
['cited', 'exact_random', 'exhaustive']
>>> step = Step("1", "err = mu(E)", "cited", citation="a textbook")
>>> data = {"tests": []}
>>> coverage(tables={"c": {"Theorem 9": (step,)}}, test_data=data)["text"]
'1 proof step, all checked: 1 cited'
"""

from __future__ import annotations

import importlib
import sys
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

#: How the kinds are named in sentences (see `coverage`).
KIND_WORDS = {
    "symbolic": "symbolic (SymPy)",
    "smt": "SMT",
    "exhaustive": "exhaustive",
    "exact_random": "exact random",
    "float_random": "float random",
    "cited": "cited",
}

#: The chapters that have a step table, in book order.
CHAPTERS = ("iiv_reduction", "calibration", "missing_mass", "arbitrary_facts", "poor_models",
            "hardness", "evaluation", "post_training", "miao_kearns")


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
        if isinstance(self.tests, str):
            raise TypeError(f"step {self.number}: tests must be a tuple of test ids, got a string")


def step_tables() -> dict:
    """Every chapter's table: ``{chapter: {result: (Step, ...)}}``, in book order."""
    return {chapter: importlib.import_module(f"{__name__}.{chapter}").STEPS
            for chapter in CHAPTERS}


def _records_by_test(test_data):
    """``{test id without parameters: [record, ...]}`` and ``{full test id: [record]}``."""
    by_id = {}
    for rec in test_data["tests"]:
        by_id.setdefault(rec["test"], []).append(rec)
        if "[" in rec["test"]:
            by_id.setdefault(rec["test"].split("[")[0], []).append(rec)
    return by_id


def check_test(result, test_id, by_id) -> list:
    """What keeps the test ``test_id`` from checking a step of ``result`` (empty: nothing).

    The test must be recorded in the ledger data (so it was collected and carries a
    ``@pytest.mark.result`` marker), for ``result``, and every recorded run of it (every
    parameter) must have passed.
    """
    if "::" not in test_id:
        return [f"{test_id!r} is not a pytest node id (tests/test_x.py::test_name)"]
    records = by_id.get(test_id, [])
    if not records:
        return [f"{test_id} is not recorded in the ledger test data (is it a real test, marked "
                "@pytest.mark.result? then run `make ledger`)"]
    problems = []
    other = sorted({name for rec in records for name in rec["results"]})
    if not any(result in rec["results"] for rec in records):
        problems.append(f"{test_id} is recorded for {other}, not for {result!r}: add {result!r} "
                        "to its @pytest.mark.result")
    failing = sorted({rec["test"] for rec in records if rec["outcome"] != "passed"})
    if failing:
        problems.append(f"{test_id} did not pass: {failing}")
    return problems


def step_problems(test_data, tables=None) -> list:
    """Every problem of the step tables against the ledger's test data, as sentences.

    A problem is: a table entry that is not a tuple of `Step`, two steps of one result with the
    same number, or a test that does not check its step (see `check_test`).

    >>> step = Step("1", "a claim", "exact_random", tests=("tests/test_a.py::test_b",))
    >>> step_problems({"tests": []}, {"c": {"Theorem 9": (step,)}})  # doctest: +ELLIPSIS
    ['c, Theorem 9, step 1: tests/test_a.py::test_b is not recorded in the ledger test data ...']
    """
    tables = step_tables() if tables is None else tables
    by_id = _records_by_test(test_data)
    problems = []
    for chapter, table in tables.items():
        for result, steps in table.items():
            where = f"{chapter}, {result}"
            if not isinstance(steps, tuple) or not all(isinstance(s, Step) for s in steps):
                problems.append(f"{where}: the entry must be a tuple of Step")
                continue
            numbers = [s.number for s in steps]
            twice = sorted({n for n in numbers if numbers.count(n) > 1})
            if twice:
                problems.append(f"{where}: step numbers used twice: {twice}")
            for step in steps:
                problems += [f"{where}, step {step.number}: {p}"
                             for test in step.tests for p in check_test(result, test, by_id)]
    return problems


def is_checked(result, step, by_id) -> bool:
    """Whether ``step`` of ``result`` is checked: cited, or every test of it checks it."""
    if step.kind == "cited":
        return True
    return all(not check_test(result, test, by_id) for test in step.tests)


def coverage(chapter=None, test_data=None, tables=None) -> dict:
    """How many proof steps a chapter (or the whole book) has, and how they are checked.

    Parameters
    ----------
    chapter : str, optional
        A chapter of `CHAPTERS` (``"iiv_reduction"``); by default every chapter.
    test_data : dict, optional
        The ledger's test records; by default read from ``book/data/ledger_tests.json``
        (`hallu_proofs.ledger.data_path`).
    tables : dict, optional
        Step tables ``{chapter: {result: steps}}``; by default `step_tables`.

    Returns
    -------
    dict
        ``results`` (results with a step table), ``steps``, ``checked``, ``unchecked``,
        ``kinds`` (steps per kind, every kind of `STEP_KINDS` listed) and ``text``, a sentence
        for a chapter's opening such as ``"12 proof steps, all checked: 5 symbolic (SymPy),
        7 SMT"``.

    Examples
    --------
    >>> table = {"c": {"Theorem 9": (Step("1", "a", "exact_random", tests=("tests/t.py::a",)),
    ...                              Step("2", "b", "cited", citation="Hoeffding (1963)"))}}
    >>> record = {"test": "tests/t.py::a", "results": ["Theorem 9"], "outcome": "passed"}
    >>> counts = coverage("c", test_data={"tests": [record]}, tables=table)
    >>> counts["steps"], counts["unchecked"], counts["kinds"]["cited"], counts["text"]
    (2, 0, 1, '2 proof steps, all checked: 1 exact random, 1 cited')
    >>> coverage("c", test_data={"tests": []}, tables=table)["text"]
    '2 proof steps, 1 of them not yet checked; kinds: 1 exact random, 1 cited'
    >>> coverage("appendix", test_data={"tests": []}, tables=table)
    Traceback (most recent call last):
    ...
    ValueError: chapter must be one of ['c'], got 'appendix'
    """
    tables = step_tables() if tables is None else tables
    if chapter is not None:
        if chapter not in tables:
            raise ValueError(f"chapter must be one of {sorted(tables)}, got {chapter!r}")
        tables = {chapter: tables[chapter]}
    if test_data is None:
        from .. import ledger

        test_data = ledger.load_json(ledger.data_path("ledger_tests.json"))
    by_id = _records_by_test(test_data)
    kinds = dict.fromkeys(STEP_KINDS, 0)
    n_results = n_steps = n_checked = 0
    for table in tables.values():
        for result, steps in table.items():
            n_results += 1
            for step in steps:
                n_steps += 1
                kinds[step.kind] += 1
                n_checked += is_checked(result, step, by_id)
    unchecked = n_steps - n_checked
    listed = ", ".join(f"{n} {KIND_WORDS[k]}" for k, n in kinds.items() if n)
    noun = "proof step" if n_steps == 1 else "proof steps"
    if not n_steps:
        text = "no proof steps listed"
    elif unchecked:
        text = f"{n_steps} {noun}, {unchecked} of them not yet checked; kinds: {listed}"
    else:
        text = f"{n_steps} {noun}, all checked: {listed}"
    return {"results": n_results, "steps": n_steps, "checked": n_checked, "unchecked": unchecked,
            "kinds": kinds, "text": text}


def main(argv=None):
    """``python -m hallu_proofs.steps [RECORDS.json]``: coverage per chapter and every problem.

    RECORDS.json is a file written by a test run with ``HALLU_LEDGER_OUT=RECORDS.json`` (by
    default the ledger's ``book/data/ledger_tests.json``). Exits with status 1 if a step is not
    checked.
    """
    import json
    from pathlib import Path

    from .. import ledger

    argv = sys.argv[1:] if argv is None else argv
    if len(argv) > 1:
        raise SystemExit("usage: python -m hallu_proofs.steps [RECORDS.json]")
    path = Path(argv[0]) if argv else ledger.data_path("ledger_tests.json")
    test_data = json.loads(path.read_text())
    tables = step_tables()
    for chapter in tables:
        print(f"{chapter}: {coverage(chapter, test_data, tables)['text']}")
    problems = step_problems(test_data, tables)
    for problem in problems:
        print(problem)
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
