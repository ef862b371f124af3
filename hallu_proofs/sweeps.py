"""Large random sweeps of the deterministic inequalities, vectorized over a million instances.

Each sweep draws its instances as integer weights (so every instance is exactly rational),
evaluates both sides of the inequality for all of them at once with batched numpy, and re-checks
the tightest instances exactly, with Fractions, through the library's own functions. The batched
formulas are checked against those functions in ``tests/test_sweeps.py``.

* `theorem1_sweep`: Theorem 1 (and Corollary 1 with one prompt);
* `poor_model_sweep`: err >= 2 opt(G) - max|V_c|/min|E_c| - delta, G = one model, all thresholds;
* `theorem4_sweep`: err >= 2 (1 - 1/C) E_t err_iiv(f_t) when |V_c| = 1 (Eq. (11));
* `observation1_sweep`: no abstention maximises the expected score under binary graders;
* `good_turing_bias_sweep`: 0 <= E[GT] - E[M] <= 1/N.

>>> import numpy as np
>>> result = theorem1_sweep(np.random.default_rng(0), n_instances=2000, n_prompts=2, n_responses=4)
>>> result["violations"], result["exact_violations"]
(0, 0)
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

from .instances import Instance
from .reduction import generative_error, theorem1_bound
from .validation import check_positive_int


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
    q_weights = rng.integers(0, denominator + 1, shape) * (rng.random(shape) < 0.8)
    empty = q_weights.sum(axis=2) == 0
    q_weights[..., 0] += empty
    mu_weights = rng.integers(1, denominator + 1, (n_instances, n_prompts))
    return valid, p_weights, q_weights, mu_weights


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


def exact_instance(valid, p_weights, q_weights, mu_weights):
    """The exact (Fraction) `Instance` of one member of a weight batch."""
    def rows(w):
        return np.array([[Fraction(int(x), int(r.sum())) for x in r] for r in np.atleast_2d(w)],
                        dtype=object)
    return Instance(rows(p_weights), rows(q_weights), valid, mu=rows(mu_weights)[0])


def _sweep(draw, float_slack, exact_slack, n_instances, chunk, exact_rechecks):
    """Run a sweep: float slacks for all instances, exact slacks for the tightest ones."""
    n_instances = check_positive_int(n_instances, "n_instances")
    chunk = check_positive_int(chunk, "chunk")
    slacks, batches = [], []
    for start in range(0, n_instances, chunk):
        batch = draw(min(chunk, n_instances - start))
        slacks.append(float_slack(*batch))
        batches.append(batch)
    slack = np.concatenate(slacks)
    tightest = np.argsort(slack, kind="stable")[: min(exact_rechecks, n_instances)]
    exact_slacks = []
    for index in tightest:
        b, i = divmod(int(index), chunk)
        exact_slacks.append(exact_slack(*(arr[i] for arr in batches[b])))
    return {
        "instances": n_instances,
        "violations": int(np.sum(slack < -1e-12)),
        "smallest_slack": float(slack.min()),
        "exact_rechecked": len(exact_slacks),
        "exact_violations": sum(1 for s in exact_slacks if s < 0),
        "smallest_exact_slack": min(exact_slacks),
    }


def theorem1_sweep(rng, n_instances=1_000_000, n_prompts=3, n_responses=6, chunk=200_000,
                   exact_rechecks=1000):
    """Check Theorem 1 on ``n_instances`` random instances; re-check the tightest exactly.

    Returns a dict with the number of instances, float violations (slack below -1e-12), the
    smallest float slack, and, for the ``exact_rechecks`` tightest instances, the number of exact
    violations and the smallest exact slack (a Fraction).
    """
    check_positive_int(n_prompts, "n_prompts")
    check_positive_int(n_responses, "n_responses", minimum=2)

    def float_slack(*batch):
        err, bound, _, _ = theorem1_batch(*batch)
        return err - bound

    def exact_slack(*weights):
        inst = exact_instance(*weights)
        return generative_error(inst) - theorem1_bound(inst)

    return _sweep(lambda size: draw_weight_batch(rng, size, n_prompts, n_responses),
                  float_slack, exact_slack, n_instances, chunk, exact_rechecks)


def _batch_probabilities(p_weights, q_weights, mu_weights):
    p = p_weights / p_weights.sum(axis=2, keepdims=True)
    q = q_weights / q_weights.sum(axis=2, keepdims=True)
    mu = mu_weights / mu_weights.sum(axis=1, keepdims=True)
    return p, q, mu


def poor_model_batch(valid, p_weights, q_weights, mu_weights):
    """err, opt(G) and the poor-model bound for a weight batch, G = the model at every threshold.

    opt(G) = min over t in [0, 1] of err_iiv(f_t); the minimum is attained at t = 0 or at one of
    the model's probabilities, which are compared exactly as integer cross-products.
    """
    p, q, mu = _batch_probabilities(p_weights, q_weights, mu_weights)
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
    opt = iiv.min(axis=1)
    err, _, _, delta = theorem1_batch(valid, p_weights, q_weights, mu_weights)
    ratio = valid.sum(axis=2).max(axis=1) / n_errors.min(axis=1)
    return err, opt, 2 * opt - ratio - delta


def poor_model_sweep(rng, n_instances=1_000_000, n_prompts=2, n_responses=5, chunk=50_000,
                     exact_rechecks=1000):
    """Check the poor-model inequality on random instances (see `theorem1_sweep` for the output)."""
    from .poor_models import opt_over_models, poor_model_bound

    def float_slack(*batch):
        err, _, bound = poor_model_batch(*batch)
        return err - bound

    def exact_slack(*weights):
        inst = exact_instance(*weights)
        return generative_error(inst) - poor_model_bound(inst, opt_over_models([inst]))

    return _sweep(lambda size: draw_weight_batch(rng, size, n_prompts, n_responses),
                  float_slack, exact_slack, n_instances, chunk, exact_rechecks)


def draw_multiple_choice_batch(rng, n_instances, n_prompts, n_responses, denominator=8):
    """Weights of random multiple-choice instances: exactly one valid answer per prompt."""
    valid, p_weights, q_weights, mu_weights = draw_weight_batch(
        rng, n_instances, n_prompts, n_responses, denominator)
    valid = np.zeros_like(valid)
    answer = rng.integers(0, n_responses, (n_instances, n_prompts))
    np.put_along_axis(valid, answer[..., None], True, axis=2)
    return valid, valid.astype(int), q_weights, mu_weights


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
                   exact_rechecks=1000):
    """Check Eq. (11) of Theorem 4's proof on random multiple-choice instances."""
    from .poor_models import theorem4_average_bound

    def float_slack(*batch):
        err, bound = theorem4_batch(*batch)
        return err - bound

    def exact_slack(*weights):
        inst = exact_instance(*weights)
        return generative_error(inst) - theorem4_average_bound(inst)

    return _sweep(lambda size: draw_multiple_choice_batch(rng, size, n_prompts, n_responses),
                  float_slack, exact_slack, n_instances, chunk, exact_rechecks)


def draw_belief_batch(rng, n_problems, n_answers=4, n_abstentions=1, n_graders=5, max_weight=10):
    """Random beliefs over binary graders: grader matrices (0/1 on answers, each with a 1) and
    integer belief weights. Abstentions score 0 under every binary grader, so only answers vary."""
    graders = rng.random((n_problems, n_graders, n_answers)) < rng.random((n_problems, 1, 1))
    nobody = ~graders.any(axis=2)
    graders[..., 0] |= nobody                     # a binary grader accepts at least one answer
    weights = rng.integers(0, max_weight + 1, (n_problems, n_graders))
    weights[weights.sum(axis=1) == 0, 0] = 1
    return graders, weights, np.full(n_problems, n_abstentions)


def observation1_batch(graders, weights, n_abstentions):
    """The best answer's expected score, which Observation 1 says exceeds every abstention's 0."""
    beliefs = weights / weights.sum(axis=1, keepdims=True)
    return np.einsum("bg,bga->ba", beliefs, graders).max(axis=1)


def observation1_sweep(rng, n_instances=1_000_000, chunk=250_000, exact_rechecks=1000):
    """Check Observation 1 on random beliefs; the tightest are re-checked with `grading`."""
    from .grading import Problem, expected_scores, optimal_responses

    def exact_slack(graders, weights, n_abstentions):
        answers = tuple(f"answer {i}" for i in range(graders.shape[1]))
        abstentions = tuple(f"IDK {i}" for i in range(int(n_abstentions)))
        problem = Problem("sweep", answers + abstentions, set(abstentions))
        rows = [problem.binary_grader({a for a, ok in zip(answers, row) if ok}) for row in graders]
        total = int(weights.sum())
        beliefs = [Fraction(int(w), total) for w in weights]
        scores = expected_scores(problem, rows, beliefs)
        if optimal_responses(problem, rows, beliefs) & set(abstentions):
            return Fraction(-1)
        return max(scores[a] for a in answers) - max(scores[a] for a in abstentions)

    return _sweep(lambda size: draw_belief_batch(rng, size), observation1_batch, exact_slack,
                  n_instances, chunk, exact_rechecks)


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


def good_turing_bias_sweep(rng, n_instances=1_000_000, chunk=250_000, exact_rechecks=1000):
    """Check 0 <= E[GT] - E[M] <= 1/N; the slack reported is that of the upper bound, the tightest
    are re-checked exactly (both bounds) with `unseen_mass`."""
    from .unseen_mass import expected_good_turing, expected_missing_mass

    def float_slack(weights, sizes):
        upper, bias = good_turing_bias_batch(weights, sizes)
        return np.minimum(upper, bias)

    def exact_slack(weights, size):
        total = int(weights.sum())
        nu = [Fraction(int(w), total) for w in weights]
        bias = expected_good_turing(nu, int(size)) - expected_missing_mass(nu, int(size))
        return min(Fraction(1, int(size)) - bias, bias)

    return _sweep(lambda size: draw_distribution_batch(rng, size), float_slack, exact_slack,
                  n_instances, chunk, exact_rechecks)
