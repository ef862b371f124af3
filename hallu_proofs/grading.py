"""Evaluations: binary grading rewards guessing, confidence targets do not (paper Section 4).

Three layers, from the paper's formal setting to a practitioner's spreadsheet:

* **Problems and graders** (Section 4.1, Observation 1, proof in Appendix E): a `Problem` holds
  a prompt c, its plausible responses R_c and the abstentions A_c; a grader maps each response
  to a score; beliefs rho_c are a distribution over graders. `expected_scores` and
  `optimal_responses` compute E_{g ~ rho_c}[g(r)] and its argmax.
* **Confidence targets** (Section 4.2): `penalty(t) = t / (1 - t)` points are lost for a wrong
  answer, a correct one earns 1, "I don't know" earns 0. `expected_score(q, t)` is the expected
  score of answering with confidence q; `answer_policy` answers iff q > t.
* **Whole evaluations**: `rescore` turns counts (or rates) of correct, wrong and abstained answers
  into the score under binary grading (t = 0) or a target t; `evaluation_score`,
  `expected_evaluation_score` and `threshold_audit` do it from per-question data;
  `crossover_target` finds the t at which two results swap rank.

Integers and Fractions give exact Fractions; floats give floats. Bad input raises ValueError
(TypeError for a wrong type) naming the argument.

>>> from fractions import Fraction as F
>>> penalty(F(3, 4)), expected_score(F(9, 10), F(3, 4))
(Fraction(3, 1), Fraction(3, 5))
>>> rescore(correct=22, wrong=26, abstained=52, t=F(1, 2))
Fraction(-1, 25)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction
from importlib import resources
from numbers import Integral, Rational

import numpy as np

from ._lazy import sympy as sp
from .validation import (
    as_array,
    as_list,
    check_distribution,
    check_probability,
    check_real,
    check_real_vector,
)

__all__ = [
    "Benchmark",
    "Problem",
    "PublishedResult",
    "answer_policy",
    "benchmark_footnotes",
    "benchmark_table",
    "break_even_confidence",
    "check_binary_grader",
    "confidence_for_penalty",
    "crossover_target",
    "crossover_penalty_expression",
    "evaluation_score",
    "expected_evaluation_score",
    "expected_score",
    "expected_score_closed_form_holds",
    "expected_score_expression",
    "expected_score_sign_rule_holds",
    "expected_scores",
    "optimal_responses",
    "penalty",
    "random_binary_beliefs",
    "rescore",
    "simpleqa_results",
    "threshold_audit",
]


# --- numbers -------------------------------------------------------------------------------


def _number(x, name):
    """A finite real: ints and Fractions become Fractions (exact), the rest floats."""
    check_real(x, name)
    if isinstance(x, Integral):
        return Fraction(int(x))
    if isinstance(x, Rational):
        return Fraction(x.numerator, x.denominator)
    return float(x)


def _target(t, name="t"):
    """A confidence target t in [0, 1)."""
    t = _number(t, name)
    if not 0 <= t < 1:
        raise ValueError(f"{name} must be in [0, 1), got {t}")
    return t


def penalty(t):
    """The penalty t / (1 - t) of a wrong answer under the confidence target t.

    It is the penalty that makes answering with confidence exactly t break even with
    "I don't know" (score 0). t = 0 is binary grading (no penalty).

    Parameters
    ----------
    t : real in [0, 1)

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> [penalty(t) for t in (0, F(1, 2), F(3, 4), F(9, 10))]
    [Fraction(0, 1), Fraction(1, 1), Fraction(3, 1), Fraction(9, 1)]
    >>> penalty(1.0)
    Traceback (most recent call last):
    ...
    ValueError: t must be in [0, 1), got 1.0
    """
    t = _target(t)
    return t / (1 - t)


def rescore(correct, wrong, abstained, t=0):
    """Score per question, (correct - penalty(t) * wrong) / (correct + wrong + abstained).

    Correct answers earn 1, wrong ones lose penalty(t), abstentions ("I don't know") earn 0.
    The inputs are counts, or rates over a common denominator (fractions or percentages);
    only their ratios matter. ``t = 0`` (the default) is binary grading: the score is then
    the accuracy.

    Parameters
    ----------
    correct, wrong, abstained : non-negative reals, not all zero
    t : real in [0, 1), the confidence target

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> rescore(24, 75, 1), rescore(22, 26, 52)          # binary grading: the accuracy
    (Fraction(6, 25), Fraction(11, 50))
    >>> rescore(24, 75, 1, t=F(3, 4)), rescore(22, 26, 52, t=F(3, 4))
    (Fraction(-201, 100), Fraction(-14, 25))
    >>> rescore(1, -1, 0)
    Traceback (most recent call last):
    ...
    ValueError: wrong must be >= 0, got -1
    """
    correct_rate, wrong_rate = _rates(correct, wrong, abstained)
    return correct_rate - penalty(t) * wrong_rate


def _rates(correct, wrong, abstained):
    """(correct, wrong) divided by the total, after checking the three counts."""
    counts = {"correct": correct, "wrong": wrong, "abstained": abstained}
    counts = {name: _number(x, name) for name, x in counts.items()}
    for name, x in counts.items():
        if x < 0:
            raise ValueError(f"{name} must be >= 0, got {x}")
    total = sum(counts.values())
    if total == 0:
        raise ValueError("correct + wrong + abstained must be positive, got 0")
    return counts["correct"] / total, counts["wrong"] / total


def expected_score(q, t):
    """Expected score of answering with confidence q under target t: q - (1 - q) t / (1 - t).

    The answer is right with probability q (score 1) and wrong otherwise (score -penalty(t)),
    so this is ``rescore(q, 1 - q, 0, t)``. It equals (q - t) / (1 - t): answering beats
    "I don't know" (score 0) exactly when q > t. With a float q or t it is computed as
    (q - t) / (1 - t), so that the float score is exactly 0 at q = t (the other form leaves
    a rounding error of about 1e-17 there) and its sign agrees with `answer_policy`.

    Parameters
    ----------
    q : real in [0, 1], the probability that the answer is correct
    t : real in [0, 1), the confidence target

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> expected_score(F(1, 2), F(1, 2)), expected_score(F(4, 5), F(1, 2))
    (Fraction(0, 1), Fraction(3, 5))
    >>> expected_score(F(1, 10), 0)                      # binary grading: any guess helps
    Fraction(1, 10)
    >>> expected_score(0.06, 0.06)                       # floats: exactly 0 at the tie
    0.0
    >>> expected_score(float("nan"), 0.5)
    Traceback (most recent call last):
    ...
    ValueError: q must be finite, got nan
    """
    q = _number(check_probability(q, "q"), "q")
    t = _target(t)
    if isinstance(q, float) or isinstance(t, float):
        return (float(q) - float(t)) / (1 - float(t))
    return rescore(q, 1 - q, 0, t)


# --- per-question evaluations --------------------------------------------------------------


def _confidences(values, name="confidences"):
    """A non-empty 1-D array of confidences in [0, 1]: Fractions (object array) or floats."""
    arr = check_real_vector(values, name)
    outside = np.flatnonzero((arr < 0) | (arr > 1))
    if outside.size:
        i = outside[0]
        raise ValueError(f"{name}: entry {i} is {arr[i]}; confidences must be in [0, 1]")
    return arr


def _mask(values, name, size):
    """A boolean array of the given length."""
    arr = as_array(values, name)
    if arr.dtype != bool:
        raise TypeError(f"{name} must be a boolean array, got dtype {arr.dtype}")
    if arr.shape != (size,):
        raise ValueError(f"{name} has shape {arr.shape}, expected ({size},)")
    return arr


def answer_policy(confidences, t):
    """The optimal policy under target t: answer question i iff its confidence q_i > t.

    At q_i = t answering and abstaining tie; the policy abstains. Since the rule is the same
    for every t once t is stated, one model following it is optimal for all targets at once
    (behavioral calibration).

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> answer_policy([F(1, 4), F(1, 2), F(9, 10)], F(1, 2)).tolist()
    [False, False, True]
    """
    q = _confidences(confidences)
    return q > _target(t)


def evaluation_score(correct, answered, t):
    """Realized score per question of an evaluation: 1 per correct answer, -penalty(t) per
    wrong answer, 0 per abstention (``answered`` False), divided by the number of questions.

    ``correct[i]`` says whether the answer to question i is (or would be) right; it is
    ignored where ``answered[i]`` is False.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> evaluation_score([True, False, False, True], [True, True, False, False], F(1, 2))
    Fraction(0, 1)
    """
    answered = as_array(answered, "answered")
    answered = _mask(answered, "answered", answered.size)
    correct = _mask(correct, "correct", answered.size)
    n_correct = int(np.count_nonzero(answered & correct))
    n_wrong = int(np.count_nonzero(answered & ~correct))
    return rescore(n_correct, n_wrong, answered.size - n_correct - n_wrong, t)


def expected_evaluation_score(confidences, answered, t):
    """Expected score per question when question i is answered (``answered[i]``) and its
    answer is right with probability ``confidences[i]``.

    By linearity this is ``rescore(sum q_i, sum (1 - q_i), #abstained, t)``, the sums over
    the answered questions.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> q = [F(1, 4), F(3, 4)]
    >>> expected_evaluation_score(q, answer_policy(q, F(1, 2)), F(1, 2))
    Fraction(1, 4)
    >>> expected_evaluation_score(q, [True, True], F(1, 2))     # always guessing
    Fraction(0, 1)
    """
    q = _confidences(confidences)
    answered = _mask(answered, "answered", q.size)
    taken = q[answered]
    return rescore(taken.sum(), (1 - taken).sum(), int(np.count_nonzero(~answered)), t)


def threshold_audit(confidences, correct, thresholds):
    """Counts of correct, wrong and abstained answers of the policy "answer iff q > t", for
    every threshold t: the audit of behavioral calibration across thresholds.

    Parameters
    ----------
    confidences : 1-D array of reals in [0, 1], the model's confidence per question
    correct : 1-D boolean array, whether the model's answer to each question is right
    thresholds : iterable of reals in [0, 1)

    Returns
    -------
    dict with integer arrays ``correct``, ``wrong`` and ``abstained``, one entry per
    threshold (sorting once, then one binary search per threshold).

    Examples
    --------
    >>> audit = threshold_audit([0.2, 0.6, 0.9, 0.95], [False, True, True, False], [0, 0.5, 0.9])
    >>> {key: value.tolist() for key, value in audit.items()}
    {'correct': [2, 2, 0], 'wrong': [2, 1, 1], 'abstained': [0, 1, 3]}
    """
    q = _confidences(confidences)
    correct = _mask(correct, "correct", q.size)
    ts = [_target(t, "thresholds") for t in thresholds]
    if not ts:
        raise ValueError("thresholds must hold at least one threshold")
    order = np.argsort(q)  # ties fall on the same side of every threshold: any order will do
    q_sorted = q[order]
    # correct_from[k] = number of correct answers among the questions ranked k, k+1, ... by q.
    correct_from = np.concatenate([np.cumsum(correct[order][::-1])[::-1], [0]])
    # the thresholds as given: compared with q exactly as answer_policy compares them
    abstained = np.searchsorted(q_sorted, ts, side="right")
    n_correct = correct_from[abstained]
    return {"correct": n_correct, "wrong": q.size - abstained - n_correct, "abstained": abstained}


def crossover_target(first, second):
    """The confidence target t in [0, 1) at which two results score the same, or None.

    Each result is a triple (correct, wrong, abstained) of counts or rates. Writing a, w for
    the correct and wrong rates, the scores a_i - s w_i (s = penalty(t)) are equal at
    s* = (a_1 - a_2) / (w_1 - w_2), i.e. t* = s* / (1 + s*); the ranking at t < t* is the
    reverse of the ranking at t > t*. None when the lines do not cross at any t in [0, 1)
    (equal wrong rates, or s* < 0).

    Examples
    --------
    >>> crossover_target((24, 75, 1), (22, 26, 52))      # o4-mini vs gpt-5-thinking-mini
    Fraction(2, 51)
    >>> crossover_target((50, 10, 40), (40, 20, 40)) is None
    True
    """
    rates = []
    for name, result in (("first", first), ("second", second)):
        result = as_list(result, name)
        if len(result) != 3:
            raise ValueError(f"{name} must be (correct, wrong, abstained), got {result!r}")
        rates.append(_rates(*result))
    (a1, w1), (a2, w2) = rates
    if w1 == w2:
        return None
    s = (a1 - a2) / (w1 - w2)
    return None if s < 0 else s / (1 + s)


# --- problems, graders and beliefs (Observation 1) -----------------------------------------


@dataclass(frozen=True)
class Problem:
    """A prompt c with its plausible responses R_c and abstentions A_c, a subset of R_c.

    The paper's problem (c, R_c, A_c, g_c) also carries the grader g_c; it is kept apart here
    because the test-taker does not know it and only holds beliefs over graders.

    Examples
    --------
    >>> problem = Problem("capital of Australia?", ("Canberra", "Sydney", "IDK"), {"IDK"})
    >>> problem.answers
    ('Canberra', 'Sydney')
    >>> problem.binary_grader({"Canberra"})
    {'Canberra': 1, 'Sydney': 0, 'IDK': 0}
    >>> Problem("x", ("IDK",), {"IDK"})
    Traceback (most recent call last):
    ...
    ValueError: responses must contain a response that is not an abstention
    """

    prompt: str
    responses: tuple
    abstentions: frozenset

    def __post_init__(self):
        responses = tuple(as_list(self.responses, "responses"))
        abstentions = frozenset(as_list(self.abstentions, "abstentions"))
        if not responses:
            raise ValueError("responses must not be empty")
        if len(set(responses)) != len(responses):
            raise ValueError(f"responses must be distinct, got {responses!r}")
        stray = [a for a in abstentions if a not in responses]
        if stray:
            raise ValueError(f"abstentions: {stray[0]!r} is not one of the responses")
        if abstentions == frozenset(responses):
            raise ValueError("responses must contain a response that is not an abstention")
        object.__setattr__(self, "responses", responses)
        object.__setattr__(self, "abstentions", abstentions)

    @property
    def answers(self) -> tuple:
        """The responses that are not abstentions, R_c minus A_c, in order."""
        return tuple(r for r in self.responses if r not in self.abstentions)

    def binary_grader(self, correct) -> dict:
        """The binary grader scoring 1 exactly on the answers in ``correct`` (non-empty)."""
        correct = self._correct_answers(correct)
        return {r: int(r in correct) for r in self.responses}

    def target_grader(self, correct, t) -> dict:
        """The confidence-target grader: 1 on ``correct``, -penalty(t) on the other answers,
        0 on abstentions. It is binary only at t = 0."""
        correct = self._correct_answers(correct)
        lost = -penalty(t)
        return {
            r: 0 if r in self.abstentions else (1 if r in correct else lost)
            for r in self.responses
        }

    def _correct_answers(self, correct):
        correct = frozenset(correct)
        if not correct:
            raise ValueError("correct must name at least one answer")
        wrong = [r for r in correct if r not in self.answers]
        if wrong:
            raise ValueError(f"correct: {wrong[0]!r} is not an answer (a non-abstention response)")
        return correct


def _check_grader(problem, grader, name):
    """A mapping from every response of the problem to a finite real score."""
    if not isinstance(grader, Mapping):
        raise TypeError(f"{name} must be a mapping from responses to scores, got "
                        f"{type(grader).__name__}")
    missing = [r for r in problem.responses if r not in grader]
    if missing:
        raise ValueError(f"{name} gives no score to response {missing[0]!r}")
    extra = [r for r in grader if r not in problem.responses]
    if extra:
        raise ValueError(f"{name} scores {extra[0]!r}, which is not a response of the problem")
    return {r: _number(grader[r], f"{name}[{r!r}]") for r in problem.responses}


def check_binary_grader(problem, grader, name="grader"):
    """Check that ``grader`` is binary for ``problem`` (paper Section 4.1) and return it.

    Binary: the scores take exactly the values {0, 1}, and every abstention scores 0.

    Examples
    --------
    >>> problem = Problem("2 + 2?", ("4", "5", "IDK"), {"IDK"})
    >>> check_binary_grader(problem, {"4": 1, "5": 0, "IDK": 0}) == {"4": 1, "5": 0, "IDK": 0}
    True
    >>> check_binary_grader(problem, {"4": 1, "5": 0, "IDK": 1})
    Traceback (most recent call last):
    ...
    ValueError: grader is not binary: abstention 'IDK' scores 1 (it must score 0)
    """
    scores = _check_grader(problem, grader, name)
    for r, v in scores.items():
        if v not in (0, 1):
            raise ValueError(f"{name} is not binary: response {r!r} scores {v} (only 0 or 1)")
        if r in problem.abstentions and v != 0:
            raise ValueError(f"{name} is not binary: abstention {r!r} scores 1 (it must score 0)")
    if 1 not in scores.values():
        raise ValueError(f"{name} is not binary: no response scores 1")
    return scores


def expected_scores(problem, graders, beliefs, binary=True) -> dict:
    """E_{g ~ rho}[g(r)] for every response r, where rho puts mass ``beliefs[i]`` on
    ``graders[i]``.

    Parameters
    ----------
    problem : Problem
    graders : sequence of mappings response -> score
    beliefs : probability vector over the graders (Fractions for exact results)
    binary : bool
        Require every grader to be binary (the setting of Observation 1). With False any
        finite real scores are accepted, e.g. confidence-target graders.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> problem = Problem("birthday?", ("Mar 7", "Sep 30", "IDK"), {"IDK"})
    >>> graders = [problem.binary_grader({"Mar 7"}), problem.binary_grader({"Sep 30"})]
    >>> expected_scores(problem, graders, [F(1, 3), F(2, 3)])
    {'Mar 7': Fraction(1, 3), 'Sep 30': Fraction(2, 3), 'IDK': Fraction(0, 1)}
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a Problem, got {type(problem).__name__}")
    graders = list(graders)
    rho = check_distribution(beliefs, "beliefs")
    if len(graders) != rho.size:
        raise ValueError(f"beliefs has {rho.size} entries, but there are {len(graders)} graders")
    check = check_binary_grader if binary else _check_grader
    scores = [check(problem, g, f"graders[{i}]") for i, g in enumerate(graders)]
    zero = Fraction(0) if rho.dtype == object else 0.0
    return {r: sum((b * g[r] for b, g in zip(rho, scores)), zero) for r in problem.responses}


def optimal_responses(problem, graders, beliefs, binary=True) -> frozenset:
    """The responses of largest expected score, argmax_r E_{g ~ rho}[g(r)] (ties kept).

    Observation 1: with binary graders, this set contains no abstention.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> problem = Problem("birthday?", ("Mar 7", "Sep 30", "IDK"), {"IDK"})
    >>> graders = [problem.binary_grader({"Mar 7"}), problem.binary_grader({"Sep 30"})]
    >>> sorted(optimal_responses(problem, graders, [F(1, 2), F(1, 2)]))
    ['Mar 7', 'Sep 30']
    >>> targets = [problem.target_grader({"Mar 7"}, F(3, 4)),
    ...            problem.target_grader({"Sep 30"}, F(3, 4))]
    >>> optimal_responses(problem, targets, [F(1, 2), F(1, 2)], binary=False)
    frozenset({'IDK'})
    """
    scores = expected_scores(problem, graders, beliefs, binary)
    best = max(scores.values())
    return frozenset(r for r, v in scores.items() if v == best)


def random_binary_beliefs(problem, rng, n_graders, max_weight=10):
    """Random beliefs over random binary graders of ``problem``, with exact Fraction weights.

    Each grader marks a random non-empty subset of the answers correct; the belief weights are
    random integers in [0, max_weight] (not all zero), normalized.

    Returns
    -------
    (graders, beliefs) : a list of grader dicts and a list of Fractions summing to 1

    Examples
    --------
    >>> problem = Problem("q", ("a", "b", "IDK"), {"IDK"})
    >>> graders, beliefs = random_binary_beliefs(problem, np.random.default_rng(0), 3)
    >>> len(graders), sum(beliefs)
    (3, Fraction(1, 1))
    """
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a Problem, got {type(problem).__name__}")
    if isinstance(n_graders, bool) or not isinstance(n_graders, Integral) or n_graders < 1:
        raise ValueError(f"n_graders must be a positive integer, got {n_graders!r}")
    answers = problem.answers
    graders = []
    for _ in range(n_graders):
        marks = rng.random(len(answers)) < 0.5
        marks[rng.integers(len(answers))] = True
        graders.append(problem.binary_grader(a for a, m in zip(answers, marks) if m))
    weights = [int(w) for w in rng.integers(0, max_weight + 1, size=n_graders)]
    if sum(weights) == 0:
        weights[int(rng.integers(n_graders))] = 1
    total = sum(weights)
    return graders, [Fraction(w, total) for w in weights]


# --- sympy derivations shared by the chapter and the tests ---------------------------------

def _score_symbols():
    """The real symbols q (confidence) and t (target) of the derivations below."""
    return sp.symbols("q t", real=True)


def expected_score_expression():
    """(q, t, expression): the expected score built from the grader's payoffs,
    q * 1 + (1 - q) * (-t / (1 - t)), as a sympy expression in the real symbols q and t.

    >>> q, t, score = expected_score_expression()
    >>> score.subs({q: sp.Rational(9, 10), t: sp.Rational(3, 4)})
    3/5
    """
    q, t = _score_symbols()
    return q, t, q * 1 + (1 - q) * (-t / (1 - t))


def expected_score_closed_form_holds() -> bool:
    """True iff sympy proves q - (1 - q) t / (1 - t) = (q - t) / (1 - t) identically.

    >>> expected_score_closed_form_holds()
    True
    """
    q, t, score = expected_score_expression()
    return sp.simplify(score - (q - t) / (1 - t)) == 0


def break_even_confidence():
    """The solutions q of 'expected score = 0', as a sympy list (it is [t]).

    >>> break_even_confidence()
    [t]
    """
    q, _, score = expected_score_expression()
    return sp.solve(sp.Eq(score, 0), q)


def expected_score_sign_rule_holds() -> bool:
    """True iff sympy shows (1 - t) * score = q - t, with t written as 1 - u for a positive
    symbol u (so t < 1 and 1 - t = u > 0 by construction): the expected score has the sign of
    q - t, and answering beats IDK exactly when q > t.

    >>> expected_score_sign_rule_holds()
    True
    """
    q, t, score = expected_score_expression()
    gap = sp.Symbol("u", positive=True)  # t = 1 - u with u > 0 is exactly t < 1
    scaled = sp.simplify((score * (1 - t)).subs(t, 1 - gap))
    return sp.simplify(scaled - (q - (1 - gap))) == 0


def confidence_for_penalty():
    """(k, solutions): the targets t with penalty t / (1 - t) = k, for a positive symbol k.

    >>> k, (t_of_k,) = confidence_for_penalty()
    >>> t_of_k, t_of_k.subs(k, 2), t_of_k.subs(k, 3)
    (k/(k + 1), 2/3, 3/4)
    """
    k = sp.Symbol("k", positive=True)
    _, t = _score_symbols()
    return k, sp.solve(sp.Eq(t / (1 - t), k), t)


def crossover_penalty_expression():
    """The penalty s at which a_1 - s w_1 = a_2 - s w_2, solved by sympy, with its symbols.

    >>> (a1, w1, a2, w2), s = crossover_penalty_expression()
    >>> sp.simplify(s - (a1 - a2) / (w1 - w2))
    0
    """
    a1, w1, a2, w2, s = sp.symbols("a_1 w_1 a_2 w_2 s", real=True)
    (solution,) = sp.solve(sp.Eq(a1 - s * w1, a2 - s * w2), s)
    return (a1, w1, a2, w2), solution


# --- published data ------------------------------------------------------------------------


def _read_csv(name):
    text = resources.files("hallu_proofs").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


@dataclass(frozen=True)
class Benchmark:
    """One row of the paper's Table 2."""

    name: str
    scoring_method: str
    lm_graded: bool
    binary_grading: bool
    idk_credit: str
    footnote: str
    source: str


def benchmark_table() -> list:
    """The ten benchmarks of the paper's Table 2 (read from hallu_proofs/data).

    >>> rows = benchmark_table()
    >>> len(rows), sum(row.idk_credit == "none" for row in rows)
    (10, 9)
    """
    yes_no = {"yes": True, "no": False}
    return [
        Benchmark(row["benchmark"], row["scoring_method"], yes_no[row["lm_graded"]],
                  yes_no[row["binary_grading"]], row["idk_credit"], row["footnote"],
                  row["source"])
        for row in _read_csv("table2_benchmarks.csv")
    ]


def benchmark_footnotes() -> dict:
    """Marker -> meaning (in paraphrase) of Table 2's footnotes.

    >>> sorted(benchmark_footnotes())
    ['*', 'a', 'b']
    """
    return {row["marker"]: row["meaning"] for row in _read_csv("table2_footnotes.csv")}


@dataclass(frozen=True)
class PublishedResult:
    """A published SimpleQA result: rates of correct, wrong and abstained answers (Fractions
    in [0, 1], from the rounded printed values), and where they come from."""

    model: str
    correct: Fraction
    wrong: Fraction
    abstained: Fraction
    abstention_derived: bool
    printed: tuple
    source: str
    quoted_in: str
    note: str

    @property
    def rates(self) -> tuple:
        """(correct, wrong, abstained), ready for `rescore` and `crossover_target`."""
        return self.correct, self.wrong, self.abstained


def _printed_rate(text, field):
    """'22%' -> (11/50, unit 1/100), '0.38' -> (19/50, unit 1/100): the value and the
    rounding unit of its last printed digit."""
    digits = text.strip()
    percent = digits.endswith("%")
    digits = digits.removesuffix("%")
    decimals = len(digits.partition(".")[2])
    scale = 100 if percent else 1
    value = Fraction(digits) / scale
    if not 0 <= value <= 1:
        raise ValueError(f"{field} must be a rate in [0, 1], got {text!r}")
    return value, Fraction(1, 10**decimals) / scale


def simpleqa_results() -> list:
    """Published SimpleQA results (hallu_proofs/data/simpleqa_rates.csv), kept as printed.

    Where a source prints no abstention rate it is derived as 1 - correct - wrong; where all
    three are printed they must add up to 1 within the rounding of the printed digits.

    >>> results = {r.model: r for r in simpleqa_results()}
    >>> results["o4-mini"].rates
    (Fraction(6, 25), Fraction(3, 4), Fraction(1, 100))
    >>> results["o1-mini"].abstained, results["o1-mini"].abstention_derived
    (Fraction(33, 100), True)
    """
    results = []
    for row in _read_csv("simpleqa_rates.csv"):
        model = row["model"]
        correct, unit_c = _printed_rate(row["correct"], f"{model}: correct")
        wrong, unit_w = _printed_rate(row["wrong"], f"{model}: wrong")
        derived = not row["abstained"].strip()
        if derived:
            abstained = 1 - correct - wrong
            if abstained < -(unit_c + unit_w) / 2:
                raise ValueError(f"{model}: correct + wrong exceeds 1 beyond rounding")
            abstained = max(abstained, Fraction(0))
        else:
            abstained, unit_a = _printed_rate(row["abstained"], f"{model}: abstained")
            if abs(correct + wrong + abstained - 1) > (unit_c + unit_w + unit_a) / 2:
                raise ValueError(f"{model}: the three rates do not add up to 1 within rounding")
        printed = (row["correct"], row["wrong"], row["abstained"] or None)
        results.append(PublishedResult(model, correct, wrong, abstained, derived, printed,
                                       row["source"], row["quoted_in"], row["note"]))
    return results
