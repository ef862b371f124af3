"""The paper's deterministic inequalities proved for every real instance up to a size, with z3.

Sampling checks an inequality on many instances; an SMT solver decides it on all of them. In
joint coordinates q(c, r) = mu(c) p(r|c) and qh(c, r) = mu(c) p_hat(r|c) every quantity of
Theorem 1 is a sum of terms linear in (mu, q, qh): err = sum_{r in E_c} qh(c, r), the threshold
test p_hat(r|c) > 1/K reads K qh(c, r) > mu(c), and err_iiv and delta are sums of such terms
switched on or off by threshold tests. So "err >= 2 err_iiv - k/K - delta for every instance of a
given shape" is a quantifier-free formula of linear real arithmetic, which z3 decides completely:
its negation together with the constraints of an instance is either satisfiable (z3 returns a
counterexample) or not (the inequality holds for every real instance of that shape).

Shapes. Responses within a prompt with the same role (valid, error, implausible) are
exchangeable, and so are prompts: a prompt's *pattern* is its counts (|V_c|, |E_c|) (the rest of
the row is implausible: no mass, excluded by every definition), and an instance's pattern is a
multiset of prompt patterns. `prove` decides one formula per pattern with at most
``max_prompts`` prompts of at most ``max_responses`` plausible responses, mu free (prompts with
mu(c) = 0 included). Every number given to the solver is an exact rational (a Python float is
refused: 0.1 is not 1/10).

Statements (``prove(statement, ...)``):

* ``"corollary1"``, ``"theorem1"``: err >= factor err_iiv - ratio_coefficient k/K
  - delta_coefficient delta (paper: 2, 1, 1), k = max_c |V_c|, K = min_c |E_c|; linear.
* ``"poor_model"``: err >= factor opt(G) - ratio_coefficient k/K - delta_coefficient delta for every
  family G of ``family_size`` classifiers that contains the base model's classifier f_hat
  (the hypothesis p_hat in the family); the other members are arbitrary classifiers given as free
  labels, so thresholded classifiers of any other models are covered. Linear.
* ``"theorem4"``: with |V_c| = 1 and C = min_c |E_c| + 1, some t in [0, 1] has
  err >= scale 2 (1 - 1/C) err_iiv(f_t) (paper: scale 1). err_iiv(f_t) changes only where t
  crosses a value of p_hat, so "some t" is a finite disjunction over t in {0, 1} and the values
  of p_hat. Written in conditional coordinates (the thresholds compare p_hat values across
  prompts), so err = sum_c mu(c) (1 - p_hat(a_c|c)) is bilinear: nonlinear real arithmetic
  (z3's nlsat), linear for one prompt.
* ``"theorem3"``: err >= scale 2 (1 - 1/C) opt(G) for every family G that contains every
  thresholded classifier f_t of the base model (the hypothesis p_hat in the family), plus
  ``family_size - 1`` arbitrary classifiers (more members only lower opt(G)).
* ``"observation1"`` (one prompt, ``max_responses`` = answers + abstentions): for every belief
  over the binary graders (a grader is the non-empty set of answers it marks correct), some
  answer's expected score is strictly above every abstention's. Variants ``penalty`` (a wrong
  answer scores -penalty) and ``abstention_score``; paper: both 0. Linear.
* ``"confidence_target"`` (``max_prompts`` questions, each with up to ``max_responses - 1``
  answers and IDK): for every target t in [0, 1) and beliefs q(c, r) (the probability that answer
  r is right, sum_r q(c, r) <= 1), under the grader "1 if right, -t/(1 - t) if wrong, 0 for IDK"
  an answer beats IDK iff q > t, and the rule "answer the most likely answer iff its q > t" scores
  at least as much as every policy. The penalty pi is a variable with pi (1 - t) = t:
  polynomial after multiplying by 1 - t. Variants ``target`` (fix t) and ``penalty`` (fix pi,
  e.g. the printed "t = 0.75 (penalty 2)").
* ``"good_turing_bias"`` (``max_responses`` = support size k, variant ``max_samples`` = N): for
  every distribution nu, 0 <= E[GT] - E[M] <= scale / N, with E[GT] and E[M] written from their
  definitions as sums over the count vectors of N samples (polynomials of degree N + 1 in nu).

`SIZES` holds the sizes the test suite proves (the book's chapter runs them and reports the time);
`THOROUGH_SIZES` the larger ones of the thorough profile.

>>> result = prove("corollary1", 1, 3)
>>> result.proved, result.cases, result.counterexample is None
(True, 3, True)
>>> refuted = prove("corollary1", 1, 3, ratio_coefficient=0)
>>> refuted.proved, refuted.counterexample.exact
(False, True)
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from fractions import Fraction
from numbers import Integral, Rational

import numpy as np
import z3

from .grading import Problem, answer_policy, optimal_responses, rescore
from .instances import Instance
from .poor_models import best_threshold, iiv_error_steps, n_choices, poor_model_bound, theorem3_bound
from .reduction import calibration_gap, classify, generative_error, iiv_distribution, iiv_error
from .unseen_mass import enumerate_expectations, expected_good_turing, expected_missing_mass

__all__ = ["SIZES", "STATEMENTS", "THOROUGH_SIZES", "GradingWitness", "ProofResult", "TargetWitness",
           "decide", "patterns", "prove"]

#: Each statement's variants and their paper values (None: the statement's own default).
STATEMENTS = {
    "corollary1": {"factor": 2, "ratio_coefficient": 1, "delta_coefficient": 1},
    "theorem1": {"factor": 2, "ratio_coefficient": 1, "delta_coefficient": 1},
    "poor_model": {"factor": 2, "ratio_coefficient": 1, "delta_coefficient": 1, "family_size": 2,
                   "contains_base_model": True},
    "theorem3": {"scale": 1, "family_size": 1},
    "theorem4": {"scale": 1},
    "observation1": {"penalty": 0, "abstention_score": 0},
    "confidence_target": {"target": None, "penalty": None},
    "good_turing_bias": {"scale": 1, "max_samples": 3, "min_samples": 1},
}

#: The sizes (max_prompts, max_responses, variant) proved by the default test profile and the
#: book, several per statement where one prompt goes further than several.
SIZES = {
    "corollary1": ((1, 10, {}),),
    "theorem1": ((3, 5, {}),),
    "poor_model": ((2, 4, {}),),
    "theorem3": ((1, 5, {}), (2, 3, {})),
    "theorem4": ((1, 5, {}), (2, 3, {})),
    "observation1": ((1, 8, {}),),
    "confidence_target": ((3, 4, {}),),
    "good_turing_bias": ((1, 3, {"max_samples": 4}), (1, 2, {"max_samples": 8})),
}

#: Larger sizes, proved under HYPOTHESIS_PROFILE=thorough (time in the README).
THOROUGH_SIZES = {
    "corollary1": ((1, 14, {}),),
    "theorem1": ((3, 6, {}), (4, 4, {})),
    "poor_model": ((3, 4, {}),),
    "theorem3": ((1, 8, {}), (2, 4, {})),
    "theorem4": ((1, 8, {}), (2, 4, {})),
    "observation1": ((1, 10, {}),),
    "confidence_target": ((4, 5, {}),),
    "good_turing_bias": ((1, 3, {"max_samples": 4}), (1, 2, {"max_samples": 12})),
}


@dataclass(frozen=True)
class ProofResult:
    """What `prove` decided.

    ``proved``: every pattern's negated formula is unsatisfiable. ``cases``: patterns decided
    (up to and including the first counterexample). ``counterexample``: an exact `Instance`
    violating the claim, confirmed with the library's own functions (for ``observation1`` a
    `GradingWitness`, for ``confidence_target`` a `TargetWitness`, for ``good_turing_bias`` the
    distribution nu as a tuple of Fractions), or None. ``witness``: the rest of the
    counterexample (the classifiers of a family, the sample size, ...). ``pattern``: the pattern of
    the counterexample. ``unknown``: patterns z3 could not decide (then ``proved`` is False).
    ``seconds``: wall-clock time of the whole call; ``timings``: per pattern.
    """

    statement: str
    max_prompts: int
    max_responses: int
    variant: dict
    proved: bool
    cases: int
    seconds: float
    counterexample: object = None
    pattern: tuple = None
    witness: dict = field(default_factory=dict)
    unknown: int = 0
    #: (pattern, seconds) for every pattern decided, in order.
    timings: tuple = ()

    @property
    def size(self):
        """(max_prompts, max_responses)."""
        return self.max_prompts, self.max_responses


@dataclass(frozen=True)
class GradingWitness:
    """A problem, graders and beliefs under which an abstention is among the best responses."""

    problem: Problem
    graders: tuple
    beliefs: tuple


@dataclass(frozen=True)
class TargetWitness:
    """A confidence target, its penalty, and per question the answers' probabilities of being right.

    ``better_policy[c]`` is the response (an answer index or "IDK") that beats the rule, when the
    rule is not optimal; ``sign_violation`` is a (question, answer) whose expected score has not
    the sign of q - t, or None.
    """

    target: Fraction
    penalty: Fraction
    confidences: tuple
    better_policy: tuple
    sign_violation: tuple = None


class EncodingError(RuntimeError):
    """The solver's counterexample is not confirmed by the library: the encoding has a bug."""


# --- exact numbers -------------------------------------------------------------------------------


def _exact(value, name):
    """An int or Fraction as a Fraction; floats (and everything else) are refused by name."""
    if isinstance(value, bool) or not isinstance(value, Rational):
        # a float k/K is a rational a hair away from k/K: it would give false counterexamples
        raise TypeError(f"{name} must be an int or a Fraction, got {value!r} ({type(value).__name__})")
    return Fraction(value.numerator, value.denominator)


def _rat(x):
    """A z3 real constant for an exact number."""
    x = Fraction(x)
    return z3.Q(x.numerator, x.denominator) if x.denominator != 1 else z3.RealVal(x.numerator)


def _value(model, expr):
    """The exact rational value of ``expr`` in ``model`` (None if z3 gives an algebraic number)."""
    val = model.eval(expr, model_completion=True)
    if z3.is_rational_value(val):
        return Fraction(val.numerator_as_long(), val.denominator_as_long())
    if z3.is_int_value(val):
        return Fraction(val.as_long())
    return None


def _size(value, name, minimum):
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__}")
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return int(value)


def _variant(statement, variant):
    allowed = STATEMENTS[statement]
    unknown = sorted(set(variant) - set(allowed))
    if unknown:
        raise TypeError(
            f"variant {unknown[0]!r} is not a variant of {statement!r}; it takes "
            f"{', '.join(allowed)}"
        )
    out = dict(allowed)
    for name, value in variant.items():
        default = allowed[name]
        if isinstance(default, bool):
            if not isinstance(value, bool):
                raise TypeError(f"{name} must be a bool, got {type(value).__name__}")
            out[name] = value
        elif name in ("family_size", "max_samples", "min_samples"):
            out[name] = _size(value, name, 1)
        elif value is None and default is None:
            out[name] = None
        else:
            out[name] = _exact(value, name)
    for name in ("factor", "ratio_coefficient", "delta_coefficient", "scale", "penalty"):
        if out.get(name) is not None:
            out[name] = Fraction(out[name])
    for name in ("factor", "scale"):
        if out.get(name) is not None and out[name] < 0:
            raise ValueError(f"{name} must be >= 0, got {out[name]}")
    if out.get("target") is not None and not 0 <= out["target"] < 1:
        raise ValueError(f"target must be in [0, 1), got {out['target']}")
    if out.get("penalty") is not None and out["penalty"] < 0:
        raise ValueError(f"penalty must be >= 0, got {out['penalty']}")
    if statement == "good_turing_bias" and out["min_samples"] > out["max_samples"]:
        raise ValueError(
            f"min_samples must be <= max_samples, got {out['min_samples']} > {out['max_samples']}"
        )
    return out


# --- patterns ------------------------------------------------------------------------------------


def patterns(statement, max_prompts, max_responses, **variant):
    """The patterns `prove` decides, in order: multisets of prompt patterns (|V_c|, |E_c|).

    For ``observation1`` a pattern is (answers, abstentions); for ``confidence_target`` a
    multiset of answer counts; for ``good_turing_bias`` (N, k).

    >>> patterns("corollary1", 1, 3)
    [((1, 1),), ((1, 2),), ((2, 1),)]
    >>> len(patterns("theorem1", 2, 3))  # 3 one-prompt patterns, 6 multisets of two
    9
    >>> patterns("theorem4", 1, 3)
    [((1, 1),), ((1, 2),)]
    """
    statement, max_prompts, max_responses, options = _check_call(
        statement, max_prompts, max_responses, variant)
    return _patterns(statement, max_prompts, max_responses, options)


def _patterns(statement, m, n, options):
    if statement == "observation1":
        return [(a, n_total - a) for n_total in range(2, n + 1) for a in range(1, n_total)]
    if statement == "good_turing_bias":
        return [(samples, k) for samples in range(options["min_samples"], options["max_samples"] + 1)
                for k in range(1, n + 1)]
    if statement == "confidence_target":
        per_prompt = list(range(1, n))
    elif statement in ("theorem3", "theorem4"):
        per_prompt = [(1, e) for e in range(1, n)]
    else:
        per_prompt = [(v, total - v) for total in range(2, n + 1) for v in range(1, total)]
    return [combo for size in range(1, m + 1)
            for combo in itertools.combinations_with_replacement(per_prompt, size)]


def _check_call(statement, max_prompts, max_responses, variant):
    if not isinstance(statement, str):
        raise TypeError(f"statement must be a str, got {type(statement).__name__}")
    if statement not in STATEMENTS:
        raise ValueError(f"statement must be one of {', '.join(STATEMENTS)}, got {statement!r}")
    m = _size(max_prompts, "max_prompts", 1)
    n = _size(max_responses, "max_responses", 1 if statement == "good_turing_bias" else 2)
    if statement in ("corollary1", "observation1", "good_turing_bias") and m != 1:
        raise ValueError(f"max_prompts must be 1 for {statement!r} (it has no prompts), got {m}")
    return statement, m, n, _variant(statement, variant)


# --- the public entry point ----------------------------------------------------------------------


def prove(statement, max_prompts, max_responses, **variant):
    """Decide ``statement`` for every real instance with at most ``max_prompts`` prompts of at
    most ``max_responses`` plausible responses, one formula per pattern (see `patterns`).

    Parameters
    ----------
    statement : str
        One of `STATEMENTS`.
    max_prompts, max_responses : int
        The size (their meaning for the statements without prompts is in the module docstring).
    **variant
        Exact numbers (int or Fraction) changing the claim, e.g. ``factor=Fraction(201, 100)``
        for Theorem 1 with a factor above 2. Floats raise TypeError.

    Returns
    -------
    ProofResult
        Stops at the first pattern with a counterexample, which is converted to an exact
        instance and confirmed with the library's functions (EncodingError if it is not).

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> prove("theorem1", 2, 3).proved
    True
    >>> r = prove("theorem1", 2, 3, factor=F(201, 100))
    >>> r.proved, r.pattern
    (False, ((1, 1),))
    >>> prove("theorem1", 2, 3, factor=2.01)
    Traceback (most recent call last):
    ...
    TypeError: factor must be an int or a Fraction, got 2.01 (float)
    """
    statement, m, n, options = _check_call(statement, max_prompts, max_responses, variant)
    decide_pattern = _DECIDERS[statement]
    start = time.perf_counter()
    cases = unknown = 0
    timings = []
    for pattern in _patterns(statement, m, n, options):
        cases += 1
        begun = time.perf_counter()
        verdict = decide_pattern(pattern, options)
        timings.append((pattern, time.perf_counter() - begun))
        if verdict is None:
            unknown += 1
            continue
        if verdict is not True:
            counterexample, witness = verdict
            return ProofResult(statement, m, n, dict(options), False, cases,
                               time.perf_counter() - start, counterexample, pattern, witness,
                               unknown, tuple(timings))
    return ProofResult(statement, m, n, dict(options), unknown == 0, cases,
                       time.perf_counter() - start, unknown=unknown, timings=tuple(timings))


def decide(statement, pattern, **variant):
    """Decide ``statement`` on one pattern (shaped as `patterns` lists them), e.g. to refute a
    stronger claim at a chosen shape. Returns a `ProofResult` with ``cases`` = 1.

    >>> from fractions import Fraction as F
    >>> r = decide("theorem1", ((2, 2),), ratio_coefficient=F(99, 100))
    >>> r.proved, r.counterexample.max_valid
    (False, 2)
    """
    statement, _, _, options = _check_call(statement, 1, 2, variant)
    _check_pattern(statement, pattern)
    start = time.perf_counter()
    verdict = _DECIDERS[statement](pattern, options)
    m = 1 if statement in ("observation1", "good_turing_bias") else len(pattern)
    n = _pattern_width(statement, pattern)
    seconds = time.perf_counter() - start
    if verdict is True or verdict is None:
        return ProofResult(statement, m, n, dict(options), verdict is True, 1, seconds,
                           unknown=int(verdict is None), timings=((pattern, seconds),))
    counterexample, witness = verdict
    return ProofResult(statement, m, n, dict(options), False, 1, seconds, counterexample, pattern,
                       witness, timings=((pattern, seconds),))


def _check_pattern(statement, pattern):
    def positive_ints(values, size=None):
        return (isinstance(values, tuple) and (size is None or len(values) == size) and values
                and all(isinstance(x, int) and not isinstance(x, bool) and x >= 1 for x in values))

    if statement in ("observation1", "good_turing_bias"):
        ok = positive_ints(pattern, 2)
    elif statement == "confidence_target":
        ok = positive_ints(pattern)
    else:
        ok = isinstance(pattern, tuple) and pattern and all(positive_ints(x, 2) for x in pattern)
        if ok and statement in ("theorem3", "theorem4"):
            ok = all(v == 1 for v, _ in pattern)
        if ok and statement == "corollary1":
            ok = len(pattern) == 1
    if not ok:
        raise ValueError(f"pattern {pattern!r} is not a pattern of {statement!r}; see patterns()")


def _pattern_width(statement, pattern):
    """The max_responses a pattern needs."""
    if statement == "observation1":
        return sum(pattern)
    if statement == "good_turing_bias":
        return pattern[1]
    if statement == "confidence_target":
        return max(pattern) + 1
    return max(v + e for v, e in pattern)


#: Time z3 may spend on one formula before `prove` counts the pattern as undecided.
TIMEOUT_SECONDS = 600


def _solve(constraints, negation, nonlinear=False):
    """z3's verdict on constraints + negation: 'unsat', a model, or None (unknown).

    ``negation`` may be a list of formulas (a disjunction, decided one disjunct at a time).
    The constraints alone must be satisfiable (else the encoding is vacuous: EncodingError).
    """
    def check(*formulas):
        # a fresh solver per call: after push/pop z3 leaves its nonlinear procedure (nlsat)
        solver = z3.SolverFor("QF_NRA") if nonlinear else z3.Solver()
        solver.set("timeout", int(TIMEOUT_SECONDS * 1000))
        solver.add(*constraints, *formulas)
        return solver.check(), solver

    alone, _ = check()
    if alone == z3.unsat:
        raise EncodingError("the instance constraints of a pattern are unsatisfiable")
    if alone != z3.sat:
        return None
    undecided = False
    for disjunct in negation if isinstance(negation, list) else [negation]:
        result, solver = check(disjunct)
        if result == z3.sat:
            return solver.model()
        undecided |= result != z3.unsat
    return None if undecided else "unsat"


# --- joint coordinates: Corollary 1, Theorem 1, the poor-model inequality -------------------------


class _Table:
    """z3 variables of one pattern: mu(c), and either joint (q, qh) or conditional (p, ph) values.

    Slots of prompt c: the first |V_c| are valid, the next |E_c| errors.
    """

    def __init__(self, pattern, joint=True):
        self.pattern = pattern
        self.joint = joint
        self.k = max(v for v, _ in pattern)
        self.K = min(e for _, e in pattern)
        self.mu = [z3.Real(f"mu_{c}") for c in range(len(pattern))]
        self.q = [[z3.Real(f"q_{c}_{r}") for r in range(v)] for c, (v, _) in enumerate(pattern)]
        self.qh = [[z3.Real(f"qh_{c}_{r}") for r in range(v + e)] for c, (v, e) in enumerate(pattern)]
        total = [self.mu[c] if joint else z3.RealVal(1) for c in range(len(pattern))]
        self.constraints = [m >= 0 for m in self.mu] + [z3.Sum(self.mu) == 1]
        for c in range(len(pattern)):
            self.constraints += [x >= 0 for x in self.q[c] + self.qh[c]]
            self.constraints += [z3.Sum(self.q[c]) == total[c], z3.Sum(self.qh[c]) == total[c]]
        self.constraints += self._sorted()

    def _sorted(self):
        """Symmetry breaking: within a prompt, valid slots and error slots in decreasing order of
        qh, and prompts of the same pattern in decreasing order of mu. Every instance is a
        permutation of one so sorted, and no quantity changes under these permutations."""
        out = []
        for c, (v, e) in enumerate(self.pattern):
            for lo, hi in ((0, v), (v, v + e)):
                out += [self.qh[c][r] >= self.qh[c][r + 1] for r in range(lo, hi - 1)]
            if c and self.pattern[c - 1] == self.pattern[c]:
                out.append(self.mu[c - 1] >= self.mu[c])
        return out

    def slots(self):
        for c, (v, e) in enumerate(self.pattern):
            for r in range(v + e):
                yield c, r, r < v

    def above(self, c, r):
        """f_hat(c, r) = '+': p_hat(r|c) > 1/K, i.e. K qh(c, r) > mu(c) (joint coordinates)."""
        return self.K * self.qh[c][r] > self.mu[c]

    def err(self):
        """err = p_hat(E) (joint coordinates)."""
        return z3.Sum([self.qh[c][r] for c, r, valid in self.slots() if not valid])

    def iiv(self, label):
        """err_iiv of the classifier ``label(c, r)`` (a z3 Bool): D of the misclassified slots,
        D = q/2 on valid slots and mu(c) / (2 |E_c|) on errors (joint coordinates)."""
        terms = []
        for c, r, valid in self.slots():
            if valid:
                terms.append(z3.If(label(c, r), z3.RealVal(0), self.q[c][r] / 2))
            else:
                terms.append(z3.If(label(c, r), self.mu[c] / (2 * self.pattern[c][1]), z3.RealVal(0)))
        return z3.Sum(terms)

    def delta(self):
        """|p_hat(A) - p(A)|, A the slots of f_hat = '+' (joint coordinates)."""
        gap = z3.Sum([
            z3.If(self.above(c, r), self.qh[c][r] - (self.q[c][r] if valid else 0), z3.RealVal(0))
            for c, r, valid in self.slots()
        ])
        return z3.If(gap >= 0, gap, -gap)

    def instance(self, model):
        """The exact Instance of a model (None if a value is not rational)."""
        mus = [_value(model, m) for m in self.mu]
        width = max(v + e for v, e in self.pattern)
        p, p_hat, valid, plausible = [], [], [], []
        for c, (v, e) in enumerate(self.pattern):
            qs = [_value(model, x) for x in self.q[c]]
            qhs = [_value(model, x) for x in self.qh[c]]
            if None in qs or None in qhs or mus[c] is None:
                return None
            if not self.joint:
                row_p, row_ph = qs, qhs
            elif mus[c] == 0:  # p(.|c), p_hat(.|c) are free and weigh nothing: take them uniform
                row_p, row_ph = [Fraction(1, v)] * v, [Fraction(1, v + e)] * (v + e)
            else:
                row_p, row_ph = [x / mus[c] for x in qs], [x / mus[c] for x in qhs]
            pad = width - v - e
            zero = Fraction(0)
            p.append(row_p + [zero] * (e + pad))
            p_hat.append(row_ph + [zero] * pad)
            valid.append([True] * v + [False] * (e + pad))
            plausible.append([True] * (v + e) + [False] * pad)
        plausible = np.array(plausible)
        return Instance(np.array(p, dtype=object), np.array(p_hat, dtype=object), np.array(valid),
                        mu=np.array(mus, dtype=object), plausible=None if plausible.all() else plausible)

    def labels(self, model, label):
        """A boolean array of a classifier's labels in a model, shaped like the instance."""
        width = max(v + e for v, e in self.pattern)
        out = np.zeros((len(self.pattern), width), dtype=bool)
        for c, r, _ in self.slots():
            out[c, r] = z3.is_true(model.eval(label(c, r), model_completion=True))
        return out


def _labels_iiv_error(inst, labels):
    """err_iiv of an arbitrary classifier (labels True = '+') with the library's D."""
    d = iiv_distribution(inst)
    plausible = np.ones_like(inst.valid) if inst.plausible is None else inst.plausible
    wrong = plausible & (labels != inst.valid)
    return Fraction(sum(d[wrong], Fraction(0)))


def _decide_theorem1(pattern, options):
    table = _Table(pattern)
    bound = (_rat(options["factor"]) * table.iiv(table.above)
             - _rat(options["ratio_coefficient"] * Fraction(table.k, table.K))
             - _rat(options["delta_coefficient"]) * table.delta())
    model = _solve(table.constraints, table.err() < bound)
    if not isinstance(model, z3.ModelRef):
        return True if model == "unsat" else None
    inst = table.instance(model)
    lhs = generative_error(inst)
    rhs = (options["factor"] * iiv_error(inst)
           - options["ratio_coefficient"] * Fraction(inst.max_valid, inst.min_errors)
           - options["delta_coefficient"] * calibration_gap(inst))
    if not lhs < rhs:
        raise EncodingError(f"library does not confirm the counterexample: {lhs} >= {rhs}")
    return inst, {"err": lhs, "claimed_bound": rhs}


def _decide_poor_model(pattern, options):
    table = _Table(pattern)
    size = options["family_size"]
    free = [[[z3.Bool(f"g{j}_{c}_{r}") for r in range(v + e)] for c, (v, e) in enumerate(pattern)]
            for j in range(size)]
    members = [lambda c, r, j=j: free[j][c][r] for j in range(size)]
    if options["contains_base_model"]:
        members[0] = table.above
    # err < factor min_g err_iiv(g) - ... (factor >= 0) says: err < factor err_iiv(g) - ... for
    # every member g, so opt(G) needs no variable of its own
    rest = (_rat(options["ratio_coefficient"] * Fraction(table.k, table.K))
            + _rat(options["delta_coefficient"]) * table.delta())
    err = table.err()
    negation = z3.And([err < _rat(options["factor"]) * table.iiv(g) - rest for g in members])
    model = _solve(table.constraints, negation)
    if not isinstance(model, z3.ModelRef):
        return True if model == "unsat" else None
    inst = table.instance(model)
    family = [table.labels(model, g) for g in members]
    if options["contains_base_model"] and not np.array_equal(family[0], classify(inst)):
        raise EncodingError("the family's first classifier is not the library's f_hat")
    opt_value = min(_labels_iiv_error(inst, g) for g in family)
    lhs = generative_error(inst)
    # poor_model_bound is 2 opt - k/K - delta; rebuilt with the variant's coefficients:
    paper = poor_model_bound(inst, opt_value)
    rhs = (paper + (options["factor"] - 2) * opt_value
           - (options["ratio_coefficient"] - 1) * Fraction(inst.max_valid, inst.min_errors)
           - (options["delta_coefficient"] - 1) * calibration_gap(inst))
    if not lhs < rhs:
        raise EncodingError(f"library does not confirm the counterexample: {lhs} >= {rhs}")
    return inst, {"family": family, "opt": opt_value, "err": lhs, "claimed_bound": rhs}


# --- conditional coordinates: Theorems 3 and 4 ---------------------------------------------------


def _multiple_choice(pattern, options):
    """Table, err, err_iiv(f_t) for every candidate threshold t, and the factor 2 (1 - 1/C)."""
    table = _Table(pattern, joint=False)
    mu = table.mu
    # conditional coordinates: q holds p(r|c) (= 1 on the one valid slot), qh holds p_hat(r|c)
    err = z3.Sum([mu[c] * (1 - table.qh[c][0]) for c in range(len(pattern))])
    values = [table.qh[c][r] for c, r, _ in table.slots()]
    candidates = [z3.RealVal(0), z3.RealVal(1)] + values

    at_candidates = [_labels_iiv(table, pattern, lambda c, r, t=t: table.qh[c][r] > t)
                     for t in candidates]
    factor = options["scale"] * 2 * (1 - Fraction(1, table.K + 1))
    return table, err, at_candidates, factor


def _labels_iiv(table, pattern, says_plus):
    """err_iiv of the labelling that says '+' on slot (c, r) when the z3 Bool says_plus(c, r)."""
    terms = []
    for c, r, valid in table.slots():
        plus = says_plus(c, r)
        share = Fraction(1) if valid else Fraction(1, pattern[c][1])
        terms.append(z3.If(z3.Not(plus) if valid else plus, table.mu[c] * _rat(share / 2),
                           z3.RealVal(0)))
    return z3.Sum(terms)


def _rational_instance(table, model):
    """The Instance of a z3 model, refused when z3 chose irrational numbers."""
    inst = table.instance(model)
    if inst is None:
        raise EncodingError("z3 returned an irrational counterexample")
    return inst


def _decide_theorem4(pattern, options):
    table, err, at_candidates, factor = _multiple_choice(pattern, options)
    negation = z3.And([err < _rat(factor) * x for x in at_candidates])
    model = _solve(table.constraints, negation, nonlinear=len(pattern) > 1)
    if not isinstance(model, z3.ModelRef):
        return True if model == "unsat" else None
    inst = _rational_instance(table, model)
    lhs = generative_error(inst)
    thresholds, values = iiv_error_steps(inst)
    c = n_choices(inst)
    for t, value in zip(thresholds, values):
        if not lhs < options["scale"] * theorem3_bound(value, c):
            raise EncodingError(f"library: threshold {t} satisfies the claim")
    return inst, {"err": lhs, "thresholds": thresholds, "iiv_errors": values}


def _decide_theorem3(pattern, options):
    table, err, at_candidates, factor = _multiple_choice(pattern, options)
    free = [[[z3.Bool(f"g{j}_{c}_{r}") for r in range(v + e)] for c, (v, e) in enumerate(pattern)]
            for j in range(options["family_size"] - 1)]

    errors = at_candidates + [_labels_iiv(table, pattern, lambda c, r, g=g: g[c][r])
                              for g in free]
    # as in the poor-model inequality: err < factor opt(G) iff err < factor err_iiv(g) for all g
    negation = z3.And([err < _rat(factor) * x for x in errors])
    model = _solve(table.constraints, negation, nonlinear=len(pattern) > 1)
    if not isinstance(model, z3.ModelRef):
        return True if model == "unsat" else None
    inst = _rational_instance(table, model)
    family = [table.labels(model, lambda c, r, g=g: g[c][r]) for g in free]
    opt_value = min([best_threshold(inst).iiv_error] + [_labels_iiv_error(inst, g) for g in family])
    lhs = generative_error(inst)
    rhs = options["scale"] * theorem3_bound(opt_value, n_choices(inst))
    if not lhs < rhs:
        raise EncodingError(f"library does not confirm the counterexample: {lhs} >= {rhs}")
    return inst, {"family": family, "opt": opt_value, "err": lhs, "claimed_bound": rhs}


# --- Observation 1 --------------------------------------------------------------------------------


def _decide_observation1(pattern, options):
    n_answers, n_abstentions = pattern
    graders = [s for size in range(1, n_answers + 1)
               for s in itertools.combinations(range(n_answers), size)]
    weights = [z3.Real(f"w_{i}") for i in range(len(graders))]
    constraints = [w >= 0 for w in weights] + [z3.Sum(weights) == 1]
    penalty = options["penalty"]
    credit = _rat(options["abstention_score"])

    def score(r):
        return z3.Sum([w * (1 if r in s else _rat(-penalty)) for w, s in zip(weights, graders)])

    # the negation: no answer scores strictly more than the abstentions
    model = _solve(constraints, z3.And([score(r) <= credit for r in range(n_answers)]))
    if not isinstance(model, z3.ModelRef):
        return True if model == "unsat" else None
    answers = tuple(f"answer {r}" for r in range(n_answers))
    abstentions = tuple(f"IDK {a}" for a in range(n_abstentions))
    problem = Problem("a question", answers + abstentions, frozenset(abstentions))
    beliefs = tuple(_value(model, w) for w in weights)
    dicts = tuple(
        {**{answers[r]: Fraction(1) if r in s else -penalty for r in range(n_answers)},
         **{a: options["abstention_score"] for a in abstentions}}
        for s in graders
    )
    best = optimal_responses(problem, dicts, beliefs, binary=False)
    if not best & problem.abstentions:
        raise EncodingError("library: no abstention is among the best responses")
    return GradingWitness(problem, dicts, beliefs), {"optimal": best}


# --- confidence targets ---------------------------------------------------------------------------


def _decide_confidence_target(pattern, options):
    t = z3.Real("t") if options["target"] is None else _rat(options["target"])
    pen = z3.Real("penalty") if options["penalty"] is None else _rat(options["penalty"])
    constraints = [t >= 0, t < 1]
    if options["penalty"] is None:
        constraints.append(pen * (1 - t) == t)  # penalty = t / (1 - t), multiplied out
    q = [[z3.Real(f"q_{c}_{r}") for r in range(a)] for c, a in enumerate(pattern)]
    for row in q:
        constraints += [x >= 0 for x in row] + [z3.Sum(row) <= 1]

    def score(x):
        return x - (1 - x) * pen

    sign_rule = [(score(x) > 0) == (x > t) for row in q for x in row]
    best = [z3.Real(f"best_{c}") for c in range(len(pattern))]
    for c, row in enumerate(q):
        constraints += [best[c] >= x for x in row] + [z3.Or([best[c] == x for x in row])]
    rule = [z3.If(best[c] > t, score(best[c]), z3.RealVal(0)) for c in range(len(pattern))]
    choice = [z3.Int(f"choice_{c}") for c in range(len(pattern))]  # -1: IDK, r: answer r
    policy = []
    for c, row in enumerate(q):
        constraints += [choice[c] >= -1, choice[c] < len(row)]
        value = z3.RealVal(0)
        for r in reversed(range(len(row))):
            value = z3.If(choice[c] == r, score(row[r]), value)
        policy.append(value)
    # a policy beats the rule in total only if it beats it on some question: one disjunct each
    negation = [z3.Not(z3.And(sign_rule))] + [p > r for p, r in zip(policy, rule)]
    model = _solve(constraints, negation, nonlinear=True)
    if not isinstance(model, z3.ModelRef):
        return True if model == "unsat" else None
    return _confirm_target(model, t, pen, q, choice)


def _confirm_target(model, t, pen, q, choice):
    target, penalty = _value(model, t), _value(model, pen)
    confidences = tuple(tuple(_value(model, x) for x in row) for row in q)
    if target is None or penalty is None or any(None in row for row in confidences):
        raise EncodingError("z3 returned an irrational counterexample")
    # the library's grader: a wrong answer costs penalty(t') with t' = penalty / (1 + penalty)
    graded_as = penalty / (1 + penalty)

    def score(x):
        return rescore(x, 1 - x, 0, graded_as)

    sign = next(((c, r) for c, row in enumerate(confidences) for r, x in enumerate(row)
                 if (score(x) > 0) != (x > target)), None)
    # the rule: the most likely answer (first of the ties) if its q > t, else IDK (-1)
    rule = [row.index(max(row)) if answer_policy([max(row)], target)[0] else -1
            for row in confidences]
    picks = [model.eval(ch, model_completion=True).as_long() for ch in choice]

    def value(row, r):
        return score(row[r]) if r >= 0 else 0

    # keep the solver's choice where it beats the rule on that question, follow the rule elsewhere
    policy = [p if value(row, p) > value(row, s) else s
              for row, p, s in zip(confidences, picks, rule)]
    rule_total = sum(value(row, s) for row, s in zip(confidences, rule))
    policy_total = sum(value(row, p) for row, p in zip(confidences, policy))
    better = tuple("IDK" if r < 0 else r for r in policy) if policy_total > rule_total else None
    if sign is None and better is None:
        raise EncodingError("library confirms neither a sign violation nor a better policy")
    witness = TargetWitness(target, penalty, confidences, better, sign)
    return witness, {"rule_total": rule_total, "policy_total": policy_total}


# --- the Good-Turing bias -------------------------------------------------------------------------


def _count_vectors(n, k):
    """Every (n_1, ..., n_k) of non-negative integers summing to n."""
    for bars in itertools.combinations(range(n + k - 1), k - 1):
        edges = (-1,) + bars + (n + k - 1,)
        yield tuple(edges[i + 1] - edges[i] - 1 for i in range(k))


def _decide_good_turing_bias(pattern, options):
    n, k = pattern
    nu = [z3.Real(f"nu_{x}") for x in range(k)]
    constraints = [x >= 0 for x in nu] + [z3.Sum(nu) == 1]
    constraints += [nu[x] >= nu[x + 1] for x in range(k - 1)]  # the values are exchangeable
    expected_gt, expected_m = [], []
    for counts in _count_vectors(n, k):
        weight = math.factorial(n)
        for c in counts:
            weight //= math.factorial(c)
        prob = weight * z3.Product([nu[x] ** c for x, c in enumerate(counts) if c]) \
            if any(counts) else z3.RealVal(1)
        singletons = sum(1 for c in counts if c == 1)
        expected_gt.append(prob * _rat(Fraction(singletons, n)))
        unseen = [nu[x] for x, c in enumerate(counts) if c == 0]
        if unseen:
            expected_m.append(prob * z3.Sum(unseen))
    gap = z3.Sum(expected_gt) - (z3.Sum(expected_m) if expected_m else 0)
    bound = _rat(options["scale"] / n)
    model = _solve(constraints, [gap < 0, gap > bound], nonlinear=True)
    if not isinstance(model, z3.ModelRef):
        return True if model == "unsat" else None
    values = tuple(_value(model, x) for x in nu)
    if None in values:
        raise EncodingError("z3 returned an irrational counterexample")
    closed = expected_good_turing(list(values), n) - expected_missing_mass(list(values), n)
    enumerated = enumerate_expectations(list(values), n)
    if closed != enumerated[0] - enumerated[1] or 0 <= closed <= options["scale"] / n:
        raise EncodingError(f"library does not confirm the counterexample: gap {closed}")
    return values, {"samples": n, "gap": closed, "bound": options["scale"] / n}


_DECIDERS = {
    "corollary1": _decide_theorem1,
    "theorem1": _decide_theorem1,
    "poor_model": _decide_poor_model,
    "theorem3": _decide_theorem3,
    "theorem4": _decide_theorem4,
    "observation1": _decide_observation1,
    "confidence_target": _decide_confidence_target,
    "good_turing_bias": _decide_good_turing_bias,
}
