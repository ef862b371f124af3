"""Calibration: why cross-entropy pretraining makes delta small (paper Section 3.1, Eq. (3)).

The paper's argument: rescale the probabilities above the threshold by a factor ``s > 0`` and
renormalise (per prompt, with one shared ``s``). The derivative of the cross-entropy loss
L(p_hat) = E_{(c,r)~p}[-log p_hat(r|c)] with respect to ``s`` at ``s = 1`` is exactly
p_hat(A) - p(A), so |dL/ds| = delta and a loss at a local minimum has delta = 0.

All functions take an `Instance`. Float instances give floats; exact (Fraction) instances give
exact Fractions wherever the mathematics is rational (masses, gaps, the closed-form derivative);
the loss itself involves logarithms and is always a float.

>>> from fractions import Fraction as F
>>> from hallu_proofs import Instance, calibration_gap
>>> inst = Instance(p=[1, 0, 0], p_hat=[F(3, 5), F(1, 5), F(1, 5)], valid=[True, False, False])
>>> rescaled_loss_derivative(inst), calibration_gap(inst)
(Fraction(-2, 5), Fraction(2, 5))
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from numbers import Integral

import numpy as np

from ._lazy import sympy as sp
from .instances import Instance, _row_sums_of_each, _row_sums_over, count_per_row
from .reduction import calibration_gap, classify, generative_error, theorem1_bound
from .validation import as_array, check_instance, check_positive_int, check_real

__all__ = [
    "TrainingRun",
    "calibration_gap_curve",
    "cross_entropy",
    "level_set_calibration_error",
    "mean_plausible_responses",
    "finite_difference_derivative",
    "grouped_softmax_optimum",
    "printed_loss_counterexample",
    "printed_prompted_loss",
    "printed_prompted_loss_derivative",
    "prompted_loss_slip",
    "question_answer_database_model",
    "rescaled_loss_derivative",
    "rescaled_model",
    "signed_calibration_gap",
    "slot_forecasts",
    "symbolic_prompted_rescaling",
    "symbolic_rescaled_loss",
    "symbolic_rescaling_steps",
    "threshold_masses",
    "train_softmax",
    "uniform_model",
]


# --------------------------------------------------------------------------- models


def rescaled_model(inst: Instance, s, threshold=None) -> Instance:
    """The rescaled model p_hat_s: p_hat(r|c) times ``s`` above the threshold, renormalised per prompt.

    p_hat_s(r|c) = s^[r in A_c] p_hat(r|c) / Z_c(s) with A_c = {r : p_hat(r|c) > threshold} (taken
    from the original model) and Z_c(s) = 1 + (s - 1) p_hat(A_c|c). The result is an `Instance`
    with the same p, valid, mu and plausible, so every quantity comes from the same functions.

    Parameters
    ----------
    inst : Instance
    s : real, > 0
        The scaling factor; an int or Fraction when ``inst`` is exact.
    threshold : real in [0, 1], optional
        Default 1 / min_c |E_c|, the threshold of delta in Theorem 1.

    >>> from fractions import Fraction as F
    >>> inst = Instance([1, 0, 0], [F(3, 5), F(1, 5), F(1, 5)], [True, False, False])
    >>> rescaled_model(inst, 2).p_hat.tolist()
    [[Fraction(3, 4), Fraction(1, 8), Fraction(1, 8)]]
    >>> rescaled_model(inst, 0)
    Traceback (most recent call last):
    ...
    ValueError: s must be > 0, got 0
    """
    check_instance(inst)
    s = _check_scale(s, inst)
    above = classify(inst, threshold)
    one = Fraction(1) if inst.exact else 1.0
    scaled = inst.p_hat * np.where(above, s, one)
    return _with_model(inst, scaled / scaled.sum(axis=1, keepdims=True))


def uniform_model(inst: Instance) -> Instance:
    """The model that is uniform over the plausible responses R_c of each prompt.

    With one prompt this is the paper's p_hat(x) = 1/|X|, which has delta = 0.

    >>> inst = Instance([0.5, 0.5, 0.0], [0.2, 0.2, 0.6], [True, True, False])
    >>> uniform_model(inst).p_hat.round(3).tolist()
    [[0.333, 0.333, 0.333]]
    """
    check_instance(inst)
    plausible = _plausible_mask(inst)
    sizes = count_per_row(plausible)
    if inst.exact:
        rows = [[Fraction(1, int(k)) if ok else Fraction(0) for ok in row]
                for row, k in zip(plausible, sizes)]
        return _with_model(inst, np.array(rows))
    return _with_model(inst, plausible / sizes[:, None])


def question_answer_database_model(inst: Instance, known, idk) -> Instance:
    """The non-erring model of the paper: answer from a database, otherwise say IDK.

    For a prompt marked ``known`` the model puts all its mass on the most likely valid response
    under p other than IDK (the database answer); for every other prompt it puts all its mass on
    the response slot ``idk``, which must be valid for every prompt. Its error rate is 0.

    Parameters
    ----------
    inst : Instance
    known : array_like of bool, shape (m,)
        The prompts whose answer is in the database.
    idk : int
        The column of the IDK response.

    >>> inst = Instance([[0.8, 0.2, 0.0, 0.0], [0.6, 0.4, 0.0, 0.0]], [[0.25] * 4] * 2,
    ...                 [[True, True, False, False]] * 2)
    >>> model = question_answer_database_model(inst, known=[True, False], idk=1)
    >>> model.p_hat.tolist()
    [[1.0, 0.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0]]
    """
    check_instance(inst)
    m, n = inst.p.shape
    known = as_array(known, "known")
    if known.dtype != bool:
        raise TypeError(f"known must be a boolean array, got dtype {known.dtype}")
    if known.shape != (m,):
        raise ValueError(f"known has shape {known.shape}, expected ({m},): one entry per prompt")
    if isinstance(idk, (bool, np.bool_)) or not isinstance(idk, Integral):
        raise TypeError(f"idk must be an integer column index, got {type(idk).__name__}")
    if not 0 <= idk < n:
        raise ValueError(f"idk must be a column index in [0, {n}), got {idk}")
    not_valid = np.flatnonzero(~inst.valid[:, idk])
    if not_valid.size:
        raise ValueError(f"idk: response {idk} is not valid for prompt {not_valid[0]}")
    zero, one = (Fraction(0), Fraction(1)) if inst.exact else (0.0, 1.0)
    model = np.full((m, n), zero)
    for c in range(m):
        answers = inst.valid[c].copy()
        answers[idk] = False
        if known[c]:
            if not answers.any():
                raise ValueError(f"known: prompt {c} has no valid response other than IDK")
            candidates = np.flatnonzero(answers)
            model[c, candidates[np.argmax([inst.p[c, r] for r in candidates])]] = one
        else:
            model[c, idk] = one
    return _with_model(inst, model)


def grouped_softmax_optimum(inst: Instance, groups=None) -> Instance:
    """The cross-entropy minimiser among models that give prompts of one group the same row.

    Prompts in a group share one softmax over their (common) plausible responses. The
    minimiser of E_p[-log p_hat] is the mu-weighted average of p(.|c) over the group (uniform
    for a group of mu-mass 0). With one group this is the "prompt-blind" model; with a group
    per prompt it is p itself.

    >>> from fractions import Fraction as F
    >>> inst = Instance([[1, 0, 0], [0, 1, 0]], [[F(1, 3)] * 3] * 2, [[True, False, False],
    ...                 [False, True, False]])
    >>> grouped_softmax_optimum(inst, groups=[0, 0]).p_hat[0].tolist()
    [Fraction(1, 2), Fraction(1, 2), Fraction(0, 1)]
    """
    check_instance(inst)
    groups = _check_groups(groups, inst)
    weights = inst.mu[:, None] * inst.p
    uniform = uniform_model(inst).p_hat
    model = np.empty_like(inst.p_hat)
    for g in np.unique(groups):
        members = groups == g
        mass = sum(inst.mu[members])
        row = weights[members].sum(axis=0) / mass if mass > 0 else uniform[members][0]
        model[members] = row
    return _with_model(inst, model)


def printed_loss_counterexample() -> Instance:
    """A one-prompt exact instance on which the printed prompted loss breaks the identity.

    p = (1, 0, 0) on one valid and two error responses, p_hat = (3/5, 1/5, 1/5), threshold 1/2:
    the weighted loss has derivative p_hat(A) - p(A) = -2/5 at s = 1, the printed (unweighted)
    loss has derivative 3 * 3/5 - 1 = 4/5.

    >>> slip = prompted_loss_slip(printed_loss_counterexample())
    >>> slip["signed_gap"], slip["weighted_derivative"], slip["printed_derivative"]
    (Fraction(-2, 5), Fraction(-2, 5), Fraction(4, 5))
    """
    fifth = Fraction(1, 5)
    return Instance(p=[1, 0, 0], p_hat=[3 * fifth, fifth, fifth], valid=[True, False, False])


# --------------------------------------------------------------------------- masses and gaps


def threshold_masses(inst: Instance, threshold=None) -> dict:
    """p_hat and p masses of A = {p_hat(r|c) > threshold} and of its complement B in R.

    >>> inst = Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    >>> {k: round(v, 3) for k, v in threshold_masses(inst).items()}
    {'p_hat_above': 0.6, 'p_above': 1.0, 'p_hat_below': 0.4, 'p_below': 0.0}
    """
    check_instance(inst)
    above = classify(inst, threshold)
    below = _plausible_mask(inst) & ~above
    total = _weighted_mass
    return {
        "p_hat_above": total(inst, inst.p_hat, above),
        "p_above": total(inst, inst.p, above),
        "p_hat_below": total(inst, inst.p_hat, below),
        "p_below": total(inst, inst.p, below),
    }


def signed_calibration_gap(inst: Instance, threshold=None):
    """p_hat(A) - p(A); its absolute value is delta (`calibration_gap`).

    >>> inst = Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    >>> round(signed_calibration_gap(inst), 3)
    -0.4
    """
    check_instance(inst)
    masses = threshold_masses(inst, threshold)
    return masses["p_hat_above"] - masses["p_above"]


def calibration_gap_curve(inst: Instance, thresholds) -> np.ndarray:
    """delta_t = |p_hat(A_t) - p(A_t)| for each threshold t (an object array of Fractions if exact).

    delta_t is a step function of t that can change only at the values taken by p_hat.

    >>> inst = Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    >>> calibration_gap_curve(inst, [0.1, 0.5, 0.7]).round(3).tolist()
    [0.0, 0.4, 0.0]
    """
    check_instance(inst)
    if np.ndim(thresholds) != 1:
        raise ValueError(f"thresholds must be a 1-D array, got shape {np.shape(thresholds)}")
    return np.array([calibration_gap(inst, threshold=t) for t in thresholds])


def level_set_calibration_error(inst: Instance, bins=None):
    """The level-set calibration error: the sum, over the level sets S of p_hat, of |p_hat(S) - p(S)|.

    With ``bins=None`` every distinct value v of p_hat(r|c) is its own level set
    S_v = {(c, r) : p_hat(r|c) = v} (Dawid's "for every t" requirement); with ``bins=b`` the level
    sets are the equal-width bins [0, 1/b], (1/b, 2/b], ..., ((b-1)/b, 1] of
    `hallu_proofs.reliability.calibration_error`. Its range is [0, 2]. For every threshold t,
    2 delta_t <= level_set_calibration_error(inst) (``bins=None``), and there is no bound the
    other way. It is not the usual ECE of a classifier: it equals n * ECE of the slot forecasts
    (`slot_forecasts`: each (c, r) forecasts p_hat(r|c) for the event "the training response is
    r"), where n = sum_c mu(c) |R_c| is the mean number of plausible responses.

    >>> inst = Instance([0.5, 0.5, 0.0, 0.0], [0.4, 0.4, 0.1, 0.1], [True, True, False, False])
    >>> calibration_gap(inst), round(level_set_calibration_error(inst), 3)
    (0.0, 0.4)
    >>> round(level_set_calibration_error(inst, bins=1), 3)
    0.0
    """
    check_instance(inst)
    values = inst.p_hat.ravel()
    gaps = (inst.mu[:, None] * (inst.p_hat - inst.p)).ravel()
    if inst.plausible is not None:
        values, gaps = values[inst.plausible.ravel()], gaps[inst.plausible.ravel()]
    if bins is not None:
        bins = check_positive_int(bins, "bins")
        # bin i is ((i-1)/b, i/b] counted from 1, the first one closed at 0: index ceil(v b) - 1
        if inst.exact:
            values = np.array([max(math.ceil(v * bins) - 1, 0) for v in values])
        else:
            edges = np.linspace(0.0, 1.0, bins + 1)
            values = np.searchsorted(edges[1:-1], values.astype(float), side="left")
    if inst.exact:
        per_level: dict = {}
        for v, g in zip(values, gaps):
            per_level[v] = per_level.get(v, Fraction(0)) + g
        return Fraction(sum((abs(g) for g in per_level.values()), Fraction(0)))
    order = np.argsort(values)  # the order within a level set does not matter
    ordered = values[order]
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    return float(np.abs(np.add.reduceat(gaps[order], starts)).sum())


def slot_forecasts(inst: Instance):
    """Every plausible slot (c, r) as forecasts p_hat(r|c) of "the training response is r".

    For an exact instance, returns ``(confidences, correct)``: slot (c, r) appears L mu(c)
    times with confidence p_hat(r|c), L mu(c) p(r|c) of them marked correct, where L is the
    least common denominator of the mu(c) and mu(c) p(r|c). These are the pairs that
    `hallu_proofs.reliability.calibration_error` (the usual binned ECE) takes; their ECE with
    b bins times n = sum_c mu(c) |R_c| is ``level_set_calibration_error(inst, bins=b)``.

    >>> from fractions import Fraction as F
    >>> inst = Instance([1, 0], [F(3, 4), F(1, 4)], [True, False])
    >>> confidences, correct = slot_forecasts(inst)
    >>> [str(q) for q in confidences], correct
    (['3/4', '1/4'], [True, False])
    """
    check_instance(inst)
    if not inst.exact:
        raise TypeError("inst must be an exact (Fraction) instance: slot_forecasts replicates "
                        "slots by their exact weights")
    plausible = _plausible_mask(inst)
    weights = [inst.mu[c] * inst.p[c, r] for c, r in zip(*np.nonzero(plausible))]
    scale = math.lcm(*(Fraction(x).denominator for x in [*inst.mu, *weights]))
    confidences, correct = [], []
    for c, r in zip(*np.nonzero(plausible)):
        copies = int(inst.mu[c] * scale)
        hits = int(inst.mu[c] * inst.p[c, r] * scale)
        confidences += [inst.p_hat[c, r]] * copies
        correct += [True] * hits + [False] * (copies - hits)
    return confidences, correct


def mean_plausible_responses(inst: Instance):
    """n = sum_c mu(c) |R_c|, the expected number of plausible responses of a random prompt.

    >>> mean_plausible_responses(Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False]))
    3.0
    """
    check_instance(inst)
    return _weighted_sum(inst, count_per_row(_plausible_mask(inst)).astype(object if inst.exact
                                                                           else float))


# --------------------------------------------------------------------------- losses and derivatives


def cross_entropy(inst: Instance) -> float:
    """L(p_hat) = E_{(c,r)~p}[-log p_hat(r|c)] = -sum_c mu(c) sum_r p(r|c) log p_hat(r|c), Eq. (3).

    Raises ValueError if p_hat(r|c) = 0 where mu(c) p(r|c) > 0 (the loss would be infinite).

    >>> inst = Instance([0.5, 0.5, 0.0], [0.5, 0.25, 0.25], [True, True, False])
    >>> round(cross_entropy(inst), 6) == round(1.5 * math.log(2), 6)
    True
    >>> cross_entropy(Instance([0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [True, True, False]))
    Traceback (most recent call last):
    ...
    ValueError: p_hat is 0 on response 1 of prompt 0: p has mass there, so the cross-entropy is infinite
    """
    check_instance(inst)
    weights = inst.mu[:, None] * inst.p
    return _weighted_log_loss(inst, weights, "response", "p has mass there, so the cross-entropy is "
                             "infinite")


def printed_prompted_loss(inst: Instance) -> float:
    """The prompted loss as printed in the paper: sum over plausible (c, r) of -mu(c) log p_hat(r|c).

    It lacks the weight p(r|c) of `cross_entropy`; see `prompted_loss_slip`. Raises ValueError
    if p_hat(r|c) = 0 on a plausible response of a prompt with mu(c) > 0.

    >>> inst = Instance([0.5, 0.5, 0.0], [0.5, 0.25, 0.25], [True, True, False])
    >>> round(printed_prompted_loss(inst), 6) == round(5 * math.log(2), 6)
    True
    """
    check_instance(inst)
    weights = np.where(_plausible_mask(inst), inst.mu[:, None], 0)
    return _weighted_log_loss(inst, weights, "plausible response",
                             "the printed prompted loss is infinite")


def rescaled_loss_derivative(inst: Instance, s=1, threshold=None):
    """d/ds L(p_hat_s) in closed form: sum_c mu(c) [p_hat(A_c|c) / Z_c(s) - p(A_c|c) / s].

    Z_c(s) = 1 + (s - 1) p_hat(A_c|c). At s = 1 this is p_hat(A) - p(A), whose absolute value is
    delta. Exact for exact instances (s an int or Fraction). Raises ValueError where
    `cross_entropy` is infinite (then the loss has no derivative).

    >>> from fractions import Fraction as F
    >>> inst = Instance([1, 0, 0], [F(3, 5), F(1, 5), F(1, 5)], [True, False, False])
    >>> rescaled_loss_derivative(inst), rescaled_loss_derivative(inst, s=F(2, 3))
    (Fraction(-2, 5), Fraction(-3, 4))
    """
    check_instance(inst)
    s = _check_scale(s, inst)
    cross_entropy(inst)  # refuses an infinite loss
    q_above, p_above, _ = _per_prompt_above(inst, threshold)
    per_prompt = q_above / (1 + (s - 1) * q_above) - p_above / s
    return _weighted_sum(inst, per_prompt)


def printed_prompted_loss_derivative(inst: Instance, s=1, threshold=None):
    """d/ds of the printed (unweighted) prompted loss, in closed form.

    sum_c mu(c) [|R_c| p_hat(A_c|c) / Z_c(s) - |A_c| / s]; at s = 1 this is
    sum_c mu(c) |R_c| (p_hat(A_c|c) - |A_c| / |R_c|): the calibration gap against the uniform
    distribution on R_c, not against p. Raises ValueError where `printed_prompted_loss` is infinite.

    >>> printed_prompted_loss_derivative(printed_loss_counterexample())
    Fraction(4, 5)
    """
    check_instance(inst)
    s = _check_scale(s, inst)
    printed_prompted_loss(inst)  # refuses an infinite loss
    q_above, _, n_above = _per_prompt_above(inst, threshold)
    sizes = count_per_row(_plausible_mask(inst))
    if inst.exact:
        n_above = np.array([Fraction(int(k)) for k in n_above])
    per_prompt = sizes * q_above / (1 + (s - 1) * q_above) - n_above / s
    return _weighted_sum(inst, per_prompt)


def finite_difference_derivative(inst: Instance, s=1, threshold=None, step=1e-3,
                                 printed=False) -> float:
    """d/ds L(p_hat_s) at ``s`` by the five-point central difference of step ``step * s``.

    The loss differences L(p_hat_u) - L(p_hat) are summed as log-ratios of the two models, which
    keeps the rounding error near machine precision divided by ``step``; the truncation error is
    of order step^4. With ``printed=True`` the loss is `printed_prompted_loss`.

    >>> inst = Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    >>> round(finite_difference_derivative(inst), 9)
    -0.4
    """
    check_instance(inst)
    s = _check_scale(s, inst)
    check_real(step, "step")
    if not 0 < step < 0.5:
        raise ValueError(f"step must be in (0, 0.5), got {step!r}")
    (printed_prompted_loss if printed else cross_entropy)(inst)  # refuses an infinite loss
    h = (Fraction(step) if inst.exact else float(step)) * s

    def change(k):
        other = rescaled_model(inst, s + k * h, threshold)
        return _loss_change(inst, other, printed)

    return float((8 * (change(1) - change(-1)) - (change(2) - change(-2))) / (12 * float(h)))


def prompted_loss_slip(inst: Instance, threshold=None) -> dict:
    """Compare the derivatives at s = 1 of the weighted and the printed prompted loss with p_hat(A) - p(A).

    Returns ``signed_gap`` (p_hat(A) - p(A)), ``weighted_derivative`` (of `cross_entropy`, always
    equal to the gap) and ``printed_derivative`` (of `printed_prompted_loss`, generally not).

    >>> slip = prompted_loss_slip(printed_loss_counterexample())
    >>> slip["weighted_derivative"] == slip["signed_gap"] != slip["printed_derivative"]
    True
    """
    check_instance(inst)
    return {
        "signed_gap": signed_calibration_gap(inst, threshold),
        "weighted_derivative": rescaled_loss_derivative(inst, 1, threshold),
        "printed_derivative": printed_prompted_loss_derivative(inst, 1, threshold),
    }


# --------------------------------------------------------------------------- symbolic derivations


def symbolic_rescaling_steps(n_above=2, n_below=2) -> dict:
    """The no-prompt derivation with sympy, on |A| = n_above and |B| = n_below symbolic slots.

    Returns sympy expressions (each should simplify to 0) for the steps of the proof:

    * ``log_ratio``: log p_hat_s(x) - [log p_hat(x) + [x in A] log s - log Z(s)];
    * ``loss``: L(p_hat_s) - [L(p_hat) - p(A) log s + log Z(s)] once p sums to 1;
    * ``normaliser``: Z(s) - [1 + (s - 1) p_hat(A)] once p_hat sums to 1;
    * ``derivative``: dL(p_hat_s)/ds at s = 1 minus (p_hat(A) - p(A)), once p and p_hat sum to 1;

    and ``derivative_expr``, the derivative itself before the normalisation is used.

    >>> steps = symbolic_rescaling_steps(1, 1)
    >>> all(sp.simplify(steps[k]) == 0 for k in ("log_ratio", "loss", "normaliser", "derivative"))
    True
    """
    n_above = check_positive_int(n_above, "n_above")
    n_below = check_positive_int(n_below, "n_below")
    s = sp.Symbol("s", positive=True)
    q = sp.symbols(f"qhat1:{n_above + n_below + 1}", positive=True)
    p = sp.symbols(f"p1:{n_above + n_below + 1}", positive=True)
    in_a = [i < n_above for i in range(len(q))]
    z = sum(s * qi if a else qi for qi, a in zip(q, in_a))
    rescaled = [(s * qi if a else qi) / z for qi, a in zip(q, in_a)]
    loss_s = -sum(pi * sp.log(ri) for pi, ri in zip(p, rescaled))
    loss_1 = -sum(pi * sp.log(qi) for pi, qi in zip(p, q))
    p_a = sum(p[:n_above])
    q_a = sum(q[:n_above])
    log_ratio = sum(
        sp.expand_log(sp.log(ri))  # the symbols are positive, so the logs split
        - (sp.log(qi) + (sp.log(s) if a else 0) - sp.log(z))
        for ri, qi, a in zip(rescaled, q, in_a)
    )
    # The normalisations sum p_hat = 1 and sum p = 1 eliminate the last slot of each.
    normalise = {q[-1]: 1 - sum(q[:-1]), p[-1]: 1 - sum(p[:-1])}
    loss = sp.expand_log(loss_s - (loss_1 - p_a * sp.log(s) + sp.log(z)))
    loss = loss.subs(p[-1], normalise[p[-1]])
    normaliser = z.subs(normalise) - (1 + (s - 1) * q_a)
    derivative_expr = sp.diff(loss_s, s).subs(s, 1)
    derivative = derivative_expr.subs(normalise) - (q_a - p_a)
    return {
        "log_ratio": log_ratio,
        "loss": loss,
        "normaliser": normaliser,
        "derivative": derivative,
        "derivative_expr": derivative_expr,
    }


def symbolic_rescaled_loss(inst: Instance, threshold=None):
    """L(p_hat_s) for an exact instance as a SymPy function of s, written from the definitions.

    Slot by slot, p_hat_s(r|c) = s^[r in A_c] p_hat(r|c) / sum_r' s^[r' in A_c] p_hat(r'|c) and
    L = -sum mu(c) p(r|c) log p_hat_s(r|c), with the instance's exact rationals. Differentiating
    it (``sympy.diff``) gives the derivative without the closed form of
    `rescaled_loss_derivative`. Returns ``(s, loss)``.

    >>> from fractions import Fraction as F
    >>> inst = Instance([1, 0, 0], [F(3, 5), F(1, 5), F(1, 5)], [True, False, False])
    >>> s, loss = symbolic_rescaled_loss(inst)
    >>> sp.diff(loss, s).subs(s, 1)
    -2/5
    """
    check_instance(inst)
    if not inst.exact:
        raise TypeError("inst must be an exact (Fraction) instance")
    cross_entropy(inst)  # refuses an infinite loss
    s = sp.Symbol("s", positive=True)
    above = classify(inst, threshold)
    m, n = inst.p.shape
    loss = sp.S.Zero
    for c in range(m):
        scaled = [(s if above[c, r] else 1) * sp.Rational(inst.p_hat[c, r]) for r in range(n)]
        z = sum(scaled)
        for r in range(n):
            weight = sp.Rational(inst.mu[c] * inst.p[c, r])
            if weight:
                loss += -weight * sp.log(scaled[r] / z)
    return s, loss


def symbolic_prompted_rescaling(sizes=((1, 1), (2, 1))) -> dict:
    """The prompted derivation with sympy: per-prompt normalisation, one shared s.

    ``sizes`` lists (|A_c|, |B_c|) per prompt (|A_c| may be 0). Returns sympy expressions:

    * ``weighted``: d/ds at s = 1 of sum_c mu(c) sum_r -p(r|c) log p_hat_s(r|c), minus
      sum_c mu(c) (p_hat(A_c|c) - p(A_c|c)) -- simplifies to 0;
    * ``printed``: the same for the printed loss sum_c mu(c) sum_r -log p_hat_s(r|c) -- not 0;
    * ``printed_closed_form``: the printed loss's derivative minus
      sum_c mu(c) (|R_c| p_hat(A_c|c) - |A_c|) -- simplifies to 0;
    * ``symbols``: the symbols used, for substitutions.

    >>> out = symbolic_prompted_rescaling(((1, 1),))
    >>> sp.simplify(out["weighted"]), sp.simplify(out["printed"]) == 0
    (0, False)
    """
    if not sizes:
        raise ValueError("sizes must list at least one prompt")
    s = sp.Symbol("s", positive=True)
    mus = sp.symbols(f"mu1:{len(sizes) + 1}", positive=True)
    weighted_loss, printed_loss, gap, printed_gap = 0, 0, 0, 0
    normalise, all_symbols = {}, {"s": s, "mu": mus, "p_hat": [], "p": []}
    for c, size in enumerate(sizes):
        n_a, n_b = (int(x) for x in size)
        if n_a < 0 or n_b < 1:
            raise ValueError(f"sizes: prompt {c} needs |A_c| >= 0 and |B_c| >= 1, got {size!r}")
        q = sp.symbols(f"qhat{c + 1}_1:{n_a + n_b + 1}", positive=True)
        p = sp.symbols(f"p{c + 1}_1:{n_a + n_b + 1}", positive=True)
        all_symbols["p_hat"].append(q)
        all_symbols["p"].append(p)
        z = s * sum(q[:n_a]) + sum(q[n_a:])
        rescaled = [(s * qi if i < n_a else qi) / z for i, qi in enumerate(q)]
        weighted_loss += -mus[c] * sum(pi * sp.log(ri) for pi, ri in zip(p, rescaled))
        printed_loss += -mus[c] * sum(sp.log(ri) for ri in rescaled)
        gap += mus[c] * (sum(q[:n_a]) - sum(p[:n_a]))
        printed_gap += mus[c] * ((n_a + n_b) * sum(q[:n_a]) - n_a)
        normalise.update({q[-1]: 1 - sum(q[:-1]), p[-1]: 1 - sum(p[:-1])})
    weighted = sp.diff(weighted_loss, s).subs(s, 1).subs(normalise) - gap.subs(normalise)
    printed_derivative = sp.diff(printed_loss, s).subs(s, 1).subs(normalise)
    return {
        "weighted": weighted,
        "printed": printed_derivative - gap.subs(normalise),
        "printed_closed_form": printed_derivative - printed_gap.subs(normalise),
        "symbols": all_symbols,
    }


# --------------------------------------------------------------------------- training


@dataclass(frozen=True)
class TrainingRun:
    """The record of `train_softmax`: one entry per recorded step, and the final model."""

    steps: np.ndarray
    loss: np.ndarray
    delta: np.ndarray
    err: np.ndarray
    bound: np.ndarray
    model: Instance


def train_softmax(inst: Instance, groups=None, steps=2000, learning_rate=1.0, batch_size=64,
                  decay_steps=None, init_scale=1.0, seed=0, record_every=20) -> TrainingRun:
    """Train a softmax model by gradient descent on the cross-entropy, with samples from p.

    The model gives every prompt of a group the row softmax(theta_g) over the group's plausible
    responses (prompts of a group must share their plausible set). The family is closed under the
    rescaling of `rescaled_model` (adding log s to the logits above the threshold stays in it), so
    a stationary point has delta = 0. ``inst`` supplies p, valid, mu and plausible; its p_hat is not
    used: the logits start as ``init_scale`` times standard normal draws.

    Parameters
    ----------
    groups : array_like of int, shape (m,), optional
        Group of each prompt; default one group per prompt (the family of all models).
    steps : int
        Number of gradient steps.
    learning_rate : float > 0
        Step size eta_0; with ``decay_steps=tau`` the step t uses eta_0 * tau / (tau + t).
    batch_size : int or None
        Fresh samples (c, r) ~ p per step; ``None`` uses the exact expected gradient.
    record_every : int
        Record loss, delta, err and the Theorem 1 bound every this many steps (and at the end).

    >>> inst = Instance([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]], [[1 / 3] * 3] * 2,
    ...                 [[True, False, False], [False, True, False]])
    >>> run = train_softmax(inst, groups=[0, 0], steps=300, batch_size=None, record_every=100)
    >>> run.steps.tolist(), bool(run.delta[-1] < 1e-6)
    ([0, 100, 200, 300], True)
    """
    check_instance(inst)
    groups = _check_groups(groups, inst)
    steps = check_positive_int(steps, "steps")
    record_every = check_positive_int(record_every, "record_every")
    check_real(learning_rate, "learning_rate")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, "batch_size")
    if decay_steps is not None:
        decay_steps = check_positive_int(decay_steps, "decay_steps")
    check_real(init_scale, "init_scale")
    if init_scale < 0:
        raise ValueError(f"init_scale must be >= 0, got {init_scale!r}")

    rng = np.random.default_rng(seed)
    labels, group_of_prompt = np.unique(groups, return_inverse=True)
    mu = np.asarray(inst.mu, dtype=float)
    joint = mu[:, None] * np.asarray(inst.p, dtype=float)
    n_groups, n = len(labels), inst.p.shape[1]
    plausible = _plausible_mask(inst)[[np.flatnonzero(group_of_prompt == g)[0]
                                       for g in range(n_groups)]]
    theta = np.where(plausible, init_scale * rng.standard_normal((n_groups, n)), -np.inf)
    expected_counts = np.zeros((n_groups, n))
    np.add.at(expected_counts, group_of_prompt, joint)
    cdf = np.cumsum(joint.ravel())
    cdf /= cdf[-1]

    record = {"steps": [], "loss": [], "delta": [], "err": [], "bound": []}

    def softmax(logits):
        probs = np.exp(logits - logits.max(axis=1, keepdims=True))
        return probs / probs.sum(axis=1, keepdims=True)

    def record_step(t, probs):
        model = _with_model(inst, probs[group_of_prompt], exact=False)
        record["steps"].append(t)
        record["loss"].append(_safe_cross_entropy(model))
        record["delta"].append(calibration_gap(model))
        record["err"].append(generative_error(model))
        record["bound"].append(theorem1_bound(model))
        return model

    for t in range(steps):
        probs = softmax(theta)
        if t % record_every == 0:
            record_step(t, probs)
        if batch_size is None:
            counts, total = expected_counts, 1.0
        else:
            # cdf[-1] is exactly 1.0 and the draws are < 1: every index is < cdf.size
            flat = np.searchsorted(cdf, rng.random(batch_size), side="right")
            counts = np.zeros((n_groups, n))
            np.add.at(counts, (group_of_prompt[flat // n], flat % n), 1.0)
            total = float(batch_size)
        gradient = (counts.sum(axis=1, keepdims=True) * probs - counts) / total
        eta = learning_rate if decay_steps is None else learning_rate * decay_steps / (
            decay_steps + t)
        theta = np.where(plausible, theta - eta * gradient, -np.inf)
    model = record_step(steps, softmax(theta))
    return TrainingRun(model=model, **{k: np.asarray(v) for k, v in record.items()})


# --------------------------------------------------------------------------- helpers


def _check_scale(s, inst):
    check_real(s, "s")
    if not s > 0:
        raise ValueError(f"s must be > 0, got {s!r}")
    if inst.exact:
        if not isinstance(s, (Fraction, Integral)):
            raise TypeError(
                f"s must be an int or fractions.Fraction for an exact instance, got {type(s).__name__}"
            )
        return Fraction(s)
    return float(s)


def _check_groups(groups, inst):
    m = inst.n_prompts
    if groups is None:
        return np.arange(m)
    arr = as_array(groups, "groups")
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"groups must hold integers, got dtype {arr.dtype}")
    if arr.shape != (m,):
        raise ValueError(f"groups has shape {arr.shape}, expected ({m},): one entry per prompt")
    plausible = _plausible_mask(inst)
    for g in np.unique(arr):
        members = np.flatnonzero(arr == g)
        differ = [c for c in members[1:] if not np.array_equal(plausible[c], plausible[members[0]])]
        if differ:
            raise ValueError(
                f"groups: prompts {members[0]} and {differ[0]} share group {g} but have different "
                "plausible sets"
            )
    return arr


def _plausible_mask(inst):
    return np.ones(inst.p.shape, dtype=bool) if inst.plausible is None else inst.plausible


def _with_model(inst, p_hat2d, exact=None):
    """An Instance with the same p, valid, mu and plausible as ``inst`` and model ``p_hat2d``."""
    exact = inst.exact if exact is None else exact
    p = inst.p if exact or not inst.exact else np.asarray(inst.p, dtype=float)
    mu = inst.mu if exact or not inst.exact else np.asarray(inst.mu, dtype=float)
    if inst.single_prompt:
        plaus = None if inst.plausible is None else inst.plausible[0]
        return Instance(p[0], p_hat2d[0], inst.valid[0], plausible=plaus)
    return Instance(p, p_hat2d, inst.valid, mu=mu, plausible=inst.plausible)


def _per_prompt_above(inst, threshold):
    """Per prompt: p_hat(A_c|c), p(A_c|c) and |A_c|."""
    above = classify(inst, threshold)
    return (*_row_sums_of_each((inst.p_hat, inst.p), above, inst.exact), count_per_row(above))


def _weighted_sum(inst, per_prompt):
    if inst.exact:
        return Fraction(sum((m * x for m, x in zip(inst.mu, per_prompt)), Fraction(0)))
    return float(inst.mu @ per_prompt)


def _weighted_mass(inst, values, mask):
    return _weighted_sum(inst, _row_sums_over(values, mask, inst.exact))


def _log(x, exact):
    """Natural log, elementwise; exact entries via numerator and denominator (no underflow)."""
    if exact:
        return np.array([math.log(v.numerator) - math.log(v.denominator) for v in x.ravel()],
                        dtype=float).reshape(x.shape)
    return np.log(x)


def _weighted_log_loss(inst, weights, where, what):
    """-sum weights * log p_hat, refusing log 0 where the weight is positive."""
    support = weights > 0
    zero = support & (inst.p_hat == 0)
    if zero.any():
        c, r = np.argwhere(zero)[0]
        raise ValueError(f"p_hat is 0 on {where} {r} of prompt {c}: {what}")
    w = np.asarray(weights[support], dtype=float)
    return float(-(w * _log(inst.p_hat[support], inst.exact)).sum())


def _loss_change(inst, other, printed):
    """L(other) - L(inst) for two models on the same p, as a sum of log-ratios."""
    weights = (np.where(_plausible_mask(inst), inst.mu[:, None], 0) if printed
               else inst.mu[:, None] * inst.p)
    support = weights > 0
    ratio = inst.p_hat[support] / other.p_hat[support]
    w = np.asarray(weights[support], dtype=float)
    if inst.exact:  # the ratios are near 1: log1p of the exact difference keeps every digit
        logs = np.array([math.log1p(float(x - 1)) for x in ratio])
    else:
        logs = np.log(ratio)
    return float((w * logs).sum())


def _safe_cross_entropy(inst):
    """The loss, or inf when p_hat underflows to 0 where p has mass (a training record)."""
    try:
        return cross_entropy(inst)
    except ValueError:
        return math.inf
