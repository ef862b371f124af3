"""Classifier calibration (hallu_proofs.reliability): binned ECE, MCE, Brier score, reliability
table and diagram.

The bins are checked against scikit-learn's calibration_curve bin for bin (scikit-learn is
imported only here), the exact (Fraction) path against a reference written from the definition,
then the relation ECE <= MCE (tight, and a stronger claim that fails), and every refusal.
"""

from fractions import Fraction as F

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sklearn.calibration import calibration_curve
from sklearn.metrics import brier_score_loss
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
from hallu_proofs import reliability
from hallu_proofs.results import binomial_interval

matplotlib.use("Agg")


def counts_by_definition(q, y, edges):
    """n_b and the correct count per bin by a loop: a value goes to the first bin b whose upper
    edge edges[b + 1] it does not exceed (bins (e_b, e_{b+1}], the first closed at e_0)."""
    n_bins = len(edges) - 1
    counts, right = [0] * n_bins, [0] * n_bins
    for x, c in zip(q, y):
        b = next(b for b in range(n_bins) if x <= edges[b + 1] or b == n_bins - 1)
        counts[b] += 1
        right[b] += bool(c)
    return counts, right


def sklearn_bins(q, y, bins, strategy):
    prob_true, prob_pred = calibration_curve(y, q, n_bins=bins, strategy=strategy)
    return prob_true, prob_pred


@settings(max_examples=60)
@given(seed=st.integers(0, 10**6), n=st.integers(1, 400), bins=st.integers(1, 25),
       strategy=st.sampled_from(reliability.STRATEGIES), rounding=st.sampled_from([None, 1, 2]))
def test_bins_agree_with_scikit_learn(seed, n, bins, strategy, rounding):
    """Every non-empty bin: the same accuracy (prob_true) and mean confidence (prob_pred) as
    scikit-learn's calibration_curve, and the counts of the (lo, hi] rule; rounded confidences
    put many values exactly on the edges."""
    rng = np.random.default_rng(seed)
    q = rng.random(n)
    if rounding is not None:
        q = np.round(q, rounding)
    y = rng.random(n) < q
    if y.all() or not y.any():  # sklearn needs both labels to define pos_label
        y[0] = not y[0]
    table = hp.reliability_table(q, y, bins=bins, strategy=strategy)
    prob_true, prob_pred = sklearn_bins(q, y, bins, strategy)
    assert table.accuracy.shape == prob_true.shape
    assert np.abs(table.accuracy - prob_true).max() <= FLOAT_TOLERANCE
    assert np.abs(table.confidence - prob_pred).max() <= FLOAT_TOLERANCE
    counts, right = counts_by_definition(q.tolist(), y.tolist(), table.edges.tolist())
    assert table.count.tolist() == [c for c in counts if c]
    assert table.n_correct.tolist() == [r for c, r in zip(counts, right) if c]
    ece = sum(k / n * abs(a - c) for k, a, c in zip(table.count, prob_true, prob_pred))
    assert abs(hp.calibration_error(q, y, bins, strategy) - ece) <= FLOAT_TOLERANCE


def test_values_on_the_uniform_edges_fall_in_the_bin_below():
    """0.1, 0.2, ... sit on numpy.linspace's edges (0.30000000000000004 among them): sklearn puts
    each in the bin that ends there; 0 is in the first bin."""
    q = np.array([0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 0.30000000000000004])
    y = np.array([0, 1, 0, 1, 1, 0, 1, 1], dtype=bool)
    table = hp.reliability_table(q, y, bins=10)
    assert table.bin.tolist() == [0, 1, 2, 4, 6, 9]
    assert table.count.tolist() == [2, 1, 2, 1, 1, 1]
    prob_true, prob_pred = calibration_curve(y, q, n_bins=10)
    assert np.abs(table.accuracy - prob_true).max() <= FLOAT_TOLERANCE
    assert np.abs(table.confidence - prob_pred).max() <= FLOAT_TOLERANCE


def test_exact_uniform_bins_by_hand():
    """Fractions: edges k/B exactly; 1/2 belongs to (0, 1/2], 3/4 to (1/2, 1]."""
    q = [F(0), F(1, 2), F(3, 4), F(1)]
    table = hp.reliability_table(q, [False, True, True, False], bins=2)
    assert table.edges.tolist() == [F(0), F(1, 2), F(1)]
    assert table.count.tolist() == [2, 2]
    assert table.accuracy.tolist() == [F(1, 2), F(1, 2)]
    assert table.confidence.tolist() == [F(1, 4), F(7, 8)]
    assert table.calibration_error == F(1, 2) * F(1, 4) + F(1, 2) * F(3, 8)
    assert table.max_calibration_error == F(3, 8)
    assert table.exact


@given(st.lists(st.tuples(st.fractions(0, 1, max_denominator=12), st.booleans()), min_size=1,
                max_size=30), st.integers(1, 8))
def test_exact_ece_matches_the_definition(pairs, bins):
    """ECE = sum_b n_b/n |acc_b - conf_b| in Fractions, bins (k/B, (k+1)/B] by a loop."""
    q = [p for p, _ in pairs]
    y = [c for _, c in pairs]
    edges = [F(k, bins) for k in range(bins + 1)]
    expected = F(0)
    for b in range(bins):
        members = [(x, c) for x, c in zip(q, y)
                   if (x > edges[b] or (b == 0 and x == 0)) and x <= edges[b + 1]]
        if members:
            acc = F(sum(c for _, c in members), len(members))
            conf = sum(x for x, _ in members) / len(members)
            expected += F(len(members), len(q)) * abs(acc - conf)
    assert hp.calibration_error(q, y, bins) == expected


def test_exact_quantile_edges_are_numpy_percentiles():
    """Fraction quantile edges equal numpy's linear percentiles of the same values."""
    q = [F(1, 8), F(1, 4), F(1, 2), F(5, 8), F(7, 8)]
    y = [False, False, True, True, True]
    table = hp.reliability_table(q, y, bins=3, strategy="quantile")
    floats = np.percentile([float(x) for x in q], np.linspace(0, 1, 4) * 100)
    assert all(isinstance(e, F) for e in table.edges)
    assert np.abs(table.edges.astype(float) - floats).max() <= FLOAT_TOLERANCE
    assert table.edges.tolist() == [F(1, 8), F(1, 3), F(7, 12), F(7, 8)]
    float_table = hp.reliability_table([float(x) for x in q], y, bins=3, strategy="quantile")
    assert float_table.count.tolist() == table.count.tolist() == [2, 1, 2]


def test_quantile_bins_hold_equal_mass():
    q = np.linspace(0.01, 0.99, 100)
    table = hp.reliability_table(q, q > 0.5, bins=4, strategy="quantile")
    assert table.count.tolist() == [25, 25, 25, 25]


def test_mce_and_brier_by_hand():
    q = [0.1, 0.2, 0.8, 0.9]
    y = [False, True, True, True]
    # bins of 2: (0.1, 0.2) -> acc 0.5, conf 0.15, gap 0.35; (0.8, 0.9) -> acc 1, conf 0.85
    assert abs(hp.max_calibration_error(q, y, bins=2) - 0.35) <= FLOAT_TOLERANCE
    assert abs(hp.max_calibration_error(q, y, bins=2, strategy="quantile") - 0.35) <= FLOAT_TOLERANCE
    brier = (0.1**2 + 0.8**2 + 0.2**2 + 0.1**2) / 4
    assert abs(hp.brier_score(q, y) - brier) <= FLOAT_TOLERANCE
    assert abs(hp.brier_score(q, y) - brier_score_loss(y, q)) <= FLOAT_TOLERANCE
    assert hp.brier_score([F(1, 3)], [1]) == F(4, 9)


def test_correct_may_be_zeros_and_ones():
    assert hp.calibration_error([0.2, 0.7], [0, 1]) == hp.calibration_error([0.2, 0.7], [False, True])


def test_ece_is_at_most_mce_tightly_and_no_better():
    """ECE <= MCE (a weighted mean of the gaps is at most their maximum): equality when every
    bin has the same gap; the stronger ECE <= MCE / 2 fails on one bin."""
    rng = np.random.default_rng(3)
    for _ in range(50):
        q = rng.random(200)
        y = rng.random(200) < q**2
        assert hp.calibration_error(q, y) <= hp.max_calibration_error(q, y) + FLOAT_TOLERANCE
    q, y = [F(1, 4), F(3, 4)], [True, False]  # gaps 3/4 in both bins of 2
    assert hp.calibration_error(q, y, bins=2) == hp.max_calibration_error(q, y, bins=2) == F(3, 4)
    assert not hp.calibration_error(q, y, bins=2) <= hp.max_calibration_error(q, y, bins=2) / 2


def test_perfectly_calibrated_bins_have_zero_error():
    q = [F(1, 4)] * 4 + [F(3, 4)] * 4
    y = [True, False, False, False, True, True, True, False]
    assert hp.calibration_error(q, y, bins=4) == 0 == hp.max_calibration_error(q, y, bins=4)


def test_rows_and_diagram():
    table = hp.reliability_table([0.1, 0.25, 0.375, 0.8], [False, True, False, True], bins=5)
    assert table.rows() == [
        {"lower": 0.0, "upper": 0.2, "count": 1, "accuracy": 0.0, "confidence": 0.1},
        {"lower": 0.2, "upper": 0.4, "count": 2, "accuracy": 0.5, "confidence": 0.3125},
        {"lower": 0.6000000000000001, "upper": 0.8, "count": 1, "accuracy": 1.0, "confidence": 0.8},
    ]
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    out = hp.reliability_diagram(table, ax=ax, level=0.9)
    assert out is ax
    assert len(ax.patches) == 3  # one bar per non-empty bin
    assert "90% Wilson interval" in [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)
    fresh = hp.reliability_diagram(table)
    assert fresh.get_title() == f"ECE = {table.calibration_error:.3f}"
    plt.close(fresh.figure)


@pytest.mark.parametrize("call, error, message", [
    (lambda: hp.calibration_error([0.5, 1.5], [True, False]), ValueError,
     "confidences: entry 1 is 1.5; confidences must be in [0, 1]"),
    (lambda: hp.calibration_error([0.5, float("nan")], [True, False]), ValueError,
     "confidences: entry 1 is nan; entries must be finite"),
    (lambda: hp.calibration_error([], []), ValueError,
     "confidences must be a non-empty 1-D array, got shape (0,)"),
    (lambda: hp.calibration_error([0.5], [True, False]), ValueError,
     "correct has shape (2,), expected (1,) (one per confidence)"),
    (lambda: hp.calibration_error([0.5], [0.5]), TypeError,
     "correct must hold booleans (or 0 and 1), got dtype float64"),
    (lambda: hp.calibration_error([0.5], ["yes"]), TypeError,
     "correct must hold booleans (or 0 and 1), got dtype <U3"),
    (lambda: hp.calibration_error([0.5], [2]), ValueError, "correct: entry 0 is 2; it must be 0 or 1"),
    (lambda: hp.calibration_error(["a"], [True]), TypeError, "confidences must hold real numbers"),
    (lambda: hp.calibration_error([0.5], [True], bins=0), ValueError, "bins must be >= 1, got 0"),
    (lambda: hp.calibration_error([0.5], [True], bins=2.0), TypeError,
     "bins must be an integer, got float"),
    (lambda: hp.max_calibration_error([0.5], [True], strategy="x"), ValueError,
     "strategy must be one of ('uniform', 'quantile'), got 'x'"),
    (lambda: hp.brier_score([0.5], [True, True]), ValueError, "correct has shape (2,)"),
    (lambda: hp.reliability_diagram([0.5]), TypeError, "table must be a ReliabilityTable, got list"),
    (lambda: hp.calibration_error([F(3, 2)], [True]), ValueError,
     "confidences: entry 0 is 3/2; confidences must be in [0, 1]"),
    (lambda: hp.calibration_error([0.5, 0.5], [[True], [False, True]]), ValueError,
     "correct is not a rectangular array"),
])
def test_refusals(call, error, message):
    with pytest.raises(error) as info:
        call()
    assert str(info.value).startswith(message)


def test_diagram_level_is_checked():
    table = hp.reliability_table([0.5], [True])
    with pytest.raises(ValueError, match=r"level must be in \(0, 1\), got 1.5"):
        hp.reliability_diagram(table, level=1.5)


def test_exact_quantile_edges_between_the_last_two_values():
    """An edge whose percentile falls between the two largest values is interpolated between them
    (bins = 5, five values: the fourth edge is at position 3.2 of 0..4)."""
    q = [F(1, 8), F(1, 4), F(1, 2), F(5, 8), F(7, 8)]
    table = hp.reliability_table(q, [False, False, True, True, True], bins=5, strategy="quantile")
    floats = np.percentile([float(x) for x in q], np.linspace(0, 1, 6) * 100)
    assert table.edges[4] == F(5, 8) + F(1, 5) * (F(7, 8) - F(5, 8)) == F(27, 40)
    assert np.abs(table.edges.astype(float) - floats).max() <= FLOAT_TOLERANCE


def test_default_bins_and_exact_brier_by_hand():
    """Ten bins by default: 0.15 and 0.19 share the bin (0.1, 0.2] (gap |1/2 - 0.17| = 0.33),
    where eleven bins would split them (MCE 0.85). The exact Brier score is a mean."""
    q, y = [0.15, 0.19], [True, False]
    assert len(hp.reliability_table(q, y).edges) == 11
    assert abs(hp.max_calibration_error(q, y) - 0.33) <= FLOAT_TOLERANCE
    assert abs(hp.calibration_error(q, y) - 0.33) <= FLOAT_TOLERANCE
    assert abs(hp.max_calibration_error(q, y, bins=11) - 0.85) <= FLOAT_TOLERANCE
    # ((1 - 1/3)^2 + (1/2)^2) / 2 = (4/9 + 1/4) / 2
    assert hp.brier_score([F(1, 3), F(1, 2)], [1, 0]) == F(25, 72)


def test_diagram_draws_the_table():
    """The bars, intervals, dots, diagonal, axes and legend of the diagram, read back from the
    matplotlib Axes: each drawn where the table and the Wilson interval at ``level`` put it."""
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_hex
    from matplotlib.container import ErrorbarContainer
    from matplotlib.font_manager import FontProperties

    q, y = [0.1, 0.25, 0.375, 0.8], [False, True, False, True]
    table = hp.reliability_table(q, y, bins=5)
    fig, ax = plt.subplots()
    hp.reliability_diagram(table, ax=ax, level=0.9)
    bars = np.array([(b.get_x(), b.get_width(), b.get_height()) for b in ax.patches])
    drawn = np.column_stack([[0, 0.2, 0.6], [0.2, 0.2, 0.2], [0, 0.5, 1]])
    assert np.abs(bars - drawn).max() <= FLOAT_TOLERANCE
    (errorbars,) = [c for c in ax.containers if isinstance(c, ErrorbarContainer)]
    segments = np.array(errorbars.lines[2][0].get_segments())
    wilson = [binomial_interval(k, n, 0.9) for k, n in [(0, 1), (1, 2), (1, 1)]]
    assert np.abs(segments[:, 0, 0] - [0.1, 0.3, 0.7]).max() <= FLOAT_TOLERANCE
    assert np.abs(segments[:, :, 0] - segments[:, :1, 0]).max() == 0  # vertical
    assert np.abs(segments[:, :, 1] - np.array(wilson)).max() <= FLOAT_TOLERANCE
    (dots,) = [line for line in ax.lines if line.get_marker() == "o"]
    assert np.abs(dots.get_xdata() - [0.1, 0.3125, 0.8]).max() <= FLOAT_TOLERANCE
    assert np.abs(dots.get_ydata() - [0, 0.5, 1]).max() <= FLOAT_TOLERANCE
    (diagonal,) = [line for line in ax.lines if line.get_linestyle() == "--"]
    assert list(diagonal.get_xdata()) == list(diagonal.get_ydata()) == [0, 1]
    assert ax.get_xlim() == ax.get_ylim() == (0, 1)
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("confidence", "accuracy")
    legend = ax.get_legend()
    assert sorted(t.get_text() for t in legend.get_texts()) == [
        "90% Wilson interval", "accuracy per bin", "mean confidence in the bin",
        "perfect calibration"]
    assert legend._loc == 2  # matplotlib's code of "upper left", above the bars of low confidence
    assert legend.get_texts()[0].get_fontsize() == FontProperties(size="small").get_size_in_points()
    bar = ax.patches[0]
    assert bar.get_alpha() == 0.5 and tuple(bar.get_edgecolor()) == (0, 0, 0, 0.5)  # black
    assert to_hex(errorbars.lines[2][0].get_colors()[0]) == "#000000"
    caps = errorbars.lines[1]
    assert len(caps) == 2 and caps[0].get_markersize() == 4  # matplotlib draws capsize 2 as 4
    assert errorbars.lines[0] is None  # fmt="none": no line through the bins
    assert to_hex(dots.get_color()) == to_hex("C3")
    assert to_hex(diagonal.get_color()) == to_hex("gray")
    plt.close(fig)
    fresh = hp.reliability_diagram(table)
    assert tuple(fresh.figure.get_size_inches()) == (4.5, 4.5)
    plt.close(fresh.figure)
