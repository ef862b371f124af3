"""The verification ledger is generated from the suite's own records and refuses gaps."""

import ast
import copy
import json
import re
import sys
from fractions import Fraction as F
from html import escape
from pathlib import Path

import numpy as np
import pytest

from hallu_proofs import ledger

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "book" / "data"


@pytest.fixture(scope="module")
def data():
    return ledger.load_json(DATA / "ledger_tests.json"), ledger.load_json(DATA / "ledger_sweeps.json")


def marked_tests():
    """(file, function) of every test function carrying a @pytest.mark.result marker."""
    found = set()
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "result"
                for d in node.decorator_list
            ):
                found.add((f"tests/{path.name}", node.name))
    return found


def test_every_result_of_the_paper_has_passing_tests(data):
    """Each numbered result (and the poor-model inequality) has a row; no recorded test failed."""
    rows = ledger.ledger_rows(*data)
    assert [row["result"] for row in rows] == [r.name for r in ledger.PAPER_RESULTS]
    assert all(row["tests"] > 0 for row in rows)


def test_ledger_data_is_up_to_date_with_the_tests(data):
    """Every marked test of the suite is in the committed ledger data (else: run `make ledger`)."""
    recorded = {tuple(rec["test"].split("[")[0].split("::")) for rec in data[0]["tests"]}
    missing = marked_tests() - recorded
    assert not missing, f"not in book/data/ledger_tests.json, run `make ledger`: {sorted(missing)}"


def test_every_inequality_has_tightness_and_falsification_evidence(data):
    """Apart from definitions, every result has a tightness witness and a falsified stronger claim."""
    for row in ledger.ledger_rows(*data):
        if row["result"].startswith("Definition"):
            continue
        assert row["kinds"]["tightness"] > 0, row["result"]
        assert row["kinds"]["falsification"] > 0, row["result"]


def test_a_missing_result_is_refused(data):
    """Dropping the records of one result makes the ledger refuse to build."""
    tests, sweeps = copy.deepcopy(data)
    tests["tests"] = [rec for rec in tests["tests"] if "Lemma 2" not in rec["results"]]
    with pytest.raises(ledger.LedgerError, match="Lemma 2: no test checks it"):
        ledger.ledger_rows(tests, sweeps)


def test_a_failing_test_is_refused(data):
    """A recorded failure makes the ledger refuse to build."""
    tests, sweeps = copy.deepcopy(data)
    tests["tests"][0]["outcome"] = "failed"
    with pytest.raises(ledger.LedgerError, match="failing tests"):
        ledger.ledger_rows(tests, sweeps)


def test_an_unknown_result_name_is_refused(data):
    tests, sweeps = copy.deepcopy(data)
    tests["tests"][0]["results"] = ["Theorem 5"]
    with pytest.raises(ledger.LedgerError, match="Theorem 5"):
        ledger.ledger_rows(tests, sweeps)


def test_missing_data_file_says_how_to_make_it(tmp_path):
    with pytest.raises(ledger.LedgerError, match="make ledger"):
        ledger.load_json(tmp_path / "absent.json")


def test_sweeps_cover_the_deterministic_inequalities(data):
    """The sweeps cover Corollary 1, Theorem 1, the poor-model inequality, Theorem 4,
    Observation 1 and the Good-Turing bias bound, each on at least 10^6 instances, no violation."""
    sweeps = data[1]
    for name in ("Corollary 1", "Theorem 1", "Poor-model inequality", "Theorem 4",
                 "Observation 1", "Corollary 3"):
        assert sweeps[name]["instances"] >= 10**6
        assert sweeps[name]["violations"] == 0 and sweeps[name]["exact_violations"] == 0
        assert sweeps[name]["exact_rechecked"] == 1000


def reference_row(result, records, sweep_data):
    """A ledger row built by plain loops over the records, straight from the ledger's description."""
    mine = [rec for rec in records if result.name in rec["results"]]
    reasons = dict(result.not_applicable)
    kinds, evidence = {}, {}
    for kind in ledger.KINDS:
        recs = [rec for rec in mine if kind in rec["kinds"]]
        kinds[kind] = len(recs)
        if recs:
            evidence[kind] = [rec["doc"] if rec["doc"] else rec["test"] for rec in recs]
        else:
            evidence[kind] = [f"n/a: {reasons[kind]}"] if kind in reasons else []
    functions = set()
    examples = runs = 0
    for rec in mine:
        functions.update(rec["functions"])
        examples += rec["examples"]
        runs += rec["notes"]["monte_carlo_runs"] if "monte_carlo_runs" in rec["notes"] else 0
    return {"result": result.name, "title": result.title, "chapter": result.chapter,
            "functions": sorted(functions), "tests": len(mine), "examples": examples, "kinds": kinds,
            "evidence": evidence, "monte_carlo_runs": runs,
            "sweep": sweep_data[result.name] if result.name in sweep_data else None}


def test_rows_join_the_records_as_described(data):
    """Every field of every row equals the plain-loop join of the committed records."""
    rows = ledger.ledger_rows(*data)
    assert rows == [reference_row(r, data[0]["tests"], data[1]) for r in ledger.PAPER_RESULTS]
    assert any(row["monte_carlo_runs"] > 0 for row in rows) and any(row["sweep"] for row in rows)


def test_rows_of_a_small_hand_made_ledger(data):
    """Records without a docstring show their test id; n/a reasons show where a kind is missing."""
    records = []
    for i, result in enumerate(ledger.PAPER_RESULTS):
        records.append({"test": f"t{i}", "results": [result.name], "kinds": ["exact"],
                        "functions": [f"f{i}", "shared"], "outcome": "passed", "examples": i + 1,
                        "notes": {}, "doc": None})
    records.append({"test": "mc", "results": ["Theorem 1", "Definition 1"],
                    "kinds": ["monte_carlo", "exact"], "functions": ["shared"], "outcome": "passed",
                    "examples": 10, "notes": {"monte_carlo_runs": 7}, "doc": "a simulation"})
    sweeps = {"Theorem 1": {"instances": 5}}
    rows = ledger.ledger_rows({"tests": records}, sweeps)
    assert rows == [reference_row(r, records, sweeps) for r in ledger.PAPER_RESULTS]
    definition1 = rows[0]
    assert definition1["evidence"]["exact"] == ["t0", "a simulation"]
    assert definition1["evidence"]["tightness"] == ["n/a: a definition states no inequality"]
    assert definition1["evidence"]["symbolic"] == []
    assert definition1["monte_carlo_runs"] == 7 and definition1["examples"] == 11


def test_an_unknown_kind_is_refused(data):
    tests, sweeps = copy.deepcopy(data)
    tests["tests"][0]["kinds"] = ["hunch", "exact"]
    with pytest.raises(ledger.LedgerError, match=r"kinds of evidence the ledger does not know: \['hunch'\]"):
        ledger.ledger_rows(tests, sweeps)


def test_the_refusals_name_what_is_wrong(data):
    tests, sweeps = copy.deepcopy(data)
    tests["tests"][0]["results"] = ["Theorem 9", "Theorem 5"]
    unknown = r"results the paper does not have: \['Theorem 5', 'Theorem 9'\]"
    with pytest.raises(ledger.LedgerError, match=unknown):
        ledger.ledger_rows(tests, sweeps)
    tests, sweeps = copy.deepcopy(data)
    failed = next(rec for rec in tests["tests"] if "Lemma 1" in rec["results"])
    failed["outcome"] = "skipped"
    failing = r"^Lemma 1: failing tests \[" + re.escape(repr(failed["test"]))
    with pytest.raises(ledger.LedgerError, match=failing):
        ledger.ledger_rows(tests, sweeps)


def test_load_json_reads_a_file(tmp_path):
    path = tmp_path / "ledger.json"
    path.write_text('{"a": [1, 2]}')
    assert ledger.load_json(str(path)) == {"a": [1, 2]}
    with pytest.raises(ledger.LedgerError, match=r"^ledger data file .*absent\.json is missing"):
        ledger.load_json(str(tmp_path / "absent.json"))


SWEEP_NAMES = ["theorem1_sweep", "poor_model_sweep", "theorem4_sweep", "observation1_sweep",
               "good_turing_bias_sweep"]


@pytest.fixture
def fake_sweeps(monkeypatch):
    """Replace the large sweeps by stand-ins that record their calls; the clock ticks 0.26 s a call."""
    import time

    from hallu_proofs import sweeps

    calls = []

    def fake(name):
        def run(rng, **kwargs):
            calls.append((name, rng, kwargs))
            return {"instances": len(calls), "smallest_exact_slack": F(len(calls), 7)}
        return run

    for name in SWEEP_NAMES:
        monkeypatch.setattr(sweeps, name, fake(name))
    clock = iter(0.26 * i for i in range(1000))
    monkeypatch.setattr(time, "perf_counter", lambda: next(clock))
    return calls


def test_run_sweeps_runs_each_sweep_once_on_one_seeded_generator(fake_sweeps):
    out = ledger.run_sweeps(seed=7)
    assert list(out) == ["Theorem 1", "Corollary 1", "Poor-model inequality", "Theorem 4",
                         "Observation 1", "Corollary 3"]
    assert [(name, kwargs) for name, _, kwargs in fake_sweeps] == [
        ("theorem1_sweep", {"n_prompts": 3}), ("theorem1_sweep", {"n_prompts": 1}),
        ("poor_model_sweep", {}), ("theorem4_sweep", {}), ("observation1_sweep", {}),
        ("good_turing_bias_sweep", {})]
    rng = fake_sweeps[0][1]
    assert all(call[1] is rng for call in fake_sweeps)
    assert rng.random() == np.random.default_rng(7).random()
    for i, summary in enumerate(out.values(), start=1):
        assert summary["instances"] == i
        assert summary["smallest_exact_slack"] == str(F(i, 7))
        assert summary["seconds"] == round(0.26, 1)
        assert isinstance(summary["checks"], str) and summary["checks"]


def test_run_sweeps_default_seed(fake_sweeps):
    ledger.run_sweeps()
    assert fake_sweeps[0][1].random() == np.random.default_rng(2025).random()


def test_main_writes_the_sweep_summaries(fake_sweeps, tmp_path, monkeypatch):
    out = tmp_path / "sweeps.json"
    ledger.main([str(out)])
    written = json.loads(out.read_text())
    assert list(written) == ["Theorem 1", "Corollary 1", "Poor-model inequality", "Theorem 4",
                             "Observation 1", "Corollary 3"]
    assert written["Theorem 4"]["smallest_exact_slack"] == "4/7"
    assert out.read_text() == json.dumps(written, indent=1)
    monkeypatch.setattr(sys, "argv", ["ledger", str(tmp_path / "from_argv.json")])
    ledger.main()
    assert json.loads((tmp_path / "from_argv.json").read_text())["Corollary 3"]["instances"] == 12


@pytest.mark.parametrize("argv", [[], ["a.json", "b.json"], ["mutation", "a", "b"], ["mut", "a", "b", "c"]])
def test_main_needs_exactly_one_output_path(argv, monkeypatch, fake_sweeps):
    monkeypatch.setattr(sys, "argv", ["ledger", *argv])
    with pytest.raises(SystemExit, match=r"^usage: python -m hallu_proofs\.ledger OUT\.json\n"):
        ledger.main()
    with pytest.raises(SystemExit, match="usage"):
        ledger.main(argv)
    assert fake_sweeps == []  # refused before any sweep ran


def html_cells(row_html):
    return re.findall(r"<td>(.*?)</td>", row_html)


def test_html_table_has_one_row_per_result_with_its_counts(data):
    rows = ledger.ledger_rows(*data)
    html = ledger.ledger_table_html(rows)
    assert html.startswith('<table class="table ledger"') and html.endswith("</tbody></table>")
    head = re.findall(r"<th(?: [^>]*)?>(.*?)</th>", html.split("</thead>")[0])
    assert len(head) == 12 and head[0] == "result"
    titles = re.findall(r'<th title="(.*?)">', html)
    columns = ["exact", "property", "symbolic", "tightness", "falsification", "monte_carlo"]
    assert titles == [ledger.KINDS[kind] for kind in columns]
    body = re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>")[1])
    assert len(body) == len(rows)
    # Nothing but the cells inside the table's skeleton.
    skeleton = re.sub(r"<t([dh])(?: [^>]*)?>.*?</t\1>", "", html)
    assert skeleton == ('<table class="table ledger" style="font-size: 0.8em"><thead><tr></tr></thead>'
                        "<tbody>" + "<tr></tr>" * len(rows) + "</tbody></table>")
    for row, tr in zip(rows, body):
        cells = html_cells(tr)
        assert len(cells) == 12
        assert cells[0] == (f'<a href="{row["chapter"]}.html">{escape(row["result"])}</a><br>'
                            f'<small>{escape(row["title"])}</small>')
        assert cells[1:3] == [str(row["tests"]), f"{row['examples']:,}"]
        for kind, cell in zip(columns, cells[3:9]):
            if row["kinds"][kind]:
                assert cell == str(row["kinds"][kind])
            elif row["evidence"][kind]:
                assert cell == f'<span title="{escape(row["evidence"][kind][0])}">n/a</span>'
            else:
                assert cell == "&mdash;"
        assert cells[9] == (str(row["monte_carlo_runs"]) if row["monte_carlo_runs"] else "&mdash;")
        sweep = row["sweep"]
        want = (f"{sweep['instances']:,}; {sweep['violations']} violations; "
                f"min slack {escape(sweep['smallest_exact_slack'])}" if sweep else "&mdash;")
        assert cells[10] == f"<small>{want}</small>"
        functions = ", ".join(f"<code>{escape(f)}</code>" for f in row["functions"])
        assert cells[11] == f"<small>{functions}</small>"


def test_html_table_escapes_text():
    """Titles, reasons, slacks and function names are HTML-escaped."""
    kinds = {kind: 0 for kind in ledger.KINDS}
    row = {"result": "R<1>", "title": "a & b", "chapter": "c", "functions": ["f<x>"], "tests": 1,
           "examples": 1234, "kinds": {**kinds, "exact": 2},
           "evidence": {**{kind: [] for kind in ledger.KINDS}, "tightness": ['n/a: "x" < y']},
           "monte_carlo_runs": 5,
           "sweep": {"instances": 10**6, "violations": 0, "smallest_exact_slack": "<0"}}
    cells = html_cells(ledger.ledger_table_html([row]).split("<tbody>")[1])
    assert cells[0] == '<a href="c.html">R&lt;1&gt;</a><br><small>a &amp; b</small>'
    assert cells[2] == "1,234" and cells[3] == "2" and cells[4] == "&mdash;"
    assert cells[6] == '<span title="n/a: &quot;x&quot; &lt; y">n/a</span>'
    assert cells[9] == "5"
    assert cells[10] == "<small>1,000,000; 0 violations; min slack &lt;0</small>"
    assert cells[11] == "<small><code>f&lt;x&gt;</code></small>"


def test_mutation_summary_counts_per_module(tmp_path):
    """Timeouts count as killed; listed equivalents leave the second score's denominator only when
    they survived; a listed mutant that was killed is reported as such."""
    results = ["hallu_proofs.a.x_f__mutmut_1: killed", "hallu_proofs.a.x_f__mutmut_2: survived",
               "hallu_proofs.a.x_f__mutmut_3: timeout", "hallu_proofs.b.x_g__mutmut_1: no tests",
               "hallu_proofs.b.x_g__mutmut_2: not checked", "hallu_proofs.b.x_g__mutmut_3: suspicious",
               "other.x_h__mutmut_1: killed"]
    equivalents = ["# reasons", "", "hallu_proofs.a.x_f__mutmut_2\ttext only shown to readers"]
    summary = ledger.mutation_summary(results, equivalents)
    a, b = summary["modules"]["a"], summary["modules"]["b"]
    assert (a["killed"], a["survived"], a["equivalent"], a["mutants"]) == (2, 0, 1, 3)
    assert (a["score"], a["score_without_equivalents"]) == (round(2 / 3, 4), 1.0)
    assert (b["killed"], b["survived"], b["no tests"], b["not checked"]) == (0, 1, 1, 1)
    assert b["score"] == 0.0 and set(summary["modules"]) == {"a", "b"}
    assert summary["total"]["killed"] == 2 and summary["total"]["score"] == round(2 / 6, 4)
    assert summary["total"]["score_without_equivalents"] == round(2 / 5, 4)
    assert summary["equivalent_reasons"] == {"hallu_proofs.a.x_f__mutmut_2": "text only shown to readers"}
    stale = ledger.mutation_summary(results, ["hallu_proofs.a.x_f__mutmut_1\tnot really"])
    assert stale["modules"]["a"]["listed_but_killed"] == 1 and stale["modules"]["a"]["equivalent"] == 0
    paths = [tmp_path / name for name in ("results.txt", "equivalents.txt", "out.json")]
    paths[0].write_text("\n".join(results))
    paths[1].write_text("\n".join(equivalents))
    ledger.main(["mutation", *map(str, paths)])
    assert json.loads(paths[2].read_text()) == summary
    assert paths[2].read_text() == json.dumps(summary, indent=1)


def test_mutation_summary_counts_every_line_exactly():
    """Counts add up over repeated statuses, a foreign line in the middle is skipped (not the end
    of the input), a reason may hold a tab, a listed but killed mutant is not in the denominator
    twice, scores round to 4 places, and an empty run scores 1."""
    results = [
        "hallu_proofs.a.x_f__mutmut_1: killed", "hallu_proofs.a.x_f__mutmut_2: killed",
        "hallu_proofs.a.x_f__mutmut_3: survived", "hallu_proofs.a.x_f__mutmut_4: survived",
        "hallu_proofs.a.x_f__mutmut_5: timeout", "other.x_h__mutmut_1: killed",
        "hallu_proofs.b.x_g__mutmut_1: no tests", "hallu_proofs.b.x_g__mutmut_2: no tests",
        "hallu_proofs.b.x_g__mutmut_3: not checked", "hallu_proofs.b.x_g__mutmut_4: suspicious",
        "hallu_proofs.b.x_g__mutmut_5: segfault", "hallu_proofs.b.x_g__mutmut_6: survived",
        "hallu_proofs.c.x_k__mutmut_1: killed", "hallu_proofs.c.x_k__mutmut_2: survived",
        "hallu_proofs.c.x_k__mutmut_3: survived",
    ]
    equivalents = ["# a comment", "", "hallu_proofs.a.x_f__mutmut_2\tkilled after all",
                   "hallu_proofs.a.x_f__mutmut_3\ta reason\twith a tab"]
    summary = ledger.mutation_summary(results, equivalents)
    a, b, c = (summary["modules"][name] for name in "abc")
    assert set(summary["modules"]) == {"a", "b", "c"}
    assert a == {"killed": 3, "survived": 1, "no tests": 0, "not checked": 0, "equivalent": 1,
                 "listed_but_killed": 1, "mutants": 5, "score": 0.6, "score_without_equivalents": 0.75}
    assert b == {"killed": 0, "survived": 3, "no tests": 2, "not checked": 1, "equivalent": 0,
                 "listed_but_killed": 0, "mutants": 6, "score": 0.0, "score_without_equivalents": 0.0}
    assert (c["mutants"], c["score"], c["score_without_equivalents"]) == (3, 0.3333, 0.3333)
    total = summary["total"]
    assert (total["killed"], total["survived"], total["mutants"]) == (4, 6, 14)
    assert (total["score"], total["score_without_equivalents"]) == (0.2857, 0.3077)
    assert summary["equivalent_reasons"]["hallu_proofs.a.x_f__mutmut_3"] == "a reason\twith a tab"
    empty = ledger.mutation_summary([], [])["total"]
    assert (empty["mutants"], empty["score"], empty["score_without_equivalents"]) == (0, 1.0, 1.0)
