"""Large random sweeps of the deterministic inequalities, vectorized over a million instances.

Each sweep draws its instances as integer weights (so every instance is exactly rational),
evaluates both sides of the claim for all of them at once with batched numpy, and re-checks
the tightest instances exactly, with Fractions, through the library's own functions. The batched
formulas are checked against those functions in ``tests/test_sweeps.py``.

* `theorem1_sweep`: Theorem 1 (and Corollary 1 with one prompt);
* `poor_model_sweep`: err >= 2 opt(G) - max|V_c|/min|E_c| - delta, G a family of models;
* `theorem3_sweep`: err >= 2 (1 - 1/C) opt(G) for pure multiple choice, G a family of models;
* `theorem4_sweep`: err >= 2 (1 - 1/C) E_t err_iiv(f_t) when |V_c| = 1 (Eq. (11));
* `observation1_sweep`: no abstention maximises the expected score under binary graders;
* `observation2_sweep`: err >= 1 - beta - 2/(|M| - 1) - delta on the decryption task;
* `confidence_target_sweep`: answering iff q > t is optimal, strictly when q != t;
* `good_turing_bias_sweep`: 0 <= E[GT] - E[M] <= 1/N.

Every sweep takes the coefficients of its claim as arguments (the paper's by default), so
that a stronger claim can be handed to it: a sweep that is able to fail, fails then
(``tests/test_sweeps.py`` plants such violations). A non-strict claim counts a float slack
below ``-FLOAT_MARGIN`` as a violation, a strict one (Observation 1, the confidence rule when
q != t) a float slack at or below ``+FLOAT_MARGIN``: rounding can only add a reported
violation, never hide one; the exact re-check of the tightest instances settles it.

>>> import numpy as np
>>> result = theorem1_sweep(np.random.default_rng(0), n_instances=2000, n_prompts=2, n_responses=4)
>>> result["violations"], result["exact_violations"]
(0, 0)
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Rational

import numpy as np

from .instances import Instance
from .reduction import calibration_gap, generative_error, iiv_error, theorem1_bound
from .validation import check_positive_int

#: Float slacks within this margin of 0 count as violations of a strict claim and do not count
#: for a non-strict one; the exact re-check decides.
FLOAT_MARGIN = 1e-12


def _coefficient(x, name):
    """An exact coefficient of a claim (int or Fraction), so that exact re-checks stay exact."""
    if isinstance(x, bool) or not isinstance(x, Rational):
        raise TypeError(f"{name} must be an int or a Fraction (exact), got {type(x).__name__}")
    return Fraction(x)


def _q_weights(rng, shape, denominator):
    """p_hat weights: 0..denominator, a fifth of them zeroed, every row with a positive sum."""
    q_weights = rng.integers(0, denominator + 1, shape) * (rng.random(shape) < 0.8)
    q_weights[..., 0] += q_weights.sum(axis=-1) == 0
    return q_weights


def draw_weight_batch(rng, n_instances, n_prompts, n_responses, denominator=8):
    """Integer weights of a batch of random instances (valid mask, p, p_hat and mu weights).

    Each prompt has at least one valid and one error slot; p's weights are positive exactly on the
    valid slots; p_hat's weights are arbitrary non-negative with a positive row sum.
    """
    shape = (n_instances, n_prompts, n_responses)
    valid = rng.random(shape) < rng.random((n_instances, 1, 1))
    valid[..., 0], valid[..., 1] = True, False
    valid = rng.permuted(valid, axis=2)
    p_weights = np.where(valid, rng.integers(1, denominator + 1, shape), 0)
    # p_hat: sometimes peaked, sometimes flat, with exact ties to the threshold common.
    q_weights = _q_weights(rng, shape, denominator)
    mu_weights = rng.integers(1, denominator + 1, (n_instances, n_prompts))
    return valid, p_weights, q_weights, mu_weights


def draw_family_batch(rng, n_instances, n_prompts, n_responses, family_size, denominator=8,
                      multiple_choice=False):
    """A weight batch whose p_hat weights hold a family: shape (n, family_size, prompts,
    responses); all models share the task (valid, p, mu), model 0 is the one whose err counts."""
    draw = draw_multiple_choice_batch if multiple_choice else draw_weight_batch
    valid, p_weights, q_weights, mu_weights = draw(rng, n_instances, n_prompts, n_responses,
                                                   denominator)
    others = _q_weights(rng, (n_instances, family_size - 1, n_prompts, n_responses), denominator)
    return valid, p_weights, np.concatenate([q_weights[:, None], others], axis=1), mu_weights


def theorem1_batch(valid, p_weights, q_weights, mu_weights):
    """err and the Theorem 1 bound for every instance of a weight batch (float arithmetic).

    Returns ``(err, bound, err_iiv, delta)``, each of shape (n_instances,).
    """
    p = p_weights / p_weights.sum(axis=2, keepdims=True)
    q = q_weights / q_weights.sum(axis=2, keepdims=True)
    mu = mu_weights / mu_weights.sum(axis=1, keepdims=True)
    error = ~valid
    n_errors = error.sum(axis=2)
    min_errors = n_errors.min(axis=1)
    max_valid = valid.sum(axis=2).max(axis=1)
    # Compare integer weights against the threshold exactly: q > 1/K  <=>  K * w > row total.
    above = min_errors[:, None, None] * q_weights > q_weights.sum(axis=2, keepdims=True)
    err = np.einsum("bc,bc->b", mu, (q * error).sum(axis=2))
    false_pos = (above & error).sum(axis=2) / n_errors
    missed_valid = 1 - (p * above).sum(axis=2)  # p(B ∩ V_c | c) = 1 - p(A_c | c)
    err_iiv = np.einsum("bc,bc->b", mu, (false_pos + missed_valid) / 2)
    delta = np.abs(np.einsum("bc,bc->b", mu, ((q - p) * above).sum(axis=2)))
    bound = 2 * err_iiv - max_valid / min_errors - delta
    return err, bound, err_iiv, delta


def _ratio(valid):
    """max_c |V_c| / min_c |E_c| for every instance of a batch."""
    return valid.sum(axis=2).max(axis=1) / (~valid).sum(axis=2).min(axis=1)


def _rows(weights):
    return np.array([[Fraction(int(x), int(r.sum())) for x in r] for r in np.atleast_2d(weights)],
                    dtype=object)


def exact_instance(valid, p_weights, q_weights, mu_weights):
    """The exact (Fraction) `Instance` of one member of a weight batch."""
    return Instance(_rows(p_weights), _rows(q_weights), valid, mu=_rows(mu_weights)[0])


def exact_family(valid, p_weights, q_weights, mu_weights):
    """The exact models (one `Instance` each) of one member of a family batch."""
    return [exact_instance(valid, p_weights, q, mu_weights) for q in q_weights]


def _sweep(draw, float_slack, exact_slack, n_instances, chunk, exact_rechecks, strict=False):
    """Run a sweep: float slacks for all instances, exact slacks for the tightest ones.

    ``strict`` says whether the claim is slack > 0 (True) or slack >= 0 (False); it may also be
    a function of a batch giving one bool per instance.
    """
    n_instances = check_positive_int(n_instances, "n_instances")
    chunk = check_positive_int(chunk, "chunk")
    slacks, stricts, batches = [], [], []
    for start in range(0, n_instances, chunk):
        batch = draw(min(chunk, n_instances - start))
        slack = float_slack(*batch)
        slacks.append(slack)
        stricts.append(strict(*batch) if callable(strict) else np.full(slack.shape, bool(strict)))
        batches.append(batch)
    slack, is_strict = np.concatenate(slacks), np.concatenate(stricts)
    violated = np.where(is_strict, slack <= FLOAT_MARGIN, slack < -FLOAT_MARGIN)
    tightest = np.argsort(slack, kind="stable")[: min(exact_rechecks, n_instances)]
    exact_slacks, exact_violations = [], 0
    for index in tightest:
        b, i = divmod(int(index), chunk)
        value = exact_slack(*(arr[i] for arr in batches[b]))
        exact_slacks.append(value)
        exact_violations += bool(value <= 0 if is_strict[index] else value < 0)
    return {
        "instances": n_instances,
        "violations": int(violated.sum()),
        "smallest_slack": float(slack.min()),
        "exact_rechecked": len(exact_slacks),
        "exact_violations": exact_violations,
        "smallest_exact_slack": min(exact_slacks),
    }


def theorem1_sweep(rng, n_instances=1_000_000, n_prompts=3, n_responses=6, chunk=200_000,
                   exact_rechecks=1000, factor=2, ratio_coefficient=1, delta_coefficient=1):
    """Check Theorem 1 on ``n_instances`` random instances; re-check the tightest exactly.

    The claim is err >= factor err_iiv - ratio_coefficient max|V_c|/min|E_c| -
    delta_coefficient delta (Theorem 1: 2, 1, 1). Returns a dict with the number of instances,
    float violations, the smallest float slack, and, for the ``exact_rechecks`` tightest
    instances, the number of exact violations and the smallest exact slack (a Fraction).
    """
    check_positive_int(n_prompts, "n_prompts")
    check_positive_int(n_responses, "n_responses", minimum=2)
    factor = _coefficient(factor, "factor")
    ratio_c = _coefficient(ratio_coefficient, "ratio_coefficient")
    delta_c = _coefficient(delta_coefficient, "delta_coefficient")

    def float_slack(*batch):
        err, _, err_iiv, delta = theorem1_batch(*batch)
        ratio = _ratio(batch[0])
        return err - (float(factor) * err_iiv - float(ratio_c) * ratio - float(delta_c) * delta)

    def exact_slack(*weights):
        inst = exact_instance(*weights)
        ratio = Fraction(inst.max_valid, inst.min_errors)
        bound = (theorem1_bound(inst) + (factor - 2) * iiv_error(inst) - (ratio_c - 1) * ratio
                 - (delta_c - 1) * calibration_gap(inst))
        return generative_error(inst) - bound

    return _sweep(lambda size: draw_weight_batch(rng, size, n_prompts, n_responses),
                  float_slack, exact_slack, n_instances, chunk, exact_rechecks)


def _batch_probabilities(p_weights, q_weights, mu_weights):
    p = p_weights / p_weights.sum(axis=2, keepdims=True)
    q = q_weights / q_weights.sum(axis=2, keepdims=True)
    mu = mu_weights / mu_weights.sum(axis=1, keepdims=True)
    return p, q, mu


def opt_over_thresholds_batch(valid, p_weights, q_weights, mu_weights):
    """min over t in [0, 1] of err_iiv(f_t) for every instance of a weight batch (one model).

    The minimum is attained at t = 0 or at one of the model's probabilities, which are compared
    exactly as integer cross-products.
    """
    p, _, mu = _batch_probabilities(p_weights, q_weights, mu_weights)
    b, m, n = valid.shape
    error = ~valid
    n_errors = error.sum(axis=2)
    totals = q_weights.sum(axis=2)                                     # (b, m)
    # Candidate thresholds: every q value w/T (index j over m*n) and t = 0 (w = 0, T = 1).
    cand_w = np.concatenate([q_weights.reshape(b, m * n), np.zeros((b, 1), int)], axis=1)
    cand_t = np.concatenate([np.repeat(totals, n, axis=1), np.ones((b, 1), int)], axis=1)
    # above[b, j, c, r]: q[c, r] > candidate j, i.e. w[c, r] * T_j > w_j * T_c.
    above = (q_weights[:, None] * cand_t[:, :, None, None]
             > cand_w[:, :, None, None] * totals[:, None, :, None])
    false_pos = (above & error[:, None]).sum(axis=3) / n_errors[:, None]
    missed_valid = 1 - (p[:, None] * above).sum(axis=3)
    iiv = ((false_pos + missed_valid) / 2 * mu[:, None]).sum(axis=2)   # (b, j)
    return iiv.min(axis=1)


def poor_model_batch(valid, p_weights, q_weights, mu_weights):
    """err, opt(G) and the poor-model bound for a weight batch, G = the thresholded classifiers
    of a family of models at every threshold.

    ``q_weights`` holds one model (shape (n, prompts, responses)) or a family (shape (n, K,
    prompts, responses)); err and delta are those of model 0.
    """
    family = q_weights if q_weights.ndim == 4 else q_weights[:, None]
    opt = np.min([opt_over_thresholds_batch(valid, p_weights, family[:, k], mu_weights)
                  for k in range(family.shape[1])], axis=0)
    err, _, _, delta = theorem1_batch(valid, p_weights, family[:, 0], mu_weights)
    return err, opt, 2 * opt - _ratio(valid) - delta


def poor_model_sweep(rng, n_instances=1_000_000, n_prompts=2, n_responses=5, chunk=50_000,
                     exact_rechecks=1000, family_size=3, factor=2, ratio_coefficient=1,
                     delta_coefficient=1):
    """Check err >= factor opt(G) - ratio_coefficient max|V_c|/min|E_c| - delta_coefficient
    delta (the poor-model inequality: 2, 1, 1) for families of ``family_size`` random models on
    one task, err and delta being those of the family's first model (see `theorem1_sweep`)."""
    from .poor_models import opt_over_models, poor_model_bound

    family_size = check_positive_int(family_size, "family_size")
    factor = _coefficient(factor, "factor")
    ratio_c = _coefficient(ratio_coefficient, "ratio_coefficient")
    delta_c = _coefficient(delta_coefficient, "delta_coefficient")

    def float_slack(*batch):
        err, opt, _ = poor_model_batch(*batch)
        _, _, _, delta = theorem1_batch(*batch[:2], batch[2][:, 0], batch[3])
        ratio = _ratio(batch[0])
        return err - (float(factor) * opt - float(ratio_c) * ratio - float(delta_c) * delta)

    def exact_slack(*weights):
        models = exact_family(*weights)
        inst, opt = models[0], opt_over_models(models)
        ratio = Fraction(inst.max_valid, inst.min_errors)
        bound = (poor_model_bound(inst, opt) + (factor - 2) * opt - (ratio_c - 1) * ratio
                 - (delta_c - 1) * calibration_gap(inst))
        return generative_error(inst) - bound

    return _sweep(lambda size: draw_family_batch(rng, size, n_prompts, n_responses, family_size),
                  float_slack, exact_slack, n_instances, chunk, exact_rechecks)


def draw_multiple_choice_batch(rng, n_instances, n_prompts, n_responses, denominator=8):
    """Weights of random multiple-choice instances: exactly one valid answer per prompt."""
    valid, p_weights, q_weights, mu_weights = draw_weight_batch(
        rng, n_instances, n_prompts, n_responses, denominator)
    valid = np.zeros_like(valid)
    answer = rng.integers(0, n_responses, (n_instances, n_prompts))
    np.put_along_axis(valid, answer[..., None], True, axis=2)
    return valid, valid.astype(int), q_weights, mu_weights


def theorem3_sweep(rng, n_instances=1_000_000, n_prompts=3, n_responses=4, chunk=50_000,
                   exact_rechecks=1000, family_size=3, factor=2):
    """Check Theorem 3, err >= factor (1 - 1/C) opt(G) (factor 2), for families of
    ``family_size`` random models on one pure multiple-choice task; err is the first model's."""
    from .poor_models import n_choices, opt_over_models, theorem3_bound

    family_size = check_positive_int(family_size, "family_size")
    factor = _coefficient(factor, "factor")

    def float_slack(*batch):
        err, opt, _ = poor_model_batch(*batch)
        choices = (~batch[0]).sum(axis=2).min(axis=1) + 1
        return err - float(factor) * (1 - 1 / choices) * opt

    def exact_slack(*weights):
        models = exact_family(*weights)
        bound = theorem3_bound(opt_over_models(models), n_choices(models[0])) * factor / 2
        return generative_error(models[0]) - bound

    return _sweep(lambda size: draw_family_batch(rng, size, n_prompts, n_responses, family_size,
                                                 multiple_choice=True),
                  float_slack, exact_slack, n_instances, chunk, exact_rechecks)


def theorem4_batch(valid, p_weights, q_weights, mu_weights):
    """err and 2 (1 - 1/C) E_t err_iiv(f_t) for a multiple-choice batch (Eq. (11)).

    With t uniform on [0, 1], Pr[p_hat(r|c) > t] = p_hat(r|c), so the expectation is
    sum_c mu(c)/2 [p_hat(E_c|c) / |E_c| + 1 - p_hat(a_c|c)].
    """
    _, q, mu = _batch_probabilities(p_weights, q_weights, mu_weights)
    error = ~valid
    n_errors = error.sum(axis=2)
    q_err = (q * error).sum(axis=2)
    expected_iiv = (mu * (q_err / n_errors + 1 - (q * valid).sum(axis=2)) / 2).sum(axis=1)
    choices = n_errors.min(axis=1) + 1
    err = (mu * q_err).sum(axis=1)
    return err, 2 * (1 - 1 / choices) * expected_iiv


def theorem4_sweep(rng, n_instances=1_000_000, n_prompts=3, n_responses=5, chunk=200_000,
                   exact_rechecks=1000, factor=2):
    """Check Eq. (11) of Theorem 4's proof, err >= factor (1 - 1/C) E_t err_iiv(f_t) (factor
    2), on random multiple-choice instances."""
    from .poor_models import theorem4_average_bound

    factor = _coefficient(factor, "factor")

    def float_slack(*batch):
        err, bound = theorem4_batch(*batch)
        return err - float(factor) / 2 * bound

    def exact_slack(*weights):
        inst = exact_instance(*weights)
        return generative_error(inst) - theorem4_average_bound(inst) * factor / 2

    return _sweep(lambda size: draw_multiple_choice_batch(rng, size, n_prompts, n_responses),
                  float_slack, exact_slack, n_instances, chunk, exact_rechecks)


def draw_belief_batch(rng, n_problems, n_answers=4, n_abstentions=2, n_graders=5, max_weight=10):
    """Random beliefs over binary graders: score matrices over every response, shape
    (problems, graders, answers + abstentions), the abstentions last, and integer belief weights.

    Each grader is binary: it scores 0 or 1, gives 1 to at least one answer and 0 to every
    abstention. Returns ``(graders, weights, n_abstentions)``, the last one per problem.
    """
    answers = rng.random((n_problems, n_graders, n_answers)) < rng.random((n_problems, 1, 1))
    nobody = ~answers.any(axis=2)
    answers[..., 0] |= nobody                     # a binary grader accepts at least one answer
    abstentions = np.zeros((n_problems, n_graders, n_abstentions), dtype=bool)
    graders = np.concatenate([answers, abstentions], axis=2).astype(int)
    weights = rng.integers(0, max_weight + 1, (n_problems, n_graders))
    weights[weights.sum(axis=1) == 0, 0] = 1
    return graders, weights, np.full(n_problems, n_abstentions)


def observation1_batch(graders, weights, n_abstentions):
    """The best answer's expected score minus the best abstention's (Observation 1: > 0).

    The expected scores of all responses, abstentions included, are computed from the score
    matrices; the last ``n_abstentions[i]`` responses of problem i are its abstentions.
    """
    beliefs = weights / weights.sum(axis=1, keepdims=True)
    scores = np.einsum("bg,bgr->br", beliefs, graders)
    n_responses = graders.shape[2]
    abstention = np.arange(n_responses)[None, :] >= n_responses - np.asarray(n_abstentions)[:, None]
    best_answer = np.where(abstention, -np.inf, scores).max(axis=1)
    best_abstention = np.where(abstention, scores, -np.inf).max(axis=1)
    return best_answer - best_abstention


def observation1_sweep(rng, n_instances=1_000_000, chunk=250_000, exact_rechecks=1000):
    """Check Observation 1 on random beliefs over binary graders, strictly (the best answer's
    expected score exceeds every abstention's); the tightest are re-checked with `grading`."""
    from .grading import Problem, expected_scores, optimal_responses

    def exact_slack(graders, weights, n_abstentions):
        n_answers = graders.shape[1] - int(n_abstentions)
        answers = tuple(f"answer {i}" for i in range(n_answers))
        abstentions = tuple(f"IDK {i}" for i in range(int(n_abstentions)))
        problem = Problem("sweep", answers + abstentions, set(abstentions))
        rows = [dict(zip(problem.responses, map(int, row))) for row in graders]
        total = int(weights.sum())
        beliefs = [Fraction(int(w), total) for w in weights]
        # binary=False: the scores are taken as drawn, so a non-binary draw shows as a violation.
        scores = expected_scores(problem, rows, beliefs, binary=False)
        slack = max(scores[a] for a in answers) - max(scores[a] for a in abstentions)
        if optimal_responses(problem, rows, beliefs, binary=False) & set(abstentions):
            return min(slack, Fraction(0))
        return slack

    return _sweep(lambda size: draw_belief_batch(rng, size), observation1_batch, exact_slack,
                  n_instances, chunk, exact_rechecks, strict=True)


def draw_decryption_batch(rng, n_instances, n_messages, denominator=8):
    """Random decryption tasks (paper Appendix D) as weight batches, with their keys.

    Returns ``(keys, valid, p_weights, q_weights, mu_weights)``: a random permutation key per
    instance (``keys[i][r]`` is the ciphertext of message r), the valid slots (the decryption and
    IDK, the last column), p's weights (1 on the decryption), random model weights over the m
    messages and IDK, and uniform mu.
    """
    m = n_messages
    keys = rng.permuted(np.tile(np.arange(m), (n_instances, 1)), axis=1)
    decryption = np.argsort(keys, axis=1)                              # decryption[i, h]
    valid = np.zeros((n_instances, m, m + 1), dtype=bool)
    valid[np.arange(n_instances)[:, None], np.arange(m)[None, :], decryption] = True
    valid[..., m] = True
    p_weights = (valid & (np.arange(m + 1) < m)).astype(int)
    q_weights = _q_weights(rng, (n_instances, m, m + 1), denominator)
    # Some models know some answers: extra weight on the decryption of some ciphertexts.
    knows = rng.random((n_instances, m)) < rng.random((n_instances, 1))
    q_weights += (p_weights * (knows * rng.integers(0, 4 * denominator, (n_instances, m)))[..., None])
    return keys, valid, p_weights, q_weights, np.ones((n_instances, m), dtype=int)


def observation2_batch(keys, valid, p_weights, q_weights, mu_weights):
    """err, beta = max(0, 1 - 2 err_iiv) and delta of a decryption batch (float arithmetic)."""
    err, _, err_iiv, delta = theorem1_batch(valid, p_weights, q_weights, mu_weights)
    return err, np.maximum(0, 1 - 2 * err_iiv), delta


def observation2_sweep(rng, n_instances=1_000_000, n_messages=5, chunk=200_000,
                       exact_rechecks=1000, ratio_coefficient=1, delta_coefficient=1):
    """Check Observation 2, err >= 1 - beta - ratio_coefficient 2/(|M| - 1) - delta_coefficient
    delta (1, 1), with beta the advantage of the model's own classifier, on random keys and
    models; the tightest are re-checked with `hardness`."""
    from .hardness import breaking_advantage, decryption_instance, observation2_bound

    m = check_positive_int(n_messages, "n_messages", minimum=3)
    ratio_c = _coefficient(ratio_coefficient, "ratio_coefficient")
    delta_c = _coefficient(delta_coefficient, "delta_coefficient")

    def float_slack(*batch):
        err, beta, delta = observation2_batch(*batch)
        return err - (1 - beta - float(ratio_c) * 2 / (m - 1) - float(delta_c) * delta)

    def exact_slack(key, valid, p_weights, q_weights, mu_weights):
        inst = decryption_instance(key, _rows(q_weights))
        delta = calibration_gap(inst)
        bound = (observation2_bound(breaking_advantage(iiv_error(inst)), m, delta)
                 - (ratio_c - 1) * Fraction(2, m - 1) - (delta_c - 1) * delta)
        return generative_error(inst) - bound

    return _sweep(lambda size: draw_decryption_batch(rng, size, m), float_slack, exact_slack,
                  n_instances, chunk, exact_rechecks)


def draw_confidence_batch(rng, n_instances, max_denominator=12):
    """Random confidences q = a/d in [0, 1] and targets t = b/e in [0, 1), as integer pairs;
    a quarter of the targets equal the confidence (the tie q = t)."""
    d = rng.integers(1, max_denominator + 1, n_instances)
    a = rng.integers(0, d + 1)
    e = rng.integers(1, max_denominator + 1, n_instances)
    b = rng.integers(0, e)
    tie = (rng.random(n_instances) < 0.25) & (a < d)          # q = t needs q < 1
    b, e = np.where(tie, a, b), np.where(tie, d, e)
    return a, d, b, e


def confidence_target_batch(a, d, b, e, penalty_scale=1):
    """The value of the rule "answer iff q > t" minus that of the other choice, per instance.

    A correct answer scores 1, a wrong one -penalty_scale t/(1 - t) (the paper: scale 1), "I
    don't know" 0; answering has expected score q - (1 - q) penalty. Returns ``(slack,
    strict)``: the claim is slack >= 0, and slack > 0 where q != t.
    """
    q, t = a / d, b / e
    answer_value = q - (1 - q) * penalty_scale * t / (1 - t)
    answers = a * e > b * d                                    # q > t, exactly
    slack = np.where(answers, answer_value, -answer_value)
    return slack, a * e != b * d


def confidence_target_sweep(rng, n_instances=1_000_000, max_denominator=12, chunk=250_000,
                            exact_rechecks=1000, penalty_scale=1):
    """Check the confidence-target rule on random (q, t): answering iff q > t is optimal, and
    strictly better than the other choice when q != t; the tightest are re-checked with
    `grading.expected_score` and `grading.answer_policy`. ``penalty_scale`` multiplies the
    penalty t/(1 - t) of a wrong answer (1: the paper's)."""
    from .grading import answer_policy, expected_score, penalty

    max_denominator = check_positive_int(max_denominator, "max_denominator")
    scale = _coefficient(penalty_scale, "penalty_scale")

    def exact_slack(a, d, b, e):
        q, t = Fraction(int(a), int(d)), Fraction(int(b), int(e))
        value = expected_score(q, t) - (scale - 1) * (1 - q) * penalty(t)
        answers = bool(answer_policy(np.array([q], dtype=object), t)[0])
        return value if answers else -value

    return _sweep(lambda size: draw_confidence_batch(rng, size, max_denominator),
                  lambda *batch: confidence_target_batch(*batch, float(scale))[0], exact_slack,
                  n_instances, chunk, exact_rechecks,
                  strict=lambda *batch: confidence_target_batch(*batch)[1])


def draw_distribution_batch(rng, n_instances, support=6, max_n=40, max_weight=9):
    """Integer weights of random distributions nu over ``support`` values, and sample sizes N."""
    weights = rng.integers(0, max_weight + 1, (n_instances, support))
    weights *= rng.random((n_instances, support)) < rng.random((n_instances, 1)) + 0.2
    weights[weights.sum(axis=1) == 0, 0] = 1
    return weights, rng.integers(1, max_n + 1, n_instances)


def good_turing_bias_batch(weights, sizes):
    """1/N - (E[GT] - E[M]) and E[GT] - E[M] itself, with E[GT] - E[M] = sum nu^2 (1 - nu)^(N-1)."""
    nu = weights / weights.sum(axis=1, keepdims=True)
    bias = (nu ** 2 * (1 - nu) ** (sizes[:, None] - 1)).sum(axis=1)
    return 1 / sizes - bias, bias


def good_turing_bias_sweep(rng, n_instances=1_000_000, chunk=250_000, exact_rechecks=1000,
                           constant=1):
    """Check 0 <= E[GT] - E[M] <= constant/N (constant 1); the slack reported is the smaller of
    the two, the tightest are re-checked exactly (both bounds) with `unseen_mass`."""
    from .unseen_mass import expected_good_turing, expected_missing_mass

    constant = _coefficient(constant, "constant")

    def float_slack(weights, sizes):
        _, bias = good_turing_bias_batch(weights, sizes)
        return np.minimum(float(constant) / sizes - bias, bias)

    def exact_slack(weights, size):
        total = int(weights.sum())
        nu = [Fraction(int(w), total) for w in weights]
        bias = expected_good_turing(nu, int(size)) - expected_missing_mass(nu, int(size))
        return min(constant / int(size) - bias, bias)

    return _sweep(lambda size: draw_distribution_batch(rng, size), float_slack, exact_slack,
                  n_instances, chunk, exact_rechecks)
