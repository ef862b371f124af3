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

import json
import sys
from dataclasses import dataclass
from pathlib import Path

#: What a test can establish about a result.
KINDS = {
    "definition": "the definition, implemented as stated",
    "exact": "exact (Fraction) check on random instances",
    "property": "float property on random instances",
    "symbolic": "SymPy re-derivation",
    "tightness": "tightness witness",
    "falsification": "stronger claim shown false",
    "monte_carlo": "seeded simulation with an exact binomial test",
    "validation": "bad input refused",
}


@dataclass(frozen=True)
class PaperResult:
    """One numbered result of the paper (or the unnumbered poor-model inequality)."""

    name: str
    title: str
    chapter: str
    #: Why a kind of evidence does not apply, for the kinds that do not.
    not_applicable: tuple = ()


_DEFINITION = (("tightness", "a definition states no inequality"),
               ("falsification", "a definition states no inequality"))

PAPER_RESULTS = (
    PaperResult("Definition 1", "Arbitrary Facts model", "arbitrary_facts", _DEFINITION),
    PaperResult("Definition 2", "singleton rate", "arbitrary_facts", _DEFINITION),
    PaperResult("Definition 3", "breaking an encryption scheme", "hardness", _DEFINITION),
    PaperResult("Theorem 1", "the Is-It-Valid reduction with prompts", "iiv_reduction"),
    PaperResult("Theorem 2", "hallucinations of arbitrary facts vs the singleton rate",
                "arbitrary_facts"),
    PaperResult("Theorem 3", "pure multiple choice", "poor_models"),
    PaperResult("Theorem 4", "pure multiple choice, for some threshold", "poor_models"),
    PaperResult("Corollary 1", "the Is-It-Valid reduction without prompts", "iiv_reduction"),
    PaperResult("Corollary 2", "trigram models err on her/his mind", "poor_models"),
    PaperResult("Corollary 3", "Good-Turing missing-mass concentration", "missing_mass"),
    PaperResult("Lemma 1", "singleton rate vs missing mass with abstentions", "missing_mass"),
    PaperResult("Lemma 2", "twice the IIV error exceeds the singleton rate", "arbitrary_facts"),
    PaperResult("Observation 1", "binary grading never rewards abstaining", "evaluation"),
    PaperResult("Observation 2", "errors on hard decryption problems", "hardness"),
    PaperResult("Poor-model inequality", "err >= 2 opt(G) - max|V_c|/min|E_c| - delta",
                "poor_models"),
)


class LedgerError(ValueError):
    """The ledger data do not cover every result with passing tests."""


#: Where the ledger's data live: ``book/data`` of the repository that holds this package.
DATA_DIR = Path(__file__).resolve().parent.parent / "book" / "data"


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


def ledger_rows(test_data: dict, sweep_data: dict) -> list:
    """One row per paper result, joining test records and sweep results.

    Raises
    ------
    LedgerError
        If a result has no test, a failing test, or a record names an unknown result.
    """
    known = {r.name for r in PAPER_RESULTS}
    records = test_data["tests"]
    unknown = {name for rec in records for name in rec["results"]} - known
    if unknown:
        raise LedgerError(f"tests name results the paper does not have: {sorted(unknown)}")
    odd_kinds = {kind for rec in records for kind in rec["kinds"]} - set(KINDS)
    if odd_kinds:
        raise LedgerError(f"tests give kinds of evidence the ledger does not know: {sorted(odd_kinds)}")
    rows = []
    for result in PAPER_RESULTS:
        mine = [rec for rec in records if result.name in rec["results"]]
        if not mine:
            raise LedgerError(f"{result.name}: no test checks it")
        failing = [rec["test"] for rec in mine if rec["outcome"] != "passed"]
        if failing:
            raise LedgerError(f"{result.name}: failing tests {failing}")
        by_kind = {kind: [rec for rec in mine if kind in rec["kinds"]] for kind in KINDS}
        reasons = dict(result.not_applicable)
        rows.append({
            "result": result.name,
            "title": result.title,
            "chapter": result.chapter,
            "functions": sorted({f for rec in mine for f in rec["functions"]}),
            "tests": len(mine),
            "examples": sum(rec["examples"] for rec in mine),
            "kinds": {kind: len(recs) for kind, recs in by_kind.items()},
            "evidence": {
                kind: ([rec["doc"] or rec["test"] for rec in recs] if recs
                       else [f"n/a: {reasons[kind]}"] if kind in reasons else [])
                for kind, recs in by_kind.items()
            },
            "monte_carlo_runs": sum(rec["notes"].get("monte_carlo_runs", 0) for rec in mine),
            "sweep": sweep_data.get(result.name),
        })
    return rows


def run_sweeps(seed=2025) -> dict:
    """Run every large sweep (at least 10^6 instances each) and return their summaries."""
    import time

    import numpy as np

    from . import sweeps

    rng = np.random.default_rng(seed)
    runs = {
        "Theorem 1": ("err >= 2 err_iiv - max|V_c|/min|E_c| - delta, 3 prompts",
                      lambda: sweeps.theorem1_sweep(rng, n_prompts=3)),
        "Corollary 1": ("err >= 2 err_iiv - |V|/|E| - delta, one prompt",
                        lambda: sweeps.theorem1_sweep(rng, n_prompts=1)),
        "Poor-model inequality": ("err >= 2 opt(G) - max|V_c|/min|E_c| - delta",
                                  lambda: sweeps.poor_model_sweep(rng)),
        "Theorem 4": ("Eq. (11): err >= 2 (1 - 1/C) E_t err_iiv(f_t)",
                      lambda: sweeps.theorem4_sweep(rng)),
        "Observation 1": ("best answer's expected score > every abstention's",
                          lambda: sweeps.observation1_sweep(rng)),
        "Corollary 3": ("proof step 1: 0 <= E[GT] - E[M] <= 1/N",
                        lambda: sweeps.good_turing_bias_sweep(rng)),
    }
    out = {}
    for name, (checks, run) in runs.items():
        start = time.perf_counter()
        result = {"checks": checks, **run()}
        result["smallest_exact_slack"] = str(result["smallest_exact_slack"])
        result["seconds"] = round(time.perf_counter() - start, 1)
        out[name] = result
    return out


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
        Path(argv[3]).write_text(json.dumps(summary, indent=1))
    elif len(argv) == 1:
        Path(argv[0]).write_text(json.dumps(run_sweeps(), indent=1))
    else:
        raise SystemExit("usage: python -m hallu_proofs.ledger OUT.json\n"
                         "       python -m hallu_proofs.ledger mutation RESULTS EQUIVALENTS OUT.json")


if __name__ == "__main__":
    main()


def ledger_table_html(rows: list) -> str:
    """The ledger as a compact HTML table: one row per result, one column per kind of evidence.

    Cells count the tests of each kind; "n/a" carries the reason as a tooltip.
    """
    from html import escape

    def cell(row, kind):
        count = row["kinds"][kind]
        if count:
            return str(count)
        evidence = row["evidence"][kind]
        return f'<span title="{escape(evidence[0])}">n/a</span>' if evidence else "&mdash;"

    columns = {"exact": "exact", "property": "float", "symbolic": "SymPy", "tightness": "tight",
               "falsification": "stronger claim false", "monte_carlo": "Monte Carlo"}
    head = "".join(f'<th title="{escape(KINDS[k])}">{escape(short)}</th>' for k, short in columns.items())
    body = []
    for row in rows:
        sweep = row["sweep"]
        swept = (f"{sweep['instances']:,}; {sweep['violations']} violations; "
                 f"min slack {escape(sweep['smallest_exact_slack'])}" if sweep else "&mdash;")
        functions = ", ".join(f"<code>{escape(f)}</code>" for f in row["functions"])
        body.append(
            f"<tr><td><a href=\"{row['chapter']}.html\">{escape(row['result'])}</a><br>"
            f"<small>{escape(row['title'])}</small></td>"
            f"<td>{row['tests']}</td><td>{row['examples']:,}</td>"
            + "".join(f"<td>{cell(row, k)}</td>" for k in columns)
            + f"<td>{row['monte_carlo_runs'] or '&mdash;'}</td><td><small>{swept}</small></td>"
            f"<td><small>{functions}</small></td></tr>"
        )
    return (
        '<table class="table ledger" style="font-size: 0.8em"><thead><tr><th>result</th>'
        "<th>tests</th><th>examples tried</th>" + head + "<th>simulated runs</th>"
        "<th>large sweep (instances; violations; smallest exact slack)</th><th>library</th>"
        "</tr></thead><tbody>" + "".join(body) + "</tbody></table>"
    )
