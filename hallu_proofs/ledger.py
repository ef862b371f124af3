"""The verification ledger: what has been checked for each result of the paper, and how hard.

Nothing in the table is typed by hand. The test suite, run with ``HALLU_LEDGER_OUT`` set (see
``tests/conftest.py`` and ``make ledger``), writes one record per test that declares the result it
checks; the sweep script (``python -m hallu_proofs.ledger``) writes the large random sweeps.
`ledger_rows` joins both with the list of the paper's results and refuses to produce a table in
which a result is missing, has no passing test, or has a failing one.

>>> [r.name for r in PAPER_RESULTS][:3]
['Definition 1', 'Definition 2', 'Definition 3']
"""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

#: What a test can establish about a result.
KINDS = {
    "definition": "the definition, implemented as stated",
    "exact": "exact (Fraction) check on random instances",
    "property": "float property on random instances",
    "exhaustive": "exact check on every instance up to a size",
    "symbolic": "SymPy re-derivation",
    "smt": "SMT proof for every real instance up to a size",
    "tightness": "tightness witness",
    "falsification": "stronger claim shown false",
    "monte_carlo": "seeded simulation with an exact binomial test",
    "helper": "a helper the chapter uses, not the statement itself",
    "validation": "bad input refused",
}

#: Kinds that say nothing about the statement itself: a test with only these is not counted
#: among the tests of the statement.
NOT_THE_STATEMENT = ("helper", "validation")


@dataclass(frozen=True)
class PaperResult:
    """One numbered result of the paper (or the unnumbered poor-model inequality)."""

    name: str
    title: str
    chapter: str
    #: Why a kind of evidence does not apply, for the kinds that do not.
    not_applicable: tuple = ()
    #: Why no large sweep applies (empty: the result has a sweep in `SWEEPS`).
    no_sweep: str = ""


_DEFINITION = (("tightness", "a definition states no inequality"),
               ("falsification", "a definition states no inequality"))
_NO_INEQUALITY = "a definition states no inequality to evaluate"
_PROBABILISTIC = ("a statement about the probability over random training data: a sweep of "
                  "fixed instances has nothing to evaluate; seeded simulations with binomial "
                  "tests check it")

PAPER_RESULTS = (
    PaperResult("Definition 1", "Arbitrary Facts model", "arbitrary_facts", _DEFINITION,
                _NO_INEQUALITY),
    PaperResult("Definition 2", "singleton rate", "arbitrary_facts", _DEFINITION, _NO_INEQUALITY),
    PaperResult("Definition 3", "breaking an encryption scheme", "hardness", _DEFINITION,
                _NO_INEQUALITY),
    PaperResult("Theorem 1", "the Is-It-Valid reduction with prompts", "iiv_reduction"),
    PaperResult("Theorem 2", "hallucinations of arbitrary facts vs the singleton rate",
                "arbitrary_facts", no_sweep=_PROBABILISTIC),
    PaperResult("Theorem 3", "pure multiple choice", "poor_models"),
    PaperResult("Theorem 4", "pure multiple choice, for some threshold", "poor_models"),
    PaperResult("Corollary 1", "the Is-It-Valid reduction without prompts", "iiv_reduction"),
    PaperResult("Corollary 2", "trigram models err on her/his mind", "poor_models",
                no_sweep="a statement about one task (two prompts, uniform mu) and the trigram "
                         "family: checked exactly on random training corpora, with Theorem 3 "
                         "swept over families"),
    PaperResult("Corollary 3", "Good-Turing missing-mass concentration", "missing_mass",
                no_sweep=_PROBABILISTIC.replace("training data", "samples") + "; its deterministic "
                "step, the Good-Turing bias lemma, is swept"),
    PaperResult("Lemma 1", "singleton rate vs missing mass with abstentions", "missing_mass",
                no_sweep=_PROBABILISTIC),
    PaperResult("Lemma 2", "twice the IIV error exceeds the singleton rate", "arbitrary_facts",
                no_sweep=_PROBABILISTIC),
    PaperResult("Observation 1", "binary grading never rewards abstaining", "evaluation"),
    PaperResult("Observation 2", "errors on hard decryption problems", "hardness"),
    PaperResult("Poor-model inequality",
                r"$\err \ge 2\opt(\mathcal G) - \max_c|\V_c|/\min_c|\E_c| - \delta$",
                "poor_models"),
)

#: The large sweeps: result -> (what is checked, as math; the sweep function; its arguments).
#: Every sweep draws at least 10^6 instances (the functions' defaults); the description is
#: completed with the arguments the sweep runs with (`sweep_arguments`).
SWEEPS = {
    "Theorem 1": (r"$\err \ge 2\erriiv - \max_c|\V_c|/\min_c|\E_c| - \delta$, {n_prompts} prompts",
                  "theorem1_sweep", {"n_prompts": 3}),
    "Corollary 1": (r"$\err \ge 2\erriiv - |\V|/|\E| - \delta$, one prompt",
                    "theorem1_sweep", {"n_prompts": 1}),
    "Poor-model inequality": (r"$\err \ge 2\opt(\mathcal G) - \max_c|\V_c|/\min_c|\E_c| - \delta$,"
                              " families of {family_size} models", "poor_model_sweep", {}),
    "Theorem 3": (r"$\err \ge 2(1 - 1/C)\opt(\mathcal G)$, families of {family_size} models",
                  "theorem3_sweep", {}),
    "Theorem 4": (r"Eq. (11): $\err \ge 2(1 - 1/C)\,\mathbb E_t\erriiv(\hat f_t)$",
                  "theorem4_sweep", {}),
    "Observation 1": ("the best answer's expected score exceeds every abstention's (strict)",
                      "observation1_sweep", {}),
    "Observation 2": (r"$\err \ge 1 - \beta - 2/(|\mathcal M| - 1) - \delta$, $|\mathcal M| = {n_messages}$",
                      "observation2_sweep", {}),
    "Good-Turing bias lemma": (r"$0 \le \mathbb E[\GT] - \mathbb E[M] \le 1/N$",
                               "good_turing_bias_sweep", {}),
    "Confidence targets": (r"answering iff $q > t$ is optimal, strictly when $q \ne t$",
                           "confidence_target_sweep", {}),
}


class LedgerError(ValueError):
    """The ledger data do not cover every result with passing tests."""


#: Where the ledger's data live: ``book/data`` of the repository that holds this package.
ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "book" / "data"


def data_path(name) -> Path:
    """The path of the ledger data file ``name`` (``"ledger_tests.json"``), whatever the
    working directory: it is found next to the package, in the repository's ``book/data``.

    >>> data_path("ledger_tests.json").parts[-3:]
    ('book', 'data', 'ledger_tests.json')
    """
    return DATA_DIR / name


def load_json(path):
    """Read a ledger data file, with a clear error when it is missing."""
    path = Path(path)
    if not path.is_file():
        raise LedgerError(f"ledger data file {path.resolve()} is missing: the ledger data are made "
                          "in the repository's book/data by `make ledger`")
    return json.loads(path.read_text())


def _git(*args, root=None):
    """The output of a git command in the repository, or None without git or history."""
    try:
        out = subprocess.run(["git", *args], cwd=root or ROOT, capture_output=True, text=True,
                             timeout=30)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout if out.returncode == 0 else None


def source_files(root=None) -> list:
    """The files whose content the test records depend on: everything under ``hallu_proofs/``
    and ``tests/`` that git tracks (without git: every file there but caches), as sorted paths
    relative to the repository."""
    root = Path(root or ROOT)
    listed = _git("ls-files", "-z", "--", "hallu_proofs", "tests", root=root)
    if listed:
        names = [name for name in listed.split("\0") if name]
    else:
        names = [p.relative_to(root).as_posix() for top in ("hallu_proofs", "tests")
                 for p in (root / top).rglob("*") if p.is_file()
                 and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    return sorted(name for name in names if (root / name).is_file())


def source_digest(root=None) -> str:
    """SHA-256 of the library's and the tests' sources (paths and contents of `source_files`).

    ``make ledger`` stores it with the test records; the ledger refuses records made from other
    sources (`check_sources`).
    """
    root = Path(root or ROOT)
    digest = hashlib.sha256()
    for name in source_files(root):
        digest.update(name.encode() + b"\0" + (root / name).read_bytes() + b"\0")
    return digest.hexdigest()


def check_sources(test_data, root=None):
    """Refuse test records that were not made from the current sources (run `make ledger`)."""
    recorded = test_data.get("sources")
    if recorded is None:
        raise LedgerError("the test records do not say which sources they were made from: "
                          "run `make ledger`")
    if recorded != source_digest(root):
        raise LedgerError("the test records were made from other sources than the library and "
                          "tests of this working tree: run `make ledger`")


def supporting_results(tables=None) -> dict:
    """The step tables' results that are not results of the paper: ``{name: chapter}``."""
    from . import steps

    tables = steps.step_tables() if tables is None else tables
    paper = {r.name for r in PAPER_RESULTS}
    return {name: chapter for chapter, table in tables.items() for name in table
            if name not in paper}


def _counts(records):
    """Tests of the statement itself, tests of helpers, and input checks, among ``records``."""
    statement = [r for r in records if set(r["kinds"]) - set(NOT_THE_STATEMENT)]
    helpers = [r for r in records if r not in statement and "helper" in r["kinds"]]
    return len(statement), len(helpers), len(records) - len(statement) - len(helpers)


def ledger_rows(test_data: dict, sweep_data: dict, tables=None) -> list:
    """One row per paper result, then one per supporting result of the step tables, joining
    test records and sweep results.

    Raises
    ------
    LedgerError
        If a paper result has no test, a result has a failing test, or a record names an
        unknown result or kind.
    """
    supporting = supporting_results(tables)
    known = {r.name for r in PAPER_RESULTS} | set(supporting)
    records = test_data["tests"]
    unknown = {name for rec in records for name in rec["results"]} - known
    if unknown:
        raise LedgerError(f"tests name results the paper does not have: {sorted(unknown)}")
    odd_kinds = {kind for rec in records for kind in rec["kinds"]} - set(KINDS)
    if odd_kinds:
        raise LedgerError(f"tests give kinds of evidence the ledger does not know: {sorted(odd_kinds)}")
    results = [*PAPER_RESULTS, *(PaperResult(name, "supporting result", chapter)
                                 for name, chapter in supporting.items())]
    rows = []
    for result in results:
        mine = [rec for rec in records if result.name in rec["results"]]
        is_paper = result in PAPER_RESULTS
        if not mine and is_paper:
            raise LedgerError(f"{result.name}: no test checks it")
        failing = [rec["test"] for rec in mine if rec["outcome"] != "passed"]
        if failing:
            raise LedgerError(f"{result.name}: failing tests {failing}")
        by_kind = {kind: [rec for rec in mine if kind in rec["kinds"]] for kind in KINDS}
        reasons = dict(result.not_applicable)
        statement, helpers, input_checks = _counts(mine)
        rows.append({
            "result": result.name,
            "title": result.title,
            "chapter": result.chapter,
            "paper": is_paper,
            "functions": sorted({f for rec in mine for f in rec["functions"]}),
            "tests": len(mine),
            "statement_tests": statement,
            "helper_tests": helpers,
            "input_checks": input_checks,
            "examples": sum(rec["examples"] for rec in mine),
            "kinds": {kind: len(recs) for kind, recs in by_kind.items()},
            "evidence": {
                kind: ([rec["doc"] or rec["test"] for rec in recs] if recs
                       else [f"n/a: {reasons[kind]}"] if kind in reasons else [])
                for kind, recs in by_kind.items()
            },
            "monte_carlo_runs": sum(rec["notes"].get("monte_carlo_runs", 0) for rec in mine),
            "sweep": sweep_data.get(result.name),
            "no_sweep": result.no_sweep,
        })
    return rows


def step_rows(test_data: dict, tables=None) -> list:
    """The proof steps of every result, in book order, with how each is checked.

    One dict per result with a step table: ``chapter``, ``result``, ``paper`` (False for a
    supporting result), ``steps`` (dicts with ``number``, ``claim``, ``kind``, ``tests``,
    ``citation``) and ``kinds`` (steps per kind).

    Raises
    ------
    LedgerError
        If any step is not checked (`hallu_proofs.steps.step_problems`): a named test that is
        not recorded, not recorded for the step's result, or did not pass.
    """
    from . import steps

    tables = steps.step_tables() if tables is None else tables
    problems = steps.step_problems(test_data, tables)
    if problems:
        shown = "\n  ".join(problems[:20])
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        raise LedgerError(f"{len(problems)} problems with the proof-step tables:\n  {shown}{more}")
    paper = {r.name for r in PAPER_RESULTS}
    rows = []
    for chapter, table in tables.items():
        for result, entries in table.items():
            kinds = dict.fromkeys(steps.STEP_KINDS, 0)
            for step in entries:
                kinds[step.kind] += 1
            rows.append({
                "chapter": chapter, "result": result, "paper": result in paper,
                "steps": [{"number": s.number, "claim": s.claim, "kind": s.kind,
                           "tests": list(s.tests), "citation": s.citation} for s in entries],
                "kinds": kinds,
            })
    return rows


def sweep_arguments(name) -> dict:
    """The arguments the sweep of ``name`` runs with: those of `SWEEPS` over the function's
    defaults.

    >>> sweep_arguments("Theorem 1")["n_prompts"], sweep_arguments("Theorem 1")["factor"]
    (3, 2)
    """
    import inspect

    from . import sweeps

    _, function, kwargs = SWEEPS[name]
    defaults = {k: p.default for k, p in inspect.signature(getattr(sweeps, function)).parameters.items()
                if p.default is not inspect.Parameter.empty}
    return {**defaults, **kwargs}


def run_sweeps(seed=2025) -> dict:
    """Run every large sweep of `SWEEPS` (at least 10^6 instances each) on one seeded
    generator and return their summaries."""
    import time

    import numpy as np

    from . import sweeps

    rng = np.random.default_rng(seed)
    out = {}
    for name, (checks, function, kwargs) in SWEEPS.items():
        start = time.perf_counter()
        result = {"checks": checks.format(**sweep_arguments(name)),
                  **getattr(sweeps, function)(rng, **kwargs)}
        result["smallest_exact_slack"] = str(result["smallest_exact_slack"])
        result["seconds"] = round(time.perf_counter() - start, 1)
        out[name] = result
    return out


def _cell(text):
    """Text for a markdown table cell (a | would end the cell)."""
    return str(text).replace("|", r"\|").replace("\n", " ")


def plain(text) -> str:
    r"""Text shown as written in markdown: the characters markdown and MyST read as markup
    (emphasis, code, math, roles, links, tables) are escaped.

    >>> print(plain("a_b * $x$ {role}`y`"))
    a\_b \* \$x\$ \{role\}\`y\`
    """
    return re.sub(r"([\\`*_{}\[\]<>$|#~])", r"\\\1", str(text))


def markdown_table(header, rows) -> str:
    r"""A markdown (MyST) table: rendered as a table in HTML and in LaTeX alike.

    >>> print(markdown_table(["a", "b"], [[1, "x|y"]]))
    | a | b |
    |---|---|
    | 1 | x\|y |
    """
    lines = ["| " + " | ".join(map(_cell, header)) + " |",
             "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(_cell, row)) + " |" for row in rows]
    return "\n".join(lines)


#: The kinds shown as columns of `kinds_table`, with their short headers.
GLANCE_COLUMNS = {"exact": "exact", "property": "float", "exhaustive": "every instance",
                  "symbolic": "SymPy", "smt": "SMT", "tightness": "tight",
                  "falsification": "stronger claim false", "monte_carlo": "Monte Carlo"}


def glance_table(rows) -> str:
    """The ledger at a glance, as a markdown table: per result (linked to its chapter), the
    tests of the statement itself, of helpers and of bad input, and the examples tried."""
    header = ["result", "tests of the statement", "tests of helpers", "input checks",
              "examples tried"]
    body = [[f"[{row['result']}]({row['chapter']}.md): {row['title']}", row["statement_tests"],
             row["helper_tests"], row["input_checks"], f"{row['examples']:,}"] for row in rows]
    return markdown_table(header, body)


def kinds_table(rows) -> str:
    """The tests of each result's statement by kind of evidence, as a markdown table ("n/a":
    the kind does not apply, "-": no test gives it)."""
    body = []
    for row in rows:
        cells = [row["result"]]
        for kind in GLANCE_COLUMNS:
            count = row["kinds"][kind]
            cells.append(count if count else "n/a" if row["evidence"][kind] else "-")
        body.append(cells)
    return markdown_table(["result", *GLANCE_COLUMNS.values()], body)


def sweep_table(sweep_data) -> str:
    """The large sweeps, one line each: what is checked, instances, violations in floats and in
    the exact re-check of the tightest instances, and the smallest exact slack."""
    header = ["result", "claim swept", "instances", "violations (float; exact)",
              "smallest exact slack"]
    body = [[name, sweep["checks"], instances_text(sweep["instances"]),
             f"{sweep['violations']}; {sweep['exact_violations']}",
             short_fraction(sweep["smallest_exact_slack"])] for name, sweep in sweep_data.items()]
    return markdown_table(header, body)


def short_fraction(text) -> str:
    r"""An exact number for a narrow column: as math when short, else rounded and marked so.

    >>> print(short_fraction("1/25"), short_fraction("2319553/17171700"))
    $1/25$ $\approx 0.1351$
    """
    if len(text) <= 9:
        return f"${text}$"
    return f"$\\approx {float(Fraction(text)):.4f}$"


def no_sweep_list(sweep_data) -> str:
    """The results of the paper without a sweep, and why none applies, as a markdown list."""
    return "\n".join(f"* **{r.name}**: {r.no_sweep}." for r in PAPER_RESULTS
                     if r.name not in sweep_data)


def instances_text(n) -> str:
    """A number of instances for a narrow column: a power of ten as such, else with commas.

    >>> instances_text(10**6), instances_text(20_000)
    ('$10^{6}$', '20,000')
    """
    power = len(str(n)) - 1
    return f"$10^{{{power}}}$" if n == 10**power else f"{n:,}"


def readable_test(test_id) -> str:
    """A test id as words that wrap in a table: its function's name, underscores as spaces.

    >>> readable_test("tests/test_steps_hardness.py::test_observation2_step1_not_breaking[x]")
    'observation2 step1 not breaking [x]'
    """
    name = test_id.split("::")[-1].removeprefix("test_")
    name, bracket, rest = name.partition("[")
    return name.replace("_", " ") + (f" [{rest}" if bracket else "")


def step_table(step_row) -> str:
    """One result's proof steps as a markdown table: number, claim, kind, and its check."""
    from . import steps

    body = []
    for s in step_row["steps"]:
        check = (s["citation"] if s["kind"] == "cited"
                 else "; ".join(readable_test(t) for t in s["tests"]))
        body.append([s["number"], s["claim"], steps.KIND_WORDS[s["kind"]], check])
    return markdown_table(["step", "claim", "kind", "checked by"], body)


def made_from(root=None) -> dict:
    """The commit (and its date) of the working tree, and whether the library differs from it."""
    log = _git("log", "-1", "--format=%H %cI", root=root)
    commit, date = log.split() if log and log.strip() else (None, None)
    status = _git("status", "--porcelain", "--", "hallu_proofs", root=root)
    return {"commit": commit, "date": date,
            "library_modified": bool(status.strip()) if status is not None else None}


def mutation_provenance(mutation_data=None, root=None) -> dict:
    """Which state of the library the mutation data refer to, and what changed since.

    The commit is the one the data record (``made_from``, written by ``make mutation``) or, for
    older data, the last commit that changed ``book/data/ledger_mutation.json``. Returns
    ``commit``, ``date`` (ISO, UTC offset) and ``changed`` (library files changed since that
    commit, in git's working tree), each None when git cannot tell.
    """
    made = (mutation_data or {}).get("made_from") or {}
    commit, date = made.get("commit"), made.get("date")
    if commit is None:
        log = _git("log", "-1", "--format=%H %cI", "--", "book/data/ledger_mutation.json",
                   root=root)
        if log and log.strip():
            commit, date = log.split()
    changed = None
    if commit:
        diff = _git("diff", "--name-only", commit, "--", "hallu_proofs", root=root)
        changed = sorted(diff.split()) if diff is not None else None
    return {"commit": commit, "date": date, "changed": changed}


def mutation_summary(results_lines, equivalent_lines) -> dict:
    r"""Mutation scores per module from ``mutmut results --all true`` and a list of equivalents.

    ``results_lines`` hold ``<mutant name>: <status>``; ``equivalent_lines`` hold
    ``<mutant name><TAB><reason>`` (blank lines and lines starting with # are skipped). A timeout
    counts as killed (the mutant made the tests hang). Two scores are given: ``score`` is killed /
    all mutants; ``score_without_equivalents`` leaves out the survivors that the list marks as
    equivalent. A listed mutant that was killed is not equivalent, and is counted in
    ``listed_but_killed`` (a stale list shows there).

    >>> summary = mutation_summary(["hallu_proofs.a.x_f__mutmut_1: killed",
    ...                             "hallu_proofs.a.x_f__mutmut_2: survived"],
    ...                            ["hallu_proofs.a.x_f__mutmut_2\ttext only shown to readers"])
    >>> summary["total"]["score"], summary["total"]["score_without_equivalents"]
    (0.5, 1.0)
    """
    equivalent = {}
    for line in equivalent_lines:
        if line.strip() and not line.startswith("#"):
            name, _, reason = line.partition("\t")
            equivalent[name.strip()] = reason.strip()
    keys = ("killed", "survived", "no tests", "not checked", "equivalent", "listed_but_killed")
    modules = {}
    for line in results_lines:
        name, _, status = line.strip().rpartition(": ")
        if not name.startswith("hallu_proofs."):
            continue
        module = modules.setdefault(name.split(".")[1], dict.fromkeys(keys, 0))
        if status in ("killed", "timeout"):
            module["killed"] += 1
            module["listed_but_killed"] += name in equivalent
        elif status == "survived" and name in equivalent:
            module["equivalent"] += 1
        elif status in module:
            module[status] += 1
        else:
            module["survived"] += 1  # suspicious or unknown: counted against the score
    total = {key: sum(m[key] for m in modules.values()) for key in keys}
    for counts in [*modules.values(), total]:
        everything = sum(counts[k] for k in keys[:5])
        counts["mutants"] = everything
        counts["score"] = round(counts["killed"] / everything, 4) if everything else 1.0
        judged = everything - counts["equivalent"]
        counts["score_without_equivalents"] = round(counts["killed"] / judged, 4) if judged else 1.0
    return {"modules": modules, "total": total, "equivalent_reasons": equivalent}


def main(argv=None):
    """Write ledger data.

    ``python -m hallu_proofs.ledger OUT.json`` runs the sweeps and writes their summaries;
    ``python -m hallu_proofs.ledger mutation RESULTS.txt EQUIVALENTS.txt OUT.json`` writes the
    mutation score.
    """
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) == 4 and argv[0] == "mutation":
        summary = mutation_summary(Path(argv[1]).read_text().splitlines(),
                                   Path(argv[2]).read_text().splitlines())
        summary["made_from"] = made_from()
        Path(argv[3]).write_text(json.dumps(summary, indent=1))
    elif len(argv) == 1:
        Path(argv[0]).write_text(json.dumps(run_sweeps(), indent=1))
    else:
        raise SystemExit("usage: python -m hallu_proofs.ledger OUT.json\n"
                         "       python -m hallu_proofs.ledger mutation RESULTS EQUIVALENTS OUT.json")


if __name__ == "__main__":
    main()
