"""The verification ledger is generated from the suite's own records and refuses gaps."""

import ast
import copy
import functools
import json
import re
import sys
from fractions import Fraction as F
from pathlib import Path

import numpy as np
import pytest

from hallu_proofs import ledger, steps
from hallu_proofs import sweeps as sweeps_module
from hallu_proofs.steps import Step

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "book" / "data"
EMPTY_TABLES = {"c": {}}  # step tables without supporting results, for hand-made ledgers
# The records' digest is of a checkout's sources: a copy of the library (mutmut's mutants/,
# which holds mutated code) is not the checkout the records were made from.
_TOP = ledger._git("rev-parse", "--show-toplevel")
in_checkout = pytest.mark.skipif(_TOP is None or Path(_TOP.strip()).resolve() != ROOT,
                                 reason="not the root of a git checkout of the project")


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
    """Each numbered result (and the poor-model inequality) has a row, then each supporting
    result of the step tables; no recorded test failed."""
    rows = ledger.ledger_rows(*data)
    supporting = ledger.supporting_results()
    assert [row["result"] for row in rows] == [r.name for r in ledger.PAPER_RESULTS] + list(supporting)
    assert all(row["tests"] > 0 and row["statement_tests"] > 0 for row in rows if row["paper"])


@in_checkout
def test_ledger_data_was_made_from_these_sources(data):
    """The committed test records were made from the library and tests of this tree (else: run
    `make ledger`)."""
    ledger.check_sources(data[0])


def test_ledger_data_is_up_to_date_with_the_tests(data):
    """Every marked test of the suite is in the committed ledger data (else: run `make ledger`)."""
    recorded = {tuple(rec["test"].split("[")[0].split("::")) for rec in data[0]["tests"]}
    missing = marked_tests() - recorded
    assert not missing, f"not in book/data/ledger_tests.json, run `make ledger`: {sorted(missing)}"


def test_every_inequality_has_tightness_and_falsification_evidence(data):
    """Apart from definitions, every result has a tightness witness and a falsified stronger claim."""
    for row in ledger.ledger_rows(*data):
        if row["result"].startswith("Definition") or not row["paper"]:
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
    """The committed sweeps are those of SWEEPS, each on at least 10^6 instances, with no
    violation, made with the claims listed there."""
    sweeps = data[1]
    assert list(sweeps) == list(ledger.SWEEPS)
    for name in ledger.SWEEPS:
        assert sweeps[name]["checks"] == ledger.SWEEPS[name][0].format(**ledger.sweep_arguments(name))
        assert sweeps[name]["instances"] >= 10**6
        assert sweeps[name]["violations"] == 0 and sweeps[name]["exact_violations"] == 0
        assert sweeps[name]["exact_rechecked"] == 1000


def test_sweep_arguments_are_the_defaults_and_the_listed_ones():
    assert ledger.sweep_arguments("Corollary 1")["n_prompts"] == 1
    assert ledger.sweep_arguments("Poor-model inequality")["family_size"] == 3
    assert ledger.sweep_arguments("Observation 2")["n_messages"] == 5
    assert ledger.sweep_arguments("Good-Turing bias lemma")["n_instances"] == 10**6
    for name in ledger.SWEEPS:
        assert ledger.sweep_arguments(name)["n_instances"] >= 10**6


def test_every_result_has_a_sweep_or_says_why_not():
    """A paper result has a sweep, or a reason why none applies, never both; a sweep that is not
    of a paper result is named in the step tables or is the confidence-target rule."""
    for result in ledger.PAPER_RESULTS:
        assert (result.name in ledger.SWEEPS) != bool(result.no_sweep), result.name
    paper = {r.name for r in ledger.PAPER_RESULTS}
    assert set(ledger.SWEEPS) - paper <= set(ledger.supporting_results())
    for checks, function, kwargs in ledger.SWEEPS.values():
        assert callable(getattr(sweeps_module, function)) and isinstance(kwargs, dict) and checks


def reference_row(result, records, sweep_data, paper=True):
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
    examples = runs = statement = helpers = 0
    for rec in mine:
        functions.update(rec["functions"])
        examples += rec["examples"]
        runs += rec["notes"]["monte_carlo_runs"] if "monte_carlo_runs" in rec["notes"] else 0
        about_statement = any(kind not in ("helper", "validation") for kind in rec["kinds"])
        statement += about_statement
        helpers += not about_statement and "helper" in rec["kinds"]
    return {"result": result.name, "title": result.title, "chapter": result.chapter,
            "paper": paper, "functions": sorted(functions), "tests": len(mine),
            "statement_tests": statement, "helper_tests": helpers,
            "input_checks": len(mine) - statement - helpers, "examples": examples, "kinds": kinds,
            "evidence": evidence, "monte_carlo_runs": runs,
            "sweep": sweep_data[result.name] if result.name in sweep_data else None,
            "no_sweep": result.no_sweep}


def test_rows_join_the_records_as_described(data):
    """Every field of every row equals the plain-loop join of the committed records."""
    rows = ledger.ledger_rows(*data)
    supporting = [ledger.PaperResult(name, "supporting result", chapter)
                  for name, chapter in ledger.supporting_results().items()]
    assert rows == ([reference_row(r, data[0]["tests"], data[1]) for r in ledger.PAPER_RESULTS]
                    + [reference_row(r, data[0]["tests"], data[1], paper=False) for r in supporting])
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
    rows = ledger.ledger_rows({"tests": records}, sweeps, tables=EMPTY_TABLES)
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


SWEEP_NAMES = sorted({function for _, function, _ in ledger.SWEEPS.values()})


@pytest.fixture
def fake_sweeps(monkeypatch):
    """Replace the large sweeps by stand-ins that record their calls; the clock ticks 0.26 s a call."""
    import time

    from hallu_proofs import sweeps

    calls = []

    def fake(name):
        @functools.wraps(getattr(sweeps, name))  # keeps the signature and its defaults
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
    assert list(out) == ["Theorem 1", "Corollary 1", "Poor-model inequality", "Theorem 3",
                         "Theorem 4", "Observation 1", "Observation 2", "Good-Turing bias lemma",
                         "Confidence targets"]
    assert [(name, kwargs) for name, _, kwargs in fake_sweeps] == [
        ("theorem1_sweep", {"n_prompts": 3}), ("theorem1_sweep", {"n_prompts": 1}),
        ("poor_model_sweep", {}), ("theorem3_sweep", {}), ("theorem4_sweep", {}),
        ("observation1_sweep", {}), ("observation2_sweep", {}), ("good_turing_bias_sweep", {}),
        ("confidence_target_sweep", {})]
    rng = fake_sweeps[0][1]
    assert all(call[1] is rng for call in fake_sweeps)
    assert rng.random() == np.random.default_rng(7).random()
    for i, (name, summary) in enumerate(out.items(), start=1):
        assert summary["instances"] == i
        assert summary["smallest_exact_slack"] == str(F(i, 7))
        assert summary["seconds"] == round(0.26, 1)
        assert summary["checks"] == ledger.SWEEPS[name][0].format(**ledger.sweep_arguments(name))
    assert out["Theorem 1"]["checks"].endswith(", 3 prompts")
    assert out["Theorem 3"]["checks"].endswith("families of 3 models")
    assert out["Observation 2"]["checks"].endswith("$|\\mathcal M| = 5$")


def test_run_sweeps_default_seed(fake_sweeps):
    ledger.run_sweeps()
    assert fake_sweeps[0][1].random() == np.random.default_rng(2025).random()


def test_main_writes_the_sweep_summaries(fake_sweeps, tmp_path, monkeypatch):
    out = tmp_path / "sweeps.json"
    ledger.main([str(out)])
    written = json.loads(out.read_text())
    assert list(written) == list(ledger.SWEEPS)
    assert written["Theorem 3"]["smallest_exact_slack"] == "4/7"
    assert out.read_text() == json.dumps(written, indent=1)
    monkeypatch.setattr(sys, "argv", ["ledger", str(tmp_path / "from_argv.json")])
    ledger.main()
    assert json.loads((tmp_path / "from_argv.json").read_text())["Good-Turing bias lemma"]["instances"] == 17


@pytest.mark.parametrize("argv", [[], ["a.json", "b.json"], ["mutation", "a", "b"], ["mut", "a", "b", "c"]])
def test_main_needs_exactly_one_output_path(argv, monkeypatch, fake_sweeps):
    monkeypatch.setattr(sys, "argv", ["ledger", *argv])
    with pytest.raises(SystemExit, match=r"^usage: python -m hallu_proofs\.ledger OUT\.json\n"):
        ledger.main()
    with pytest.raises(SystemExit, match="usage"):
        ledger.main(argv)
    assert fake_sweeps == []  # refused before any sweep ran


def table_lines(markdown):
    """The cells of a markdown table, line by line (header first; the separator line dropped)."""
    lines = markdown.split("\n")
    assert set(lines[1]) == {"|", "-"}
    return [[cell.strip() for cell in re.split(r"(?<!\\)\|", line)[1:-1]]
            for i, line in enumerate(lines) if i != 1]


def test_glance_tables_have_one_row_per_result_with_its_counts(data):
    """Per result: a link to its chapter, tests of the statement, of helpers, input checks and
    examples; then the statement's tests per kind (n/a where a kind does not apply, - where none)."""
    rows = ledger.ledger_rows(*data)
    lines = table_lines(ledger.glance_table(rows))
    assert lines[0] == ["result", "tests of the statement", "tests of helpers", "input checks",
                        "examples tried"]
    assert len(lines) == len(rows) + 1
    for row, cells in zip(rows, lines[1:]):
        assert cells[0] == f"[{row['result']}]({row['chapter']}.md): {row['title']}".replace("|", "\\|")
        assert cells[1:] == [str(row["statement_tests"]), str(row["helper_tests"]),
                             str(row["input_checks"]), f"{row['examples']:,}"]
    lines = table_lines(ledger.kinds_table(rows))
    assert lines[0] == ["result", *ledger.GLANCE_COLUMNS.values()]
    assert list(ledger.GLANCE_COLUMNS) == ["exact", "property", "exhaustive", "symbolic", "smt",
                                           "tightness", "falsification", "monte_carlo"]
    for row, cells in zip(rows, lines[1:]):
        assert cells[0] == row["result"]
        for kind, cell in zip(ledger.GLANCE_COLUMNS, cells[1:]):
            want = row["kinds"][kind] or ("n/a" if row["evidence"][kind] else "-")
            assert cell == str(want)


def test_counts_split_statement_helpers_and_input_checks():
    """A test with a kind about the statement counts for it even when it is also a helper test;
    a helper-only test counts as a helper; validation-only as an input check."""
    records = [{"test": f"t{i}", "results": ["Theorem 1"], "kinds": kinds, "functions": [],
                "outcome": "passed", "examples": 1, "notes": {}, "doc": ""}
               for i, kinds in enumerate([["exact"], ["helper"], ["validation"], ["helper", "exact"],
                                          ["helper", "validation"], ["validation"]])]
    records += [{"test": f"r{r.name}", "results": [r.name], "kinds": ["exact"], "functions": [],
                 "outcome": "passed", "examples": 1, "notes": {}, "doc": ""}
                for r in ledger.PAPER_RESULTS if r.name != "Theorem 1"]
    row = ledger.ledger_rows({"tests": records}, {}, tables=EMPTY_TABLES)[3]
    assert row["result"] == "Theorem 1"
    assert (row["statement_tests"], row["helper_tests"], row["input_checks"]) == (2, 2, 2)
    assert row["kinds"]["helper"] == 3 and row["tests"] == 6


def test_sweep_tables_list_every_sweep_and_the_results_without_one():
    sweep_data = {"Theorem 1": {"checks": "a | b", "instances": 10**6, "violations": 2,
                                "exact_rechecked": 1000, "exact_violations": 1,
                                "smallest_exact_slack": "-1/25"}}
    lines = table_lines(ledger.sweep_table(sweep_data))
    assert lines == [["result", "claim swept", "instances", "violations (float; exact)",
                      "smallest exact slack"],
                     ["Theorem 1", "a \\| b", "$10^{6}$", "2; 1", "$-1/25$"]]
    assert ledger.short_fraction("-1234567/89") == "$\\approx -13871.5393$"
    assert ledger.short_fraction("123456789") == "$123456789$"
    without = [r for r in ledger.PAPER_RESULTS if r.name != "Theorem 1"]
    assert ledger.no_sweep_list(sweep_data).split("\n") == [f"* **{r.name}**: {r.no_sweep}."
                                                            for r in without]
    assert ledger.instances_text(10**6) == "$10^{6}$" and ledger.instances_text(10) == "$10^{1}$"
    assert ledger.instances_text(1) == "$10^{0}$" and ledger.instances_text(999_999) == "999,999"
    assert ledger.instances_text(2 * 10**6) == "2,000,000"


def test_markdown_table_escapes_bars_and_newlines():
    assert ledger.markdown_table(["a"], [["x|y\nz"]]) == "| a |\n|---|\n| x\\|y z |"
    assert ledger.markdown_table(["a", "b"], []) == "| a | b |\n|---|---|"


# --- proof steps -------------------------------------------------------------------------------

def record(test, results=("Theorem 1",), outcome="passed"):
    return {"test": test, "results": list(results), "kinds": ["exact"], "functions": [],
            "outcome": outcome, "examples": 1, "notes": {}, "doc": ""}


def small_tables():
    return {"iiv_reduction": {
        "Theorem 1": (Step("1", "err = $a$", "symbolic", tests=("tests/test_a.py::test_one",)),
                      Step("2", "b", "exact_random", tests=("tests/test_a.py::test_two",
                                                            "tests/test_a.py::test_one")),
                      Step("3", "c", "cited", citation="Hoeffding (1963)")),
        "Slack lemma": (Step("1", "d", "smt", tests=("tests/test_a.py::test_three",)),),
    }}


def small_records():
    return [record("tests/test_a.py::test_one"), record("tests/test_a.py::test_two[x]"),
            record("tests/test_a.py::test_two[y]"),
            record("tests/test_a.py::test_three", results=("Slack lemma", "Theorem 1"))]


def test_step_rows_of_small_tables():
    """Every step with its claim, kind and tests; kinds counted per result; a supporting result
    is marked as such."""
    rows = ledger.step_rows({"tests": small_records()}, small_tables())
    assert [(r["chapter"], r["result"], r["paper"]) for r in rows] == [
        ("iiv_reduction", "Theorem 1", True), ("iiv_reduction", "Slack lemma", False)]
    assert rows[0]["steps"][1] == {"number": "2", "claim": "b", "kind": "exact_random",
                                   "tests": ["tests/test_a.py::test_two", "tests/test_a.py::test_one"],
                                   "citation": ""}
    assert rows[0]["kinds"] == {**dict.fromkeys(steps.STEP_KINDS, 0), "symbolic": 1,
                                "exact_random": 1, "cited": 1}
    lines = table_lines(ledger.step_table(rows[0]))
    assert lines == [["step", "claim", "kind", "checked by"],
                     ["1", "err = $a$", "symbolic (SymPy)", "one"],
                     ["2", "b", "exact random", "two; one"],
                     ["3", "c", "cited", "Hoeffding (1963)"]]


@pytest.mark.parametrize("change, message", [
    (lambda recs: recs.pop(0), r"step 1: tests/test_a\.py::test_one is not recorded"),
    (lambda recs: recs[2].update(outcome="failed"),
     r"step 2: tests/test_a\.py::test_two did not pass: \['tests/test_a\.py::test_two\[y\]'\]"),
    (lambda recs: recs[0].update(results=["Slack lemma"]),
     r"Theorem 1, step 1: tests/test_a\.py::test_one is recorded for \['Slack lemma'\], not for "
     r"'Theorem 1'"),
    (lambda recs: recs.clear(), r"^4 problems with the proof-step tables"),
])
def test_an_unchecked_step_is_refused(change, message):
    """A step whose test is not recorded, did not pass (one parameter is enough), or is recorded
    for another result, makes the step ledger refuse to build."""
    records = small_records()
    change(records)
    with pytest.raises(ledger.LedgerError, match=message):
        ledger.step_rows({"tests": records}, small_tables())


def test_step_problems_of_malformed_tables():
    """Entries that are not tuples of Step, repeated numbers and ids that are not pytest ids."""
    tables = {"c": {"Theorem 1": [Step("1", "a", "cited", citation="x")],
                    "Theorem 2": (Step("1", "a", "cited", citation="x"),
                                  Step("1", "b", "exact_random", tests=("test_a",)))}}
    assert steps.step_problems({"tests": []}, tables) == [
        "c, Theorem 1: the entry must be a tuple of Step",
        "c, Theorem 2: step numbers used twice: ['1']",
        "c, Theorem 2, step 1: 'test_a' is not a pytest node id (tests/test_x.py::test_name)"]


def test_step_refuses_bad_fields():
    with pytest.raises(ValueError, match=r"^step 4: kind must be one of \['cited', "):
        Step("4", "a", "hunch", tests=("t::t",))
    with pytest.raises(ValueError, match=r"^step 4: a cited step needs a citation$"):
        Step("4", "a", "cited")
    with pytest.raises(ValueError, match=r"^step 4: a smt step needs the tests that check it$"):
        Step("4", "a", "smt")
    with pytest.raises(TypeError, match=r"^step 4: tests must be a tuple of test ids, got a string$"):
        Step("4", "a", "smt", tests="tests/test_a.py::test_b")


def test_coverage_counts_and_says_it():
    """Counts per kind (every kind listed), checked and unchecked steps, per chapter or in all."""
    tables = {**small_tables(), "evaluation": {"Observation 1": (
        Step("1", "e", "float_random", tests=("tests/test_b.py::test_four",)),)}}
    data = {"tests": small_records()}
    whole = steps.coverage(test_data=data, tables=tables)
    assert (whole["results"], whole["steps"], whole["checked"], whole["unchecked"]) == (3, 5, 4, 1)
    assert whole["kinds"] == {"symbolic": 1, "smt": 1, "exhaustive": 0, "exact_random": 1,
                              "float_random": 1, "cited": 1}
    assert whole["text"] == ("5 proof steps, 1 of them not yet checked; kinds: 1 symbolic (SymPy), "
                             "1 SMT, 1 exact random, 1 float random, 1 cited")
    one = steps.coverage("iiv_reduction", test_data=data, tables=tables)
    assert (one["results"], one["steps"], one["unchecked"]) == (2, 4, 0)
    assert one["text"] == ("4 proof steps, all checked: 1 symbolic (SymPy), 1 SMT, 1 exact random, "
                           "1 cited")
    assert steps.coverage("evaluation", test_data={"tests": []}, tables={"evaluation": {}})["text"] \
        == "no proof steps listed"
    with pytest.raises(ValueError, match=r"^chapter must be one of \['evaluation', 'iiv_reduction'\]"):
        steps.coverage("appendix", test_data=data, tables=tables)


def test_coverage_counts_repeated_kinds_and_one_step():
    """Two steps of a kind count 2; one step is 'proof step'; a cited step is checked whatever
    its tests (here one never run), an uncited one without passing tests is not."""
    tables = {"c": {"Theorem 1": (
        Step("1", "a", "cited", citation="Hoeffding (1963)"),
        Step("2", "b", "cited", citation="Good (1953)"),
        Step("3", "c", "exact_random", tests=("tests/test_a.py::test_one",)))}}
    counts = steps.coverage("c", test_data={"tests": small_records()}, tables=tables)
    assert counts["kinds"]["cited"] == 2 and counts["kinds"]["exact_random"] == 1
    assert counts["text"] == "3 proof steps, all checked: 1 exact random, 2 cited"
    single = {"c": {"Theorem 1": (Step("1", "a", "cited", citation="Good (1953)",
                                       tests=("tests/test_a.py::test_never_run",)),)}}
    assert steps.coverage("c", test_data={"tests": []}, tables=single)["text"] == (
        "1 proof step, all checked: 1 cited")
    unchecked = {"c": {"Theorem 1": (Step("1", "a", "smt", tests=("tests/test_a.py::test_one",)),)}}
    assert steps.coverage("c", test_data={"tests": []}, tables=unchecked)["unchecked"] == 1


def test_steps_main_reads_the_ledger_data_by_default(tmp_path, capsys, monkeypatch):
    """With no argument, main reads ledger_tests.json from the data folder; two arguments get
    the usage line."""
    monkeypatch.setattr(steps, "step_tables", small_tables)
    (tmp_path / "ledger_tests.json").write_text(json.dumps({"tests": small_records()}))
    monkeypatch.setattr(ledger, "DATA_DIR", tmp_path)
    monkeypatch.setattr("sys.argv", ["python -m hallu_proofs.steps"])
    steps.main()
    assert capsys.readouterr().out.startswith("iiv_reduction: 4 proof steps, all checked")
    fewer = tmp_path / "fewer.json"
    fewer.write_text(json.dumps({"tests": small_records()[1:]}))
    monkeypatch.setattr("sys.argv", ["python -m hallu_proofs.steps", str(fewer)])
    with pytest.raises(SystemExit, match="^1$"):
        steps.main()
    with pytest.raises(SystemExit, match=r"^usage: python -m hallu_proofs.steps \[RECORDS.json\]$"):
        steps.main(["a", "b"])


def test_coverage_reads_the_ledger_data_by_default(tmp_path, monkeypatch):
    """Without test_data, coverage reads ledger_tests.json where data_path says, from any cwd."""
    (tmp_path / "ledger_tests.json").write_text(json.dumps({"tests": small_records()}))
    monkeypatch.setattr(ledger, "DATA_DIR", tmp_path)
    monkeypatch.chdir(ROOT / "tests")
    assert steps.coverage(tables=small_tables())["unchecked"] == 0
    assert ledger.data_path("x.json") == tmp_path / "x.json"


def test_every_proof_step_is_checked(data):
    """The book's step tables against the committed records: 0 unchecked steps (after `make
    ledger`)."""
    rows = ledger.step_rows(data[0])
    assert steps.coverage(test_data=data[0])["unchecked"] == 0
    assert len(rows) == sum(len(table) for table in steps.step_tables().values())


def marked_results():
    """{(file, function): results named by its @pytest.mark.result marker}, read from the source."""
    found = {}
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text())
        # Module-level names of results, such as BIAS = "Good-Turing bias lemma".
        names = {target.id: node.value.value for node in tree.body if isinstance(node, ast.Assign)
                 and isinstance(node.value, ast.Constant) for target in node.targets
                 if isinstance(target, ast.Name)}
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                for d in node.decorator_list:
                    if isinstance(d, ast.Call) and getattr(d.func, "attr", "") == "result":
                        found[(f"tests/{path.name}", node.name)] = [
                            a.value if isinstance(a, ast.Constant) else names.get(a.id, a.id)
                            for a in d.args]
    return found


def test_step_tables_name_real_test_functions():
    """Every test a step names is a test function of that file, marked for the step's result
    (read from the sources, so this holds before `make ledger` too)."""
    marked = marked_results()
    assert set(marked) == marked_tests()
    for chapter, table in steps.step_tables().items():
        assert chapter in steps.CHAPTERS
        for result, entries in table.items():
            for step in entries:
                for test in step.tests:
                    path, _, name = test.partition("::")
                    key = (path, name.split("[")[0])
                    assert key in marked, (chapter, result, step.number, test)
                    assert result in marked[key], (chapter, result, step.number, test)


def test_supporting_results_come_from_the_step_tables():
    """A step table's result that is not the paper's is a supporting result of that chapter,
    and test records may name it."""
    assert ledger.supporting_results(small_tables()) == {"Slack lemma": "iiv_reduction"}
    records = [record(f"t{i}", results=(r.name,)) for i, r in enumerate(ledger.PAPER_RESULTS)]
    records.append(record("s", results=("Slack lemma",)))
    rows = ledger.ledger_rows({"tests": records}, {}, tables=small_tables())
    assert rows[-1]["result"] == "Slack lemma" and not rows[-1]["paper"]
    assert rows[-1]["chapter"] == "iiv_reduction" and rows[-1]["tests"] == 1
    with pytest.raises(ledger.LedgerError, match=r"does not have: \['Slack lemma'\]"):
        ledger.ledger_rows({"tests": records}, {}, tables=EMPTY_TABLES)


def test_steps_main_prints_coverage_and_problems(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(steps, "step_tables", small_tables)
    path = tmp_path / "records.json"
    path.write_text(json.dumps({"tests": small_records()}))
    steps.main([str(path)])
    assert capsys.readouterr().out == "iiv_reduction: 4 proof steps, all checked: 1 symbolic (SymPy), " \
                                      "1 SMT, 1 exact random, 1 cited\n"
    path.write_text(json.dumps({"tests": small_records()[1:]}))
    with pytest.raises(SystemExit, match="1"):
        steps.main([str(path)])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("iiv_reduction: 4 proof steps, 2 of them not yet checked")
    assert out[1].startswith("iiv_reduction, Theorem 1, step 1: tests/test_a.py::test_one is not")
    with pytest.raises(SystemExit, match="usage"):
        steps.main(["a", "b"])


# --- sources and mutation provenance -----------------------------------------------------------

def write_files(root, names):
    """Each file of ``names`` under ``root``, its folders made, holding its own name."""
    for name in names:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(name)


def test_source_digest_changes_with_any_source(tmp_path):
    """Without git, every file under hallu_proofs/ and tests/ but caches counts; the digest
    changes when a file's content, or its name, changes."""
    write_files(tmp_path, ("hallu_proofs/a.py", "tests/test_b.py", "hallu_proofs/data/c.csv"))
    (tmp_path / "hallu_proofs/__pycache__").mkdir()
    (tmp_path / "hallu_proofs/__pycache__/a.pyc").write_text("x")
    (tmp_path / "book.md").write_text("not a source")
    assert ledger.source_files(tmp_path) == ["hallu_proofs/a.py", "hallu_proofs/data/c.csv",
                                             "tests/test_b.py"]
    first = ledger.source_digest(tmp_path)
    (tmp_path / "book.md").write_text("changed")
    assert ledger.source_digest(tmp_path) == first
    (tmp_path / "tests/test_b.py").write_text("changed")
    second = ledger.source_digest(tmp_path)
    assert second != first
    (tmp_path / "tests/test_b.py").rename(tmp_path / "tests/test_c.py")
    assert ledger.source_digest(tmp_path) not in (first, second)
    ledger.check_sources({"sources": ledger.source_digest(tmp_path)}, tmp_path)
    with pytest.raises(ledger.LedgerError, match="made from other sources.*run `make ledger`"):
        ledger.check_sources({"sources": first}, tmp_path)
    with pytest.raises(ledger.LedgerError, match="do not say which sources.*run `make ledger`"):
        ledger.check_sources({"tests": []}, tmp_path)


def scratch_repository(path, monkeypatch):
    """A git repository with two library files and one test, committed at a fixed date (the
    author's date is another)."""
    for name, value in (("GIT_AUTHOR_NAME", "a"), ("GIT_AUTHOR_EMAIL", "a@b"),
                        ("GIT_COMMITTER_NAME", "a"), ("GIT_COMMITTER_EMAIL", "a@b"),
                        ("GIT_AUTHOR_DATE", "2024-06-07T08:09:10+00:00"),
                        ("GIT_COMMITTER_DATE", "2025-01-02T03:04:05+00:00")):
        monkeypatch.setenv(name, value)
    write_files(path, ("hallu_proofs/a.py", "hallu_proofs/b.py", "tests/test_a.py",
                       "book/data/ledger_mutation.json"))
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "first"]):
        assert ledger._git(*args, root=path) is not None, args
    return ledger._git("rev-parse", "HEAD", root=path).strip()


def test_provenance_in_a_scratch_git_repository(tmp_path, monkeypatch):
    """In any git repository: the sources are its tracked files, the commit and its date are
    HEAD's, a changed library file shows as modified and as changed since the mutation data's
    commit, which is the last commit of the data file when the data do not say."""
    head = scratch_repository(tmp_path, monkeypatch)
    (tmp_path / "hallu_proofs/untracked.py").write_text("x")
    assert ledger.source_files(tmp_path) == ["hallu_proofs/a.py", "hallu_proofs/b.py",
                                             "tests/test_a.py"]
    before = ledger.source_digest(tmp_path)
    (tmp_path / "hallu_proofs/untracked.py").write_text("changed")
    assert ledger.source_digest(tmp_path) == before
    assert ledger.made_from(tmp_path) == {"commit": head, "date": "2025-01-02T03:04:05+00:00",
                                          "library_modified": True}  # the untracked file
    (tmp_path / "hallu_proofs/untracked.py").unlink()
    assert ledger.made_from(tmp_path)["library_modified"] is False
    assert ledger.mutation_provenance({}, root=tmp_path) == {
        "commit": head, "date": "2025-01-02T03:04:05+00:00", "changed": []}
    (tmp_path / "hallu_proofs/b.py").write_text("changed")
    assert ledger.source_digest(tmp_path) != before
    assert ledger.made_from(tmp_path)["library_modified"] is True
    made = {"made_from": {"commit": head, "date": "d"}}
    assert ledger.mutation_provenance(made, root=tmp_path) == {
        "commit": head, "date": "d", "changed": ["hallu_proofs/b.py"]}
    unknown = {"made_from": {"commit": "0" * 40, "date": "d"}}  # not a commit of this history
    assert ledger.mutation_provenance(unknown, root=tmp_path)["changed"] is None
    assert ledger._git("no-such-command", root=tmp_path) is None


@in_checkout
def test_source_files_are_the_tracked_ones_in_git():
    """In the repository, the sources are git's tracked files under hallu_proofs/ and tests/."""
    files = ledger.source_files()
    assert "hallu_proofs/ledger.py" in files and "tests/conftest.py" in files
    assert all(name.startswith(("hallu_proofs/", "tests/")) for name in files)
    assert not any("__pycache__" in name for name in files)


@in_checkout
def test_mutation_provenance_from_the_data_or_from_git(tmp_path):
    """The commit the data record wins; older data fall back to the last commit of the data
    file; without git nothing is claimed."""
    made = {"made_from": {"commit": "e9a29dfd5bd08b5b28db8e247c9760728bff1d1e", "date": "d"}}
    known = ledger.mutation_provenance(made)
    assert known["commit"] == made["made_from"]["commit"] and known["date"] == "d"
    assert isinstance(known["changed"], list)
    logged = ledger.mutation_provenance({"modules": {}})
    assert len(logged["commit"]) == 40 and logged["date"][:2] == "20"
    assert ledger.mutation_provenance({}, root=tmp_path) == {"commit": None, "date": None,
                                                             "changed": None}
    assert ledger.made_from(tmp_path) == {"commit": None, "date": None, "library_modified": None}
    head = ledger.made_from()
    assert len(head["commit"]) == 40 and isinstance(head["library_modified"], bool)


@in_checkout
def test_ledger_chapter_runs_from_any_working_directory(tmp_path):
    """book/ledger.md finds its data through the package, not the working directory."""
    import jupytext
    import nbclient

    notebook = jupytext.read(ROOT / "book" / "ledger.md")
    nbclient.NotebookClient(notebook, timeout=600, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert list(tmp_path.iterdir()) == []  # and writes nothing there


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
    written = json.loads(paths[2].read_text())
    assert written == {**summary, "made_from": ledger.made_from()}
    assert paths[2].read_text() == json.dumps(written, indent=1)


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


def test_plain_escapes_every_markup_character():
    """Each character markdown or MyST reads as markup gets a backslash; others are kept."""
    for char in "\\`*_{}[]<>$|#~":
        assert ledger.plain(f"a{char}b") == f"a\\{char}b"
    assert ledger.plain("err >= 2 opt(G) - 1/2.") == "err \\>= 2 opt(G) - 1/2."
    assert ledger.plain(3) == "3"


def test_every_step_table_is_read_in_book_order():
    """Each module of hallu_proofs/steps is a chapter's table, and CHAPTERS lists them all, in
    the order of the table of contents (so that no table is silently left out)."""
    import yaml

    modules = {p.stem for p in (ROOT / "hallu_proofs" / "steps").glob("*.py")} - {"__init__", "__main__"}
    assert set(steps.CHAPTERS) == modules
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    order = [c["file"].removeprefix("book/") for part in toc["parts"] for c in part["chapters"]]
    assert list(steps.CHAPTERS) == [name for name in order if name in modules]


def test_ledger_helpers_at_their_edges(tmp_path):
    """A fraction of 10 characters is rounded (9 are shown whole); a test id loses its path and
    test_ prefix, keeps its parameters; two equivalents in a module count 2; the refusals and the
    usage line in full."""
    assert ledger.short_fraction("1234567/89") == "$\\approx 13871.5393$"
    assert ledger.readable_test("tests/test_x.py::test_a_b[c_d-1]") == "a b [c_d-1]"
    assert ledger.readable_test("tests/test_x.py::test_plain_name") == "plain name"
    results = [f"hallu_proofs.a.x_f__mutmut_{i}: survived" for i in (1, 2)]
    twice = ledger.mutation_summary(results, [f"hallu_proofs.a.x_f__mutmut_{i}\tsame" for i in (1, 2)])
    assert twice["modules"]["a"]["equivalent"] == 2
    missing = tmp_path / "none.json"
    with pytest.raises(ledger.LedgerError, match=(
            f"^ledger data file {re.escape(str(missing.resolve()))} is missing: the ledger data "
            r"are made in the repository's book/data by `make ledger`$")):
        ledger.load_json(missing)
    with pytest.raises(ledger.LedgerError, match=(
            "^the test records do not say which sources they were made from: run `make ledger`$")):
        ledger.check_sources({"tests": []})
    with pytest.raises(SystemExit, match=(
            r"^usage: python -m hallu_proofs.ledger OUT.json\n       python -m hallu_proofs.ledger "
            r"mutation RESULTS EQUIVALENTS OUT.json$")):
        ledger.main(["a", "b"])


def test_step_rows_show_the_first_twenty_problems():
    """21 unchecked steps: the message counts them, lists 20 (one per line) and says one more;
    with 20 it lists them all and says no more. Kinds are counted per result."""
    def tables(n):
        return {"c": {"Theorem 1": tuple(
            Step(str(i), "a", "smt", tests=(f"tests/test_a.py::test_missing_{i}",))
            for i in range(1, n + 1))}}

    with pytest.raises(ledger.LedgerError) as info:
        ledger.step_rows({"tests": []}, tables(21))
    lines = str(info.value).split("\n")
    assert lines[0] == "21 problems with the proof-step tables:"
    assert len(lines) == 22 and all(line.startswith("  c, Theorem 1, step ") for line in lines[1:21])
    assert lines[21] == "  ... and 1 more"
    with pytest.raises(ledger.LedgerError) as info:
        ledger.step_rows({"tests": []}, tables(20))
    assert len(str(info.value).split("\n")) == 21 and "more" not in str(info.value)
    records = [record(f"tests/test_a.py::test_missing_{i}") for i in (1, 2)]
    rows = ledger.step_rows({"tests": records}, tables(2))
    assert rows[0]["kinds"]["smt"] == 2
