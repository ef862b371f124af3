"""The Is-It-Valid reduction: Corollary 1 and Theorem 1 (paper Section 3, proof in Appendix A).

All functions take an `Instance`. Float instances give floats; exact instances give Fractions.

>>> from fractions import Fraction as F
>>> from hallu_proofs import Instance
>>> inst = Instance(p=[1, 0, 0], p_hat=[F(3, 5), F(1, 5), F(1, 5)], valid=[True, False, False])
>>> generative_error(inst), iiv_error(inst), calibration_gap(inst), theorem1_bound(inst)
(Fraction(2, 5), Fraction(0, 1), Fraction(2, 5), Fraction(-9, 10))
"""

from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np

from .instances import Instance, _row_sums_of_each, _row_sums_over, check_threshold, count_per_row
from .validation import check_instance, check_positive_int


def iiv_distribution(inst: Instance) -> np.ndarray:
    """The Is-It-Valid distribution D over (prompt, response) slots.

    D(c, r) = mu(c) p(r|c) / 2 for valid r and mu(c) / (2 |E_c|) for errors: half the mass
    comes from training data, half from uniformly random errors.

    >>> inst = Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    >>> iiv_distribution(inst).tolist()
    [[0.5, 0.25, 0.25]]
    """
    check_instance(inst)
    half = Fraction(1, 2) if inst.exact else 0.5
    on_valid = half * inst.mu[:, None] * inst.p
    on_errors = half * inst.mu[:, None] / inst.n_errors[:, None]
    zero = Fraction(0) if inst.exact else 0.0
    return np.where(inst.valid, on_valid, np.where(inst.error, on_errors, zero))


def classify(inst: Instance, threshold=None) -> np.ndarray:
    """The thresholded classifier f_t: True ('+') where p_hat(r|c) > threshold, on plausible slots.

    The default threshold is 1 / min_c |E_c| (Eq. (2) and Theorem 1).

    >>> inst = Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    >>> classify(inst).tolist()
    [[True, False, False]]
    >>> classify(inst, threshold=0.1).tolist()
    [[True, True, True]]
    """
    check_instance(inst)
    t = check_threshold(threshold, inst)
    above = inst.p_hat > t
    return above if inst.plausible is None else above & inst.plausible


def generative_error(inst: Instance):
    """err = p_hat(E) = sum_c mu(c) p_hat(E_c | c), Eq. (1).

    >>> inst = Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    >>> generative_error(inst)
    0.4
    """
    check_instance(inst)
    if "err" not in inst._cache:
        per_prompt = _row_sums_over(inst.p_hat, inst.error, inst.exact)
        inst._cache["err"] = _weighted_total(inst, per_prompt)
    return inst._cache["err"]


def iiv_error(inst: Instance, threshold=None):
    """err_iiv = Pr_{x ~ D}[f_t(x) != f(x)], Eq. (2): errors above the threshold, valid below.

    >>> inst = Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    >>> iiv_error(inst), iiv_error(inst, threshold=0.1)
    (0.0, 0.5)
    """
    check_instance(inst)
    stats = _threshold_stats(inst, threshold)
    return stats["iiv"]


def calibration_gap(inst: Instance, threshold=None):
    """delta = |p_hat(A) - p(A)| for A = {(c, r): p_hat(r|c) > threshold}.

    >>> inst = Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    >>> calibration_gap(inst), calibration_gap(inst, threshold=0.1)
    (0.4, 0.0)
    """
    check_instance(inst)
    return _threshold_stats(inst, threshold)["delta"]


def theorem1_bound(inst: Instance):
    """The right-hand side of Theorem 1: 2 err_iiv - max_c|V_c| / min_c|E_c| - delta.

    With one prompt this is Corollary 1's 2 err_iiv - |V|/|E| - delta. Theorem 1 says
    ``generative_error(inst) >= theorem1_bound(inst)`` for every instance.

    >>> from fractions import Fraction as F
    >>> inst = Instance([1, 0, 0], [F(3, 5), F(1, 5), F(1, 5)], [True, False, False])
    >>> theorem1_bound(inst) <= generative_error(inst)
    True
    """
    check_instance(inst)
    stats = _threshold_stats(inst, None)
    # Exact; in float arithmetic the Fraction turns into the float max_valid / min_errors.
    ratio = Fraction(inst.max_valid, inst.min_errors)
    return 2 * stats["iiv"] - ratio - stats["delta"]


def theorem1_slack_terms(inst: Instance) -> dict:
    """err - (Theorem 1 bound), split into the three non-negative terms of the proof (Appendix A).

    With A the slots above the threshold 1/K (K = min_c |E_c|, k = max_c |V_c|) and B the rest:

    * ``errors_above_threshold``: p_hat(A \\ V) - 2 D(A \\ V) (each such error has p_hat > 1/K);
    * ``valid_below_threshold``: k/K - p_hat(B ∩ V) (at most k valid slots, each <= 1/K);
    * ``calibration``: delta - (p(B) - p_hat(B)).

    The three sum exactly to ``generative_error(inst) - theorem1_bound(inst)``.

    >>> from fractions import Fraction as F
    >>> inst = Instance([1, 0, 0], [F(3, 5), F(1, 5), F(1, 5)], [True, False, False])
    >>> terms = theorem1_slack_terms(inst)
    >>> sum(terms.values()) == generative_error(inst) - theorem1_bound(inst)
    True
    """
    check_instance(inst)
    above = classify(inst)
    below = ~above  # implausible slots carry no mass under p or p_hat, so B may include them
    d = iiv_distribution(inst)
    exact = inst.exact
    k_over_k = Fraction(inst.max_valid, inst.min_errors)  # a float once combined with floats

    def mass(weights, mask):
        return _weighted_total(inst, _row_sums_over(weights, mask, exact))

    errors_above = mass(inst.p_hat, above & inst.error) - 2 * _total(d, above & inst.error, exact)
    valid_below = k_over_k - mass(inst.p_hat, below & inst.valid)
    calibration = calibration_gap(inst) - (mass(inst.p, below) - mass(inst.p_hat, below))
    return {
        "errors_above_threshold": errors_above,
        "valid_below_threshold": valid_below,
        "calibration": calibration,
    }


def _threshold_stats(inst: Instance, threshold) -> dict:
    """err_iiv and delta at one threshold, computed once per instance and threshold."""
    t = check_threshold(threshold, inst)
    key = ("threshold", t)
    if key not in inst._cache:
        inst._cache[key] = _stats_of_classifier(inst, classify(inst, t))
    return inst._cache[key]


def _stats_of_classifier(inst: Instance, above) -> dict:
    """err_iiv and delta of the classifier that says + exactly on the slots of ``above``."""
    exact = inst.exact
    p_above, p_hat_above = _row_sums_of_each((inst.p, inst.p_hat), above, exact)
    false_positives = count_per_row(above & inst.error)
    one = Fraction(1) if exact else 1.0
    # D(A \ V) + D(B ∩ V) per prompt; p(B ∩ V_c | c) = 1 - p(A_c | c) because p(V_c | c) = 1.
    if exact:
        fp_share = np.array(
            [Fraction(int(a), int(b)) for a, b in zip(false_positives, inst.n_errors)], dtype=object
        )
    else:
        fp_share = false_positives / inst.n_errors
    iiv_per_prompt = (fp_share + (one - p_above)) / 2
    return {
        "iiv": _weighted_total(inst, iiv_per_prompt),
        "delta": abs(_weighted_total(inst, p_hat_above - p_above)),
    }


def _weighted_total(inst: Instance, per_prompt):
    """sum_c mu(c) x_c, as a Fraction or a float."""
    if inst.exact:
        return Fraction(sum((m * x for m, x in zip(inst.mu, per_prompt)), Fraction(0)))
    return float(inst.mu @ per_prompt)


def _total(arr, mask, exact):
    if exact:
        return Fraction(sum(arr[mask]))
    return float(arr[mask].sum())


# --------------------------------------------------------------------------- the 2 x 2 bookkeeping


def threshold_partition(inst: Instance) -> dict:
    """The four cells of Appendix A's bookkeeping: above/below 1/K crossed with valid/error.

    Returns ``{(side, kind): {"p_hat": ..., "p": ..., "D": ...}}`` with side ``"above"`` (the set
    A, p_hat(r|c) > 1/K) or ``"below"`` (B), and kind ``"valid"`` or ``"error"``; each entry is
    the joint mass of that cell under p_hat, p and the IIV distribution D. From the cells:
    err = p_hat(A, error) + p_hat(B, error), err_iiv = D(A, error) + D(B, valid) and
    delta = |p_hat(A) - p(A)|.

    >>> from fractions import Fraction as F
    >>> inst = Instance([1, 0, 0], [F(3, 5), F(1, 5), F(1, 5)], [True, False, False])
    >>> cells = threshold_partition(inst)
    >>> cells["above", "valid"]["p_hat"], cells["below", "error"]["D"]
    (Fraction(3, 5), Fraction(1, 2))
    """
    check_instance(inst)
    above = classify(inst)
    below = ~above
    d = iiv_distribution(inst)
    cells = {}
    for side, side_mask in (("above", above), ("below", below)):
        for kind, kind_mask in (("valid", inst.valid), ("error", inst.error)):
            mask = side_mask & kind_mask
            p_hat_mass, p_mass = _row_sums_of_each((inst.p_hat, inst.p), mask, inst.exact)
            cells[side, kind] = {
                "p_hat": _weighted_total(inst, p_hat_mass),
                "p": _weighted_total(inst, p_mass),
                "D": _total(d, mask, inst.exact),
            }
    return cells


# --------------------------------------------------------------------------- per-prompt thresholds


def per_prompt_threshold_terms(inst: Instance) -> dict:
    """The variant of Theorem 1 that thresholds each prompt at its own 1/|E_c|.

    With A' = {(c, r) : p_hat(r|c) > 1/|E_c|}, err_iiv' the IIV error of that classifier (on the
    same D) and delta' = |p_hat(A') - p(A')|, the proof of Appendix A, run prompt by prompt, gives
    err >= 2 err_iiv' - sum_c mu(c) |V_c| / |E_c| - delta'. Returns ``iiv_error``,
    ``calibration_gap``, ``ratio`` (the mu-average of |V_c| / |E_c|) and ``bound``.

    >>> from fractions import Fraction as F
    >>> inst = Instance([[1, 0, 0], [1, 0, 0]], [[F(1, 3)] * 3, [F(1, 2), F(1, 2), 0]],
    ...                 [[True, False, False], [True, False, False]],
    ...                 plausible=[[True] * 3, [True, True, False]])
    >>> terms = per_prompt_threshold_terms(inst)
    >>> terms["ratio"], terms["bound"], theorem1_bound(inst)
    (Fraction(3, 4), Fraction(1, 4), Fraction(0, 1))
    """
    check_instance(inst)
    if inst.exact:
        thresholds = np.array([Fraction(1, int(e)) for e in inst.n_errors], dtype=object)
        ratios = [Fraction(int(v), int(e)) for v, e in zip(inst.n_valid, inst.n_errors)]
    else:
        thresholds = 1.0 / inst.n_errors
        ratios = inst.n_valid / inst.n_errors
    above = inst.p_hat > thresholds[:, None]
    if inst.plausible is not None:
        above = above & inst.plausible
    stats = _stats_of_classifier(inst, above)
    ratio = _weighted_total(inst, ratios)
    return {"iiv_error": stats["iiv"], "calibration_gap": stats["delta"], "ratio": ratio,
            "bound": 2 * stats["iiv"] - ratio - stats["delta"]}


# --------------------------------------------------------------------------- sharpness


def tight_instance(n_errors, n_valid=1, n_prompts=1) -> Instance:
    """An exact instance on which Theorem 1 holds with equality: err = bound = 1 - k/K.

    Every prompt has ``n_valid`` = k valid responses (p uniform on them) at model probability
    exactly 1/K and ``n_errors`` = K errors sharing the rest, (K - k)/K^2 each (at most 1/K).
    Nothing is above the threshold, so delta = 0 and err_iiv = D(V) = 1/2.

    >>> inst = tight_instance(10, n_valid=2)
    >>> generative_error(inst), theorem1_bound(inst)
    (Fraction(4, 5), Fraction(4, 5))
    """
    big_k = check_positive_int(n_errors, "n_errors")
    k = check_positive_int(n_valid, "n_valid")
    m = check_positive_int(n_prompts, "n_prompts")
    if k > big_k:
        raise ValueError(f"n_valid must be at most n_errors = {big_k}, got {k}")
    row_p = [Fraction(1, k)] * k + [Fraction(0)] * big_k
    row_q = [Fraction(1, big_k)] * k + [Fraction(big_k - k, big_k * big_k)] * big_k
    row_v = [True] * k + [False] * big_k
    if m == 1:
        return Instance(row_p, row_q, row_v)
    return Instance([row_p] * m, [row_q] * m, [row_v] * m)


def delta_coefficient_witness(n_errors) -> Instance:
    """A one-prompt family showing that the coefficient 1 on delta cannot be lowered.

    Two valid responses with p = (1/2, 1/2); the model puts 1 - 1/K on the first, 0 on the
    second and 1/K^2 on each of K errors (K = ``n_errors`` >= 3). Then err = 1/K,
    err_iiv = 1/4, delta = 1/2 - 1/K and the slack of Theorem 1 is 2/K, while the claim with
    c delta (c < 1) in place of delta fails once K > 2 (3 - c) / (1 - c).

    >>> inst = delta_coefficient_witness(100)
    >>> generative_error(inst) - theorem1_bound(inst)
    Fraction(1, 50)
    """
    big_k = check_positive_int(n_errors, "n_errors", minimum=3)
    p = [Fraction(1, 2), Fraction(1, 2)] + [Fraction(0)] * big_k
    q = [1 - Fraction(1, big_k), Fraction(0)] + [Fraction(1, big_k * big_k)] * big_k
    return Instance(p, q, [True, True] + [False] * big_k)


def delta_tight_witness(eta) -> Instance:
    """One valid answer and two errors, with slack 2 eta and delta = 1/2 + eta: the coefficient 1
    on delta is approached at the fixed size K = 2, with a positive bound 1/2 - eta.

    p = (1, 0, 0) and p_hat = (1/2 - eta, 1/2 + eta, 0) for 0 < eta < 1/2 (a Fraction): the
    error above the threshold 1/2 is worth exactly 2 D plus eta, the valid answer is eta short of
    1/2. With c delta in place of delta the claim fails once eta < (1 - c) / (2 (1 + c)).

    >>> from fractions import Fraction as F
    >>> inst = delta_tight_witness(F(1, 100))
    >>> generative_error(inst) - theorem1_bound(inst), calibration_gap(inst)
    (Fraction(1, 50), Fraction(51, 100))
    """
    if isinstance(eta, bool) or not isinstance(eta, (Fraction, int)):
        raise TypeError(f"eta must be a fractions.Fraction, got {type(eta).__name__}")
    eta = Fraction(eta)
    if not 0 < eta < Fraction(1, 2):
        raise ValueError(f"eta must be in (0, 1/2), got {eta}")
    half = Fraction(1, 2)
    return Instance([1, 0, 0], [half - eta, half + eta, Fraction(0)], [True, False, False])


def delta_coefficient_failure_size(coefficient) -> int:
    """The smallest K at which `delta_coefficient_witness` refutes err >= 2 err_iiv - k/K - c delta.

    On the witness the claim's slack is (3 - c)/K - (1 - c)/2, negative exactly when
    K > 2 (3 - c) / (1 - c). ``coefficient`` must be a Fraction or int in [0, 1).

    >>> from fractions import Fraction as F
    >>> delta_coefficient_failure_size(F(9, 10))
    43
    """
    if isinstance(coefficient, bool) or not isinstance(coefficient, (Fraction, int)):
        raise TypeError(f"coefficient must be an int or fractions.Fraction, got "
                        f"{type(coefficient).__name__}")
    c = Fraction(coefficient)
    if not 0 <= c < 1:
        raise ValueError(f"coefficient must be in [0, 1), got {c}")
    return max(3, math.floor(2 * (3 - c) / (1 - c)) + 1)


# --------------------------------------------------------------------------- Appendix A in SymPy

#: The definitions the symbolic table is built from (each a function of SymPy expressions), so
#: that a test can replace one by a wrong one and see the proof's identities fail.
APPENDIX_A_DEFINITIONS = {
    # Eq. (1): err is the model's mass on errors.
    "err": lambda valid, mu, p_hat: (1 - valid) * mu * p_hat,
    # D: half the training distribution on valid slots, half uniform over E_c on errors.
    "D": lambda valid, mu, p, n_errors: valid * mu * p / 2 + (1 - valid) * mu / (2 * n_errors),
    # The classifier says + above the threshold; it errs on accepted errors and rejected valid.
    "misclassified": lambda above, valid: above * (1 - valid) + (1 - above) * valid,
}


def appendix_a_table(pattern, definitions=None, per_prompt=False) -> dict:
    """Theorem 1's quantities on a symbolic table with a given valid/error pattern.

    ``pattern`` lists, per prompt, one bool per response: True for valid, False for an error.
    The symbols are mu_c (prompt probabilities), p_c_r (training probabilities, on valid slots
    only: p(V) = 1), q_c_r (model probabilities) and a_c_r (1 if the slot is above the threshold
    1/K, 0 if below); |E_c|, K and k are the pattern's numbers. Every quantity is built from
    ``definitions`` (default `APPENDIX_A_DEFINITIONS`), slot by slot. Returns the symbols, the
    quantities (err, err_iiv, D, the masses of A and B, delta, bound), the three slack terms of
    the proof, and ``normalise``, the substitution that makes every row and mu sum to 1.

    The indicators a_c_r are free, so the identities hold for any split into accepted and
    rejected slots. With ``per_prompt=True`` the ratio k/K is replaced by
    sum_c mu(c) |V_c| / |E_c|, the term of `per_prompt_threshold_terms`.

    >>> table = appendix_a_table([[True, False, False]])
    >>> table["K"], table["k"], table["err"]
    (2, 1, mu1*q1_2 + mu1*q1_3)
    """
    import sympy as sp

    defs = dict(APPENDIX_A_DEFINITIONS, **(definitions or {}))
    rows = [[bool(v) for v in row] for row in pattern]
    if not rows or any(not row for row in rows):
        raise ValueError("pattern must list at least one prompt, each with at least one response")
    for c, row in enumerate(rows):
        if all(row) or not any(row):
            raise ValueError(f"pattern: prompt {c} needs at least one valid and one error response")
    n_errors = [row.count(False) for row in rows]
    big_k, k = min(n_errors), max(row.count(True) for row in rows)
    mu = sp.symbols(f"mu1:{len(rows) + 1}", nonnegative=True)
    slots = [(c, r) for c, row in enumerate(rows) for r in range(len(row))]
    q = {(c, r): sp.Symbol(f"q{c + 1}_{r + 1}", nonnegative=True) for c, r in slots}
    a = {(c, r): sp.Symbol(f"a{c + 1}_{r + 1}", nonnegative=True) for c, r in slots}
    p = {(c, r): sp.Symbol(f"p{c + 1}_{r + 1}", nonnegative=True) if rows[c][r] else sp.S.Zero
         for c, r in slots}
    v = {(c, r): sp.S.One if rows[c][r] else sp.S.Zero for c, r in slots}

    def total(f):
        return sp.expand(sum(f(c, r) for c, r in slots))

    d = {(c, r): defs["D"](v[c, r], mu[c], p[c, r], n_errors[c]) for c, r in slots}
    p_hat_a = total(lambda c, r: a[c, r] * mu[c] * q[c, r])
    p_a = total(lambda c, r: a[c, r] * mu[c] * p[c, r])
    p_hat_b = total(lambda c, r: (1 - a[c, r]) * mu[c] * q[c, r])
    p_b = total(lambda c, r: (1 - a[c, r]) * mu[c] * p[c, r])
    delta = sp.Abs(p_hat_a - p_a)
    err = total(lambda c, r: defs["err"](v[c, r], mu[c], q[c, r]))
    err_iiv = total(lambda c, r: d[c, r] * defs["misclassified"](a[c, r], v[c, r]))
    if per_prompt:
        ratio = sum(m * sp.Rational(row.count(True), e) for m, row, e in zip(mu, rows, n_errors))
    else:
        ratio = sp.Rational(k, big_k)
    normalise = {mu[-1]: 1 - sum(mu[:-1])}
    for c, row in enumerate(rows):
        last = len(row) - 1
        normalise[q[c, last]] = 1 - sum(q[c, r] for r in range(last))
        valid_slots = [r for r in range(len(row)) if row[r]]
        normalise[p[c, valid_slots[-1]]] = 1 - sum(p[c, r] for r in valid_slots[:-1])
    return {
        "pattern": rows, "K": big_k, "k": k, "n_errors": n_errors, "ratio": ratio,
        "mu": mu, "p": p, "q": q, "above": a, "valid": v, "D": d,
        "err": err, "err_iiv": err_iiv, "delta": delta, "bound": 2 * err_iiv - ratio - delta,
        "p_hat_A": p_hat_a, "p_A": p_a, "p_hat_B": p_hat_b, "p_B": p_b,
        "p_hat_A_minus_V": total(lambda c, r: a[c, r] * (1 - v[c, r]) * mu[c] * q[c, r]),
        "p_hat_B_minus_V": total(lambda c, r: (1 - a[c, r]) * (1 - v[c, r]) * mu[c] * q[c, r]),
        "p_hat_B_cap_V": total(lambda c, r: (1 - a[c, r]) * v[c, r] * mu[c] * q[c, r]),
        "D_A_minus_V": total(lambda c, r: a[c, r] * (1 - v[c, r]) * d[c, r]),
        "D_B_cap_V": total(lambda c, r: (1 - a[c, r]) * v[c, r] * d[c, r]),
        "terms": {
            "errors_above_threshold": total(
                lambda c, r: a[c, r] * (1 - v[c, r]) * (mu[c] * q[c, r] - 2 * d[c, r])),
            "valid_below_threshold": ratio - total(
                lambda c, r: (1 - a[c, r]) * v[c, r] * mu[c] * q[c, r]),
            "calibration": delta - (p_b - p_hat_b),
        },
        "normalise": normalise,
    }


def appendix_a_table_steps(pattern, definitions=None, per_prompt=False) -> list:
    """The identities of Appendix A's proof on a symbolic table (see `appendix_a_table`).

    Returns ``(step, expression, holds)`` triples; each expression is a polynomial in the
    table's symbols that must vanish (after reducing a_c_r^2 to a_c_r, as for any 0/1
    indicator), and ``holds`` says whether it does. A wrong definition makes some of them fail.
    With ``per_prompt=True``, the steps of the per-prompt-threshold variant (no mu-average of
    k/K is needed there, so that step is left out).

    >>> all(holds for _, _, holds in appendix_a_table_steps([[True, False], [True, False, False]]))
    True
    """
    import sympy as sp

    t = appendix_a_table(pattern, definitions, per_prompt)
    indicators = set(t["above"].values())

    def reduce(expr):
        expr = sp.expand(expr)
        expr = expr.replace(lambda e: e.is_Pow and e.base in indicators, lambda e: e.base)
        return sp.expand(expr)

    def normalised(expr):
        return reduce(sp.expand(expr).subs(t["normalise"]))

    terms = t["terms"]
    slack = t["err"] - t["bound"]
    checks = [
        ("1: err = p_hat(A \\ V) + p_hat(B \\ V)",
         reduce(t["err"] - t["p_hat_A_minus_V"] - t["p_hat_B_minus_V"])),
        ("1: err_iiv = D(A \\ V) + D(B ∩ V)",
         reduce(t["err_iiv"] - t["D_A_minus_V"] - t["D_B_cap_V"])),
        ("delta: p_hat(A) - p(A) = -(p_hat(B) - p(B)) once p, p_hat and mu sum to 1",
         normalised(t["p_hat_A"] - t["p_A"] + t["p_hat_B"] - t["p_B"])),
        ("4: 2 D(B ∩ V) = p(B) (p(V) = 1)", reduce(2 * t["D_B_cap_V"] - t["p_B"])),
    ]
    if not per_prompt:
        checks.append(("4: sum_c mu(c) k/K = k/K once mu sums to 1",
                       normalised((sum(t["mu"]) - 1) * t["ratio"])))
    checks += [
        ("5: 2 D(B ∩ V) - p_hat(B \\ V) = (p(B) - p_hat(B)) + p_hat(B ∩ V)",
         reduce(2 * t["D_B_cap_V"] - t["p_hat_B_minus_V"]
                - (t["p_B"] - t["p_hat_B"] + t["p_hat_B_cap_V"]))),
        ("6: err - bound = the three slack terms of steps 2, 4 and 5",
         reduce(slack - sum(terms.values()))),
    ]
    return [(step, expr, expr == 0) for step, expr in checks]


def appendix_a_patterns(max_prompts, max_responses) -> list:
    """Every valid/error pattern up to symmetry, with 1..max_prompts prompts of 2..max_responses.

    Responses within a prompt and the prompts themselves are exchangeable in Theorem 1, so a
    prompt is described by (number of valid, number of errors) and a table by a sorted tuple
    of prompts.

    >>> appendix_a_patterns(1, 3)
    [[[True, False]], [[True, False, False]], [[True, True, False]]]
    """
    max_prompts = check_positive_int(max_prompts, "max_prompts")
    max_responses = check_positive_int(max_responses, "max_responses", minimum=2)
    kinds = [(v, n - v) for n in range(2, max_responses + 1) for v in range(1, n)]
    out = []
    for m in range(1, max_prompts + 1):
        for combo in itertools.combinations_with_replacement(kinds, m):
            out.append([[True] * v + [False] * e for v, e in combo])
    return out


def appendix_a_steps(definitions=None) -> list:
    """The inequalities of Appendix A's proof, with SymPy, for every size (not on one table).

    Returns ``(step, expression, holds)`` triples; ``holds`` is SymPy's verdict that the
    expression is positive (step 2) or non-negative (steps 4 and 5):

    * step 2: an error above the threshold has p_hat(r|c) = 1/K + eta (eta > 0) and
      |E_c| = K + j (j >= 0), so mu p_hat(r|c) - 2 D(c, r) = mu (1/K + eta - 1/(K + j)) > 0;
    * step 4: a prompt with b valid slots below the threshold, each 1/K - eps_i (eps_i >= 0,
      summing to E), and k = b + s (s >= 0) valid slots at most: k/K - (b/K - E) >= 0;
    * step 5: delta - (p(B) - p_hat(B)) = |x| - x >= 0, by cases on the sign of x.

    D(c, r) on an error comes from ``definitions`` (default `APPENDIX_A_DEFINITIONS`), so a wrong
    D makes step 2 fail.

    >>> all(holds for _, _, holds in appendix_a_steps())
    True
    """
    import sympy as sp

    mu, big_k, eta = sp.symbols("mu K eta", positive=True)
    j = sp.Symbol("j", nonnegative=True)
    d_error = dict(APPENDIX_A_DEFINITIONS, **(definitions or {}))["D"](0, mu, 0, big_k + j)
    excess = sp.factor(sp.together(mu * (1 / big_k + eta) - 2 * d_error))
    b, s, eps_sum = sp.symbols("b s E", nonnegative=True)
    room = sp.simplify((b + s) / big_k - (b / big_k - eps_sum))
    x_pos, x_neg = sp.Symbol("x", nonnegative=True), sp.Symbol("x", negative=True)
    by_cases = [sp.Abs(x) - x for x in (x_pos, x_neg)]
    return [
        ("2: mu p_hat(r|c) - 2 D(c, r) > 0 for an error above 1/K", excess,
         bool(excess.is_positive)),
        ("4: k/K - p_hat(B ∩ V_c | c) >= 0 with b valid slots below 1/K, k = b + s", room,
         bool(room.is_nonnegative)),
        ("5: |x| - x >= 0 for x = p(B) - p_hat(B) (cases x >= 0 and x < 0)",
         sp.Tuple(*by_cases), all(bool(e.is_nonnegative) for e in by_cases)),
    ]


# --------------------------------------------------------------------------- nonsense strings


def nonsense_terms(inst: Instance, nonsense) -> dict:
    """Theorem 1 in the paper's nonsense setting (Section 5): X = N ∪ E ∪ V with D(N) = 0.

    ``inst`` holds the nonsense slots as non-valid slots and ``nonsense`` (bool, the shape of
    ``inst.p``) marks them; the errors are then E_c = the non-valid, non-nonsense slots. With
    K = min_c |E_c| and k = max_c |V_c| from these, err = p_hat(N ∪ E), err_iiv over D with
    D(N) = 0, and delta = |p_hat(A) - p(A)| for A = {p_hat(r|c) > 1/K}, the paper's bound is
    2 err_iiv - k/K - delta. Returns ``err``, ``iiv_error``, ``calibration_gap``, ``ratio`` and
    ``bound``. (`theorem1_bound` on ``inst`` itself is the bound with nonsense relabelled as
    errors: another valid bound.)

    >>> from fractions import Fraction as F
    >>> inst = Instance([1, 0, 0, 0], [F(2, 5), 0, F(3, 10), F(3, 10)], [True, False, False, False])
    >>> terms = nonsense_terms(inst, [False, False, False, True])
    >>> terms["bound"], theorem1_bound(inst)
    (Fraction(1, 2), Fraction(-14, 15))
    """
    check_instance(inst)
    mask = np.asarray(nonsense)
    if mask.dtype != bool:
        raise TypeError(f"nonsense must be a boolean array, got dtype {mask.dtype}")
    mask = mask.reshape(1, -1) if mask.ndim == 1 else mask
    if mask.shape != inst.p.shape:
        raise ValueError(f"nonsense has shape {mask.shape}, expected {inst.p.shape}")
    if (mask & inst.valid).any():
        c, r = np.argwhere(mask & inst.valid)[0]
        raise ValueError(f"nonsense marks valid response {r} of prompt {c}")
    errors = inst.error & ~mask
    n_errors = count_per_row(errors)
    if (n_errors == 0).any():
        c = int(np.flatnonzero(n_errors == 0)[0])
        raise ValueError(f"nonsense: prompt {c} has no error left (every prompt needs one)")
    big_k = int(n_errors.min())
    t = inst.number(Fraction(1, big_k))
    above = inst.p_hat > t
    if inst.plausible is not None:
        above = above & inst.plausible
    exact = inst.exact
    one = Fraction(1) if exact else 1.0
    fp = count_per_row(above & errors)
    if exact:
        fp_share = np.array([Fraction(int(a), int(b)) for a, b in zip(fp, n_errors)], dtype=object)
    else:
        fp_share = fp / n_errors
    p_above, p_hat_above = _row_sums_of_each((inst.p, inst.p_hat), above, exact)
    iiv = _weighted_total(inst, (fp_share + (one - p_above)) / 2)
    delta = abs(_weighted_total(inst, p_hat_above - p_above))
    ratio = Fraction(inst.max_valid, big_k)
    return {"err": generative_error(inst), "iiv_error": iiv, "calibration_gap": delta,
            "ratio": ratio, "bound": 2 * iiv - ratio - delta}
