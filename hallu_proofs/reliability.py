"""Classifier calibration from (confidence, correct) pairs: binned ECE, MCE, Brier score, and the
reliability table and diagram.

A model states a confidence q_i in [0, 1] for each of its answers; ``correct[i]`` says whether
answer i is right. The questions are grouped into bins by confidence; bin b holds n_b of them,
with accuracy acc_b (the fraction right) and mean confidence conf_b. Then

* ECE = sum_b (n_b / n) |acc_b - conf_b|   (expected calibration error),
* MCE = max_b |acc_b - conf_b|            (maximum calibration error, over non-empty bins),
* Brier = (1 / n) sum_i (q_i - [answer i right])^2.

Bins are formed exactly as scikit-learn's ``calibration_curve`` forms them. ``"uniform"``: the
edges are ``numpy.linspace(0, 1, bins + 1)``; a confidence equal to an interior edge falls in
the bin below it, so the bins are [0, e_1], (e_1, e_2], ..., (e_{B-1}, 1]. ``"quantile"``: the
edges are the ``numpy.percentile`` of the confidences at 0, 100/B, ..., 100 (equal-mass bins).
With Fraction confidences the edges are the exact numbers k/B (``"uniform"``) or the exact
linear-interpolation percentiles (``"quantile"``), and every result is an exact Fraction.

This is the usual ECE of a classifier. `hallu_proofs.calibration.expected_calibration_error`
is another quantity: the paper's calibration of a language model over all its response slots.

>>> from fractions import Fraction as F
>>> q = [F(1, 10), F(3, 10), F(7, 10), F(9, 10)]
>>> calibration_error(q, [False, True, True, True], bins=2)
Fraction(1, 4)
>>> round(brier_score([0.9, 0.2], [True, False]), 4)
0.025
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from .validation import as_array, check_positive_int, check_real_vector

__all__ = [
    "STRATEGIES",
    "ReliabilityTable",
    "brier_score",
    "calibration_error",
    "max_calibration_error",
    "reliability_diagram",
    "reliability_table",
]

#: The two ways of forming bins: equal width (scikit-learn's default) and equal mass.
STRATEGIES = ("uniform", "quantile")


def _check_pairs(confidences, correct):
    """(confidences, correct) as a float or Fraction array in [0, 1] and a bool array."""
    q = check_real_vector(confidences, "confidences")
    outside = np.flatnonzero((q < 0) | (q > 1))
    if outside.size:
        i = outside[0]
        shown = q[i] if q.dtype == object else float(q[i])
        raise ValueError(f"confidences: entry {i} is {shown}; confidences must be in [0, 1]")
    y = as_array(correct, "correct")
    if y.shape != q.shape:
        raise ValueError(f"correct has shape {y.shape}, expected {q.shape} (one per confidence)")
    if y.dtype != bool:
        if y.dtype == object or not np.issubdtype(y.dtype, np.integer):
            raise TypeError(f"correct must hold booleans (or 0 and 1), got dtype {y.dtype}")
        bad = np.flatnonzero((y != 0) & (y != 1))
        if bad.size:
            raise ValueError(f"correct: entry {bad[0]} is {y[bad[0]]}; it must be 0 or 1")
        y = y == 1
    return q, y


def _exact_percentile(sorted_q, level):
    """numpy's default ("linear") percentile of sorted Fractions at the Fraction level in [0, 1]."""
    h = (len(sorted_q) - 1) * level
    lo = math.floor(h)
    if lo + 1 >= len(sorted_q):
        return sorted_q[-1]
    return sorted_q[lo] + (h - lo) * (sorted_q[lo + 1] - sorted_q[lo])


def _edges(q, bins, strategy):
    """The bins + 1 bin edges, as scikit-learn's calibration_curve forms them."""
    exact = q.dtype == object
    if strategy == "uniform":
        if exact:
            return np.array([Fraction(k, bins) for k in range(bins + 1)], dtype=object)
        return np.linspace(0.0, 1.0, bins + 1)
    if exact:
        ordered = np.sort(q)
        return np.array([_exact_percentile(ordered, Fraction(k, bins)) for k in range(bins + 1)],
                        dtype=object)
    return np.percentile(q, np.linspace(0, 1, bins + 1) * 100)


@dataclass(frozen=True)
class ReliabilityTable:
    """The non-empty bins of a binning of (confidence, correct) pairs.

    Attributes
    ----------
    edges : array, shape (bins + 1,)
        All bin edges; bin b is (edges[b], edges[b + 1]], the first one closed on the left.
    bin : int array
        The index b of each non-empty bin, in increasing order.
    lower, upper : arrays
        Their edges ``edges[bin]`` and ``edges[bin + 1]``.
    count : int array
        n_b, the number of pairs in each bin.
    n_correct : int array
        The number of correct answers in each bin.
    accuracy, confidence : arrays
        acc_b = n_correct / count and conf_b, the mean confidence in the bin.
    n : int
        The number of pairs.

    Floats, or Fractions (object arrays) when the confidences are Fractions.
    """

    edges: np.ndarray
    bin: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    count: np.ndarray
    n_correct: np.ndarray
    accuracy: np.ndarray
    confidence: np.ndarray
    n: int

    @property
    def exact(self) -> bool:
        """True when the table holds Fractions."""
        return self.accuracy.dtype == object

    @property
    def gaps(self) -> np.ndarray:
        """|acc_b - conf_b| for each non-empty bin."""
        return np.abs(self.accuracy - self.confidence)

    @property
    def calibration_error(self):
        """ECE = sum_b (n_b / n) |acc_b - conf_b|."""
        if self.exact:
            return sum((Fraction(int(k), self.n) * g for k, g in zip(self.count, self.gaps)),
                       Fraction(0))
        return float(np.sum(self.count / self.n * self.gaps))

    @property
    def max_calibration_error(self):
        """MCE = max_b |acc_b - conf_b| over the non-empty bins."""
        worst = self.gaps.max()
        return worst if self.exact else float(worst)

    def rows(self) -> list:
        """One dict per non-empty bin: lower, upper, count, accuracy, confidence (floats)."""
        return [
            {"lower": float(lo), "upper": float(hi), "count": int(k), "accuracy": float(a),
             "confidence": float(c)}
            for lo, hi, k, a, c in zip(self.lower, self.upper, self.count, self.accuracy,
                                       self.confidence)
        ]


def reliability_table(confidences, correct, bins=10, strategy="uniform") -> ReliabilityTable:
    """Bin (confidence, correct) pairs and tabulate accuracy and mean confidence per bin.

    Parameters
    ----------
    confidences : 1-D array of reals in [0, 1] (floats, or Fractions for exact results)
    correct : 1-D array of booleans (or 0 and 1), one per confidence
    bins : int >= 1, the number of bins
    strategy : "uniform" (equal width) or "quantile" (equal mass), as in scikit-learn

    The pairs are assigned to bins by one binary search each (``numpy.searchsorted`` on the
    interior edges, as scikit-learn does) and summed with ``numpy.bincount``: O(n log bins),
    plus an O(n) percentile pass for ``"quantile"``.

    Examples
    --------
    >>> table = reliability_table([0.1, 0.2, 0.8, 0.9], [False, True, True, True], bins=2)
    >>> table.count.tolist(), table.accuracy.tolist(), table.confidence.round(2).tolist()
    ([2, 2], [0.5, 1.0], [0.15, 0.85])
    >>> reliability_table([0.5], [True], strategy="equal")
    Traceback (most recent call last):
    ...
    ValueError: strategy must be one of ('uniform', 'quantile'), got 'equal'
    """
    q, y = _check_pairs(confidences, correct)
    bins = check_positive_int(bins, "bins")
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {strategy!r}")
    edges = _edges(q, bins, strategy)
    exact = q.dtype == object
    if exact:
        interior = list(edges[1:-1])
        ids = np.array([bisect.bisect_left(interior, x) for x in q], dtype=np.intp)
    else:
        ids = np.searchsorted(edges[1:-1], q)
    count = np.bincount(ids, minlength=bins)
    n_correct = np.bincount(ids, weights=y, minlength=bins).astype(np.int64)
    present = np.flatnonzero(count)
    if exact:
        sums = [Fraction(0)] * bins
        for b, x in zip(ids, q):
            sums[b] += x
        accuracy = np.array([Fraction(int(n_correct[b]), int(count[b])) for b in present],
                            dtype=object)
        confidence = np.array([sums[b] / int(count[b]) for b in present], dtype=object)
    else:
        sums = np.bincount(ids, weights=q, minlength=bins)
        accuracy = n_correct[present] / count[present]
        confidence = sums[present] / count[present]
    return ReliabilityTable(edges, present, edges[present], edges[present + 1], count[present],
                            n_correct[present], accuracy, confidence, int(q.size))


def calibration_error(confidences, correct, bins=10, strategy="uniform"):
    """The binned expected calibration error, ECE = sum_b (n_b / n) |acc_b - conf_b|.

    Bins as in `reliability_table` (scikit-learn's ``calibration_curve``): equal width by
    default, equal mass with ``strategy="quantile"``. Empty bins contribute nothing.

    Examples
    --------
    >>> round(calibration_error([0.1, 0.2, 0.8, 0.9], [False, True, True, True], bins=2), 6)
    0.25
    >>> calibration_error([0.9, 0.9], [1, 2])
    Traceback (most recent call last):
    ...
    ValueError: correct: entry 1 is 2; it must be 0 or 1
    """
    return reliability_table(confidences, correct, bins, strategy).calibration_error


def max_calibration_error(confidences, correct, bins=10, strategy="uniform"):
    """The maximum calibration error, MCE = max_b |acc_b - conf_b| over the non-empty bins.

    >>> round(max_calibration_error([0.1, 0.2, 0.8, 0.9], [False, True, True, True], bins=2), 6)
    0.35
    """
    return reliability_table(confidences, correct, bins, strategy).max_calibration_error


def brier_score(confidences, correct):
    """The Brier score (1 / n) sum_i (q_i - [answer i right])^2: 0 is perfect, lower is better.

    >>> from fractions import Fraction as F
    >>> brier_score([F(1, 2), F(1, 4)], [True, False])
    Fraction(5, 32)
    """
    q, y = _check_pairs(confidences, correct)
    if q.dtype == object:
        return sum(((x - int(b)) ** 2 for x, b in zip(q, y)), Fraction(0)) / q.size
    return float(np.mean((q - y) ** 2))


def reliability_diagram(table, ax=None, level=0.95):
    """Draw a reliability diagram of a `ReliabilityTable` with matplotlib; return the Axes.

    Each non-empty bin is a bar from its lower to its upper edge, as high as its accuracy, with a
    Wilson interval at ``level`` (see `hallu_proofs.results.binomial_interval`) and a dot at its
    mean confidence; the diagonal is perfect calibration.

    Parameters
    ----------
    table : ReliabilityTable
    ax : matplotlib Axes, optional (default: a new figure)
    level : real in (0, 1), the coverage of the intervals on the accuracies

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> ax = reliability_diagram(reliability_table([0.1, 0.3, 0.8], [False, True, True], bins=5))
    >>> ax.get_xlabel()
    'confidence'
    """
    if not isinstance(table, ReliabilityTable):
        raise TypeError(f"table must be a ReliabilityTable, got {type(table).__name__}")
    import matplotlib.pyplot as plt

    from .results import binomial_interval

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 4.5))
    lower = table.lower.astype(float)
    width = table.upper.astype(float) - lower
    accuracy = table.accuracy.astype(float)
    intervals = np.array([binomial_interval(int(k), int(n), level)
                          for k, n in zip(table.n_correct, table.count)])
    ax.bar(lower, accuracy, width=width, align="edge", alpha=0.5, edgecolor="black",
           label="accuracy per bin")
    middle = lower + width / 2
    ax.errorbar(middle, accuracy, yerr=[accuracy - intervals[:, 0], intervals[:, 1] - accuracy],
                fmt="none", ecolor="black", capsize=2, label=f"{level:.0%} Wilson interval")
    ax.plot(table.confidence.astype(float), accuracy, "o", color="C3",
            label="mean confidence in the bin")
    ax.plot([0, 1], [0, 1], "--", color="gray", label="perfect calibration")
    ax.set(xlim=(0, 1), ylim=(0, 1), xlabel="confidence", ylabel="accuracy",
           title=f"ECE = {float(table.calibration_error):.3f}")
    ax.legend(loc="upper left", fontsize="small")
    return ax
