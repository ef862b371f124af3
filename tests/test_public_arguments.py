"""Arguments of the public face that no other test gave a non-default value (found by
tests/test_arguments.py), each with an expectation computed by hand."""

import json
import math
from fractions import Fraction as F

from test_results import inspect_log, lm_record, write_jsonl
from tolerance import FLOAT_TOLERANCE

from hallu_proofs import cli


def run_json(capsys, *argv):
    status = cli.main([*argv, "--json"])
    out, err = capsys.readouterr()
    assert status == 0, err
    return json.loads(out)


def close(x, y):
    return abs(float(x) - float(y)) <= FLOAT_TOLERANCE


def mc(doc_id, probabilities, filter_name, **metrics):
    """An lm-eval multiple-choice record whose choice probabilities are ``probabilities``."""
    return lm_record(doc_id, [math.log(p) for p in probabilities], 0, filter_name, **metrics)


def test_calibration_command_metric_and_filter(capsys, tmp_path):
    """calibration --filter keeps one filter's records, --metric picks the grade."""
    records = [mc(0, [0.9, 0.1], "a", acc=1, exact_match=0),
               mc(1, [0.4, 0.3, 0.3], "a", acc=0, exact_match=1),
               mc(2, [0.8, 0.2], "a", acc=1, exact_match=1),
               mc(3, [0.7, 0.3], "b", acc=0, exact_match=0)]
    path = str(write_jsonl(tmp_path, "samples.jsonl", records))
    out = run_json(capsys, "calibration", path, "--filter", "a", "--metric", "exact_match",
                   "--bins", "2")
    # bin (0, 1/2]: confidence 2/5, right -> gap 3/5; bin (1/2, 1]: confidences 9/10 (wrong) and
    # 4/5 (right), mean 17/20 against accuracy 1/2 -> gap 7/20
    assert out["n"] == 3
    assert [row["count"] for row in out["table"]] == [1, 2]
    assert close(out["ece"], F(1, 3) * F(3, 5) + F(2, 3) * F(7, 20))  # 13/30
    assert close(out["mce"], F(3, 5))
    assert close(out["brier"], (F(9, 10) ** 2 + F(3, 5) ** 2 + F(1, 5) ** 2) / 3)
    other = run_json(capsys, "calibration", path, "--filter", "b", "--bins", "2")
    assert other["n"] == 1 and close(other["ece"], F(7, 10))  # filter b: 7/10, wrong
    # the default metric (acc) grades filter a the other way: gaps 2/5 and 3/20
    default_metric = run_json(capsys, "calibration", path, "--filter", "a", "--bins", "2")
    assert close(default_metric["ece"], F(1, 3) * F(2, 5) + F(2, 3) * F(3, 20))


def test_calibration_command_scorer(capsys, tmp_path):
    """calibration --scorer names the inspect-ai scorer whose grades and confidences are read."""
    log = str(inspect_log(tmp_path / "two.eval", ["C", "I", "N"], [0.9, 0.2, 0.5],
                          extra_scorer=True))
    assert cli.main(["calibration", log]) == 1  # two scorers and none named
    assert "scorers ['grader', 'other']" in capsys.readouterr().err
    out = run_json(capsys, "calibration", log, "--scorer", "grader", "--bins", "2")
    # the two answers: 9/10 right (gap 1/10), 1/5 wrong (gap 1/5); the abstention is left out
    assert out["n"] == 2
    assert close(out["ece"], F(1, 2) * F(1, 10) + F(1, 2) * F(1, 5))
    assert close(out["mce"], F(1, 5))
    assert close(out["brier"], (F(1, 10) ** 2 + F(1, 5) ** 2) / 2)
