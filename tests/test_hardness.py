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


@pytest.mark.result("Definition 3", "Observation 2", kind="helper",
                    functions=["best_keyless_classifier", "classifier_model", "key_instances"])
@pytest.mark.parametrize("keys", [
    hp.permutation_key_space(3),
    hp.shift_key_space(3),
    hp.shift_key_space(3)[:2],
    [np.array([0, 1, 2]), np.array([0, 2, 1])],
    [np.array([2, 0, 1])],
    hp.permutation_key_space(3)[:4],  # Pr[d(h) = r] = 1/4 < 1/m in some slots
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


@pytest.mark.result("Definition 3", "Observation 2", kind="helper",
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


# --- the constructors, exactly ----------------------------------------------------------------


def test_key_spaces_are_the_stated_ciphers():
    """shift_key_space(m)[s] encrypts r as (r + s) mod m; permutation_key_space(m) lists every
    permutation once, up to m = MAX_PERMUTATION_MESSAGES = 7 (7! = 5040 keys)."""
    for m in (2, 3, 5):
        assert [k.tolist() for k in hp.shift_key_space(m)] == [
            [(r + s) % m for r in range(m)] for s in range(m)]
    assert sorted(tuple(k.tolist()) for k in hp.permutation_key_space(3)) == sorted(
        itertools.permutations(range(3)))
    largest = hp.permutation_key_space(hp.hardness.MAX_PERMUTATION_MESSAGES)
    assert len({tuple(k.tolist()) for k in largest}) == len(largest) == 5040


def test_uniform_decryption_model_exact_and_float():
    """Each row is (1 - idk)/m on every message and idk on IDK: Fractions for an exact idk_mass,
    floats for a float one."""
    exact = hp.uniform_decryption_model(4, F(1, 5))
    assert exact.dtype == object and exact.tolist() == [[F(1, 5)] * 5] * 4
    approx = hp.uniform_decryption_model(3, 0.25)
    assert approx.dtype == np.float64 and approx.tolist() == [[0.25] * 4] * 3


def lowest_weights(row):
    """The smallest non-negative integers proportional to an exact row."""
    scale = np.lcm.reduce([q.denominator for q in row])
    return [int(q * scale) for q in row]


def test_random_keyless_model_draws_weights_zero_to_four():
    """A row of random_keyless_model is a distribution over the m messages and IDK made of integer
    weights 0..4: over many draws every weight 0..4 is needed, and an all-zero draw gives IDK
    probability 1. The float table equals the exact one drawn from the same seed."""
    m = 2
    rows = []
    for seed in range(300):
        table = hp.random_keyless_model(np.random.default_rng(seed), m)
        assert table.shape == (m, m + 1) and table.dtype == object
        assert all(isinstance(q, F) and q >= 0 for q in table.ravel())
        assert all(sum(row) == 1 for row in table)
        rows.extend(lowest_weights(row) for row in table)
        approx = hp.random_keyless_model(np.random.default_rng(seed), m, exact=False)
        assert approx.dtype == np.float64
        assert np.all(np.abs(approx - table.astype(float)) <= FLOAT_TOLERANCE)
    assert max(max(w) for w in rows) == 4
    assert any(0 in w[:m] for w in rows)
    assert [0] * m + [1] in rows  # an all-zero draw
    wide = hp.random_keyless_model(np.random.default_rng(0), 5)
    assert wide.shape == (5, 6) and all(sum(row) == 1 for row in wide)


def test_observation2_bound_exact_and_float():
    """1 - beta - 2/(m - 1) - delta: a Fraction for exact inputs, a float as soon as beta or delta
    is a float; delta = 0 and delta = 1 are allowed."""
    for beta, m, delta in [(F(1, 4), 5, F(1, 4)), (0, 3, 1), (F(1, 3), 7, 0)]:
        exact = hp.observation2_bound(beta, m, delta)
        assert isinstance(exact, F) and exact == 1 - F(beta) - F(2, m - 1) - F(delta)
        for b, d in [(float(beta), delta), (beta, float(delta)), (float(beta), float(delta))]:
            approx = hp.observation2_bound(b, m, d)
            assert isinstance(approx, float) and abs(approx - float(exact)) <= FLOAT_TOLERANCE


def test_observation2_derivation_expressions():
    """The returned sympy expressions equal the ones derived here, with the same symbols: the
    costs P/(2m) and (1 - P)/(2m(m - 1)), the gap 2e - 1 + beta, the crossover 1/m."""
    import sympy as sp

    d = hp.observation2_derivation()
    e, beta, delta, prob = sp.symbols("e beta delta P", real=True)
    m = sp.Symbol("m", integer=True, positive=True)
    assert sp.simplify(d["cost_minus"] - prob / (2 * m)) == 0
    assert sp.simplify(d["cost_plus"] - (1 - prob) / (2 * m * (m - 1))) == 0
    assert sp.simplify(d["gap"] - (2 * e - 1 + beta)) == 0
    assert d["gap"].free_symbols == {e, beta}
    assert sp.simplify(d["crossover"] - 1 / m) == 0
    assert d["plus_iff_above_one_over_m"] is True


def test_error_messages_name_the_argument():
    """The messages of refused inputs, in full."""
    rng = np.random.default_rng(0)
    cases = [
        ("n_messages must be >= 2, got 1", lambda: hp.shift_key_space(1)),
        ("n_messages must be >= 2, got 1", lambda: hp.permutation_key_space(1)),
        ("n_messages must be <= 7 to list all 8! permutations", lambda: hp.permutation_key_space(8)),
        ("n_messages must be >= 2, got 1", lambda: hp.uniform_decryption_model(1)),
        ("n_messages must be >= 2, got 1", lambda: hp.random_keyless_model(rng, 1)),
        ("n_messages must be >= 2, got 1", lambda: hp.observation2_bound(0, 1, 0)),
        ("idk_mass must be in [0, 1], got 2", lambda: hp.uniform_decryption_model(3, idk_mass=2)),
        ("rng must be a numpy.random.Generator, got int", lambda: hp.random_keyless_model(3, 3)),
        ("iiv_err must be in [0, 1], got -0.1", lambda: hp.breaks_encryption(-0.1, 0.5)),
        ("beta must be in [0, 1], got 1.5", lambda: hp.breaks_encryption(0.2, 1.5)),
        ("iiv_err must be in [0, 1], got 1.5", lambda: hp.breaking_advantage(1.5)),
        ("beta must be in [0, 1], got 2", lambda: hp.observation2_bound(2, 5, 0)),
        ("delta must be in [0, 1], got 1.5", lambda: hp.observation2_bound(0, 5, 1.5)),
        ("delta must be a real number, got str", lambda: hp.observation2_bound(0, 5, "0")),
    ]
    for message, call in cases:
        with pytest.raises((ValueError, TypeError), match="^" + re.escape(message) + "$"):
            call()


def test_decryption_instance_and_best_classifier_tables():
    """Prompt h's valid slots are d(h) (key[d(h)] = h) and IDK; p is 1 on d(h), a Fraction for an
    exact p_hat and a float otherwise. With one key the best keyless classifier says '+' exactly
    on (h, d(h)); under the shift cipher (Pr[d(h) = r] = 1/m, a tie) it says '-' everywhere."""
    key = np.array([2, 0, 3, 1])
    decryption = [int(np.flatnonzero(key == h)[0]) for h in range(4)]
    for model in (hp.uniform_decryption_model(4), hp.uniform_decryption_model(4, 0.2)):
        inst = hp.decryption_instance(key, model)
        expected = [[r == decryption[h] or r == 4 for r in range(5)] for h in range(4)]
        assert inst.valid.tolist() == expected
        assert inst.p.tolist() == [[int(r == decryption[h]) for r in range(5)] for h in range(4)]
        assert inst.p.dtype == model.dtype
        assert all(isinstance(x, F) for x in inst.p.ravel()) == (model.dtype == object)
    assert hp.classifier_model(np.array([[True, False], [True, True]])).tolist() == [
        [F(1, 2), 0, F(1, 2)], [F(1, 3), F(1, 3), F(1, 3)]]
    best = hp.best_keyless_classifier([key])
    assert best.classifier.tolist() == [[r == decryption[h] for r in range(4)] for h in range(4)]
    assert not hp.best_keyless_classifier(hp.shift_key_space(4)).classifier.any()


def test_check_messages_in_full():
    """The messages of the key and classifier checks, in full."""
    good = hp.uniform_decryption_model(3)
    cases = [
        ("encryption must be a 1-D integer array (a permutation), got float64 with shape (3,)",
         lambda: hp.decryption_instance([0.0, 1.0, 2.0], good)),
        ("encryption must be a 1-D integer array (a permutation), got bool with shape (3,)",
         lambda: hp.decryption_instance([True, False, True], good)),
        ("encryption must be a 1-D integer array (a permutation), got int64 with shape (1, 3)",
         lambda: hp.decryption_instance([[0, 1, 2]], good)),
        ("encryption must be a permutation of 0..m-1 with m >= 2, got [0, 0, 1]",
         lambda: hp.decryption_instance([0, 0, 1], good)),
        ("encryption must be a permutation of 0..m-1 with m >= 2, got [0]",
         lambda: hp.decryption_instance([0], good)),
        ("keys[0] must be a permutation of 0..m-1 with m >= 2, got [1, 1]",
         lambda: hp.key_instances([[1, 1]], good)),
        ("keys is empty", lambda: hp.best_keyless_classifier([])),
        ("keys[1] has 3 messages, keys[0] has 2", lambda: hp.best_keyless_classifier([[0, 1], [0, 1, 2]])),
        ("p_hat has shape (3, 3), expected (3, 4): one row per ciphertext, one column per message "
         "and a last column for IDK", lambda: hp.decryption_instance([0, 1, 2], good[:, :3])),
        ("classifier must be a boolean array, got dtype int64",
         lambda: hp.classifier_model(np.array([[1, 0], [0, 1]]))),
        ("classifier must have shape (m, m) with m >= 2, got (2, 3)",
         lambda: hp.classifier_model(np.ones((2, 3), dtype=bool))),
        ("classifier must have shape (m, m) with m >= 2, got (1, 1)",
         lambda: hp.classifier_model(np.ones((1, 1), dtype=bool))),
        ("classifier must have shape (m, m) with m >= 2, got (2,)",
         lambda: hp.classifier_model(np.ones(2, dtype=bool))),
    ]
    for message, call in cases:
        with pytest.raises((ValueError, TypeError), match="^" + re.escape(message) + "$"):
            call()


def test_memorising_model_knows_the_seen_rows_only():
    """A model trained on pairs (h, d(h)) of the seen ciphertexts: right on those rows, uniform
    elsewhere; its classifier's advantage is the seen fraction, delta is 0, and it errs
    (unseen / m)(1 - 1/m)."""
    m, key = 6, hp.shift_key_space(6)[2]
    for seen in ([], [0], [0, 3, 3], list(range(6))):
        inst = hp.decryption_instance(key, hp.hardness.memorising_decryption_model(key, seen))
        unseen = F(m - len(set(seen)), m)
        assert hp.breaking_advantage(hp.iiv_error(inst)) == 1 - unseen
        assert hp.calibration_gap(inst) == 0
        assert hp.generative_error(inst) == unseen * (1 - F(1, m))
    table = hp.hardness.memorising_decryption_model(np.array([1, 2, 0]), seen=[np.int64(0)])
    assert table[0].tolist() == [0, 0, 1, 0] and table[1].tolist() == [F(1, 3)] * 3 + [0]
    for bad in ([3], [-1], [True], [0.5]):
        with pytest.raises(ValueError, match=r"seen\[0\] must be a ciphertext 0..2"):
            hp.hardness.memorising_decryption_model([1, 2, 0], bad)
    with pytest.raises(ValueError, match="encryption must be a permutation"):
        hp.hardness.memorising_decryption_model([0, 0, 1], [0])


def test_breaking_advantage_keeps_the_number_type():
    """The advantage max(0, 1 - 2 err_iiv) is a Fraction for exact input and a float for floats,
    also when it is 0 (review f3 D20: it was the int 0)."""
    assert type(hp.breaking_advantage(F(3, 4))) is F and hp.breaking_advantage(F(3, 4)) == 0
    assert type(hp.breaking_advantage(0.75)) is float and hp.breaking_advantage(0.75) == 0.0
    assert hp.breaking_advantage(F(1, 2)) == 0 and type(hp.breaking_advantage(F(1, 2))) is F
    assert hp.breaking_advantage(0.25) == 0.5
