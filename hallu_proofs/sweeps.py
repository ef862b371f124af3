"""Large random sweeps of Theorem 1 (and Corollary 1, its one-prompt case), vectorized over instances.

`theorem1_sweep` draws a million small instances at once as integer weights (so every instance is
an exact rational instance), evaluates err and the Theorem 1 bound for all of them with batched
numpy, and re-checks the tightest ones exactly with `Instance` and Fractions. The batched formulas
are checked against `hallu_proofs.reduction` in the tests.

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


def theorem1_sweep(rng, n_instances=1_000_000, n_prompts=3, n_responses=6, chunk=200_000,
                   exact_rechecks=1000):
    """Check Theorem 1 on ``n_instances`` random instances; re-check the tightest exactly.

    Returns a dict with the number of instances, float violations (slack below -1e-12), the
    smallest float slack, and, for the ``exact_rechecks`` tightest instances, the number of exact
    violations and the smallest exact slack (a Fraction).
    """
    n_instances = check_positive_int(n_instances, "n_instances")
    check_positive_int(n_prompts, "n_prompts")
    check_positive_int(n_responses, "n_responses", minimum=2)
    check_positive_int(chunk, "chunk")
    slacks, batches = [], []
    for start in range(0, n_instances, chunk):
        size = min(chunk, n_instances - start)
        batch = draw_weight_batch(rng, size, n_prompts, n_responses)
        err, bound, _, _ = theorem1_batch(*batch)
        slacks.append(err - bound)
        batches.append(batch)
    slack = np.concatenate(slacks)
    tightest = np.argsort(slack)[: min(exact_rechecks, n_instances)]
    exact_slacks = []
    for index in tightest:
        b, i = divmod(int(index), chunk)
        inst = exact_instance(*(arr[i] for arr in batches[b]))
        exact_slacks.append(generative_error(inst) - theorem1_bound(inst))
    return {
        "instances": n_instances,
        "violations": int(np.sum(slack < -1e-12)),
        "smallest_slack": float(slack.min()),
        "exact_rechecked": len(exact_slacks),
        "exact_violations": sum(1 for s in exact_slacks if s < 0),
        "smallest_exact_slack": min(exact_slacks),
    }
