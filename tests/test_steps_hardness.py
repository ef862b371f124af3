"""Proof steps of book/hardness.md: Observation 2 (see hallu_proofs/steps/hardness.py)."""

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import hallu_proofs as hp

GRID = [F(k, 20) for k in range(21)]


@pytest.mark.result("Observation 2", kind="exhaustive", functions=["breaks_encryption"])
def test_observation2_step1_not_breaking_means_twice_err_iiv_exceeds_one_minus_beta():
    """Step 1: for every err_iiv and beta in {0, 1/20, ..., 1}, the library's Definition 3 says
    'does not beta-break' exactly when 2 err_iiv > 1 - beta."""
    for e in GRID:
        for beta in GRID:
            assert (not hp.breaks_encryption(e, beta)) == (2 * e > 1 - beta)


@st.composite
def keyless_cases(draw):
    """A key (a random permutation) and an exact random model table drawn without it."""
    m = draw(st.integers(2, 7))
    key = np.array(draw(st.permutations(list(range(m)))))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return key, hp.random_keyless_model(rng, m)


@pytest.mark.result("Observation 2", kind="exact", functions=["decryption_instance", "theorem1_bound"])
@given(keyless_cases())
def test_observation2_step2_theorem1_on_the_decryption_prompts(case):
    """Step 2: the decryption prompts have max_c |V_c| = 2 and min_c |E_c| = m - 1, and Theorem 1
    gives err >= 2 err_iiv - 2/(m - 1) - delta."""
    key, p_hat = case
    m = key.size
    inst = hp.decryption_instance(key, p_hat)
    assert inst.max_valid == 2 and inst.min_errors == m - 1
    bound = 2 * hp.iiv_error(inst) - F(2, m - 1) - hp.calibration_gap(inst)
    assert hp.theorem1_bound(inst) == bound
    assert hp.generative_error(inst) >= bound


@pytest.mark.result("Observation 2", kind="symbolic", functions=["observation2_derivation"])
def test_observation2_step3_substitution_symbolic():
    """Step 3, for all values: writing err_iiv = (1 - beta)/2 + eps (eps > 0 is 'not beta-breaking',
    step 1), Theorem 1's bound minus Observation 2's is 2 eps > 0."""
    beta, delta = sp.symbols("beta delta", real=True)
    eps = sp.Symbol("epsilon", positive=True)
    m = sp.Symbol("m", integer=True, positive=True)
    e = (1 - beta) / 2 + eps
    theorem1 = 2 * e - 2 / (m - 1) - delta
    observation2 = 1 - beta - 2 / (m - 1) - delta
    gap = sp.simplify(theorem1 - observation2)
    assert gap == 2 * eps and gap.is_positive
    assert hp.observation2_derivation()["theorem1_gives_observation2"]


@pytest.mark.result("Observation 2", kind="exhaustive", functions=["observation2_bound", "breaks_encryption"])
def test_observation2_step3_substitution_on_a_grid():
    """Step 3 with the library's functions: for every err_iiv, beta, delta in a grid of twentieths
    and m = 3..8, if the classifier does not beta-break then Theorem 1's bound exceeds
    observation2_bound(beta, m, delta) strictly; if it does, the inequality can fail."""
    failures_when_broken = 0
    for m in range(3, 9):
        for e in GRID:
            for beta in GRID:
                for delta in GRID[::4]:
                    theorem1 = 2 * e - F(2, m - 1) - delta
                    if not hp.breaks_encryption(e, beta):
                        assert theorem1 > hp.observation2_bound(beta, m, delta)
                    elif theorem1 < hp.observation2_bound(beta, m, delta):
                        failures_when_broken += 1
    assert failures_when_broken > 0  # the hypothesis is what makes step 3 work


@pytest.mark.result("Observation 2", kind="tightness", functions=["observation2_bound", "breaks_encryption"])
@pytest.mark.parametrize("m", [4, 6, 10])
def test_observation2_is_approached_not_attained(m):
    """Observation 2's bound is strict under its hypothesis, and approached: the hedge model has
    err_iiv = 1/2 (it 0-breaks), does not beta-break any beta > 0, and has slack exactly beta."""
    key = hp.shift_key_space(m)[1]
    hedge = np.full((m, m + 1), F(m - 3, (m - 1) ** 2), dtype=object)
    hedge[np.arange(m), np.argsort(key)] = F(1, m - 1)
    hedge[:, m] = F(1, m - 1)
    inst = hp.decryption_instance(key, hedge)
    e, delta, err = hp.iiv_error(inst), hp.calibration_gap(inst), hp.generative_error(inst)
    assert e == F(1, 2) and hp.breaks_encryption(e, 0)
    assert err == hp.theorem1_bound(inst) == hp.observation2_bound(0, m, delta)
    for beta in (F(1, 10), F(1, 100), F(1, 1000)):
        assert not hp.breaks_encryption(e, beta)
        assert err - hp.observation2_bound(beta, m, delta) == beta
