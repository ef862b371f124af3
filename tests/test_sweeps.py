"""The vectorized sweep of Theorem 1 computes the same quantities as the reduction module."""

import numpy as np
import pytest
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
import hallu_proofs.sweeps as sweeps
from hallu_proofs.sweeps import (
    draw_distribution_batch,
    draw_multiple_choice_batch,
    draw_weight_batch,
    exact_instance,
    good_turing_bias_batch,
    poor_model_batch,
    theorem1_batch,
    theorem1_sweep,
    theorem4_batch,
)


def test_batch_matches_the_reduction_module():
    """err, err_iiv, delta and the bound of every batch member equal the Instance-based values."""
    batch = draw_weight_batch(np.random.default_rng(3), 400, 3, 5)
    err, bound, err_iiv, delta = theorem1_batch(*batch)
    for i in range(400):
        inst = exact_instance(*(arr[i] for arr in batch))
        want = [hp.generative_error(inst), hp.theorem1_bound(inst), hp.iiv_error(inst),
                hp.calibration_gap(inst)]
        got = [err[i], bound[i], err_iiv[i], delta[i]]
        assert np.allclose([float(w) for w in want], got, rtol=0, atol=FLOAT_TOLERANCE), i


def test_sweep_finds_no_violation_and_rechecks_exactly():
    """Theorem 1 holds on 20,000 random instances, and exactly on the 100 tightest."""
    result = theorem1_sweep(np.random.default_rng(11), n_instances=20_000, chunk=7_000,
                            exact_rechecks=100)
    assert result["violations"] == 0 and result["exact_violations"] == 0
    assert result["exact_rechecked"] == 100
    assert float(result["smallest_exact_slack"]) == pytest.approx(result["smallest_slack"])


def test_sweep_refuses_bad_sizes():
    with pytest.raises(ValueError, match="n_responses"):
        theorem1_sweep(np.random.default_rng(0), n_instances=10, n_responses=1)
    with pytest.raises(TypeError, match="n_instances"):
        theorem1_sweep(np.random.default_rng(0), n_instances=10.5)


def test_poor_model_batch_matches_the_library():
    """opt(G) over all thresholds and the poor-model bound equal poor_models' exact values."""
    batch = draw_weight_batch(np.random.default_rng(5), 150, 2, 4)
    err, opt, bound = poor_model_batch(*batch)
    for i in range(150):
        inst = exact_instance(*(arr[i] for arr in batch))
        exact_opt = hp.opt_over_models([inst])
        assert opt[i] == pytest.approx(float(exact_opt), abs=FLOAT_TOLERANCE)
        assert bound[i] == pytest.approx(float(hp.poor_model_bound(inst, exact_opt)), abs=FLOAT_TOLERANCE)


def test_theorem4_batch_matches_the_library():
    """The closed-form E_t err_iiv(f_t) equals the integral of the step function, exactly."""
    batch = draw_multiple_choice_batch(np.random.default_rng(6), 150, 3, 4)
    err, bound = theorem4_batch(*batch)
    for i in range(150):
        inst = exact_instance(*(arr[i] for arr in batch))
        assert inst.max_valid == 1
        assert bound[i] == pytest.approx(float(hp.theorem4_average_bound(inst)), abs=FLOAT_TOLERANCE)
        assert err[i] == pytest.approx(float(hp.generative_error(inst)), abs=FLOAT_TOLERANCE)


def test_good_turing_bias_batch_matches_the_library():
    """sum nu^2 (1 - nu)^(N-1) equals E[GT] - E[M] from the closed forms of unseen_mass."""
    weights, sizes = draw_distribution_batch(np.random.default_rng(7), 200)
    _, bias = good_turing_bias_batch(weights, sizes)
    for w, n, b in zip(weights, sizes, bias):
        nu = w / w.sum()
        want = hp.expected_good_turing(nu, int(n)) - hp.expected_missing_mass(nu, int(n))
        assert b == pytest.approx(want, abs=FLOAT_TOLERANCE)


@pytest.mark.parametrize("name", ["poor_model_sweep", "theorem4_sweep", "observation1_sweep",
                                  "good_turing_bias_sweep"])
def test_other_sweeps_find_no_violation(name):
    """Each deterministic inequality holds on 20,000 random instances, and exactly on the tightest."""
    result = getattr(sweeps, name)(np.random.default_rng(12), n_instances=20_000, exact_rechecks=50)
    assert result["violations"] == 0 and result["exact_violations"] == 0
    assert result["exact_rechecked"] == 50


def test_sweeps_would_see_a_stronger_claim_fail():
    """The sweeps have teeth: Eq. (11) with factor 2 instead of 2 (1 - 1/C), and the bias bound
    1/(2N) instead of 1/N, are violated on some of the same random instances."""
    batch = draw_multiple_choice_batch(np.random.default_rng(8), 20_000, 3, 5)
    err, bound = theorem4_batch(*batch)
    choices = (~batch[0]).sum(axis=2).min(axis=1) + 1
    assert np.any(err < bound / (1 - 1 / choices) - FLOAT_TOLERANCE)
    weights, sizes = draw_distribution_batch(np.random.default_rng(9), 20_000)
    _, bias = good_turing_bias_batch(weights, sizes)
    assert np.any(bias > 1 / (2 * sizes) + FLOAT_TOLERANCE)
