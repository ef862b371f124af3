"""The vectorized sweep of Theorem 1 computes the same quantities as the reduction module."""

import numpy as np
import pytest
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
from hallu_proofs.sweeps import draw_weight_batch, exact_instance, theorem1_batch, theorem1_sweep


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
