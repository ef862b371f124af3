"""The Is-It-Valid reduction: Corollary 1 and Theorem 1 (paper Section 3, proof in Appendix A).

All functions take an `Instance`. Float instances give floats; exact instances give Fractions.

>>> from fractions import Fraction as F
>>> from hallu_proofs import Instance
>>> inst = Instance(p=[1, 0, 0], p_hat=[F(3, 5), F(1, 5), F(1, 5)], valid=[True, False, False])
>>> generative_error(inst), iiv_error(inst), calibration_gap(inst), theorem1_bound(inst)
(Fraction(2, 5), Fraction(0, 1), Fraction(2, 5), Fraction(-9, 10))
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .instances import Instance, _row_sums_over, check_threshold, count_per_row
from .validation import check_instance


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
        above = classify(inst, t)
        exact = inst.exact
        p_above = _row_sums_over(inst.p, above, exact)
        p_hat_above = _row_sums_over(inst.p_hat, above, exact)
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
        inst._cache[key] = {
            "iiv": _weighted_total(inst, iiv_per_prompt),
            "delta": abs(_weighted_total(inst, p_hat_above - p_above)),
        }
    return inst._cache[key]


def _weighted_total(inst: Instance, per_prompt):
    """sum_c mu(c) x_c, as a Fraction or a float."""
    if inst.exact:
        return Fraction(sum((m * x for m, x in zip(inst.mu, per_prompt)), Fraction(0)))
    return float(inst.mu @ per_prompt)


def _total(arr, mask, exact):
    if exact:
        return Fraction(sum(arr[mask]))
    return float(arr[mask].sum())


def appendix_a_steps() -> list:
    """The algebra of the proof of Theorem 1 (Appendix A), re-derived with sympy.

    Returns a list of ``(step, expression, holds)``: ``expression`` is a sympy expression whose
    sign or value the step needs, and ``holds`` is sympy's verdict (True when proved).

    >>> all(holds for _, _, holds in appendix_a_steps())
    True
    """
    import sympy as sp

    mu, K, above = sp.symbols("mu K eta", positive=True)
    extra, k = sp.symbols("j k", nonnegative=True)
    # Steps 4a, 5 and 6 are identities: they hold for any values, so these symbols need no
    # assumptions.
    p_b, p_hat_b, p_hat_bv, delta = sp.symbols("p_B phat_B phat_BV delta")
    p, d_above, d_below = sp.symbols("p D_AminusV D_BcapV")
    steps = []

    # Step 2: an error (c, r) above the threshold, p_hat = 1/K + eta, with |E_c| = K + j >= K,
    # contributes mu p_hat to p_hat(A \ V) and mu / (2 |E_c|) to D(A \ V).
    excess = sp.factor(sp.together(mu * (1 / K + above) - 2 * mu / (2 * (K + extra))))
    steps.append(("2: mu p_hat(r|c) - 2 D(c, r) > 0 for an error above 1/K", excess,
                  bool(excess.is_positive)))

    # Step 4a: on valid responses 2 D(c, r) = mu p(r|c), so 2 D(B ∩ V) = p(B ∩ V) = p(B).
    identity = sp.simplify(2 * (mu * p / 2) - mu * p)
    steps.append(("4: 2 D(c, r) - mu p(r|c) = 0 on valid responses", identity, identity == 0))

    # Step 4b: at most k valid responses below the threshold, each 1/K - eps_i with eps_i >= 0.
    gaps = sp.symbols("e1:4", nonnegative=True)
    slots = sp.symbols("s", nonnegative=True)  # k = (valid slots below) + s
    below_mass = sum(1 / K - g for g in gaps)
    room = sp.simplify((len(gaps) + slots) / K - below_mass)
    steps.append(("4: k/K - p_hat(B ∩ V | c) >= 0 (three valid slots shown)", room,
                  bool(room.is_nonnegative)))

    # Step 5: 2D(B ∩ V) - p_hat(B \ V) = (p(B) - p_hat(B)) + p_hat(B ∩ V).
    rearranged = sp.simplify(p_b - (p_hat_b - p_hat_bv) - ((p_b - p_hat_b) + p_hat_bv))
    steps.append(("5: p(B) - p_hat(B \\ V) = (p(B) - p_hat(B)) + p_hat(B ∩ V)", rearranged,
                  rearranged == 0))

    # Step 6: err = p_hat(A \ V) + p_hat(B \ V); adding the lower bounds of steps 2 and 3
    # gives exactly the right-hand side of Theorem 1.
    rhs_sum = 2 * d_above + (2 * d_below - k / K - delta)
    err_iiv = d_above + d_below
    combined = sp.simplify(rhs_sum - (2 * err_iiv - k / K - delta))
    steps.append(("6: 2 D(A \\ V) + [2 D(B ∩ V) - k/K - delta] = 2 err_iiv - k/K - delta",
                  combined, combined == 0))
    return steps
