"""Graded results (hallu_proofs.results): construction, scores, thresholds, curves, intervals,
and the four file formats, each with its refusals (file, line and field named).

inspect-ai logs are written by inspect-ai's own write_eval_log from inspect-ai's types (no model,
no network); lm-evaluation-harness samples follow the harness's logged-sample schema.
"""

import importlib
import json
import math
from fractions import Fraction as F
from importlib import resources
from statistics import NormalDist

import matplotlib
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.stats import beta
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
from hallu_proofs import results as R

matplotlib.use("Agg")

EXAMPLES = resources.files("hallu_proofs") / "data" / "examples"


def per_question_score(grades, t):
    """The score from its definition: mean of 1 (correct), -t/(1-t) (incorrect), 0 (else)."""
    values = {"correct": F(1), "incorrect": -F(t) / (1 - F(t)), "not_attempted": F(0)}
    return sum(values[g] for g in grades) / len(grades)


# --------------------------------------------------------------------------- construction

def test_grades_words_letters_and_case():
    results = hp.GradedResults(["correct", "Incorrect", " NOT_ATTEMPTED ", "A", "b", "C"])
    assert results.counts == (2, 2, 2)
    assert results.codes.tolist() == [0, 1, 2, 0, 1, 2]
    assert results.n == len(results) == 6
    assert results.correct.tolist() == [True, False, False, True, False, False]
    assert results.attempted.tolist() == [True, True, False, True, True, False]


def test_inputs_are_copied_not_frozen():
    """The caller's arrays stay writable, and changing them later changes nothing here."""
    grades = np.array(["A", "B"], dtype=object)
    q = np.array([0.9, 0.1])
    ids = np.array(["x", "y"])
    results = hp.GradedResults(grades, confidence=q, ids=ids, source="mine.csv")
    q[0], ids[0], grades[0] = 0.0, "z", "B"
    assert q.flags.writeable and ids.flags.writeable
    assert results.confidence.tolist() == [0.9, 0.1] and results.ids.tolist() == ["x", "y"]
    assert results.counts == (1, 1, 0) and results.source == "mine.csv"
    assert not results.confidence.flags.writeable
    assert repr(results) == ("GradedResults(2 questions from mine.csv: 1 correct, 1 incorrect, "
                             "0 not attempted, with confidences)")
    elsewhere = hp.GradedResults(grades, source="/some/folder/mine.csv")  # grades now B, B
    assert elsewhere.source == "/some/folder/mine.csv"
    assert repr(elsewhere) == ("GradedResults(2 questions from mine.csv: 0 correct, 2 incorrect, "
                               "0 not attempted)")


def test_from_booleans_and_from_correct():
    a = hp.GradedResults.from_booleans([True, False, False], [False, True, False], [0, 0, 1],
                                       confidence=[0.9, 0.5, 0.1], ids=[1, 2, 3], source="s")
    assert a.codes.tolist() == [0, 1, 2] and a.ids.tolist() == [1, 2, 3] and a.source == "s"
    b = hp.GradedResults.from_correct([1, 0, 1], attempted=[True, True, False],
                                      confidence=[0.9, 0.5, 0.1], ids=["p", "q", "r"], source="t")
    assert b.codes.tolist() == [0, 1, 2] and b.ids.tolist() == ["p", "q", "r"] and b.source == "t"
    assert b.confidence.tolist() == [0.9, 0.5, 0.1] and a.confidence.tolist() == [0.9, 0.5, 0.1]
    quantile = b.reliability(bins=2, strategy="quantile").rows()
    want = hp.reliability_table([0.9, 0.5], [True, False], bins=2, strategy="quantile").rows()
    assert quantile == want != b.reliability(bins=2).rows()
    assert hp.GradedResults.from_correct([True, False]).counts == (1, 1, 0)


def test_from_dataframe_both_schemas_and_named_columns():
    frame = pd.DataFrame({"g": ["A", "B", "C"], "conf": [0.9, 0.4, 0.2], "key": ["a", "b", "c"]})
    results = hp.GradedResults.from_dataframe(frame, grade="g", confidence="conf", id="key")
    assert results.counts == (1, 1, 1) and results.ids.tolist() == ["a", "b", "c"]
    assert results.confidence.tolist() == [0.9, 0.4, 0.2]
    plain = hp.GradedResults.from_dataframe(frame, grade="g", confidence=None, id=None)
    assert plain.confidence is None and plain.ids is None
    flags = pd.DataFrame({"is_correct": [True, False], "is_incorrect": [False, False],
                          "is_not_attempted": [False, True], "confidence": [0.7, 0.3]})
    from_flags = hp.GradedResults.from_dataframe(flags)
    assert from_flags.counts == (1, 0, 1) and from_flags.confidence.tolist() == [0.7, 0.3]
    assert hp.GradedResults.from_dataframe({"grade": ["A"]}).counts == (1, 0, 0)
    by_default = hp.GradedResults.from_dataframe({"grade": ["A", "B"], "id": ["q1", "q2"]})
    assert by_default.ids.tolist() == ["q1", "q2"]
    assert hp.GradedResults.from_dataframe(flags.assign(id=["u", "v"])).ids.tolist() == ["u", "v"]
    assert repr(hp.GradedResults(["A", "C"])) == (
        "GradedResults(2 questions: 1 correct, 0 incorrect, 1 not attempted)")


@pytest.mark.parametrize("call, error, message", [
    (lambda: hp.GradedResults(["correct", "wrong"]), ValueError,
     "grades: entry 1 is 'wrong'; a grade is one of correct, incorrect, not_attempted, A, B, C"),
    (lambda: hp.GradedResults([1, 0]), ValueError, "grades: entry 0 is 1"),
    (lambda: hp.GradedResults([]), ValueError, "grades must be a non-empty 1-D array"),
    (lambda: hp.GradedResults(["A"], confidence=[1.5]), ValueError,
     "confidence: entry 0 is 1.5; confidences must be in [0, 1]"),
    (lambda: hp.GradedResults(["A"], confidence=[0.5, 0.5]), ValueError,
     "confidence has 2 entries, expected 1 (one per question)"),
    (lambda: hp.GradedResults(["A"], ids=[1, 2]), ValueError, "ids has shape (2,), expected (1,)"),
    (lambda: hp.GradedResults(["A"], source=3), TypeError, "source must be a string, got int"),
    (lambda: hp.GradedResults.from_booleans([True], [True], [False]), ValueError,
     "question 0 has 2 of is_correct, is_incorrect, is_not_attempted true; exactly one must be"),
    (lambda: hp.GradedResults.from_booleans([True], [False, True], [False]), ValueError,
     "is_correct, is_incorrect, is_not_attempted must have the same length, got [1, 2, 1]"),
    (lambda: hp.GradedResults.from_booleans([0.5], [0], [0]), TypeError,
     "is_correct must hold booleans (or 0 and 1), got dtype float64"),
    (lambda: hp.GradedResults.from_booleans([[True]], [[False]], [[False]]), ValueError,
     "is_correct must be a 1-D array, got shape (1, 1)"),
    (lambda: hp.GradedResults.from_correct([True], attempted=[True, False]), ValueError,
     "attempted has shape (2,), expected (1,)"),
    (lambda: hp.GradedResults.from_correct([2]), ValueError, "correct: entry 0 is 2; it must be 0 or 1"),
    (lambda: hp.GradedResults.from_correct([]), ValueError, "correct must not be empty"),
    (lambda: hp.GradedResults([["A"], ["A", "B"]]), ValueError, "grades is not a rectangular array"),
    (lambda: hp.GradedResults.from_dataframe([1, 2]), TypeError,
     "frame must be a DataFrame or a mapping of columns, got list"),
    (lambda: hp.GradedResults.from_dataframe(pd.DataFrame({"x": [1]})), ValueError,
     "frame has no column 'grade' and not all of is_correct, is_incorrect, is_not_attempted"),
])
def test_construction_refusals(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message)


# --------------------------------------------------------------------------- rates and scores

grade_lists = st.lists(st.sampled_from(R.GRADES), min_size=1, max_size=40)
targets = st.fractions(0, 1, max_denominator=20).filter(lambda t: t < 1)


@given(grade_lists, targets)
def test_score_is_the_mean_per_question_score(grades, t):
    """score(t) = (1/n) sum of 1, -t/(1-t), 0: exact, for any t, and the accuracy at t = 0."""
    results = hp.GradedResults(grades)
    assert results.score(t) == per_question_score(grades, t)
    assert results.score() == results.accuracy == F(grades.count("correct"), len(grades))
    assert results.error_rate == F(grades.count("incorrect"), len(grades))
    assert results.abstention_rate == results.rate("not_attempted")


def test_rate_intervals_by_formula():
    """Wilson: (p + z^2/2n +- z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n); Clopper-Pearson: the
    beta quantiles."""
    results = hp.GradedResults(["A"] * 13 + ["B"] * 5 + ["C"] * 2)
    k, n = 5, 20
    for level in (0.95, 0.8):
        z = NormalDist().inv_cdf((1 + level) / 2)
        p = k / n
        centre = (p + z * z / (2 * n)) / (1 + z * z / n)
        half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
        lo, hi = results.rate_interval("incorrect", level=level)
        assert abs(lo - (centre - half)) <= FLOAT_TOLERANCE and abs(hi - (centre + half)) <= FLOAT_TOLERANCE
        lo, hi = results.rate_interval("incorrect", level=level, method="clopper-pearson")
        a = 1 - level
        assert abs(lo - beta.ppf(a / 2, k, n - k + 1)) <= FLOAT_TOLERANCE
        assert abs(hi - beta.ppf(1 - a / 2, k + 1, n - k)) <= FLOAT_TOLERANCE
    assert R.binomial_interval(0, 10, method="clopper-pearson")[0] == 0.0
    assert R.binomial_interval(10, 10, method="clopper-pearson")[1] == 1.0


def test_bootstrap_is_the_row_bootstrap():
    """Multinomial draws of the counts give the same interval as resampling rows, within the
    Monte-Carlo error of 4000 draws; seeded: the same seed gives the same interval."""
    results = hp.GradedResults(["A"] * 120 + ["B"] * 60 + ["C"] * 20)
    t = F(1, 2)
    lo, hi = results.score_interval(t, level=0.9, n_boot=4000, rng=5)
    rng = np.random.default_rng(11)
    values = np.where(results.codes == 0, 1.0, np.where(results.codes == 1, -1.0, 0.0))
    rows = rng.integers(0, results.n, size=(4000, results.n))
    row_lo, row_hi = np.quantile(values[rows].mean(axis=1), [0.05, 0.95])
    assert abs(lo - row_lo) < 0.01 and abs(hi - row_hi) < 0.01
    assert lo < results.score(t) < hi
    assert results.score_interval(t, 0.9, 4000, 5) == (lo, hi)
    generator = np.random.default_rng(5)
    assert results.score_interval(t, 0.9, 4000, generator) == (lo, hi)
    assert generator.random() != np.random.default_rng(5).random()  # the draws came from it
    narrow = results.score_interval(t, level=0.5, n_boot=4000, rng=5)
    assert lo < narrow[0] < narrow[1] < hi


def test_bootstrap_interval_covers_at_its_level():
    """A seeded simulation: the 90% interval of the accuracy covers the true rate 0.3 in
    between 80% and 97% of 200 samples of n = 200 (a binomial test at level 1e-3 would accept)."""
    rng = np.random.default_rng(0)
    covered = 0
    for _ in range(200):
        right = rng.random(200) < 0.3
        lo, hi = hp.GradedResults.from_correct(right).score_interval(0, 0.9, 300, rng)
        covered += lo <= 0.3 <= hi
    assert 160 <= covered <= 194


@pytest.mark.parametrize("call, error, message", [
    (lambda r: r.rate("wrong"), ValueError, "grade must be one of ('correct', 'incorrect', 'not_attempted')"),
    (lambda r: r.rate_interval(level=1), ValueError, "level must be in (0, 1), got 1"),
    (lambda r: r.rate_interval(method="exact"), ValueError,
     "method must be one of ('wilson', 'clopper-pearson')"),
    (lambda r: r.score(1), ValueError, "t must be in [0, 1), got 1"),
    (lambda r: r.score_interval(1.5), ValueError, "t must be in [0, 1), got 1.5"),
    (lambda r: r.score_interval(0, n_boot=0), ValueError, "n_boot must be >= 1, got 0"),
    (lambda r: r.score_interval(0, rng="x"), TypeError, "rng must be an integer seed or a numpy Generator"),
    (lambda r: r.score_interval(0, rng=None), TypeError, "rng must be an integer seed"),
    (lambda r: r.best_threshold(0), ValueError, "these results have no confidences"),
    (lambda r: r.thresholded(0.5), ValueError, "these results have no confidences"),
    (lambda r: r.summary(targets=[]), ValueError, "targets must hold at least one target"),
    (lambda r: r.target_curve([1.0]), ValueError, "targets must be in [0, 1), got 1.0"),
    (lambda r: r.target_curve("0.5"), TypeError, "targets must be a sequence, got str"),
])
def test_score_refusals(call, error, message):
    with pytest.raises(error) as info:
        call(hp.GradedResults(["A", "B", "C"]))
    assert str(info.value).startswith(message)


def test_interval_helpers_refuse_bad_input():
    with pytest.raises(ValueError, match="k must be <= n = 3, got 4"):
        R.binomial_interval(4, 3)
    with pytest.raises(ValueError, match="n must be >= 1, got 0"):
        R.binomial_interval(0, 0)
    with pytest.raises(TypeError, match="statistic must be callable"):
        R.bootstrap_interval([1, 2], "mean")
    with pytest.raises(ValueError, match="counts must be >= 0 and not all 0"):
        R.bootstrap_interval([0, 0], lambda a, b: a)
    with pytest.raises(TypeError, match="counts must be a non-empty 1-D array of integers"):
        R.bootstrap_interval([0.5], lambda a: a)


# --------------------------------------------------------------------------- thresholds and curves

def brute_force_best(results, t):
    """max over every candidate tau (0 and each confidence < 1 of an attempted question) of the
    score of the thresholded results, from the definition; the smallest tau on ties."""
    q = results.confidence[results.attempted]
    candidates = sorted({0, *(x for x in q.tolist() if x < 1)})
    best = None
    for tau in candidates:
        kept = [g if not (g != "not_attempted" and c <= tau) else "not_attempted"
                for g, c in zip((R.GRADES[k] for k in results.codes), results.confidence)]
        s = per_question_score(kept, t)
        if best is None or s > best[1]:
            best = (tau, s)
    return best


confident_results = st.lists(
    st.tuples(st.sampled_from(R.GRADES), st.sampled_from([F(0), F(1, 4), F(1, 2), F(3, 5), F(3, 4), F(1)])),
    min_size=1, max_size=25)


@given(confident_results, targets)
def test_best_threshold_is_the_brute_force_optimum(pairs, t):
    """One sort gives the maximum over every candidate threshold, exactly (Fractions), and the
    float path (a float t) the same threshold and score."""
    results = hp.GradedResults([g for g, _ in pairs], confidence=[q for _, q in pairs])
    tau, score = results.best_threshold(t)
    assert (tau, score) == brute_force_best(results, t)
    assert score == results.thresholded(tau).score(t)
    float_results = hp.GradedResults([g for g, _ in pairs], confidence=[float(q) for _, q in pairs])
    float_tau, float_score = float_results.best_threshold(float(t))
    assert abs(float_score - score) <= FLOAT_TOLERANCE
    assert abs(float_results.thresholded(float_tau).score(float(t)) - score) <= FLOAT_TOLERANCE


def test_best_threshold_tightness_and_stronger_claim():
    """Answering iff q > t is optimal in expectation for a calibrated model; on data, the best
    threshold beats it exactly here (score 1/5 against 0) and a strictly higher score than the
    optimum exists for no threshold."""
    results = hp.GradedResults(["A", "B", "B", "A", "C"], confidence=[0.9, 0.6, 0.55, 0.3, 0.1])
    tau, score = results.best_threshold(F(1, 2))
    assert (tau, score) == (0.6, F(1, 5))
    assert results.thresholded(0.5).score(F(1, 2)) == F(-1, 5)
    taus = np.linspace(0, 0.99, 100)
    assert max(results.thresholded(x).score(F(1, 2)) for x in taus) == score


def test_best_threshold_edge_cases():
    none_attempted = hp.GradedResults(["C", "C"], confidence=[0.5, 0.9])
    assert none_attempted.best_threshold(F(1, 2)) == (0.0, 0)
    sure = hp.GradedResults(["A", "B"], confidence=[1.0, 1.0])  # no threshold below 1 abstains
    assert sure.best_threshold(F(1, 2)) == (0.0, 0)
    only_ones = hp.GradedResults(["A"], confidence=[1.0])
    assert only_ones.best_threshold(0) == (0.0, 1)
    zero = hp.GradedResults(["B", "A"], confidence=[0.0, 0.5])
    assert zero.best_threshold(F(1, 2)) == (0.0, F(1, 2))
    big_penalty = hp.GradedResults(["A", "B"], confidence=[0.9, 0.5])
    t = F(10**7, 10**7 + 1)  # a penalty of 10^7: the float path
    assert big_penalty.best_threshold(t) == (0.5, F(1, 2))


def test_thresholded_ties_abstain():
    results = hp.GradedResults(["A", "B", "A", "C"], confidence=[0.9, 0.5, 0.5, 0.95], ids=[1, 2, 3, 4])
    kept = results.thresholded(0.5)
    assert kept.codes.tolist() == [0, 2, 2, 2] and kept.ids.tolist() == [1, 2, 3, 4]
    with pytest.raises(ValueError, match=r"threshold must be in \[0, 1\], got 2"):
        results.thresholded(2)


def test_target_curve_matches_the_pointwise_scores():
    rng = np.random.default_rng(4)
    grades = rng.choice(["A", "B", "C"], size=300, p=[0.5, 0.35, 0.15])
    results = hp.GradedResults(grades, confidence=np.round(rng.random(300), 2))
    ts = [0, 0.25, 0.5, F(3, 4), 0.9]
    curve = results.target_curve(ts)
    assert curve["target"].tolist() == [0, 0.25, 0.5, 0.75, 0.9]
    for i, t in enumerate(ts):
        assert abs(curve["graded"][i] - float(results.score(t))) <= FLOAT_TOLERANCE
        assert abs(curve["thresholded"][i] - float(results.thresholded(t).score(t))) <= FLOAT_TOLERANCE
        assert abs(curve["best"][i] - float(results.best_threshold(t)[1])) <= FLOAT_TOLERANCE
    assert (curve["best"] >= curve["thresholded"] - FLOAT_TOLERANCE).all()
    assert set(hp.GradedResults(["A", "B"]).target_curve([0]).keys()) == {"target", "graded"}
    idle = hp.GradedResults(["C", "C"], confidence=[0.5, 0.5]).target_curve([0.5])
    assert idle["thresholded"].tolist() == idle["graded"].tolist() == [0.0]


def test_risk_coverage_by_definition():
    results = hp.GradedResults(["A", "B", "A", "B", "C", "A"], confidence=[0.9, 0.8, 0.8, 0.4, 0.99, 0.2])
    curve = results.risk_coverage()
    assert curve["confidence"].tolist() == [0.9, 0.8, 0.4, 0.2]
    assert curve["coverage"].tolist() == [1 / 6, 3 / 6, 4 / 6, 5 / 6]
    assert curve["risk"].tolist() == [0.0, 1 / 3, 0.5, 0.4]
    with pytest.raises(ValueError, match="have no attempted question"):
        hp.GradedResults(["C"], confidence=[0.5]).risk_coverage()


def test_reliability_uses_the_attempted_questions_only():
    results = hp.GradedResults(["A", "B", "C", "A"], confidence=[0.95, 0.85, 0.05, 0.15])
    table = results.reliability(bins=5, strategy="uniform")
    assert table.n == 3 and table.count.tolist() == [1, 2]
    quantile = results.reliability(bins=3, strategy="quantile")
    assert quantile.n == 3
    with pytest.raises(ValueError, match="have no attempted question"):
        hp.GradedResults(["C"], confidence=[0.5]).reliability()


def test_summary_holds_every_reported_number():
    results = hp.GradedResults(["A", "A", "B", "C", "A"], confidence=[0.9, 0.7, 0.6, 0.2, 0.8],
                               source="x.csv")
    summary = results.summary(targets=[F(1, 2), 0], level=0.8, n_boot=200, rng=3, bins=4)
    assert summary["source"] == "x.csv" and summary["n"] == 5 and summary["level"] == 0.8
    assert summary["score"] == float(results.score(F(1, 2))) == summary["targets"][0]["graded"]["score"]
    assert summary["counts"] == {"correct": 3, "incorrect": 1, "not_attempted": 1}
    assert summary["rates"]["correct"]["interval"] == list(results.rate_interval("correct", 0.8))
    first = summary["targets"][0]
    assert first["penalty"] == 1.0
    assert first["graded"]["interval"] == list(results.score_interval(F(1, 2), 0.8, 200, 3))
    assert first["thresholded"]["score"] == float(results.thresholded(0.5).score(F(1, 2)))
    tau, best = results.best_threshold(F(1, 2))
    assert first["best_threshold"] == {"threshold": tau, "score": float(best),
                                       "interval": list(results.thresholded(tau).score_interval(
                                           F(1, 2), 0.8, 200, 3))}
    calibration = summary["calibration"]
    assert calibration["bins"] == 4
    q, right = [0.9, 0.7, 0.6, 0.8], [True, True, False, True]
    assert calibration["ece"] == hp.calibration_error(q, right, bins=4)
    assert calibration["mce"] == hp.max_calibration_error(q, right, bins=4)
    assert calibration["brier"] == hp.brier_score(q, right)
    json.dumps(summary)  # JSON-ready
    assert "calibration" not in hp.GradedResults(["A"]).summary()


def test_target_curve_plot_read_back():
    """The three curves of target_curve, with their labels, over the default 101 targets in
    [0, 0.95]; a zero line; the axis labels; a figure 5.5 x 3.8 inches when no Axes is given."""
    import matplotlib.pyplot as plt

    results = hp.GradedResults(["A", "B", "A", "C"], confidence=[0.9, 0.6, 0.7, 0.1])
    ax = R.plot_target_curve(results)
    curve = results.target_curve(np.linspace(0, 0.95, 101))
    lines = ax.get_lines()
    assert [line.get_label() for line in lines[:3]] == [
        "as graded", "answer iff confidence > t", "best threshold (chosen on these data)"]
    for line, key in zip(lines, ("graded", "thresholded", "best")):
        assert line.get_xdata().tolist() == curve["target"].tolist()
        assert line.get_ydata().tolist() == curve[key].tolist()
    assert line.get_xdata()[0] == 0 and line.get_xdata()[-1] == 0.95 and len(line.get_xdata()) == 101
    zero = lines[3]
    assert list(zero.get_ydata()) == [0, 0] and zero.get_color() == "gray"
    assert zero.get_linewidth() == 0.8
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("confidence target t", "score per question")
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend == [line.get_label() for line in lines[:3]]
    assert ax.figure.get_size_inches().tolist() == [5.5, 3.8]
    plt.close(ax.figure)
    only_graded = R.plot_target_curve(hp.GradedResults(["A", "B"]), targets=[0.25, 0.5])
    assert [line.get_label() for line in only_graded.get_lines()][:1] == ["as graded"]
    assert only_graded.get_lines()[0].get_xdata().tolist() == [0.25, 0.5]
    plt.close(only_graded.figure)


def test_risk_coverage_plot_read_back():
    """A post-step curve of risk against coverage with dots, both axes from 0 (coverage up to
    1), the axis labels, a figure 5 x 3.8 inches when no Axes is given."""
    import matplotlib.pyplot as plt

    results = hp.GradedResults(["A", "B", "A", "C"], confidence=[0.9, 0.6, 0.7, 0.1])
    ax = R.plot_risk_coverage(results)
    curve = results.risk_coverage()
    line = ax.get_lines()[0]
    assert line.get_drawstyle() == "steps-post" and line.get_marker() == "."
    assert line.get_xdata().tolist() == curve["coverage"].tolist()
    assert line.get_ydata().tolist() == curve["risk"].tolist()
    assert ax.get_xlim() == (0, 1) and ax.get_ylim()[0] == 0
    assert ax.get_xlabel() == "coverage (fraction of questions answered)"
    assert ax.get_ylabel() == "risk (fraction of answers wrong)"
    assert ax.figure.get_size_inches().tolist() == [5, 3.8]
    plt.close(ax.figure)


def test_plots_return_their_axes():
    import matplotlib.pyplot as plt

    results = hp.GradedResults(["A", "B", "A", "C"], confidence=[0.9, 0.6, 0.7, 0.1])
    fig, ax = plt.subplots()
    assert R.plot_target_curve(results, targets=[0, 0.5, 0.9], ax=ax) is ax
    assert len(ax.lines) == 4  # three curves and the zero line
    assert R.plot_risk_coverage(results, ax=ax) is ax
    plt.close(fig)
    for plot in (R.plot_target_curve, R.plot_risk_coverage):
        plt.close(plot(results).figure)
        with pytest.raises(TypeError, match="results must be a GradedResults, got list"):
            plot([1])


# --------------------------------------------------------------------------- CSV and JSONL files

def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_with_grades_confidence_and_ids(tmp_path):
    path = write(tmp_path, "r.csv", "id,grade,confidence\nq1,correct,0.9\n\nq2,B,0.25\nq3,C,1\n")
    results = hp.read_results(path)
    assert results.codes.tolist() == [0, 1, 2] and results.confidence.tolist() == [0.9, 0.25, 1.0]
    assert results.ids.tolist() == ["q1", "q2", "q3"] and results.source == str(path)
    flags = write(tmp_path, "f.txt", "is_correct,is_incorrect,is_not_attempted\ntrue,False,0\n0,1,0\n")
    assert hp.read_results(flags, format="csv").codes.tolist() == [0, 1]


def test_jsonl_with_booleans_and_grades(tmp_path):
    lines = [{"is_correct": True, "is_incorrect": False, "is_not_attempted": False, "confidence": 0.8},
             {"is_correct": 0, "is_incorrect": 0, "is_not_attempted": 1, "confidence": 0}]
    path = write(tmp_path, "r.jsonl", "\n".join(json.dumps(x) for x in lines) + "\n\n")
    results = hp.read_results(path, progress=True)
    assert results.codes.tolist() == [0, 2] and results.confidence.tolist() == [0.8, 0.0]
    grades = write(tmp_path, "g.data", '{"grade": "A", "id": 7}\n{"grade": "not_attempted", "id": 8}\n')
    read = hp.read_results(grades, format="jsonl")
    assert read.codes.tolist() == [0, 2] and read.ids.tolist() == [7, 8] and read.confidence is None


BAD_FILES = [
    ("a.csv", "id,confidence\nq1,0.5\n", "a.csv: line 1: field 'grade': missing: a file needs a grade "
     "field or all of is_correct, is_incorrect, is_not_attempted"),
    ("a.csv", "grade\nA\nright\n", "a.csv: line 3: field 'grade': unknown grade 'right' (expected correct, "
     "incorrect, not_attempted, A, B or C)"),
    ("a.csv", "grade,confidence\nA,0.5\n\nB,abc\n",
     "a.csv: line 4: field 'confidence': 'abc' is not a number"),
    ("a.csv", "grade,confidence\nA,0.5\nB,1.5\n",
     "a.csv: line 3: field 'confidence': '1.5' is not in [0, 1]"),
    ("a.csv", "grade,confidence\nA,nan\n", "a.csv: line 2: field 'confidence': 'nan' is not in [0, 1]"),
    ("a.csv", "grade,confidence\nA,\n", "a.csv: line 2: field 'confidence': '' is not a number"),
    ("a.csv", 'id,grade\n"two\nlines",A\nq2,X\n', "a.csv: line 4: field 'grade': unknown grade 'X'"),
    ("a.csv", "grade,confidence\nA,0.5\nB\n", "a.csv: line 3: field 'confidence': the row has 1 fields, "
     "the header 2"),
    ("a.csv", "", "a.csv: line 1: field 'grade': the file is empty (no header)"),
    ("a.csv", "grade\n", "a.csv: line 2: field 'grade': the file has a header but no rows"),
    ("a.csv", "is_correct,is_incorrect,is_not_attempted\n1,0,0\nyes,0,0\n",
     "a.csv: line 3: field 'is_correct': 'yes' is not a boolean"),
    ("a.csv", "is_correct,is_incorrect,is_not_attempted\n1,1,0\n",
     "a.csv: line 2: field 'is_correct': 2 of is_correct, is_incorrect, is_not_attempted are true"),
    ("a.jsonl", '{"grade": "A"}\n{"id": 2}\n', "a.jsonl: line 2: field 'grade': missing"),
    ("a.jsonl", '{"id": 2}\n', "a.jsonl: line 1: field 'grade': missing: a record needs a grade field"),
    ("a.jsonl", '{"grade": "A", "confidence": 0.5}\n\n{"grade": "B"}\n',
     "a.jsonl: line 3: field 'confidence': missing"),
    ("a.jsonl", '{"grade": "A", "confidence": "0.5"}\n', "a.jsonl: line 1: field 'confidence': '0.5' is not "
     "a number"),
    ("a.jsonl", '{"grade": "A", "confidence": true}\n', "a.jsonl: line 1: field 'confidence': True is not a "
     "number"),
    ("a.jsonl", '{"grade": "A", "confidence": -0.1}\n',
     "a.jsonl: line 1: field 'confidence': -0.1 is not in"),
    ("a.jsonl", '{"grade": 1}\n', "a.jsonl: line 1: field 'grade': unknown grade 1"),
    ("a.jsonl", '{"is_correct": true, "is_incorrect": "no", "is_not_attempted": false}\n',
     "a.jsonl: line 1: field 'is_incorrect': 'no' is not a boolean"),
    ("a.jsonl", '{"grade": "A"}\n{"grade": \n', "a.jsonl: line 2: not valid JSON"),
    ("a.jsonl", '[1, 2]\n', "a.jsonl: line 1: a record must be a JSON object, got list"),
    ("a.jsonl", '\n\n', "a.jsonl: line 1: field 'grade': the file holds no records"),
    ("a.txt", "grade\nA\n", "a.txt: cannot tell the format from the file name"),
]


@pytest.mark.parametrize("name, text, message", BAD_FILES)
def test_bad_files_name_the_file_line_and_field(tmp_path, name, text, message):
    path = write(tmp_path, name, text)
    with pytest.raises(ValueError) as info:
        hp.read_results(path)
    assert str(info.value).startswith(f"{tmp_path}/{message}")


def test_read_results_argument_refusals(tmp_path):
    with pytest.raises(TypeError, match="path must be a file name, got int"):
        hp.read_results(3)
    with pytest.raises(ValueError, match="format must be 'auto' or one of"):
        hp.read_results(write(tmp_path, "a.csv", "grade\nA\n"), format="xlsx")
    with pytest.raises(FileNotFoundError, match="no such file"):
        hp.read_results(tmp_path / "missing.csv")


def test_large_jsonl_is_peeked_not_read_twice(tmp_path):
    """Above 64 KiB the format is guessed from the first record alone."""
    record = json.dumps({"grade": "A", "confidence": 0.5, "id": "x" * 40}) + "\n"
    path = write(tmp_path, "big.jsonl", record * 2000)
    assert hp.read_results(path).counts == (2000, 0, 0)
    samples = write(tmp_path, "s.jsonl", (json.dumps({"doc_id": 0, "filtered_resps": ["x"], "acc": 1,
                                                      "pad": "y" * 80}) + "\n") * 1000)
    assert hp.read_results(samples).counts == (1000, 0, 0)


def test_progress_bar_goes_to_stderr(tmp_path, capsys):
    path = write(tmp_path, "a.csv", "grade\n" + "A\n" * (R._PROGRESS_CHARS // 2 + 5))
    bar = R._progress(path, True)
    assert bar is not None and bar.total == path.stat().st_size
    bar.close()
    assert R._progress(path, False) is None
    assert hp.read_results(path, progress=True).n == R._PROGRESS_CHARS // 2 + 5
    assert capsys.readouterr().out == ""


# --------------------------------------------------------------------------- inspect-ai logs

def inspect_log(path, values, confidences=None, where="score", extra_scorer=False, key="confidence"):
    """Write a real inspect-ai log with inspect-ai's writer: one sample per value."""
    from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSample, EvalSpec, write_eval_log
    from inspect_ai.model import ModelOutput
    from inspect_ai.scorer import Score

    spec = EvalSpec(created="2025-01-01T00:00:00+00:00", task="t", model="mockllm/model",
                    dataset=EvalDataset(name="d", samples=len(values)), config=EvalConfig())
    samples = []
    for i, v in enumerate(values):
        meta = {} if confidences is None or confidences[i] is None else {key: confidences[i]}
        scores = {"grader": Score(value=v, metadata=meta if where == "score" else None)}
        if extra_scorer:
            scores["other"] = Score(value=1.0)
        samples.append(EvalSample(id=f"s{i}", epoch=1, input="q", target="a",
                                  output=ModelOutput.from_content("mockllm/model", "a"), scores=scores,
                                  metadata=meta if where == "sample" else {}))
    write_eval_log(EvalLog(status="success", eval=spec, samples=samples), str(path))
    return path


@pytest.mark.parametrize("suffix", [".eval", ".json"])
def test_inspect_logs_written_by_inspect(tmp_path, suffix):
    path = inspect_log(tmp_path / f"log{suffix}", ["C", "I", "N", True, False, 1, 0.0],
                       [0.9, 0.2, 0.5, 0.8, 0.4, 1.0, 0.0])
    results = hp.read_results(path)
    assert results.codes.tolist() == [0, 1, 2, 0, 1, 0, 1]
    assert results.confidence.tolist() == [0.9, 0.2, 0.5, 0.8, 0.4, 1.0, 0.0]
    assert results.ids.tolist() == [f"s{i}" for i in range(7)]


def test_inspect_confidence_in_sample_metadata_and_named_key(tmp_path):
    path = inspect_log(tmp_path / "a.eval", ["C", "I"], [0.7, 0.3], where="sample", key="p_correct")
    results = hp.read_results(path, format="inspect", confidence_key="p_correct")
    assert results.confidence.tolist() == [0.7, 0.3]
    assert hp.read_results(path).confidence is None  # no 'confidence' key anywhere


def test_inspect_scorer_is_chosen_by_name(tmp_path):
    path = inspect_log(tmp_path / "two.eval", ["C", "I"], extra_scorer=True)
    with pytest.raises(ValueError, match=r"two.eval: the log has scorers \['grader', 'other'\]; name one"):
        hp.read_results(path)
    assert hp.read_results(path, scorer="grader").counts == (1, 1, 0)
    assert hp.read_results(path, scorer="other").counts == (2, 0, 0)
    with pytest.raises(ValueError, match="sample 's0' \\(epoch 1\\): field 'scores.missing': missing"):
        hp.read_results(path, scorer="missing")


GRADES_EXPECTED = " (expected 'C', 'I', 'N', or 1/True and 0/False)"


@pytest.mark.parametrize("values, confidences, message", [
    (["C", "P"], None, "sample 's1' (epoch 1): field 'scores.grader.value': 'P' is not a grade"
                       + GRADES_EXPECTED),
    ([0.5], None, "sample 's0' (epoch 1): field 'scores.grader.value': 0.5 is not a grade"
                  + GRADES_EXPECTED),
    (["C", "I"], [0.5, None], "sample 's1' (epoch 1): field 'confidence': missing (other samples have one)"),
    (["C", "I"], [0.5, 2.0], "sample 's1' (epoch 1): field 'confidence': 2.0 is not in [0, 1]"),
    (["C"], ["high"], "sample 's0' (epoch 1): field 'confidence': 'high' is not a number"),
])
def test_inspect_refusals(tmp_path, values, confidences, message):
    path = inspect_log(tmp_path / "bad.eval", values, confidences)
    with pytest.raises(ValueError) as info:
        hp.read_results(path)
    assert str(info.value) == f"{path}: {message}"


def test_inspect_unreadable_and_empty_logs(tmp_path):
    with pytest.raises(ValueError, match="not an inspect-ai log that inspect-ai can read"):
        hp.read_results(write(tmp_path, "x.json", "{}"))
    from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSpec, write_eval_log

    spec = EvalSpec(created="2025-01-01T00:00:00+00:00", task="t", model="m/m",
                    dataset=EvalDataset(name="d", samples=0), config=EvalConfig())
    write_eval_log(EvalLog(status="success", eval=spec, samples=[]), str(tmp_path / "e.eval"))
    with pytest.raises(ValueError, match="e.eval: the log holds no samples"):
        hp.read_results(tmp_path / "e.eval")


# --------------------------------------------------------------------------- lm-eval samples

def lm_record(doc_id, lls, gold, filter_name="none", strings=False, **metrics):
    """A logged sample as the harness writes it for a multiple-choice document."""
    pred = int(np.argmax(lls))
    pairs = [[str(ll) if strings else ll, str(i == pred) if strings else i == pred]
             for i, ll in enumerate(lls)]
    record = {"doc_id": doc_id, "doc": {"q": "?"}, "target": gold,
              "arguments": [["ctx", f" {i}"] for i in range(len(lls))],
              "resps": [[p] for p in pairs], "filtered_resps": pairs, "filter": filter_name,
              "metrics": list(metrics) or ["acc"], "doc_hash": "h", "prompt_hash": "p", "target_hash": "t"}
    record.update(metrics or {"acc": float(pred == gold)})
    return record


def write_jsonl(tmp_path, name, records):
    return write(tmp_path, name, "".join(json.dumps(r) + "\n" for r in records))


def test_lm_eval_multiple_choice_confidence_is_the_softmax(tmp_path):
    lls = [[-1.0, -2.0, -3.0], [-5.0, -4.0, -4.5]]
    path = write_jsonl(tmp_path, "samples_t.jsonl", [lm_record(0, lls[0], 0), lm_record(1, lls[1], 2)])
    results = hp.read_results(path)
    assert results.codes.tolist() == [0, 1] and results.ids.tolist() == [0, 1]
    expected = [math.exp(-1) / sum(math.exp(x) for x in lls[0]),
                math.exp(-4) / sum(math.exp(x) for x in lls[1])]
    assert np.abs(results.confidence - expected).max() <= FLOAT_TOLERANCE
    strings = write_jsonl(tmp_path, "s.jsonl", [lm_record(0, lls[0], 0, strings=True)])
    assert abs(hp.read_results(strings, format="lm-eval").confidence[0] - expected[0]) <= FLOAT_TOLERANCE


def test_lm_eval_generation_task_metric_and_filter(tmp_path):
    records = [{"doc_id": i, "doc": {}, "target": "4", "arguments": [["2+2=", {}]], "resps": [["4"]],
                "filtered_resps": ["4"], "filter": f, "metrics": ["exact_match"], "exact_match": float(m)}
               for i, (f, m) in enumerate([("strict", 1), ("strict", 0), ("flexible", 1)])]
    path = write_jsonl(tmp_path, "gen.jsonl", records)
    with pytest.raises(ValueError, match=r"the records have filters \['flexible', 'strict'\]; name one"):
        hp.read_results(path)
    strict = hp.read_results(path, filter="strict")
    assert strict.codes.tolist() == [0, 1] and strict.confidence is None
    assert hp.read_results(path, filter="flexible").counts == (1, 0, 0)
    with pytest.raises(ValueError, match=r"no record has filter 'other'"):
        hp.read_results(path, filter="other")
    both = [dict(r, acc=1 - r["exact_match"]) for r in records[:2]]
    two = write_jsonl(tmp_path, "two.jsonl", both)
    assert hp.read_results(two).codes.tolist() == [1, 0]  # acc first
    assert hp.read_results(two, metric="exact_match").codes.tolist() == [0, 1]


@pytest.mark.parametrize("records, message", [
    ([{"filtered_resps": ["x"], "acc": 1}],
     "line 1: field 'doc_id': missing (not an lm-evaluation-harness samples file?)"),
    ([{"doc_id": 0, "filtered_resps": ["x"], "f1": 0.5}],
     "line 1: field 'acc': missing (and no exact_match): name the metric"),
    ([{"doc_id": 0, "filtered_resps": ["x"], "acc": 0.5}], "line 1: field 'acc': 0.5 is not a 0/1 grade"),
    ([lm_record(0, [-1.0, -2.0], 0), {"doc_id": 1, "filtered_resps": ["x"], "acc": 1, "filter": "none"}],
     "line 2: field 'filtered_resps': not a list of loglikelihoods over two or more choices "
     "(other records have one)"),
    ([lm_record(0, [-1.0, -2.0], 0), {"doc_id": 1, "filtered_resps": [[-1, 1], [-2, 0]], "filter": "none"}],
     "line 2: field 'acc': missing"),
])
def test_lm_eval_refusals(tmp_path, records, message):
    path = write_jsonl(tmp_path, "bad.jsonl", records)
    with pytest.raises(ValueError) as info:
        hp.read_results(path, format="lm-eval")
    assert str(info.value) == f"{path}: {message}"


def test_loglikelihoods_of_odd_responses():
    assert R._loglikelihoods([[-1.0, True]]) is None  # one choice
    assert R._loglikelihoods([True, False]) is None
    assert R._loglikelihoods([["a", 1], ["b", 0]]) is None
    assert R._loglikelihoods([-1, "-2.5"]) == [-1.0, -2.5]


# --------------------------------------------------------------------------- the example files

def test_shipped_examples_hold_what_the_generator_draws(tmp_path):
    """The same seeded results in the CSV, JSONL and inspect-ai files; the lm-eval file's grades
    and confidences from its loglikelihoods; facts.csv from the Arbitrary Facts draw. The
    generator, rerun into a temporary folder, writes files that read back the same."""
    gen = importlib.import_module("hallu_proofs.data.examples.make_examples")
    grades, q = gen.simulated_results()
    for name in ("results.csv", "results.jsonl", "results.eval"):
        results = hp.read_results(EXAMPLES / name)
        assert results.codes.tolist() == grades.tolist(), name
        assert np.abs(results.confidence - q).max() <= FLOAT_TOLERANCE
    lls, gold = gen.lm_eval_task()
    lm = hp.read_results(EXAMPLES / "lm_eval_samples.jsonl")
    assert lm.codes.tolist() == np.where(lls.argmax(axis=1) == gold, 0, 1).tolist()
    softmax = np.exp(lls - lls.max(axis=1, keepdims=True))
    assert np.abs(lm.confidence - 1 / softmax.sum(axis=1)).max() <= FLOAT_TOLERANCE
    prompts, answers = gen.facts_examples()
    rows = (EXAMPLES / "facts.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert rows == [f"{p},{a}" for p, a in zip(prompts, answers)]
    gen.write_all(tmp_path)
    for name in ("results.csv", "results.jsonl", "lm_eval_samples.jsonl", "facts.csv"):
        assert (tmp_path / name).read_bytes() == (EXAMPLES / name).read_bytes(), name
    assert hp.read_results(tmp_path / "results.eval").codes.tolist() == grades.tolist()


def test_float_thresholds_compare_as_the_exact_number():
    """A float confidence just above 1/3 in floats stays answered at tau = 1/3 exactly, and
    float(1/10), which is above 1/10, abstains at tau = float(1/10) but answers at tau = 1/10."""
    third = float(F(1, 3))  # below 1/3
    assert F(third) < F(1, 3)
    results = hp.GradedResults(["A", "A"], confidence=[third, 0.1])
    assert results.thresholded(F(1, 3)).codes.tolist() == [2, 2]
    assert F(0.1) > F(1, 10)
    assert results.thresholded(F(1, 10)).codes.tolist() == [0, 0]
    assert results.thresholded(0.1).codes.tolist() == [0, 2]


def test_bootstrap_interval_arguments():
    """level, n_boot and rng of the helper itself: a wider level gives a wider interval, the
    draws are as many as n_boot (one statistic call each), the seed fixes the result."""
    calls = []

    def share(a, b):
        calls.append(1)
        return a / (a + b)

    lo90, hi90 = R.bootstrap_interval([300, 700], share, level=0.9, n_boot=500, rng=2)
    assert len(calls) == 500
    lo99, hi99 = R.bootstrap_interval([300, 700], share, level=0.99, n_boot=500, rng=2)
    assert lo99 <= lo90 < 0.3 < hi90 <= hi99
    assert R.bootstrap_interval([300, 700], share, 0.9, 500, 2) == (lo90, hi90)
    assert R.bootstrap_interval([300, 700], share, 0.9, 500, np.random.default_rng(2)) == (lo90, hi90)
    with pytest.raises(ValueError, match=r"level must be in \(0, 1\), got 0"):
        R.bootstrap_interval([1, 1], share, level=0)
