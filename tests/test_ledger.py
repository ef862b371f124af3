"""The verification ledger is generated from the suite's own records and refuses gaps."""

import ast
import copy
from pathlib import Path

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
