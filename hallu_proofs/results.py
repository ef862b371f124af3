"""Graded results of an evaluation: scores under binary grading and confidence targets, the best
abstention threshold, curves and confidence intervals, from arrays or from files.

A `GradedResults` holds, for each of n questions, its grade (correct, incorrect or not
attempted), and optionally the model's confidence in its answer and an id. On it:

* counts and rates of the three grades, with binomial intervals (`binomial_interval`);
* the score under the confidence target t (t = 0 is binary grading): 1 per correct answer,
  -t / (1 - t) per incorrect one, 0 per question not attempted, divided by n, computed by
  `hallu_proofs.grading.rescore`, with a bootstrap interval (`bootstrap_interval`);
* with confidences: the results of the policy "answer iff confidence > tau" (`thresholded`),
  the tau that scores best (`best_threshold`), the scores against the target (`target_curve`),
  the risk-coverage curve (`risk_coverage`) and the calibration of the answers given
  (`reliability`).

Files (`read_results`; every bad record raises a ValueError naming the file, the line and the
field):

* CSV or JSONL with a ``grade`` field, whose values are ``correct``, ``incorrect``,
  ``not_attempted`` (any case) or simple-evals' letters ``A`` (correct), ``B`` (incorrect),
  ``C`` (not attempted); or with the three booleans ``is_correct``, ``is_incorrect``,
  ``is_not_attempted`` (exactly one true per row; in CSV ``true``/``false`` or ``1``/``0``);
  an optional ``confidence`` (a number in [0, 1], on every row or on none) and ``id``.
* inspect-ai evaluation logs (``.eval`` or ``.json``), read with inspect-ai's own
  ``read_eval_log``. One scorer's ``Score.value`` gives the grade: inspect-ai's ``"C"``
  (CORRECT), ``"I"`` (INCORRECT), ``"N"`` (NOANSWER), or ``True``/``1`` and ``False``/``0``.
  Note that ``"C"`` means *correct* here but *not attempted* in simple-evals files. Other values
  (``"P"``, partial credit, fractions) are refused. The confidence is the score's metadata entry
  ``confidence`` (else the sample's metadata entry); the id is the sample id.
* EleutherAI lm-evaluation-harness ``--log_samples`` files (``samples_<task>_<date>.jsonl``:
  one JSON object per document with ``doc_id``, ``doc``, ``target``, ``arguments``, ``resps``,
  ``filtered_resps``, ``filter`` and the per-document metrics). The grade is the 0/1 metric
  ``acc`` (else ``exact_match``, or the one named): 1 correct, 0 incorrect; the harness does
  not abstain. For multiple-choice tasks, whose ``filtered_resps`` hold one
  ``[loglikelihood, is_greedy]`` pair per choice, the confidence is the largest softmax of the
  loglikelihoods: the probability the model gives its chosen answer (the argmax, as ``acc``
  scores it) among the choices. Generation tasks carry no confidence.

>>> results = GradedResults(["correct", "incorrect", "not_attempted", "A"], confidence=[0.9, 0.6,
...                          0.2, 0.8])
>>> results.counts, results.score(), results.score(0.5)
((2, 1, 1), Fraction(1, 2), 0.25)
>>> results.best_threshold(0.5)
(0.6, 0.5)
"""

from __future__ import annotations

import csv
import gc
import itertools
import json
import math
import os
import sys
from fractions import Fraction
from numbers import Integral

import numpy as np

from . import grading
from .reliability import reliability_table
from .validation import (
    as_array,
    as_list,
    check_positive_int,
    check_probability,
    check_real,
    check_real_vector,
)

__all__ = [
    "FORMATS",
    "GRADES",
    "GradedResults",
    "binomial_interval",
    "bootstrap_interval",
    "plot_risk_coverage",
    "plot_target_curve",
    "read_results",
]

#: The three grades, in the order of `GradedResults.counts`.
GRADES = ("correct", "incorrect", "not_attempted")

#: The file formats `read_results` reads ("auto" guesses from the file name and first record).
FORMATS = ("csv", "jsonl", "inspect", "lm-eval")

_CORRECT, _INCORRECT, _NOT_ATTEMPTED = 0, 1, 2
_GRADE_CODES = {"correct": 0, "incorrect": 1, "not_attempted": 2, "a": 0, "b": 1, "c": 2}
_BOOLEAN_FIELDS = ("is_correct", "is_incorrect", "is_not_attempted")
_CSV_BOOLEANS = {"true": True, "false": False, "1": True, "0": False}
_INSPECT_GRADES = {"C": 0, "I": 1, "N": 2}
_LM_EVAL_METRICS = ("acc", "exact_match")
#: Characters read between two updates of the progress bar.
_PROGRESS_CHARS = 1 << 20


# --------------------------------------------------------------------------- intervals

def _level(level):
    check_real(level, "level")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level!r}")
    return float(level)


def binomial_interval(k, n, level=0.95, method="wilson"):
    """A confidence interval for a proportion k / n, as a pair of floats.

    ``method="wilson"`` (Wilson's score interval) or ``"clopper-pearson"`` (exact), both from
    ``scipy.stats.binomtest``.

    >>> lo, hi = binomial_interval(7, 10)
    >>> round(lo, 4), round(hi, 4)
    (0.3968, 0.8922)
    >>> binomial_interval(0, 10, method="clopper-pearson")[0]
    0.0
    """
    n = check_positive_int(n, "n")
    k = check_positive_int(k, "k", minimum=0)
    if k > n:
        raise ValueError(f"k must be <= n = {n}, got {k}")
    methods = {"wilson": "wilson", "clopper-pearson": "exact"}
    if method not in methods:
        raise ValueError(f"method must be one of {tuple(methods)}, got {method!r}")
    from scipy.stats import binomtest

    ci = binomtest(k, n).proportion_ci(confidence_level=_level(level), method=methods[method])
    return float(ci.low), float(ci.high)


def _generator(rng):
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, bool) or not isinstance(rng, Integral):
        raise TypeError(f"rng must be an integer seed or a numpy Generator, got {type(rng).__name__}")
    return np.random.default_rng(int(rng))


def bootstrap_interval(counts, statistic, level=0.95, n_boot=1000, rng=0):
    """Percentile bootstrap interval of ``statistic(*counts)`` for counts of categories.

    Resampling the n rows with replacement draws the counts from a multinomial law with the
    observed frequencies, so a statistic of the counts is resampled in O(n_boot) time whatever
    n. ``rng``: a seed (default 0, so that the interval is reproducible) or a Generator.

    >>> lo, hi = bootstrap_interval((60, 40), lambda a, b: a / (a + b), rng=1)
    >>> 0.45 < lo < 0.6 < hi < 0.75
    True
    """
    counts = np.array(as_array(counts, "counts"))
    if counts.ndim != 1 or counts.size == 0 or not np.issubdtype(counts.dtype, np.integer):
        raise TypeError(f"counts must be a non-empty 1-D array of integers, got {counts!r}")
    if counts.min() < 0 or counts.sum() == 0:
        raise ValueError(f"counts must be >= 0 and not all 0, got {counts.tolist()}")
    if not callable(statistic):
        raise TypeError(f"statistic must be callable, got {type(statistic).__name__}")
    level = _level(level)
    n_boot = check_positive_int(n_boot, "n_boot")
    n = int(counts.sum())
    draws = _generator(rng).multinomial(n, counts / n, size=n_boot)
    values = np.array([float(statistic(*(int(x) for x in row))) for row in draws])
    lo, hi = np.quantile(values, [(1 - level) / 2, (1 + level) / 2])
    return float(lo), float(hi)


# --------------------------------------------------------------------------- the results type

def _targets(targets):
    """A non-empty list of confidence targets in [0, 1)."""
    ts = as_list(targets, "targets")
    if not ts:
        raise ValueError("targets must hold at least one target")
    for t in ts:
        check_real(t, "targets")
        if not 0 <= t < 1:
            raise ValueError(f"targets must be in [0, 1), got {t!r}")
    return ts


def _float_at_most(x):
    """The largest float <= x: for a float q, q <= x exactly when q <= this float."""
    y = float(x)
    return y if Fraction(y) <= x else float(np.nextafter(y, -np.inf))


def _frozen(arr):
    arr = np.array(arr, copy=True)
    arr.flags.writeable = False
    return arr


def _check_confidence(confidence, n):
    if confidence is None:
        return None
    q = check_real_vector(confidence, "confidence")
    if q.size != n:
        raise ValueError(f"confidence has {q.size} entries, expected {n} (one per question)")
    outside = np.flatnonzero((q < 0) | (q > 1))
    if outside.size:
        i = outside[0]
        shown = q[i] if q.dtype == object else float(q[i])
        raise ValueError(f"confidence: entry {i} is {shown}; confidences must be in [0, 1]")
    return _frozen(q)


def _check_ids(ids, n):
    if ids is None:
        return None
    arr = as_array(ids, "ids")
    if arr.shape != (n,):
        raise ValueError(f"ids has shape {arr.shape}, expected ({n},) (one per question)")
    return _frozen(arr)


def _boolean_vector(values, name):
    arr = as_array(values, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if arr.dtype != bool:
        if arr.dtype == object or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{name} must hold booleans (or 0 and 1), got dtype {arr.dtype}")
        bad = np.flatnonzero((arr != 0) & (arr != 1))
        if bad.size:
            raise ValueError(f"{name}: entry {bad[0]} is {arr[bad[0]]}; it must be 0 or 1")
        arr = arr == 1
    return arr


def _grade_code(value):
    """The code of one grade value, or None if it is not a grade."""
    return _GRADE_CODES.get(value.strip().lower()) if isinstance(value, str) else None


def _grade_codes(grades):
    """Codes 0, 1, 2 of grade strings; the first unknown one is refused by index."""
    values = as_array(grades, "grades")
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"grades must be a non-empty 1-D array, got shape {values.shape}")
    values = values.tolist()
    table = {}
    for value in set(values) if all(isinstance(v, str) for v in values) else values:
        code = _grade_code(value)
        if code is None:
            i = values.index(value)
            raise ValueError(f"grades: entry {i} is {value!r}; a grade is one of correct, incorrect, "
                             "not_attempted, A, B, C")
        table[value] = code
    return np.array([table[v] for v in values], dtype=np.int8)


class GradedResults:
    """Per-question results: a grade, and optionally a confidence and an id, per question.

    Parameters
    ----------
    grades : 1-D array of strings
        ``"correct"``, ``"incorrect"``, ``"not_attempted"`` (any case) or simple-evals'
        ``"A"``, ``"B"``, ``"C"``.
    confidence : 1-D array of reals in [0, 1], optional
        The model's probability that its answer is right (floats, or Fractions).
    ids : 1-D array, optional
        A label per question (kept, not interpreted).
    source : str, optional
        Where the results come from (a file name); shown in messages.

    The inputs are copied: changing the caller's arrays later changes nothing here. See also
    `from_booleans`, `from_correct`, `from_dataframe` and `read_results`.

    Examples
    --------
    >>> results = GradedResults(["A", "B", "C", "C"])
    >>> results.counts, results.accuracy, results.abstention_rate
    ((1, 1, 2), Fraction(1, 4), Fraction(1, 2))
    >>> GradedResults(["correct", "wrong"])
    Traceback (most recent call last):
    ...
    ValueError: grades: entry 1 is 'wrong'; a grade is one of correct, incorrect, not_attempted, A, B, C
    """

    def __init__(self, grades, confidence=None, ids=None, source=None):
        self._init(_grade_codes(grades), confidence, ids, source)

    def _init(self, codes, confidence, ids, source):
        if source is not None and not isinstance(source, (str, os.PathLike)):
            raise TypeError(f"source must be a string, got {type(source).__name__}")
        self.codes = _frozen(codes)
        n = self.codes.size
        self.confidence = _check_confidence(confidence, n)
        self.ids = _check_ids(ids, n)
        self.source = None if source is None else str(source)

    @classmethod
    def _from_codes(cls, codes, confidence=None, ids=None, source=None):
        results = cls.__new__(cls)
        results._init(codes, confidence, ids, source)
        return results

    @classmethod
    def from_booleans(cls, is_correct, is_incorrect, is_not_attempted, confidence=None, ids=None,
                      source=None):
        """Results from three boolean arrays, exactly one of them true on each question.

        >>> GradedResults.from_booleans([1, 0], [0, 0], [0, 1]).counts
        (1, 0, 1)
        >>> GradedResults.from_booleans([True], [True], [False])
        Traceback (most recent call last):
        ...
        ValueError: question 0 has 2 of is_correct, is_incorrect, is_not_attempted true; exactly one must be
        """
        flags = [_boolean_vector(v, name) for v, name in
                 zip((is_correct, is_incorrect, is_not_attempted), _BOOLEAN_FIELDS)]
        if len({f.size for f in flags}) != 1:
            raise ValueError(f"is_correct, is_incorrect, is_not_attempted must have the same length, "
                             f"got {[f.size for f in flags]}")
        total = flags[0].astype(np.int8) + flags[1] + flags[2]
        bad = np.flatnonzero(total != 1)
        if bad.size:
            raise ValueError(f"question {bad[0]} has {total[bad[0]]} of {', '.join(_BOOLEAN_FIELDS)} "
                             "true; exactly one must be")
        codes = np.where(flags[0], _CORRECT, np.where(flags[1], _INCORRECT, _NOT_ATTEMPTED))
        return cls._from_codes(codes.astype(np.int8), confidence, ids, source)

    @classmethod
    def from_correct(cls, correct, attempted=None, confidence=None, ids=None, source=None):
        """Results from whether each answer is right and (optionally) whether it was given.

        ``attempted`` defaults to all True; where it is False the question is not attempted and
        ``correct`` is ignored.

        >>> GradedResults.from_correct([True, False, True], attempted=[True, True, False]).counts
        (1, 1, 1)
        """
        correct = _boolean_vector(correct, "correct")
        attempted = (np.ones(correct.size, dtype=bool) if attempted is None
                     else _boolean_vector(attempted, "attempted"))
        if attempted.shape != correct.shape:
            raise ValueError(f"attempted has shape {attempted.shape}, expected {correct.shape}")
        codes = np.where(attempted, np.where(correct, _CORRECT, _INCORRECT), _NOT_ATTEMPTED)
        return cls._from_codes(codes.astype(np.int8), confidence, ids, source)

    @classmethod
    def from_dataframe(cls, frame, grade="grade", confidence="confidence", id="id"):
        """Results from the columns of a pandas DataFrame (or any mapping of column -> values).

        The grades come from the column ``grade``, or, when the frame has no such column, from
        the three boolean columns ``is_correct``, ``is_incorrect``, ``is_not_attempted``. The
        columns named by ``confidence`` and ``id`` are used when present (None: not used).

        >>> import pandas as pd
        >>> frame = pd.DataFrame({"grade": ["A", "B"], "confidence": [0.9, 0.4]})
        >>> GradedResults.from_dataframe(frame).confidence.tolist()
        [0.9, 0.4]
        """
        if not hasattr(frame, "__getitem__") or not hasattr(frame, "keys"):
            raise TypeError(f"frame must be a DataFrame or a mapping of columns, got {type(frame).__name__}")
        columns = list(frame.keys())
        q = frame[confidence] if confidence is not None and confidence in columns else None
        labels = frame[id] if id is not None and id in columns else None
        if grade in columns:
            return cls(np.asarray(frame[grade], dtype=object), q, labels)
        if all(name in columns for name in _BOOLEAN_FIELDS):
            return cls.from_booleans(*(np.asarray(frame[name]) for name in _BOOLEAN_FIELDS), q, labels)
        raise ValueError(f"frame has no column {grade!r} and not all of {', '.join(_BOOLEAN_FIELDS)}")

    # --- counts and rates --------------------------------------------------------------------

    def __len__(self):
        return int(self.codes.size)

    @property
    def n(self) -> int:
        """The number of questions."""
        return len(self)

    @property
    def counts(self) -> tuple:
        """(correct, incorrect, not attempted) counts."""
        c = np.bincount(self.codes, minlength=3)
        return int(c[0]), int(c[1]), int(c[2])

    @property
    def correct(self) -> np.ndarray:
        """Boolean mask of the questions answered correctly."""
        return self.codes == _CORRECT

    @property
    def attempted(self) -> np.ndarray:
        """Boolean mask of the questions answered (correctly or not)."""
        return self.codes != _NOT_ATTEMPTED

    def rate(self, grade="correct"):
        """The fraction of the questions with this grade, an exact Fraction.

        >>> GradedResults(["A", "B", "B", "C"]).rate("incorrect")
        Fraction(1, 2)
        """
        if grade not in GRADES:
            raise ValueError(f"grade must be one of {GRADES}, got {grade!r}")
        return Fraction(self.counts[GRADES.index(grade)], self.n)

    @property
    def accuracy(self):
        """The fraction answered correctly (the score under binary grading)."""
        return self.rate("correct")

    @property
    def error_rate(self):
        """The fraction answered incorrectly (the hallucination rate)."""
        return self.rate("incorrect")

    @property
    def abstention_rate(self):
        """The fraction not attempted."""
        return self.rate("not_attempted")

    def rate_interval(self, grade="correct", level=0.95, method="wilson"):
        """A binomial interval (`binomial_interval`) for ``rate(grade)``.

        >>> [round(x, 3) for x in GradedResults(["A"] * 7 + ["B"] * 3).rate_interval()]
        [0.397, 0.892]
        """
        self.rate(grade)
        return binomial_interval(self.counts[GRADES.index(grade)], self.n, level, method)

    # --- scores ------------------------------------------------------------------------------

    def score(self, t=0):
        """The score under the confidence target t, by `hallu_proofs.grading.rescore`: (correct -
        t / (1 - t) incorrect) / n. t = 0 (the default) is binary grading: the accuracy.

        Exact (a Fraction) when t is an integer or a Fraction.

        >>> from fractions import Fraction as F
        >>> GradedResults(["A", "A", "B", "C"]).score(F(3, 4))
        Fraction(-1, 4)
        """
        return grading.rescore(*self.counts, t=t)

    def score_interval(self, t=0, level=0.95, n_boot=1000, rng=0):
        """A percentile bootstrap interval (`bootstrap_interval`) for ``score(t)``.

        >>> lo, hi = GradedResults(["A"] * 60 + ["B"] * 30 + ["C"] * 10).score_interval(0.5)
        >>> lo < 0.3 < hi
        True
        """
        grading.penalty(t)  # checks t
        return bootstrap_interval(self.counts, lambda c, w, a: grading.rescore(c, w, a, t), level,
                                  n_boot, rng)

    # --- thresholds, curves, calibration -----------------------------------------------------

    def _answered_confidences(self):
        if self.confidence is None:
            raise ValueError(f"{self._name()} have no confidences")
        attempted = self.attempted
        return self.confidence[attempted], self.correct[attempted]

    def _name(self):
        return "these results" if self.source is None else f"the results of {self.source}"

    def thresholded(self, threshold):
        """The results of answering only when the confidence exceeds ``threshold``: every
        attempted question with confidence <= threshold becomes not attempted (ties abstain, as
        in `hallu_proofs.grading.answer_policy`).

        >>> GradedResults(["A", "B", "A"], confidence=[0.9, 0.5, 0.5]).thresholded(0.5).counts
        (1, 0, 2)
        """
        if self.confidence is None:
            raise ValueError(f"{self._name()} have no confidences")
        tau = check_probability(threshold, "threshold")
        if self.confidence.dtype != object:
            tau = _float_at_most(tau)  # the same comparisons, without one Fraction per question
        codes = np.where(self.attempted & (self.confidence <= tau), _NOT_ATTEMPTED, self.codes)
        return GradedResults._from_codes(codes.astype(np.int8), self.confidence, self.ids, self.source)

    def best_threshold(self, t=0):
        """The threshold tau that maximises the score under target t of answering only when the
        confidence exceeds tau, and that score: ``(tau, thresholded(tau).score(t))``.

        The candidates are tau = 0 and every confidence of an attempted question below 1; on a
        tie the smallest tau (the most answers) wins. One sort of the confidences and one
        cumulative sum (in integers when the penalty is a Fraction of small terms, so exact).
        A calibrated model's best tau is near t (the expected score of an answer with confidence
        q has the sign of q - t); the score at the best tau is an optimistic estimate, since tau
        is chosen on the same data.

        >>> from fractions import Fraction as F
        >>> GradedResults(["A", "B", "A", "B"], confidence=[0.9, 0.8, 0.6, 0.3]).best_threshold(F(1, 2))
        (0.3, Fraction(1, 4))
        """
        grading.penalty(t)  # checks t
        return self._best_threshold(t, *self._sorted_answers())

    def _sorted_answers(self):
        """The confidences of the attempted questions in increasing order, and whether each of
        those answers is right."""
        q, right = self._answered_confidences()
        order = np.argsort(q, kind="stable")
        return q[order], right[order]

    def _best_threshold(self, t, qs, right):
        """`best_threshold` from the sorted answers (so that many targets share one sort)."""
        s = grading.penalty(t)
        if qs.size == 0:
            return 0.0, self.score(t)
        exact = isinstance(s, Fraction) and max(s.numerator, s.denominator) < 1 << 20
        if exact:  # scores times denominator, in integers
            value = np.where(right, s.denominator, -s.numerator).astype(np.int64)
        else:
            value = np.where(right, 1.0, -float(s))
        suffix = np.concatenate([np.cumsum(value[::-1])[::-1], np.zeros(1, dtype=value.dtype)])
        last = np.flatnonzero(np.r_[qs[1:] != qs[:-1], True])  # the last of each run of equals
        taus, totals = qs[last], suffix[last + 1]
        below_one = taus < 1
        taus, totals = taus[below_one], totals[below_one]
        if qs[0] > 0:  # tau = 0 answers every attempted question
            taus = np.r_[np.array([0], dtype=qs.dtype), taus]
            totals = np.r_[suffix[:1], totals]
        if taus.size == 0:
            return 0.0, self.score(t)
        best = int(np.argmax(totals))
        tau = taus[best]
        tau = tau if isinstance(tau, Fraction) else float(tau)
        return tau, self.thresholded(tau).score(t)

    def target_curve(self, targets):
        """Scores against the confidence target: for each t in ``targets``, ``"graded"`` is
        ``score(t)`` of the results as they are, and (with confidences) ``"thresholded"`` the
        score of answering only when the confidence exceeds t, and ``"best"`` the score at
        ``best_threshold(t)``. Floats; one sort for all the targets.

        >>> curve = GradedResults(["A", "B", "C"], confidence=[0.9, 0.4, 0.1]).target_curve([0, 0.5])
        >>> curve["graded"].round(3).tolist(), curve["thresholded"].round(3).tolist()
        ([0.333, 0.0], [0.333, 0.333])
        """
        ts = _targets(targets)
        curve = {"target": np.array([float(t) for t in ts]),
                 "graded": np.array([float(self.score(t)) for t in ts])}
        if self.confidence is not None:
            q, right = self._answered_confidences()
            if q.size:
                audit = grading.threshold_audit(q, right, ts)
                abstained = audit["abstained"] + self.counts[2]
                curve["thresholded"] = np.array([
                    float(grading.rescore(int(c), int(w), int(a), t))
                    for c, w, a, t in zip(audit["correct"], audit["wrong"], abstained, ts)])
            else:
                curve["thresholded"] = curve["graded"].copy()
            answers = self._sorted_answers()  # one sort for every target
            curve["best"] = np.array([float(self._best_threshold(t, *answers)[1]) for t in ts])
        return curve

    def risk_coverage(self):
        """The risk-coverage curve of answering the most confident questions first.

        Answering the attempted questions whose confidence is at least c, for each distinct
        confidence c from the highest down: ``"confidence"`` is c, ``"coverage"`` the fraction
        of all n questions answered, ``"risk"`` the fraction of those answers that are wrong.
        One sort.

        >>> curve = GradedResults(["A", "B", "A", "C"], confidence=[0.9, 0.8, 0.8, 0.1]).risk_coverage()
        >>> curve["coverage"].tolist(), curve["risk"].tolist()
        ([0.25, 0.75], [0.0, 0.3333333333333333])
        """
        q, right = self._answered_confidences()
        if q.size == 0:
            raise ValueError(f"{self._name()} have no attempted question")
        order = np.argsort(q, kind="stable")[::-1]
        qs = q[order]
        wrong = np.cumsum(~right[order])
        last = np.flatnonzero(np.r_[qs[1:] != qs[:-1], True])
        answered = last + 1
        return {"confidence": qs[last].astype(float), "coverage": answered / self.n,
                "risk": wrong[last] / answered}

    def reliability(self, bins=10, strategy="uniform"):
        """The `hallu_proofs.reliability.ReliabilityTable` of the attempted questions (a question
        not attempted has no answer to be right about).

        >>> GradedResults(["A", "B", "C"], confidence=[0.9, 0.3, 0.5]).reliability(bins=2).count.tolist()
        [1, 1]
        """
        q, right = self._answered_confidences()
        if q.size == 0:
            raise ValueError(f"{self._name()} have no attempted question")
        return reliability_table(q, right, bins, strategy)

    def summary(self, targets=(0,), level=0.95, n_boot=1000, rng=0, bins=10):
        """Everything the command line reports, as a JSON-ready dict of floats.

        Keys: ``n``, ``counts``, ``rates`` (value and binomial interval per grade), ``score``
        (the score at the first target, as graded), ``targets`` (per target: the score as
        graded, and with confidences the score of answering iff confidence > t and the best
        threshold, each with a bootstrap interval), and with confidences ``calibration`` (ECE,
        MCE and Brier score of the attempted questions, ``bins`` equal-width bins).

        >>> summary = GradedResults(["A", "B", "C"]).summary(targets=[0, 0.5])
        >>> round(summary["score"], 4), round(summary["targets"][1]["graded"]["score"], 4)
        (0.3333, 0.0)
        """
        ts = _targets(targets)
        level = _level(level)

        def scored(results, t):
            return {"score": float(results.score(t)),
                    "interval": list(results.score_interval(t, level, n_boot, rng))}

        out = {"source": self.source, "n": self.n, "level": level,
               "counts": dict(zip(GRADES, self.counts)),
               "rates": {g: {"value": float(self.rate(g)), "interval": list(self.rate_interval(g, level))}
                         for g in GRADES}}
        out["targets"] = []
        for t in ts:
            entry = {"target": float(t), "penalty": float(grading.penalty(t)),
                     "graded": scored(self, t)}
            if self.confidence is not None:
                entry["thresholded"] = {"threshold": float(t), **scored(self.thresholded(t), t)}
                tau, _ = self.best_threshold(t)
                entry["best_threshold"] = {"threshold": float(tau), **scored(self.thresholded(tau), t)}
            out["targets"].append(entry)
        out["score"] = out["targets"][0]["graded"]["score"]
        if self.confidence is not None and self.counts[2] < self.n:
            q, right = self._answered_confidences()
            table = reliability_table(q, right, bins)
            from .reliability import brier_score

            out["calibration"] = {"bins": check_positive_int(bins, "bins"),
                                  "ece": float(table.calibration_error),
                                  "mce": float(table.max_calibration_error),
                                  "brier": float(brier_score(q, right))}
        return out

    def __repr__(self):
        c, w, a = self.counts
        extra = ", with confidences" if self.confidence is not None else ""
        # the file's name, not its folder: a printed result reads the same wherever the file lies
        where = f" from {os.path.basename(self.source)}" if self.source else ""
        return (f"GradedResults({self.n} questions{where}: {c} correct, {w} incorrect, "
                f"{a} not attempted{extra})")


# --------------------------------------------------------------------------- plots

def plot_target_curve(results, targets=None, ax=None):
    """Plot `GradedResults.target_curve` against the target t with matplotlib; return the Axes.

    ``targets`` defaults to 101 points from 0 to 0.95.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> plot_target_curve(GradedResults(["A", "B"], confidence=[0.9, 0.4])).get_xlabel()
    'confidence target t'
    """
    if not isinstance(results, GradedResults):
        raise TypeError(f"results must be a GradedResults, got {type(results).__name__}")
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.8))
    ts = np.linspace(0, 0.95, 101) if targets is None else targets
    curve = results.target_curve(ts)
    labels = {"graded": "as graded", "thresholded": "answer iff confidence > t",
              "best": "best threshold (chosen on these data)"}
    for key, label in labels.items():
        if key in curve:
            ax.plot(curve["target"], curve[key], label=label)
    ax.axhline(0, color="gray", lw=0.8)
    ax.set(xlabel="confidence target t", ylabel="score per question")
    ax.legend(fontsize="small")
    return ax


def plot_risk_coverage(results, ax=None):
    """Plot `GradedResults.risk_coverage` with matplotlib; return the Axes.

    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> plot_risk_coverage(GradedResults(["A", "B"], confidence=[0.9, 0.4])).get_ylabel()
    'risk (fraction of answers wrong)'
    """
    if not isinstance(results, GradedResults):
        raise TypeError(f"results must be a GradedResults, got {type(results).__name__}")
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.8))
    curve = results.risk_coverage()
    ax.step(curve["coverage"], curve["risk"], where="post", marker=".")
    ax.set(xlim=(0, 1), ylim=(0, None), xlabel="coverage (fraction of questions answered)",
           ylabel="risk (fraction of answers wrong)")
    return ax


# --------------------------------------------------------------------------- files

def _bad(path, line, field, message):
    where = f"{path}: line {line}" if isinstance(line, int) else f"{path}: {line}"
    return ValueError(f"{where}: field {field!r}: {message}")


def _progress(path, progress):
    """A tqdm bar over the file's bytes on stderr, shown only after a second; or None."""
    if not progress:
        return None
    try:
        from tqdm import tqdm
    except ImportError:  # the bar is a convenience: no tqdm, no bar
        return None
    return tqdm(total=os.path.getsize(path), unit="B", unit_scale=True, delay=1.0, file=sys.stderr,
                desc=os.path.basename(str(path)), leave=False)


def _lines(handle, bar):
    """The lines of an open text file; with a bar, read in blocks of about a megabyte and
    counted per block (the progress is in characters, bytes for ASCII files)."""
    if bar is None:
        return handle

    def blocks():
        while True:
            block = handle.readlines(_PROGRESS_CHARS)
            if not block:
                return
            bar.update(sum(map(len, block)))
            yield block

    return itertools.chain.from_iterable(blocks())


class _GarbageCollectionPaused:
    """Pause the cyclic garbage collector while a million small rows are built (it would scan
    them again and again, finding no cycle), and restore its state afterwards."""

    def __enter__(self):
        self.was_enabled = gc.isenabled()
        gc.disable()

    def __exit__(self, *exc):
        if self.was_enabled:
            gc.enable()


def _confidence_values(values, path, lines, field="confidence", text=False):
    """Floats in [0, 1] from JSON numbers (or, with ``text``, from CSV strings); the first bad
    value is refused by line."""
    allowed = (str,) if text else (int, float)
    q = None
    if set(map(type, values)) <= set(allowed):
        try:
            q = np.array(values, dtype=float)
        except ValueError:  # a string that is not a number
            q = None
    if q is not None and (np.isfinite(q) & (q >= 0) & (q <= 1)).all():
        return q
    for i, v in enumerate(values):
        try:
            if type(v) not in allowed:
                raise ValueError
            x = float(v)
        except ValueError:
            raise _bad(path, lines(i), field, f"{v!r} is not a number") from None
        if not (math.isfinite(x) and 0 <= x <= 1):
            raise _bad(path, lines(i), field, f"{v!r} is not in [0, 1]")
    raise AssertionError("unreachable")  # pragma: no cover


def _codes_from_values(values, path, lines, field="grade"):
    table = {}
    for value in set(values) if all(isinstance(v, str) for v in values) else values:
        code = _grade_code(value)
        if code is None:
            raise _bad(path, lines(values.index(value)), field,
                       f"unknown grade {value!r} (expected correct, incorrect, not_attempted, A, B or C)")
        table[value] = code
    return np.array([table[v] for v in values], dtype=np.int8)


def _codes_from_flags(flags, path, lines, parse):
    """Codes from the three boolean fields (lists of raw values)."""
    arrays = []
    for name, values in zip(_BOOLEAN_FIELDS, flags):
        try:
            arrays.append(np.array([parse(v) for v in values], dtype=bool))
        except (KeyError, TypeError):
            for i, v in enumerate(values):
                try:
                    parse(v)
                except (KeyError, TypeError):
                    raise _bad(path, lines(i), name, f"{v!r} is not a boolean") from None
    total = arrays[0].astype(np.int8) + arrays[1] + arrays[2]
    bad = np.flatnonzero(total != 1)
    if bad.size:
        i = int(bad[0])
        raise _bad(path, lines(i), "is_correct", f"{int(total[i])} of {', '.join(_BOOLEAN_FIELDS)} are "
                   "true; exactly one must be")
    return np.where(arrays[0], _CORRECT, np.where(arrays[1], _INCORRECT, _NOT_ATTEMPTED)).astype(np.int8)


def _csv_boolean(value):
    return _CSV_BOOLEANS[value.strip().lower()]


def _json_boolean(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise TypeError


def _read_csv(path, progress):
    bar = _progress(path, progress)
    try:
        with open(path, newline="", encoding="utf-8") as handle, _GarbageCollectionPaused():
            reader = csv.reader(_lines(handle, bar))
            header = next(reader, None)
            if header is None:
                raise _bad(path, 1, "grade", "the file is empty (no header)")
            rows = [row for row in reader if row]  # csv gives [] for a blank line
    finally:
        if bar is not None:
            bar.close()
    header = [name.strip() for name in header]

    def lines(i):  # the line on which data row i ends (quoted fields can span lines)
        with open(path, newline="", encoding="utf-8") as handle:
            reader = csv.reader(handle)
            next(reader)
            seen = -1
            while seen < i:
                seen += bool(next(reader))
            return reader.line_num

    if not rows:
        raise _bad(path, 2, "grade", "the file has a header but no rows")
    widths = {len(r) for r in rows}
    if widths != {len(header)}:
        i = next(i for i, r in enumerate(rows) if len(r) != len(header))
        missing = header[len(rows[i])] if len(rows[i]) < len(header) else header[-1]
        raise _bad(path, lines(i), missing, f"the row has {len(rows[i])} fields, the header {len(header)}")
    used = [name for name in ("grade", *_BOOLEAN_FIELDS, "confidence", "id") if name in header]
    columns = {name: [row[header.index(name)] for row in rows] for name in used}
    return _from_columns(columns, path, lines, _csv_boolean, header_line=1, text=True)


def _from_columns(columns, path, lines, parse_boolean, header_line, text=False):
    if "grade" in columns:
        codes = _codes_from_values(list(columns["grade"]), path, lines)
    elif all(name in columns for name in _BOOLEAN_FIELDS):
        codes = _codes_from_flags([columns[name] for name in _BOOLEAN_FIELDS], path, lines, parse_boolean)
    else:
        raise _bad(path, header_line, "grade", "missing: a file needs a grade field or all of "
                   + ", ".join(_BOOLEAN_FIELDS))
    confidence = None
    if "confidence" in columns:
        confidence = _confidence_values(list(columns["confidence"]), path, lines, text=text)
    ids = np.array(columns["id"], dtype=object) if "id" in columns else None
    return GradedResults._from_codes(codes, confidence, ids, str(path))


def _json_records(path, progress):
    """(line numbers, records) of a JSONL file; blank lines are skipped."""
    bar = _progress(path, progress)
    numbers, records = [], []
    loads = json.loads
    try:
        with open(path, encoding="utf-8") as handle, _GarbageCollectionPaused():
            for number, line in enumerate(_lines(handle, bar), 1):
                if not line.strip():
                    continue
                try:
                    record = loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}: line {number}: not valid JSON ({exc.msg})") from None
                if not isinstance(record, dict):
                    raise ValueError(f"{path}: line {number}: a record must be a JSON object, got "
                                     f"{type(record).__name__}")
                numbers.append(number)
                records.append(record)
    finally:
        if bar is not None:
            bar.close()
    if not records:
        raise _bad(path, 1, "grade", "the file holds no records")
    return numbers, records


def _column(records, numbers, path, field):
    try:
        return [r[field] for r in records]
    except KeyError:
        i = next(i for i, r in enumerate(records) if field not in r)
        raise _bad(path, numbers[i], field, "missing") from None


def _read_jsonl(path, progress, records=None):
    numbers, records = _json_records(path, progress) if records is None else records
    first = records[0]
    fields = [f for f in ("grade", *_BOOLEAN_FIELDS) if f in first]
    if "grade" not in first and len(fields) < 3:
        raise _bad(path, numbers[0], "grade", "missing: a record needs a grade field or all of "
                   + ", ".join(_BOOLEAN_FIELDS))
    columns = {}
    for field in ["grade"] if "grade" in first else list(_BOOLEAN_FIELDS):
        columns[field] = _column(records, numbers, path, field)
    for field in ("confidence", "id"):
        if any(field in r for r in records):
            columns[field] = _column(records, numbers, path, field)
    return _from_columns(columns, path, numbers.__getitem__, _json_boolean, numbers[0])


def _read_inspect(path, scorer, confidence_key):
    try:
        from inspect_ai.log import read_eval_log
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("reading inspect-ai logs needs inspect-ai: pip install inspect-ai") from None
    try:
        log = read_eval_log(str(path))
    except Exception as exc:  # inspect-ai raises many kinds for a file that is not a log
        raise ValueError(f"{path}: not an inspect-ai log that inspect-ai can read ({exc})") from None
    samples = log.samples or []
    if not samples:
        raise ValueError(f"{path}: the log holds no samples")
    names = sorted({name for s in samples for name in (s.scores or {})})
    if scorer is None:
        if len(names) != 1:
            raise ValueError(f"{path}: the log has scorers {names}; name one with scorer=")
        scorer = names[0]
    codes, confidences, ids = [], [], []
    for s in samples:
        where = f"sample {s.id!r} (epoch {s.epoch})"
        score = (s.scores or {}).get(scorer)
        if score is None:
            raise _bad(path, where, f"scores.{scorer}", "missing")
        value = score.value
        if isinstance(value, str):
            code = _INSPECT_GRADES.get(value)
        elif isinstance(value, (bool, int, float)) and value in (0, 1):
            code = _CORRECT if value else _INCORRECT
        else:
            code = None
        if code is None:
            raise _bad(path, where, f"scores.{scorer}.value", f"{value!r} is not a grade (expected "
                       "'C', 'I', 'N', or 1/True and 0/False)")
        codes.append(code)
        meta = score.metadata or {}
        q = meta.get(confidence_key, s.metadata.get(confidence_key) if s.metadata else None)
        confidences.append(q)
        ids.append(s.id)
    have = [q is not None for q in confidences]
    confidence = None
    if any(have):
        if not all(have):
            s = samples[have.index(False)]
            raise _bad(path, f"sample {s.id!r} (epoch {s.epoch})", confidence_key,
                       "missing (other samples have one)")
        def where(i):
            return f"sample {samples[i].id!r} (epoch {samples[i].epoch})"
        confidence = _confidence_values(confidences, path, where, confidence_key)
    return GradedResults._from_codes(np.array(codes, dtype=np.int8), confidence,
                                     np.array(ids, dtype=object), str(path))


def _loglikelihoods(responses):
    """The loglikelihoods of a multiple-choice document's filtered_resps, or None."""
    if not isinstance(responses, list) or len(responses) < 2:
        return None
    values = []
    for r in responses:
        if isinstance(r, list) and len(r) == 2:  # [loglikelihood, is_greedy]
            r = r[0]
        if isinstance(r, bool):
            return None
        try:
            values.append(float(r))  # the harness may write numbers as strings
        except (TypeError, ValueError):
            return None
    return values


def _read_lm_eval(path, progress, metric, filter, records=None):
    numbers, records = _json_records(path, progress) if records is None else records
    for i, r in enumerate(records):
        if "doc_id" not in r:
            raise _bad(path, numbers[i], "doc_id", "missing (not an lm-evaluation-harness samples file?)")
    filters = sorted({str(r["filter"]) for r in records if "filter" in r})
    if filter is not None:
        keep = [i for i, r in enumerate(records) if str(r.get("filter")) == filter]
        if not keep:
            raise ValueError(f"{path}: no record has filter {filter!r} (filters: {filters})")
        numbers, records = [numbers[i] for i in keep], [records[i] for i in keep]
    elif len(filters) > 1:
        raise ValueError(f"{path}: the records have filters {filters}; name one with filter=")
    if metric is None:
        metric = next((m for m in _LM_EVAL_METRICS if m in records[0]), None)
        if metric is None:
            raise _bad(path, numbers[0], "acc", "missing (and no exact_match): name the metric")
    values = _column(records, numbers, path, metric)
    codes = np.empty(len(values), dtype=np.int8)
    for i, v in enumerate(values):
        if not (isinstance(v, (bool, int, float)) and v in (0, 1)):
            raise _bad(path, numbers[i], metric, f"{v!r} is not a 0/1 grade")
        codes[i] = _CORRECT if v else _INCORRECT
    lls = [_loglikelihoods(r.get("filtered_resps")) for r in records]
    have = [x is not None for x in lls]
    confidence = None
    if any(have):
        if not all(have):
            i = have.index(False)
            raise _bad(path, numbers[i], "filtered_resps", "not a list of loglikelihoods over two or "
                       "more choices (other records have one)")
        confidence = np.array([1.0 / np.sum(np.exp(np.array(x) - max(x))) for x in lls])
    ids = np.array([r["doc_id"] for r in records], dtype=object)
    return GradedResults._from_codes(codes, confidence, ids, str(path))


def _guess_format(path):
    name = str(path).lower()
    if name.endswith(".csv"):
        return "csv", None
    if name.endswith(".eval") or name.endswith(".json"):
        return "inspect", None
    if name.endswith(".jsonl"):
        records = _json_records(path, False) if os.path.getsize(path) < 1 << 16 else None
        first = records[1][0] if records else _first_record(path)
        return ("lm-eval" if "doc_id" in first and ("filtered_resps" in first or "resps" in first)
                else "jsonl"), records
    raise ValueError(f"{path}: cannot tell the format from the file name; pass format= one of {FORMATS}")


def _first_record(path):
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise ValueError(f"{path}: line {number}: not valid JSON ({exc.msg})") from None
                return record if isinstance(record, dict) else {}
    raise _bad(path, 1, "grade", "the file holds no records")


def read_results(path, format="auto", scorer=None, metric=None, filter=None, confidence_key="confidence",
                 progress=False) -> GradedResults:
    """Read graded results from a file (see the module's docstring for the formats).

    Parameters
    ----------
    path : str or path-like
    format : "auto" (from the suffix: .csv, .jsonl, .eval/.json for inspect-ai; a .jsonl whose
        first record has ``doc_id`` and ``filtered_resps`` is an lm-eval samples file) or one of
        `FORMATS`
    scorer : inspect-ai logs: the scorer whose score is the grade (default: the only one)
    metric : lm-eval: the 0/1 metric that grades (default ``acc``, else ``exact_match``)
    filter : lm-eval: the filter whose records are kept (needed when there are several)
    confidence_key : inspect-ai logs: the metadata key of the confidence
    progress : show a progress bar (tqdm, on stderr) when reading takes more than a second

    Examples
    --------
    >>> from importlib import resources
    >>> example = resources.files("hallu_proofs") / "data" / "examples" / "results.csv"
    >>> read_results(example).counts
    (114, 74, 12)
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"path must be a file name, got {type(path).__name__}")
    if format != "auto" and format not in FORMATS:
        raise ValueError(f"format must be 'auto' or one of {FORMATS}, got {format!r}")
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such file")
    records = None
    if format == "auto":
        format, records = _guess_format(path)
    if format == "csv":
        return _read_csv(path, progress)
    if format == "jsonl":
        return _read_jsonl(path, progress, records)
    if format == "inspect":
        return _read_inspect(path, scorer, confidence_key)
    return _read_lm_eval(path, progress, metric, filter, records)

