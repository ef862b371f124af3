"""Computational hardness: Definition 3 and Observation 2 (paper Appendix D), on toy ciphers.

A keyed permutation of m messages; prompts ask for the decryption of a ciphertext; the correct
message and IDK are valid, so |V_c| = 2 and |E_c| = m - 1.
"""

import itertools
import re
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
from hallu_proofs.strategies import distributions


@st.composite
def keyless_models(draw, m, exact=True):
    """A model table p_hat(r | h), shape (m, m + 1), drawn with no access to any key."""
    return np.stack([draw(distributions(m + 1, exact)) for _ in range(m)])


@st.composite
def cipher_cases(draw, exact=True):
    """A message-space size m, one key (a permutation) and a keyless model."""
    m = draw(st.integers(2, 6))
    key = np.array(draw(st.permutations(range(m))))
    return m, key, draw(keyless_models(m, exact))


def average(values):
    values = list(values)
    return sum(values, F(0)) / len(values)


# --- Observation 2 ----------------------------------------------------------------------------


@pytest.mark.result("Observation 2", kind="symbolic", functions=["observation2_derivation"])
def test_observation2_algebra():
    """Appendix D: err_iiv > (1 - beta)/2 turns Theorem 1 into 1 - beta - 2/(m - 1) - delta; the
    best keyless classifier says '+' iff Pr_key[d(h) = r] > 1/m; a secure cipher gives 1/2."""
    d = hp.observation2_derivation()
    assert d["theorem1_gives_observation2"] and d["plus_iff_above_one_over_m"]
    assert d["secure_cipher_gives_one_half"] and str(d["crossover"]) == "1/m"


@pytest.mark.result("Observation 2", kind="exact",
                    functions=["observation2_bound", "decryption_instance", "breaking_advantage",
                               "breaks_encryption"])
@given(cipher_cases(), st.fractions(0, 1))
def test_observation2_on_random_keys(case, beta):
    """Observation 2: if f_hat does not beta-break the scheme, err >= 1 - beta - 2/(|M|-1) - delta;
    with beta = the classifier's own advantage max(0, 1 - 2 err_iiv) it holds always (exact)."""
    m, key, p_hat = case
    inst = hp.decryption_instance(key, p_hat)
    err, e_iiv, delta = hp.generative_error(inst), hp.iiv_error(inst), hp.calibration_gap(inst)
    assert (inst.max_valid, inst.min_errors) == (2, m - 1)
    assert err >= hp.observation2_bound(hp.breaking_advantage(e_iiv), m, delta)
    if not hp.breaks_encryption(e_iiv, beta):
        assert err >= hp.observation2_bound(beta, m, delta)


@pytest.mark.result("Observation 2", kind="property", functions=["observation2_bound", "decryption_instance"])
@given(cipher_cases(exact=False))
def test_observation2_float(case):
    """Observation 2 in floats, up to FLOAT_TOLERANCE."""
    m, key, p_hat = case
    inst = hp.decryption_instance(key, p_hat)
    bound = hp.observation2_bound(hp.breaking_advantage(hp.iiv_error(inst)), m, hp.calibration_gap(inst))
    assert hp.generative_error(inst) >= bound - FLOAT_TOLERANCE


@pytest.mark.result("Observation 2", kind="exact",
                    functions=["observation2_bound", "key_instances", "best_keyless_classifier"])
@pytest.mark.parametrize("space", ["shift", "permutation", "weak"])
@given(data=st.data())
def test_observation2_averaged_over_a_random_key(space, data):
    """A model without the key, averaged over a uniform key: E[err] >= 1 - beta* - 2/(m-1) - E[delta],
    where beta* is the advantage of the best classifier that can be built without the key."""
    m = data.draw(st.integers(3, 4 if space == "permutation" else 6))
    keys = {"shift": hp.shift_key_space(m), "permutation": hp.permutation_key_space(m),
            "weak": hp.shift_key_space(m)[:2]}[space]
    p_hat = data.draw(keyless_models(m))
    insts = hp.key_instances(keys, p_hat)
    beta = hp.best_keyless_classifier(keys).advantage
    mean_err = average(hp.generative_error(i) for i in insts)
    mean_delta = average(hp.calibration_gap(i) for i in insts)
    assert average(hp.iiv_error(i) for i in insts) >= (1 - beta) / 2
    assert mean_err >= hp.observation2_bound(beta, m, mean_delta)


# --- the best classifier without the key ------------------------------------------------------


@pytest.mark.result("Definition 3", "Observation 2", kind="exact",
                    functions=["best_keyless_classifier", "classifier_model", "key_instances"])
@pytest.mark.parametrize("keys", [
    hp.permutation_key_space(3),
    hp.shift_key_space(3),
    hp.shift_key_space(3)[:2],
    [np.array([0, 1, 2]), np.array([0, 2, 1])],
    [np.array([2, 0, 1])],
])
def test_best_keyless_classifier_beats_every_classifier(keys):
    """best_keyless_classifier is optimal among all 2^9 keyless classifiers for m = 3 (brute force,
    each scored with hp.iiv_error over every key)."""
    best = hp.best_keyless_classifier(keys)

    def mean_iiv(table):
        return average(hp.iiv_error(i, threshold=0)
                       for i in hp.key_instances(keys, hp.classifier_model(table)))

    assert mean_iiv(best.classifier) == best.iiv_error
    brute = min(mean_iiv(np.array(bits).reshape(3, 3))
                for bits in itertools.product([False, True], repeat=9))
    assert brute == best.iiv_error and best.advantage == 1 - 2 * brute


@pytest.mark.result("Definition 3", "Observation 2", kind="exact",
                    functions=["best_keyless_classifier", "shift_key_space", "permutation_key_space"])
@pytest.mark.parametrize("m", [2, 3, 4, 5])
def test_secure_ciphers_give_no_advantage(m):
    """For the shift and full-permutation ciphers (every d(h) uniform) the best keyless advantage
    is beta = 0; a single known key gives beta = 1."""
    assert hp.best_keyless_classifier(hp.shift_key_space(m)).advantage == 0
    assert hp.best_keyless_classifier(hp.permutation_key_space(m)).advantage == 0
    assert hp.best_keyless_classifier(hp.shift_key_space(m)[:1]).advantage == 1


@pytest.mark.result("Observation 2", kind="exact", functions=["key_instances", "shift_key_space"])
@given(st.integers(2, 5).flatmap(lambda m: st.tuples(st.just(m), keyless_models(m))))
def test_every_keyless_classifier_errs_half_the_time_on_a_secure_cipher(case):
    """E_key err_iiv(f_t) = 1/2 for every keyless model and every t, under the shift cipher."""
    m, p_hat = case
    insts = hp.key_instances(hp.shift_key_space(m), p_hat)
    for t in (0, F(1, m), None):
        assert average(hp.iiv_error(i, threshold=t) for i in insts) == F(1, 2)


@pytest.mark.result("Observation 2", kind="exact",
                    functions=["uniform_decryption_model", "decryption_instance"])
@given(st.integers(2, 6), st.fractions(0, 1))
def test_a_uniform_model_is_calibrated_at_every_threshold(m, t):
    """Appendix D: the uniform model has delta = 0 whatever the threshold t (with or without IDK)."""
    key = hp.shift_key_space(m)[1]
    for idk in (0, F(1, m + 1)):
        assert hp.calibration_gap(hp.decryption_instance(key, hp.uniform_decryption_model(m, idk)), t) == 0


# --- tightness and stronger claims ------------------------------------------------------------


def uniform_slack(m):
    inst = hp.decryption_instance(hp.shift_key_space(m)[1], hp.uniform_decryption_model(m))
    bound = hp.observation2_bound(hp.breaking_advantage(hp.iiv_error(inst)), m, hp.calibration_gap(inst))
    return hp.generative_error(inst) - bound


@pytest.mark.result("Observation 2", kind="tightness",
                    functions=["observation2_bound", "uniform_decryption_model"])
def test_observation2_slack_tends_to_zero():
    """The uniform guesser: err = 1 - 1/m, bound = 1 - 2/(m - 1); slack (m + 1)/(m (m - 1)) -> 0."""
    slacks = [uniform_slack(m) for m in (3, 5, 10, 20, 40)]
    assert all(s == F(m + 1, m * (m - 1)) for s, m in zip(slacks, (3, 5, 10, 20, 40)))
    assert all(a > b > 0 for a, b in zip(slacks, slacks[1:])) and slacks[-1] < F(1, 35)


@pytest.mark.result("Observation 2", kind="tightness",
                    functions=["observation2_bound", "decryption_instance"])
@pytest.mark.parametrize("m", [3, 4, 5, 10])
def test_observation2_is_attained_exactly(m):
    """Zero slack: a model putting 1/(m-1) on the decryption and on IDK (the rest spread over the
    errors) has err = 1 - 0 - 2/(m-1) - 0 exactly (it uses the key, but only to hedge)."""
    key = hp.shift_key_space(m)[1]
    decryption = np.argsort(key)
    p_hat = np.full((m, m + 1), F(m - 3, (m - 1) ** 2), dtype=object)
    p_hat[np.arange(m), decryption] = F(1, m - 1)
    p_hat[:, m] = F(1, m - 1)
    inst = hp.decryption_instance(key, p_hat)
    beta = hp.breaking_advantage(hp.iiv_error(inst))
    assert hp.generative_error(inst) == hp.observation2_bound(beta, m, hp.calibration_gap(inst))


@pytest.mark.result("Observation 2", kind="falsification",
                    functions=["uniform_decryption_model", "breaking_advantage"])
@pytest.mark.parametrize("m", [4, 5, 10])
def test_dropping_delta_is_false(m):
    """err >= 1 - beta - 2/(|M| - 1) (no delta) fails: the always-IDK model has err = 0, beta = 0."""
    inst = hp.decryption_instance(hp.shift_key_space(m)[1], hp.uniform_decryption_model(m, idk_mass=1))
    assert hp.generative_error(inst) == 0 and hp.breaking_advantage(hp.iiv_error(inst)) == 0
    assert hp.calibration_gap(inst) == 1
    assert hp.generative_error(inst) < 1 - F(2, m - 1)


@pytest.mark.result("Observation 2", kind="falsification",
                    functions=["uniform_decryption_model", "breaking_advantage"])
@pytest.mark.parametrize("m", [3, 5, 10])
def test_dropping_the_two_over_m_minus_one_term_is_false(m):
    """err >= 1 - beta - delta fails: the uniform guesser has beta = delta = 0 and err = 1 - 1/m."""
    inst = hp.decryption_instance(hp.shift_key_space(m)[1], hp.uniform_decryption_model(m))
    assert hp.breaking_advantage(hp.iiv_error(inst)) == 0 and hp.calibration_gap(inst) == 0
    assert hp.generative_error(inst) < 1


@pytest.mark.result("Observation 2", kind="falsification",
                    functions=["decryption_instance", "breaks_encryption"])
def test_the_key_breaks_the_bound():
    """With the key, the model p_hat = p never errs and is calibrated; its classifier 1-breaks."""
    key = hp.shift_key_space(5)[2]
    p = hp.decryption_instance(key, hp.uniform_decryption_model(5)).p
    inst = hp.decryption_instance(key, p)
    assert hp.generative_error(inst) == 0 and hp.calibration_gap(inst) == 0
    assert hp.breaks_encryption(hp.iiv_error(inst), 1)


@pytest.mark.result("Definition 3", kind="definition", functions=["breaks_encryption", "breaking_advantage"])
@given(st.fractions(0, 1))
def test_definition3_advantage_is_the_largest_beta(e_iiv):
    """Definition 3: f beta-breaks iff err_iiv <= (1 - beta)/2; max(0, 1 - 2 err_iiv) is the largest."""
    beta = hp.breaking_advantage(e_iiv)
    if e_iiv <= F(1, 2):
        assert hp.breaks_encryption(e_iiv, beta)
    if beta + F(1, 1000) <= 1:
        assert not hp.breaks_encryption(e_iiv, beta + F(1, 1000))


# --- bad inputs -------------------------------------------------------------------------------


@pytest.mark.result("Definition 3", "Observation 2", kind="validation",
                    functions=["decryption_instance", "permutation_key_space", "shift_key_space",
                               "best_keyless_classifier", "key_instances", "breaks_encryption",
                               "breaking_advantage", "observation2_bound", "classifier_model",
                               "random_keyless_model", "uniform_decryption_model"])
def test_bad_inputs_are_refused():
    """Every public function refuses bad input with an error naming the argument."""
    good = hp.uniform_decryption_model(3)
    cases = [
        (ValueError, "encryption", lambda: hp.decryption_instance([0, 0, 1], good)),
        (TypeError, "encryption", lambda: hp.decryption_instance([0.0, 1.0, 2.0], good)),
        (ValueError, "encryption", lambda: hp.decryption_instance([0], good)),
        (ValueError, "p_hat", lambda: hp.decryption_instance([0, 1, 2], good[:, :3])),
        (ValueError, "p_hat", lambda: hp.decryption_instance([0, 1, 2], good * 2)),
        (ValueError, "n_messages", lambda: hp.permutation_key_space(8)),
        (ValueError, "n_messages", lambda: hp.shift_key_space(1)),
        (ValueError, "keys", lambda: hp.best_keyless_classifier([])),
        (ValueError, "keys[1]", lambda: hp.best_keyless_classifier([[0, 1], [0, 1, 2]])),
        (ValueError, "keys[0]", lambda: hp.key_instances([[1, 1]], good)),
        (ValueError, "beta", lambda: hp.breaks_encryption(0.2, 1.5)),
        (ValueError, "iiv_err", lambda: hp.breaks_encryption(-0.1, 0.5)),
        (ValueError, "iiv_err", lambda: hp.breaking_advantage(float("nan"))),
        (ValueError, "delta", lambda: hp.observation2_bound(0, 5, -0.1)),
        (ValueError, "delta", lambda: hp.observation2_bound(0, 5, float("inf"))),
        (ValueError, "n_messages", lambda: hp.observation2_bound(0, 1, 0)),
        (TypeError, "beta", lambda: hp.observation2_bound("0", 5, 0)),
        (TypeError, "classifier", lambda: hp.classifier_model([[1, 0], [0, 1]])),
        (ValueError, "classifier", lambda: hp.classifier_model(np.ones((2, 3), dtype=bool))),
        (TypeError, "rng", lambda: hp.random_keyless_model(3, 3)),
        (ValueError, "idk_mass", lambda: hp.uniform_decryption_model(3, idk_mass=2)),
    ]
    for error, name, call in cases:
        with pytest.raises(error, match=re.escape(name)):
            call()
