"""Arbitrary facts (Definitions 1-2), Lemma 2 and Theorem 2: every formula, law and refusal.

Monte-Carlo claims are seeded and judged by exact binomial tests at significance SIGNIFICANCE.
"""

import math
import re
from collections import Counter
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import find, given
from hypothesis import strategies as st
from scipy import stats
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
from hallu_proofs.arbitrary_facts import alias_table

#: Significance of every statistical test in this module.
SIGNIFICANCE = 1e-3


# --------------------------------------------------------------------------- strategies

@st.composite
def exact_facts(draw, max_prompts=4, max_responses=4):
    """A small exact model, its facts, and a training set consistent with both."""
    m = draw(st.integers(1, max_prompts))
    weights = draw(st.lists(st.integers(0, 4), min_size=m, max_size=m))
    if sum(weights) == 0:
        weights[0] = 1
    mu = [F(w, sum(weights)) for w in weights]
    sizes = draw(st.lists(st.integers(2, max_responses), min_size=m, max_size=m))
    alpha = draw(st.lists(st.sampled_from([F(0), F(1, 3), F(1, 2), F(1)]), min_size=m, max_size=m))
    facts = hp.ArbitraryFacts(mu, sizes, alpha)
    answers = np.array([draw(st.integers(0, s - 1)) for s in sizes])
    n = draw(st.integers(1, 6))
    prompts = np.array(draw(st.lists(st.integers(0, m - 1), min_size=n, max_size=n)))
    said = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    answered = [(s or alpha[c] == 1) and alpha[c] != 0 for c, s in zip(prompts, said)]
    responses = np.where(answered, answers[prompts], hp.IDK)
    return facts, answers, prompts, responses


GUESS_RATES = st.sampled_from([None, 0, 1, F(1, 2)])


def thresholds_covering(p_hat):
    """Thresholds z hitting every value of delta_z: each value of p_hat, 0, 1 and midpoints."""
    values = sorted(set(p_hat.ravel()) | {F(0), F(1)})
    return values + [(a + b) / 2 for a, b in zip(values, values[1:])]


def uniform_model(m, n_responses=365, alpha=1.0):
    return hp.ArbitraryFacts(np.full(m, 1.0 / m), n_responses=n_responses, alpha=alpha)


def holds_at_99_percent(successes, trials):
    """Exact binomial test of H0 'the event has probability >= 0.99': True if not rejected."""
    return stats.binomtest(successes, trials, 0.99, alternative="less").pvalue > SIGNIFICANCE


# --------------------------------------------------------------------------- Definition 1

@pytest.mark.result("Definition 1", kind="validation", functions=["ArbitraryFacts"])
@pytest.mark.parametrize("kwargs, error, match", [
    (dict(mu=[0.5, 0.5], n_responses=2, alpha=[0.5, 1.5]), ValueError, r"alpha\[1\]"),
    (dict(mu=[0.5, 0.5], n_responses=2, alpha=-0.1), ValueError, "alpha"),
    (dict(mu=[0.5, 0.5], n_responses=2, alpha=float("nan")), ValueError, "alpha"),
    (dict(mu=[0.5, 0.5], n_responses=2, alpha=[0.5]), ValueError, "alpha has shape"),
    (dict(mu=[0.5, 0.5], n_responses=2, alpha="high"), TypeError, "alpha"),
    (dict(mu=[0.5, 0.5], n_responses=[2, 1], alpha=0.5), ValueError, r"n_responses: prompt 1"),
    (dict(mu=[0.5, 0.5], n_responses=2.0, alpha=0.5), TypeError, "n_responses"),
    (dict(mu=[0.5, 0.5], n_responses=[2, 2, 2], alpha=0.5), ValueError, "n_responses has shape"),
    (dict(mu=[0.5, 0.6], n_responses=2, alpha=0.5), ValueError, "mu must sum to 1"),
    (dict(mu=[1.5, -0.5], n_responses=2, alpha=0.5), ValueError, "mu"),
    (dict(mu=[], n_responses=2, alpha=0.5), ValueError, "mu"),
    (dict(mu=[F(1, 2), F(1, 2)], n_responses=2, alpha=0.5), TypeError, "alpha"),
])
def test_definition1_refuses_bad_parameters(kwargs, error, match):
    """alpha outside [0, 1], |R_c| < 2, mu not a distribution: each refused, naming the argument."""
    with pytest.raises(error, match=match):
        hp.ArbitraryFacts(**kwargs)


@pytest.mark.result("Definition 1", kind="validation", functions=["ArbitraryFacts"])
@pytest.mark.parametrize("mu, n_responses", [([F(1, 4), F(3, 4)], [3, 7]),
                                              ([0.2, 0.3, 0.5], 5), ([1.0], [2])])
def test_repr_names_the_size_kind_and_response_range(mu, n_responses):
    facts = hp.ArbitraryFacts(mu, n_responses=n_responses, alpha=1)
    sizes = np.broadcast_to(n_responses, (len(mu),))
    kind = "exact" if isinstance(mu[0], F) else "float"
    assert repr(facts) == (f"ArbitraryFacts({len(mu)} prompts, {kind}, |R_c| in "
                           f"[{min(sizes)}, {max(sizes)}])")


def test_draw_answers_is_reproducible_from_its_seed():
    """The facts depend on the seed only: a_c = Generator(seed).integers(0, |R_c|)."""
    sizes = np.array([2, 7, 365, 3])
    facts = hp.ArbitraryFacts(np.full(4, 0.25), n_responses=sizes, alpha=1.0)
    for seed in (0, 5, 123):
        want = np.random.default_rng(seed).integers(0, sizes)
        assert facts.draw_answers(rng=seed).tolist() == want.tolist()


def test_training_set_is_reproducible_and_refuses_responses_beyond_int32():
    facts = hp.ArbitraryFacts(np.full(3, 1 / 3), n_responses=[2, 9, 4], alpha=0.5)
    answers = facts.draw_answers(rng=1)
    first = facts.draw_training_set(answers, 50, rng=8)
    again = hp.ArbitraryFacts(np.full(3, 1 / 3), n_responses=[2, 9, 4], alpha=0.5).draw_training_set(
        answers, 50, rng=8)
    assert all(np.array_equal(x, y) for x, y in zip(first, again))
    huge = hp.ArbitraryFacts([1.0], n_responses=2**31, alpha=0.5)
    with pytest.raises(ValueError,
                       match="^n_responses: draw_training_set codes responses as 32-bit integers$"):
        huge.draw_training_set([0], 5, rng=0)


def test_draws_refuse_bad_arguments():
    """N < 1, answers outside R_c or of the wrong shape are refused."""
    facts = hp.ArbitraryFacts([0.5, 0.5], n_responses=[2, 3], alpha=0.5)
    with pytest.raises(ValueError, match="n must be >= 1"):
        facts.draw_training_set([0, 0], 0)
    with pytest.raises(ValueError, match="n must be >= 1"):
        facts.draw_answer_counts(0)
    with pytest.raises(TypeError, match="n must be an integer"):
        facts.draw_training_set([0, 0], 10.0)
    with pytest.raises(ValueError, match="answers: prompt 0 has answer 2"):
        facts.draw_training_set([2, 0], 5)
    with pytest.raises(ValueError, match="answers has shape"):
        facts.draw_training_set([0], 5)
    with pytest.raises(TypeError, match="answers must hold integers"):
        facts.draw_training_set([0.0, 1.0], 5)


@pytest.mark.result("Definition 1", kind=("definition", "monte_carlo"), functions=["ArbitraryFacts"])
def test_facts_are_uniform_in_the_response_set():
    """a_c is uniform in R_c: the number of prompts with a_c = 0 is Binomial(m, 1/|R_c|)."""
    facts = uniform_model(20_000, n_responses=4)
    answers = facts.draw_answers(rng=11)
    assert answers.min() >= 0 and answers.max() <= 3
    hits = int(np.count_nonzero(answers == 0))
    assert stats.binomtest(hits, answers.size, 0.25).pvalue > SIGNIFICANCE


@pytest.mark.result("Definition 1", kind=("definition", "monte_carlo"), functions=["ArbitraryFacts"])
def test_training_examples_follow_the_model():
    """Each example is (c, a_c) w.p. mu(c) alpha_c and (c, IDK) w.p. mu(c)(1 - alpha_c)."""
    facts = hp.ArbitraryFacts([0.5, 0.3, 0.2], n_responses=[2, 5, 3], alpha=[0.25, 1.0, 0.0])
    answers = np.array([1, 4, 2])
    prompts, responses = facts.draw_training_set(answers, 200_000, rng=5)
    assert np.all((responses == hp.IDK) | (responses == answers[prompts]))
    outcome = 2 * prompts + (responses != hp.IDK)
    expected = np.array([0.5 * 0.75, 0.5 * 0.25, 0.0, 0.3, 0.2, 0.0])
    observed = np.bincount(outcome, minlength=6)
    assert observed[expected == 0].sum() == 0
    positive = expected > 0
    test = stats.chisquare(observed[positive], expected[positive] * outcome.size)
    assert test.pvalue > SIGNIFICANCE


@pytest.mark.result("Definition 1", kind=("definition", "monte_carlo"),
                    functions=["ArbitraryFacts", "answer_counts"])
def test_answer_counts_drawn_directly_have_the_law_of_a_training_set():
    """draw_answer_counts and answer_counts(draw_training_set) both have the exact multinomial law
    of (k_1, k_2) for N = 3 examples (chi-square goodness of fit against the exact pmf)."""
    facts = hp.ArbitraryFacts([0.6, 0.4], n_responses=2, alpha=[0.5, 1.0])
    probs = [0.3, 0.4, 0.3]  # answered 0, answered 1, IDK
    support = [(a, b) for a in range(4) for b in range(4 - a)]
    exact = np.array([stats.multinomial.pmf([a, b, 3 - a - b], 3, probs) for a, b in support])
    index = {k: i for i, k in enumerate(support)}
    rng = np.random.default_rng(8)
    direct = Counter(tuple(facts.draw_answer_counts(3, rng)) for _ in range(4000))
    via_set = Counter(
        tuple(hp.answer_counts(*facts.draw_training_set([0, 1], 3, rng), n_prompts=2))
        for _ in range(4000)
    )
    for sample in (direct, via_set):
        observed = np.zeros(len(support))
        for key, count in sample.items():
            observed[index[tuple(int(x) for x in key)]] = count
        assert stats.chisquare(observed, exact * 4000).pvalue > SIGNIFICANCE


@given(st.lists(st.integers(0, 6), min_size=1, max_size=9).filter(lambda w: sum(w) > 0))
def test_alias_table_is_exact(weights):
    """(keep_i + sum_{j: alias_j = i} (1 - keep_j)) / k = w_i exactly, with 0 <= keep <= 1."""
    w = [F(x, sum(weights)) for x in weights]
    keep, alias = alias_table(w)
    k = len(w)
    assert all(0 <= x <= 1 for x in keep)
    mass = [keep[i] + sum(1 - keep[j] for j in range(k) if alias[j] == i) for i in range(k)]
    assert [x / k for x in mass] == w


def test_alias_table_refuses_a_non_distribution_by_name():
    with pytest.raises(ValueError, match="^weights must sum to 1"):
        alias_table([0.5, 0.6])
    with pytest.raises(ValueError, match="^weights: entry 0 is -0.5"):
        alias_table([-0.5, 1.5])


def test_training_sampler_has_the_documented_law():
    """The sampler's exact law (see ArbitraryFacts._alias_table): outcome o has probability
    (1/k) sum_j ([slot 2j + 1 is o] t_j + [slot 2j is o] (2^32 - t_j)) / 2^32, within 2^-32 of
    p(o) = mu(c) alpha_c or mu(c) (1 - alpha_c), and exactly 0 when p(o) = 0 (padding too)."""
    rng = np.random.default_rng(6)
    m = 37
    alpha = rng.uniform(0, 1, m)
    alpha[:3] = [0.0, 1.0, 0.5]
    facts = hp.ArbitraryFacts(rng.dirichlet(np.ones(m)), n_responses=3, alpha=alpha)
    thresholds, slot_outcome = facts._alias_table()
    k = thresholds.size
    assert k == 128 and slot_outcome.size == 2 * k
    law = [F(0)] * k
    for j, t in enumerate(thresholds.tolist()):
        law[slot_outcome[2 * j + 1]] += F(t, 2**32 * k)
        law[slot_outcome[2 * j]] += F(2**32 - t, 2**32 * k)
    p = np.zeros(k)
    p[0:2 * m:2], p[1:2 * m:2] = facts.mu * (1 - facts.alpha), facts.mu * facts.alpha
    assert sum(law) == 1
    assert all(law[o] == 0 for o in np.flatnonzero(p == 0))
    assert max(abs(float(law[o]) - p[o]) for o in range(k)) <= 2.0**-32 + FLOAT_TOLERANCE


@pytest.mark.parametrize("n_responses, answers", [
    ([2**31 - 1], [2**31 - 2]),  # one prompt: no prompt bits, the code is the response
    ([2, 2**30], [1, 2**30 - 1]),  # largest code 2^30 * 2 - 1 = 2^31 - 1: 32-bit codes
    ([2, 2**30 + 1], [0, 2**30]),  # one response more: 64-bit codes
])
def test_training_set_decodes_large_responses(n_responses, answers):
    """Each example's prompt and response are packed into one code (response above the prompt
    bits) and unpacked exactly, at both code widths; the law is the model's (chi-square)."""
    m = len(answers)
    facts = hp.ArbitraryFacts(np.full(m, 1 / m), n_responses=n_responses, alpha=0.75)
    prompts, responses = facts.draw_training_set(answers, 20_000, rng=3)
    assert prompts.dtype == responses.dtype == np.int32
    assert np.all((responses == hp.IDK) | (responses == np.array(answers)[prompts]))
    observed = np.bincount(2 * prompts + (responses != hp.IDK), minlength=2 * m)
    expected = np.tile([0.25 / m, 0.75 / m], m) * prompts.size
    assert stats.chisquare(observed, expected).pvalue > SIGNIFICANCE


# --------------------------------------------------------------------------- Definition 2

def brute_force_singleton_rate(prompts, responses):
    answered = Counter(int(c) for c, r in zip(prompts, responses) if r != hp.IDK)
    return F(sum(1 for n in answered.values() if n == 1), len(prompts))


@pytest.mark.result("Definition 2", kind="definition", functions=["singleton_rate"])
def test_singleton_rate_edge_cases():
    """Definition 2: IDK rows count in N but never make a prompt answered; N = 1 works."""
    idk = hp.IDK
    assert hp.singleton_rate([7], [3]) == 1.0
    assert hp.singleton_rate([7], [idk]) == 0.0
    assert hp.singleton_rate([0, 0, 0, 0], [2, idk, idk, idk]) == 0.25  # once + IDKs: singleton
    assert hp.singleton_rate([0, 0, 1], [2, 2, idk]) == 0.0  # twice answered: not a singleton
    assert hp.singleton_rate([5, 9, 9, 9], [1, idk, 0, idk]) == 0.5
    assert hp.singleton_rate(np.array([3, 3], dtype=np.int16), np.array([1, 1], np.int8)) == 0.0
    assert hp.singleton_rate(np.array([100, 120], dtype=np.int8), np.array([1, idk])) == 0.5
    assert hp.singleton_rate(np.array([7, 7], dtype=np.uint64), np.array([0, idk])) == 0.5
    assert hp.answer_counts([1, 1, 2], [0, idk, 4], n_prompts=4).tolist() == [0, 1, 1, 0]
    assert hp.unanswered_prompts([1, 1, 2], [0, idk, 4], n_prompts=4).tolist() == [
        True, False, False, True]
    assert hp.singleton_rate_of_counts([1, 0, 1, 3], 10) == 0.2


@pytest.mark.result("Definition 2", kind=("definition", "exact"), functions=["singleton_rate"])
@given(st.lists(st.tuples(st.integers(0, 5), st.integers(-1, 3)), min_size=1, max_size=30))
def test_singleton_rate_matches_definition_2(rows):
    """sr = #{c : #{i : c_i = c, r_i != IDK} = 1} / N, counted by brute force."""
    prompts, responses = (np.array(x) for x in zip(*rows))
    sr = hp.singleton_rate(prompts, responses)
    assert sr * len(rows) == pytest.approx(brute_force_singleton_rate(prompts, responses)
                                           * len(rows), abs=FLOAT_TOLERANCE)
    counts = hp.answer_counts(prompts, responses, n_prompts=6)
    assert hp.singleton_rate_of_counts(counts, len(rows)) == sr


@pytest.mark.result("Definition 2", kind="validation", functions=["singleton_rate"])
@pytest.mark.parametrize("prompts, responses, error, match", [
    ([], [], ValueError, "N >= 1"),
    ([0, 1], [0], ValueError, "responses has length 1"),
    ([True, False], [0, 0], TypeError, "prompts must hold ids"),
    ([0, 1], [False, True], TypeError, "responses must hold ids"),
    ([0.0, float("nan")], [0, 0], ValueError, "prompts: entry 1 is nan"),
    ([[0], {}], [0, 0], TypeError, "prompts: entry 0 is a list, which is not hashable"),
    (np.array([[0, 1]]), [[0, 1]], ValueError, "prompts must be a 1-D array"),
    ("abc", [0, 0, 0], TypeError, "prompts must be a sequence"),
])
def test_singleton_rate_refuses_bad_input(prompts, responses, error, match):
    """Empty sets, length mismatch, booleans, NaN, unhashable ids, 2-D arrays: refused by name."""
    with pytest.raises(error, match=match):
        hp.singleton_rate(prompts, responses)


@pytest.mark.result("Definition 2", kind="definition", functions=["singleton_rate"])
def test_singleton_rate_of_ids_of_any_type():
    """Strings, tuples, sparse 64-bit ids, negative ids and pandas columns give the same sr as
    the same training set coded 0..m-1; the abstention code is an argument."""
    import pandas as pd

    coded_prompts, coded_responses = [0, 0, 1, 2, 2, 3], [5, hp.IDK, 3, 1, 1, hp.IDK]
    sr = hp.singleton_rate(coded_prompts, coded_responses)
    assert sr == 2 / 6  # prompts 0 (once and an IDK) and 1
    names = ["Ada", "Ada", "Alan", "Grace", "Grace", "Kurt"]
    dates = ["Dec 10", "?", "Jun 23", "Dec 9", "Dec 9", "?"]
    assert hp.singleton_rate(names, dates, idk="?") == sr
    assert hp.singleton_rate(pd.Series(names), pd.Series(dates), idk="?") == sr
    assert hp.singleton_rate([(n, 1) for n in names], dates, idk="?") == sr
    sparse = [2**62 + 7 * c for c in coded_prompts]
    assert hp.singleton_rate(np.array(sparse, dtype=np.int64), coded_responses) == sr
    assert hp.singleton_rate([2**70 + c for c in coded_prompts], coded_responses) == sr
    assert hp.singleton_rate([-c - 5 for c in coded_prompts], coded_responses) == sr
    # without idk="?", "?" is an answer: Ada has two answers, Kurt one
    assert hp.singleton_rate(names, dates) == 2 / 6 and hp.singleton_rate(names[:5], dates[:5]) == 1 / 5


def test_singleton_rate_at_scale_with_hashed_ids():
    """10^6 examples with hashed 63-bit prompt ids (which a table indexed by id could not hold)
    agree with the same examples coded densely, and with a count by collections.Counter."""
    rng = np.random.default_rng(9)
    n = 10**6
    dense = rng.integers(0, n // 3, n)
    responses = rng.integers(-1, 3, n)
    hashed = (dense.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) >> np.uint64(1)).astype(np.int64)
    answered = Counter(dense[responses != hp.IDK].tolist())
    expected = sum(1 for k in answered.values() if k == 1) / n
    assert hp.singleton_rate(dense, responses) == expected
    assert hp.singleton_rate(hashed, responses) == expected


def test_counting_refuses_bad_arguments():
    with pytest.raises(ValueError, match="only 2 prompts"):
        hp.answer_counts([0, 2], [0, 0], n_prompts=2)
    with pytest.raises(ValueError, match="counts sum to 5"):
        hp.singleton_rate_of_counts([2, 3], 4)
    with pytest.raises(ValueError, match="negative"):
        hp.singleton_rate_of_counts([-1, 1], 4)
    with pytest.raises(TypeError, match="counts"):
        hp.singleton_rate_of_counts([0.5], 4)
    facts = hp.ArbitraryFacts([0.5, 0.5], n_responses=2, alpha=0.5)
    with pytest.raises(TypeError, match="unanswered must be a boolean mask"):
        hp.missing_answer_mass(facts, [1, 0])
    with pytest.raises(ValueError, match="unanswered has shape"):
        hp.missing_answer_mass(facts, np.array([True]))


@pytest.mark.result("Lemma 1", "Lemma 2", kind="exact",
                    functions=["unanswered_prompts", "missing_answer_mass"])
@given(exact_facts())
def test_unanswered_set_and_missing_mass(case):
    """U = prompts with no non-IDK example; MM = sum_{c in U} mu(c) alpha_c, exactly."""
    facts, answers, prompts, responses = case
    unanswered = hp.unanswered_prompts(prompts, responses, facts.n_prompts)
    answered = {int(c) for c, r in zip(prompts, responses) if r != hp.IDK}
    assert [c not in answered for c in range(facts.n_prompts)] == unanswered.tolist()
    expected = sum((facts.mu[c] * facts.alpha[c] for c in range(facts.n_prompts)
                    if c not in answered), F(0))
    mm = hp.missing_answer_mass(facts, unanswered)
    assert type(mm) is F and mm == expected


# --------------------------------------------------------------------------- learners

@pytest.mark.result("Theorem 2", kind="exact",
                    functions=["memorising_learner", "memorising_learner_error", "facts_instance"])
@given(exact_facts(), GUESS_RATES)
def test_memorising_learner_error_in_closed_form(case, guess_rate):
    """err = sum_{c in U} mu(c) g_c (|R_c| - 1)/|R_c| equals p_hat(E) of the Instance, exactly."""
    facts, answers, prompts, responses = case
    p_hat = hp.memorising_learner(facts, prompts, responses, guess_rate)
    inst = hp.facts_instance(facts, answers, p_hat)
    unanswered = hp.unanswered_prompts(prompts, responses, facts.n_prompts)
    assert hp.generative_error(inst) == hp.memorising_learner_error(facts, unanswered, guess_rate)


@pytest.mark.result("Theorem 2", kind="monte_carlo",
                    functions=["memorising_learner", "memorising_learner_error"])
def test_calibrated_learner_error_against_simulation():
    """Generations (c ~ mu, r ~ p_hat(.|c)) err at the closed-form rate (exact binomial test)."""
    rng = np.random.default_rng(21)
    m = 400
    weights = 1.0 / np.arange(1, m + 1)
    facts = hp.ArbitraryFacts(weights / weights.sum(), n_responses=rng.integers(2, 8, m),
                              alpha=rng.uniform(0, 1, m))
    answers = facts.draw_answers(rng)
    prompts, responses = facts.draw_training_set(answers, 300, rng)
    p_hat = hp.memorising_learner(facts, prompts, responses)
    err = hp.memorising_learner_error(facts, hp.unanswered_prompts(prompts, responses, m))
    trials = 20_000
    c = rng.choice(m, size=trials, p=facts.mu)
    cumulative = np.cumsum(p_hat[c], axis=1)
    r = (rng.random((trials, 1)) > cumulative).sum(axis=1)
    wrong = (r < facts.n_responses[c]) & (r != answers[c])  # the last column is IDK
    assert stats.binomtest(int(wrong.sum()), trials, err).pvalue > SIGNIFICANCE


@pytest.mark.result("Theorem 2", kind="exact",
                    functions=["memorising_learner", "facts_instance", "calibration_gap"])
@given(exact_facts())
def test_calibrated_learner_has_zero_calibration_gap_at_every_threshold(case):
    """Appendix B: delta_z = |p_hat(p_hat > z) - p(p_hat > z)| = 0 for every z in [0, 1]."""
    facts, answers, prompts, responses = case
    p_hat = hp.memorising_learner(facts, prompts, responses)
    inst = hp.facts_instance(facts, answers, p_hat)
    for z in thresholds_covering(p_hat):
        assert hp.calibration_gap(inst, z) == 0


@pytest.mark.result("Theorem 2", kind="falsification", functions=["memorising_learner", "calibration_gap"])
def test_other_learners_are_not_calibrated_at_every_threshold():
    """Falsification: delta_z = 0 is a property of the calibrated learner, not of every learner.
    Abstaining on unseen prompts gives delta = MM at the default threshold 1/K when K >= 2 (IDK,
    at p_hat = 1, is then above it); always guessing gives delta_z > 0 at some z."""
    found = find(exact_facts(), lambda case: case[0].min_errors >= 2 and hp.missing_answer_mass(
        case[0], hp.unanswered_prompts(case[2], case[3], case[0].n_prompts)) > 0)
    facts, answers, prompts, responses = found
    unanswered = hp.unanswered_prompts(prompts, responses, facts.n_prompts)
    abstain = hp.facts_instance(facts, answers, hp.memorising_learner(facts, prompts, responses, 0))
    assert hp.calibration_gap(abstain) == hp.missing_answer_mass(facts, unanswered) > 0
    guess_p_hat = hp.memorising_learner(facts, prompts, responses, 1)
    guess = hp.facts_instance(facts, answers, guess_p_hat)
    assert max(hp.calibration_gap(guess, z) for z in thresholds_covering(guess_p_hat)) > 0


@pytest.mark.result("Theorem 2", kind="exact", functions=["lumped_memorising_instance", "facts_instance"])
@given(exact_facts(), GUESS_RATES)
def test_lumped_instance_has_the_same_err_iiv_and_delta(case, guess_rate):
    """Merging prompts of one kind keeps err, err_iiv and delta_z (every z) exactly."""
    facts, answers, prompts, responses = case
    p_hat = hp.memorising_learner(facts, prompts, responses, guess_rate)
    full = hp.facts_instance(facts, answers, p_hat)
    unanswered = hp.unanswered_prompts(prompts, responses, facts.n_prompts)
    lumped = hp.lumped_memorising_instance(facts, unanswered, guess_rate)
    assert hp.generative_error(full) == hp.generative_error(lumped)
    for z in [None, *thresholds_covering(p_hat)]:
        assert hp.iiv_error(full, z) == hp.iiv_error(lumped, z)
        assert hp.calibration_gap(full, z) == hp.calibration_gap(lumped, z)


@pytest.mark.result("Theorem 2", "Theorem 1", kind="exact",
                    functions=["counting_learner", "facts_instance", "theorem1_bound"])
def test_counting_learner_is_a_model_and_obeys_theorem_1():
    """The counting model's rows are distributions on R_c + IDK; err >= 2 err_iiv - 2/K - delta."""
    rng = np.random.default_rng(4)
    facts = hp.ArbitraryFacts(np.full(50, 0.02), n_responses=rng.integers(2, 9, 50), alpha=0.6)
    answers = facts.draw_answers(rng)
    prompts, responses = facts.draw_training_set(answers, 80, rng)
    p_hat = hp.counting_learner(facts, prompts, responses, smoothing=0.5)
    assert np.allclose(p_hat.sum(axis=1), 1, atol=FLOAT_TOLERANCE)
    inst = hp.facts_instance(facts, answers, p_hat)
    assert hp.generative_error(inst) >= hp.theorem1_bound(inst) - FLOAT_TOLERANCE
    assert hp.theorem1_bound(inst) == pytest.approx(
        2 * hp.iiv_error(inst) - 2 / facts.min_errors - hp.calibration_gap(inst))


@pytest.mark.parametrize("smoothing", [0.5, 3.0, None])
def test_counting_learner_matches_its_formula_entry_by_entry(smoothing):
    """p_hat(r | c) = (n_{c,r} + s q_c(r)) / (n_c + s), q_c the add-one pooled response
    frequencies restricted to R_c and IDK, recomputed with Python loops (None: the default,
    s = 1)."""
    rng = np.random.default_rng(11)
    sizes = [2, 5, 3, 4]
    facts = hp.ArbitraryFacts(np.full(4, 0.25), n_responses=sizes, alpha=[1.0, 0.5, 0.2, 0.0])
    prompts, responses = facts.draw_training_set(facts.draw_answers(rng), 30, rng)
    width = max(sizes) + 1
    pair = Counter(zip(prompts.tolist(), [width - 1 if r == hp.IDK else r for r in responses]))
    pooled = [1 + sum(v for (_, r), v in pair.items() if r == j) for j in range(width)]
    if smoothing is None:
        p_hat, smoothing = hp.counting_learner(facts, prompts, responses), 1.0
    else:
        p_hat = hp.counting_learner(facts, prompts, responses, smoothing=smoothing)
    assert p_hat.shape == (4, width)
    for c, size in enumerate(sizes):
        support = list(range(size)) + [width - 1]
        n_c = sum(v for (cc, _), v in pair.items() if cc == c)
        for r in range(width):
            q = pooled[r] / sum(pooled[j] for j in support) if r in support else 0.0
            assert p_hat[c, r] == pytest.approx((pair[(c, r)] + smoothing * q) / (n_c + smoothing))
    with pytest.raises(ValueError, match="smoothing must be > 0, got 0"):
        hp.counting_learner(facts, prompts, responses, smoothing=0)
    with pytest.raises(TypeError, match="^smoothing must be a real number"):
        hp.counting_learner(facts, prompts, responses, smoothing="1")


def test_learners_refuse_bad_input():
    facts = hp.ArbitraryFacts([0.5, 0.5], n_responses=3, alpha=0.5)
    with pytest.raises(ValueError, match="prompt 0 is answered both"):
        hp.memorising_learner(facts, [0, 0], [1, 2])
    with pytest.raises(ValueError, match="outside R_c"):
        hp.memorising_learner(facts, [0], [5])
    with pytest.raises(ValueError, match=r"guess_rate\[1\]"):
        hp.memorising_learner(facts, [0], [1], guess_rate=[0.5, 2.0])
    with pytest.raises(ValueError, match="smoothing must be > 0"):
        hp.counting_learner(facts, [0], [1], smoothing=0)
    with pytest.raises(ValueError, match="p_hat has shape"):
        hp.facts_instance(facts, [0, 0], np.full((2, 3), 1 / 3))


# --------------------------------------------------------------------------- Lemma 2

@pytest.mark.result("Lemma 2", kind="exact", functions=["lemma2_gamma"])
@given(st.lists(st.booleans(), min_size=2, max_size=8))
def test_lemma2_gamma_averages_to_one_half(labels):
    """Step 6 of Lemma 2: for a uniform answer a_c, E[gamma_c] = 1/2 whatever the labels."""
    values = [hp.lemma2_gamma(np.array(labels), a) for a in range(len(labels))]
    assert all(0 <= v <= 1 for v in values)
    assert sum(values) / len(labels) == F(1, 2)


@pytest.mark.result("Lemma 2", kind="falsification", functions=["lemma2_gamma"])
def test_lemma2_gamma_needs_the_minus_one():
    """Falsification: normalising the false positives by |R_c| instead of |R_c| - 1 breaks step 6."""
    def wrong_average(labels):
        size = len(labels)
        terms = [(int(not labels[a]) + F(sum(labels) - labels[a], size)) / 2 for a in range(size)]
        return sum(terms) / size

    labels = find(st.lists(st.booleans(), min_size=2, max_size=6),
                  lambda x: wrong_average(x) != F(1, 2))
    assert sum(hp.lemma2_gamma(np.array(labels), a) for a in range(len(labels))) == F(
        len(labels), 2)
    with pytest.raises(ValueError, match="answer must be in"):
        hp.lemma2_gamma(np.array([True, False]), 2)
    with pytest.raises(TypeError, match="positive"):
        hp.lemma2_gamma([1, 0], 0)


@given(st.lists(st.booleans(), min_size=2, max_size=8), st.data())
def test_lemma2_gamma_matches_its_definition(labels, data):
    """gamma_c = (I[a_c labelled -] + #{r != a_c labelled +} / (|R_c| - 1)) / 2, exactly."""
    a = data.draw(st.integers(0, len(labels) - 1))
    false_positives = sum(1 for r, lab in enumerate(labels) if r != a and lab)
    want = (F(0 if labels[a] else 1) + F(false_positives, len(labels) - 1)) / 2
    got = hp.lemma2_gamma(np.array(labels), a)
    assert isinstance(got, F) and got == want


def test_lemma2_gamma_refuses_bad_input():
    with pytest.raises(ValueError, match=r"positive: \|R_c\| = 1; every prompt needs at least 2"):
        hp.lemma2_gamma(np.array([True]), 0)
    with pytest.raises(TypeError, match=r"^positive must be a 1-D boolean array \(the labels of R_c\)$"):
        hp.lemma2_gamma(np.array([[True, False]]), 0)
    with pytest.raises(ValueError, match="answer must be >= 0"):
        hp.lemma2_gamma(np.array([True, False]), -1)
    with pytest.raises(ValueError, match=r"answer must be in 0\.\.2, got 3"):
        hp.lemma2_gamma(np.array([True, False, True]), 3)


# --------------------------------------------------------------------------- Theorem 2 formulas

@pytest.mark.result("Theorem 2", kind="definition", functions=["theorem2_lower_bound"])
@pytest.mark.parametrize("sr, k, n, delta", [(0.2, 364, 10**6, 0.0), (0.5, 3, 100, 0.1),
                                             (0.0, 1, 1, 1.0), (F(1, 5), 364, 10**7, F(1, 100))])
def test_theorem2_lower_bound_formula(sr, k, n, delta):
    """sr - 2/K - (35 + 6 ln N)/sqrt N - delta, and sr - 2/K - 6 ln(3N/gamma)/sqrt N - delta."""
    sr_f, delta_f = float(sr), float(delta)
    expected = sr_f - 2 / k - (35 + 6 * math.log(n)) / math.sqrt(n) - delta_f
    assert hp.theorem2_lower_bound(sr, k, n, delta) == pytest.approx(expected, abs=FLOAT_TOLERANCE)
    for gamma in (1, 0.5, 0.01, 1e-6):
        expected = sr_f - 2 / k - 6 * math.log(3 * n / gamma) / math.sqrt(n) - delta_f
        assert hp.theorem2_lower_bound(sr, k, n, delta, gamma) == pytest.approx(
            expected, abs=FLOAT_TOLERANCE)


@pytest.mark.result("Theorem 2", kind="definition", functions=["theorem2_upper_bound"])
@pytest.mark.parametrize("sr, big_l, n", [(0.2, 364, 10**6), (0.5, 1, 1), (F(1, 3), 9, 12345)])
def test_theorem2_upper_bound_formula(sr, big_l, n):
    """sr - sr/(L + 1) + 13/sqrt N, and sr - sr/(L + 1) + 5 sqrt(ln(5/gamma)/N)."""
    sr_f = float(sr)
    expected = sr_f - sr_f / (big_l + 1) + 13 / math.sqrt(n)
    assert hp.theorem2_upper_bound(sr, big_l, n) == pytest.approx(expected, abs=FLOAT_TOLERANCE)
    for gamma in (1, 0.01, 1e-9):
        expected = sr_f - sr_f / (big_l + 1) + 5 * math.sqrt(math.log(5 / gamma) / n)
        assert hp.theorem2_upper_bound(sr, big_l, n, gamma) == pytest.approx(
            expected, abs=FLOAT_TOLERANCE)


@pytest.mark.result("Theorem 2", "Lemma 2", kind="exact",
                    functions=["theorem2_lower_bound", "theorem2_upper_bound"])
@given(st.integers(1, 10**12))
def test_the_99_percent_forms_are_weaker_than_the_gamma_forms_at_one_percent(n):
    """6 ln(3N/0.01) <= 35 + 6 ln N and 5 sqrt(ln 500) <= 13: the printed forms follow."""
    assert hp.theorem2_lower_bound(0.3, 364, n) <= hp.theorem2_lower_bound(0.3, 364, n, gamma=0.01)
    assert hp.theorem2_upper_bound(0.3, 364, n) >= hp.theorem2_upper_bound(0.3, 364, n, gamma=0.01)


@pytest.mark.parametrize("call, error, match", [
    (lambda: hp.theorem2_lower_bound(0.2, 364, 100, gamma=0), ValueError, r"gamma must be in \(0, 1\]"),
    (lambda: hp.theorem2_lower_bound(0.2, 364, 100, gamma=1.5), ValueError, "gamma"),
    (lambda: hp.theorem2_upper_bound(0.2, 364, 100, gamma=-1), ValueError, "gamma"),
    (lambda: hp.theorem2_upper_bound(0.2, 364, 100, gamma=float("nan")), ValueError, "gamma"),
    (lambda: hp.theorem2_lower_bound(0.2, 364, 0), ValueError, "n must be >= 1"),
    (lambda: hp.theorem2_upper_bound(0.2, 364, 0), ValueError, "n must be >= 1"),
    (lambda: hp.theorem2_lower_bound(1.2, 364, 100), ValueError, "sr must be in"),
    (lambda: hp.theorem2_upper_bound(-0.1, 364, 100), ValueError, "sr must be in"),
    (lambda: hp.theorem2_lower_bound(0.2, 0, 100), ValueError, "min_errors must be >= 1"),
    (lambda: hp.theorem2_upper_bound(0.2, 0, 100), ValueError, "max_errors must be >= 1"),
    (lambda: hp.theorem2_lower_bound(0.2, 364, 100, delta=2), ValueError, "delta must be in"),
    (lambda: hp.theorem2_lower_bound(0.2, 364.0, 100), TypeError, "min_errors"),
    (lambda: hp.theorem2_lower_bound("0.2", 364, 100), TypeError, "sr"),
    (lambda: hp.theorem2_sample_size(0.2, 364, target=0.2), ValueError, "target must be below"),
    (lambda: hp.theorem2_sample_size(0.5, 4), ValueError,  # the target equals the limit 0
     r"^target must be below sr - 2/min_errors = 0, got 0.0$"),
])
@pytest.mark.result("Theorem 2", kind="validation",
                    functions=["theorem2_lower_bound", "theorem2_upper_bound"])
def test_theorem2_bounds_refuse_bad_input(call, error, match):
    """gamma outside (0, 1], N < 1, sr or delta outside [0, 1], |E_c| < 1: refused by name."""
    with pytest.raises(error, match=match):
        call()


@pytest.mark.result("Theorem 2", "Lemma 2", kind=("symbolic", "falsification"),
                    functions=["theorem2_symbolic_checks"])
def test_theorem2_constants_checked_by_sympy():
    """Every constant of the proof holds (SymPy), and slightly stronger constants do not."""
    checks = hp.theorem2_symbolic_checks()
    assert len(checks) >= 15 and all(ok for _, _, ok in checks), [n for n, _, ok in checks if not ok]
    log, sqrt = sp.log, sp.sqrt
    assert sp.Le(6 * log(300), 34) == sp.false  # 35 cannot become 34
    assert sp.Le(5 * sqrt(log(500)), 12) == sp.false  # 13 cannot become 12
    assert sp.Le(1 + sqrt(2), sp.Rational(241, 100)) == sp.false  # 2.42 cannot become 2.41
    assert sp.Le(sqrt(2) + sp.Rational(442, 100), sp.Rational(58, 10)) == sp.false


def _intended_theorem2_statements():
    """Each check of theorem2_symbolic_checks, written out from the proof: (relation, lhs, rhs)."""
    n, g, z, big_l, t, r = sp.symbols("N gamma zeta L t R", positive=True)
    log, sqrt, q = sp.log, sp.sqrt, sp.Rational
    root = (1 + sqrt(1 + 4 * log(q(5, 3)))) / 2  # larger root of L^2 - L - ln(5/3), by hand
    zeta = log(3 * n / g) / n
    return {
        "6 ln 300 <= 35": (sp.Le, 6 * log(300), 35),
        "6 ln(3N/0.01) = 6 ln 300 + 6 ln N": (sp.Eq, 6 * log(300 * n), 6 * log(300) + 6 * log(n)),
        "5 sqrt(ln 500) <= 13": (sp.Le, 5 * sqrt(log(500)), 13),
        "ln(5/gamma) at gamma = 0.01 is ln 500": (sp.Eq, log(500), log(500)),
        "4.42 = 2 + 2.42": (sp.Eq, q(442, 100), 2 + q(242, 100)),
        "1 + sqrt 2 <= 2.42": (sp.Le, 1 + sqrt(2), q(242, 100)),
        "sqrt 2 + 4.42 <= 6": (sp.Le, sqrt(2) + q(442, 100), 6),
        "Lemma 1 at gamma/2: ln(5/(gamma/2)) = ln(10/gamma)": (sp.Eq, log(10 / g), log(10 / g)),
        "sqrt(ln(10/gamma)) <= ln(3N/gamma), N >= 2: larger root of L^2 - L - ln(5/3) <= ln 6":
            (sp.Le, root, log(6)),
        "ln(10/gamma) = ln(3N/gamma) + ln(5/3) - ln(1 + t/2) at N = 2 + t, t >= 0":
            (sp.Eq, log(10 / g) - log(3 * (2 + t) / g), log(q(5, 3)) - log(1 + t / 2)),
        "ln(6/gamma) <= ln(3N/gamma) for N = 2 + t, t >= 0":
            (sp.Ge, log(3 * (2 + t) / g) - log(6 / g), 0),
        "Eq. (8): (1/zeta) exp(-zeta N) = gamma / (3 ln(3N/gamma))":
            (sp.Eq, sp.exp(-zeta * n) / zeta, g / (3 * log(3 * n / g))),
        "Eq. (8): ln(3N/gamma) >= ln 3 > 1, so the union bound is <= gamma/3": (sp.Gt, log(3), 1),
        "Hoeffding: exp(-2 t^2 / zeta) = gamma/6 at t = sqrt(zeta ln(6/gamma)/2)":
            (sp.Eq, sp.exp(-2 * (z * log(6 / g) / 2) / z), g / 6),
        "failure budget: gamma/3 + gamma/6 + gamma/2 = gamma": (sp.Eq, g / 3 + g / 6 + g / 2, g),
        "step 6: 2 zeta ln(6/gamma) / (ln(3N/gamma) sqrt(2/N))^2 = ln(6/gamma) / ln(3N/gamma)":
            (sp.Eq, 2 * zeta * log(6 / g) / (log(3 * n / g) ** 2 * 2 / n),
             log(6 / g) / log(3 * n / g)),
        "(|R_c| - 1)/|R_c| <= L/(L+1) when |R_c| = L + 1 - t":
            (sp.Ge, big_l / (big_l + 1) - (r - 1) / r, 0),
        "L/(L+1) sr = sr - sr/(L+1)": (sp.Eq, big_l / (big_l + 1), 1 - 1 / (big_l + 1)),
        "5 >= 4.42 (Lemma 1 inside the upper bound)": (sp.Ge, 5, q(442, 100)),
    }


def test_theorem2_symbolic_checks_state_the_intended_relations():
    """Each returned statement is the proof's relation (same kind, same lhs - rhs at sample points
    in the proof's range: N >= 2, gamma in (0, 1], |R_c| = L + 1 - t <= L + 1), it holds there by
    a 30-digit numerical evaluation, and its verdict is the Python bool True."""
    intended = _intended_theorem2_statements()
    checks = hp.theorem2_symbolic_checks()
    assert [name for name, _, _ in checks] == list(intended)
    rng = np.random.default_rng(7)
    for name, statement, verdict in checks:
        kind, lhs, rhs = intended[name]
        assert verdict is True, name
        assert isinstance(statement, kind), name
        got, want = statement.lhs - statement.rhs, lhs - rhs
        for _ in range(3):
            big_l = sp.Rational(int(rng.integers(1, 400)), int(rng.integers(1, 9)))
            t = big_l * sp.Rational(int(rng.integers(0, 100)), 101)
            point = {"N": 2 + t, "gamma": sp.Rational(int(rng.integers(1, 101)), 100), "t": t,
                     "zeta": sp.Rational(int(rng.integers(1, 1000)), 1000), "L": big_l,
                     "R": big_l + 1 - t}
            values = [sp.N(e.subs({s: point[s.name] for s in e.free_symbols}), 30)
                      for e in (got, want)]
            assert abs(values[0] - values[1]) < 1e-25, (name, values)
            holds = {sp.Eq: abs(values[1]) < 1e-25, sp.Le: values[1] <= 0,
                     sp.Ge: values[1] >= 0, sp.Gt: values[1] > 0}[kind]
            assert holds, (name, point)


@pytest.mark.parametrize("sr, k, target, gamma", [(0.2, 364, 0.0, None), (0.2, 364, 0.1, None),
                                                  (0.5, 10, 0.2, 0.05), (0.9, 100, 0.0, 1)])
def test_theorem2_sample_size_is_the_smallest(sr, k, target, gamma):
    """theorem2_sample_size returns the first N whose lower bound exceeds the target."""
    n = hp.theorem2_sample_size(sr, k, target, gamma)
    assert hp.theorem2_lower_bound(sr, k, n, gamma=gamma) > target
    if n > 1:
        assert hp.theorem2_lower_bound(sr, k, n - 1, gamma=gamma) <= target


@pytest.mark.parametrize("target_below_limit", [35.5, 30.0, 20.0, 5.0, 0.3, 0.05])
@pytest.mark.parametrize("gamma", [None, 0.05])
def test_theorem2_sample_size_against_a_scan_of_every_n(target_below_limit, gamma):
    """The returned N is the first n = 1, 2, ... of a vectorised scan of the lower bound's formula
    (targets far below sr - 2/k reach N = 1 and N = 2)."""
    sr, k = 0.5, 10
    target = sr - 2 / k - target_below_limit
    n = hp.theorem2_sample_size(sr, k, target, gamma)
    grid = np.arange(1, 2 * n + 3, dtype=float)
    log_term = np.log(grid) if gamma is None else np.log(3 * grid / gamma)
    sampling = (35 + 6 * log_term) / np.sqrt(grid) if gamma is None else 6 * log_term / np.sqrt(grid)
    first = int(np.argmax(sr - 2 / k - sampling > target)) + 1
    assert n == first


# --------------------------------------------------------------------------- Theorem 2, simulated

M_SIM, N_SIM, TRIALS = 10**5, 10**5, 200


def simulate(n_responses, trials=TRIALS, seed=0):
    """sr, MM and the calibrated learner's err over seeded training sets (m = N = 10^5, alpha = 1)."""
    facts = uniform_model(M_SIM, n_responses=n_responses)
    rng = np.random.default_rng(seed)
    rows = []
    for _ in range(trials):
        counts = facts.draw_answer_counts(N_SIM, rng)
        unanswered = counts == 0
        rows.append((hp.singleton_rate_of_counts(counts, N_SIM),
                     hp.missing_answer_mass(facts, unanswered),
                     hp.memorising_learner_error(facts, unanswered)))
    return facts, np.array(rows)


@pytest.fixture(scope="module")
def birthdays():
    return simulate(365, seed=1)


@pytest.fixture(scope="module")
def huge_response_sets():
    return simulate(10**6 + 1, seed=2)


@pytest.mark.result("Theorem 2", "Lemma 2", kind="monte_carlo",
                    functions=["theorem2_lower_bound", "singleton_rate"])
def test_theorem2_lower_bound_holds_with_99_percent(birthdays):
    """Pr[err >= sr - 2/min|E_c| - (35 + 6 ln N)/sqrt N - delta] >= 99%, delta = 0 (calibrated),
    at an N where the bound is positive (so the check is not vacuous)."""
    facts, rows = birthdays
    bounds = np.array([hp.theorem2_lower_bound(sr, facts.min_errors, N_SIM) for sr in rows[:, 0]])
    assert bounds.mean() > 0
    assert holds_at_99_percent(int(np.sum(rows[:, 2] >= bounds)), TRIALS)


@pytest.mark.result("Theorem 2", kind="monte_carlo", functions=["theorem2_lower_bound", "memorising_learner"])
def test_theorem2_lower_bound_holds_for_the_abstaining_learner_through_delta(birthdays):
    """The learner that says IDK on unseen prompts has err = 0; the bound holds because delta = MM
    (computed on the lumped Instance); without delta it fails every time."""
    facts, rows = birthdays
    rng = np.random.default_rng(3)
    holds = fails_without_delta = 0
    trials = 40
    for _ in range(trials):
        counts = facts.draw_answer_counts(N_SIM, rng)
        inst = hp.lumped_memorising_instance(facts, counts == 0, guess_rate=0)
        sr, delta = hp.singleton_rate_of_counts(counts, N_SIM), hp.calibration_gap(inst)
        assert delta == pytest.approx(hp.missing_answer_mass(facts, counts == 0))
        err = hp.generative_error(inst)
        holds += err >= hp.theorem2_lower_bound(sr, facts.min_errors, N_SIM, delta)
        fails_without_delta += err < hp.theorem2_lower_bound(sr, facts.min_errors, N_SIM)
    assert holds == trials and fails_without_delta == trials


@pytest.mark.result("Theorem 2", kind="monte_carlo",
                    functions=["theorem2_upper_bound", "memorising_learner_error"])
def test_theorem2_upper_bound_holds_with_99_percent(birthdays):
    """Pr[err <= sr - sr/(max|E_c| + 1) + 13/sqrt N] >= 99% for the calibrated learner."""
    facts, rows = birthdays
    bounds = np.array([hp.theorem2_upper_bound(sr, facts.max_errors, N_SIM) for sr in rows[:, 0]])
    assert holds_at_99_percent(int(np.sum(rows[:, 2] <= bounds)), TRIALS)


@pytest.mark.result("Theorem 2", "Lemma 2", kind=("falsification", "monte_carlo"),
                    functions=["theorem2_lower_bound", "theorem2_upper_bound"])
def test_theorem2_bounds_fail_without_their_sampling_terms(birthdays, huge_response_sets):
    """Falsification: 'err >= sr - 2/K' (|R_c| = 10^6 + 1) and 'err <= sr - sr/(L + 1)' each fail
    far more often than 1% (the binomial test rejects 99%)."""
    facts, rows = huge_response_sets
    lower = rows[:, 0] - 2 / facts.min_errors
    assert not holds_at_99_percent(int(np.sum(rows[:, 2] >= lower)), TRIALS)
    facts, rows = birthdays
    upper = rows[:, 0] - rows[:, 0] / (facts.max_errors + 1)
    assert not holds_at_99_percent(int(np.sum(rows[:, 2] <= upper)), TRIALS)


@pytest.mark.result("Theorem 2", "Lemma 2", kind="tightness",
                    functions=["theorem2_lower_bound", "theorem2_upper_bound"])
def test_theorem2_sandwich_closes_and_pins_the_coefficient_of_sr():
    """Tightness: with m = N the slacks of both bounds shrink as N grows (upper slack below 0.01
    at N = 10^7). Falsification: err >= 1.25 sr - ... and err <= 0.9 sr (1 - 1/(L+1)) + 13/sqrt N
    both fail at N = 10^7."""
    rng = np.random.default_rng(6)
    lower_slack, upper_slack = [], []
    for n in (10**3, 10**5, 10**7):
        facts = uniform_model(n)
        counts = facts.draw_answer_counts(n, rng)
        sr = hp.singleton_rate_of_counts(counts, n)
        err = hp.memorising_learner_error(facts, counts == 0)
        lower_slack.append(err - hp.theorem2_lower_bound(sr, facts.min_errors, n))
        upper_slack.append(hp.theorem2_upper_bound(sr, facts.max_errors, n) - err)
    assert min(lower_slack) >= 0 and min(upper_slack) >= 0
    assert lower_slack == sorted(lower_slack, reverse=True)
    assert upper_slack == sorted(upper_slack, reverse=True) and upper_slack[-1] < 0.01
    terms = hp.theorem2_lower_bound_terms(facts.min_errors, n)
    assert err < 1.25 * sr - terms["errors"] - terms["sampling"]
    assert err > 0.9 * (sr - sr / (facts.max_errors + 1)) + 13 / math.sqrt(n)


def test_per_prompt_inputs_in_every_form():
    """n_responses and alpha as object arrays, scalars and Fractions; refusals in full."""
    facts = hp.ArbitraryFacts([0.5, 0.5], np.array([2, 3], dtype=object), 1.0)
    assert facts.n_responses.dtype == np.int64 and facts.n_responses.tolist() == [2, 3]
    mixed = hp.ArbitraryFacts([0.5, 0.5], 2, np.array([F(1, 2), 1], dtype=object))
    assert mixed.alpha.dtype == np.float64 and mixed.alpha.tolist() == [0.5, 1.0]
    shared = hp.ArbitraryFacts([F(1, 2), F(1, 2)], 2, F(1, 3))
    assert shared.alpha.dtype == object and shared.alpha.tolist() == [F(1, 3), F(1, 3)]
    cases = [
        (TypeError, "n_responses must hold integers",
         lambda: hp.ArbitraryFacts([0.5, 0.5], np.array([2, True], dtype=object), 1.0)),
        (ValueError, "n_responses: prompt 1 has |R_c| = 1; every prompt needs at least 2 responses",
         lambda: hp.ArbitraryFacts([0.5, 0.5], [2, 1], 1.0)),
        (TypeError, "alpha[1] must be a real number, got str",
         lambda: hp.ArbitraryFacts([0.5, 0.5], 2, np.array([0.5, "x"], dtype=object))),
        (TypeError, "alpha[0] is 0.5; an exact model (Fraction mu) needs int or Fraction entries",
         lambda: hp.ArbitraryFacts([F(1, 2), F(1, 2)], 2, 0.5)),
        (TypeError, "alpha must hold real numbers, got dtype <U1",
         lambda: hp.ArbitraryFacts([0.5, 0.5], 2, np.array(["a", "b"]))),
    ]
    for error, message, call in cases:
        with pytest.raises(error, match="^" + re.escape(message) + "$"):
            call()


def test_training_set_refusals_in_full():
    """answer_counts and the memorising learner name the prompt, the entry and the bound at fault."""
    facts = hp.ArbitraryFacts([0.5, 0.5], [3, 4], 1.0)
    cases = [
        ("n_prompts must be >= 1, got 0", lambda: hp.answer_counts([0, 1], [0, 0], 0)),
        ("prompts: entry 1 is 2, but there are only 2 prompts",
         lambda: hp.answer_counts([0, 2, 3], [0, 0, 0], 2)),
        ("responses: prompt 0 is answered both 1 and 2; in the Arbitrary Facts model each prompt "
         "has a single answer", lambda: hp.memorising_learner(facts, [0, 0], [1, 2])),
        ("responses: prompt 0 is answered 3, outside R_c = {0, ..., 2}",
         lambda: hp.memorising_learner(facts, [0, 1], [3, 1])),
        ("responses: prompt 1 is answered 4, outside R_c = {0, ..., 3}",
         lambda: hp.memorising_learner(facts, [0, 1], [2, 4])),
    ]
    for message, call in cases:
        with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
            call()
    assert hp.answer_counts([0, 0], [hp.IDK, hp.IDK], 3).tolist() == [0, 0, 0]


def test_count_and_model_refusals_in_full():
    """singleton_rate_of_counts names the first negative count and n; facts_instance explains the
    expected shape of p_hat; a float model's instance is a float instance."""
    facts = hp.ArbitraryFacts([0.5, 0.5], 3, 1.0)
    cases = [
        ("counts: entry 2 is negative", lambda: hp.singleton_rate_of_counts([1, 0, -1], 5)),
        ("n must be >= 1, got 0", lambda: hp.singleton_rate_of_counts([1, 0], 0)),
        ("p_hat has shape (2, 3), expected (2, 4): one row per prompt, the response slots and a last "
         "column for IDK", lambda: hp.facts_instance(facts, [0, 1], np.full((2, 3), 1 / 3))),
    ]
    for message, call in cases:
        with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
            call()
    inst = hp.facts_instance(facts, [0, 1], np.full((2, 4), 0.25))
    assert not inst.exact and inst.p.dtype == np.float64


@pytest.mark.result("Theorem 2", kind="definition", functions=["theorem2_bounds"])
def test_theorem2_bounds_say_when_they_are_vacuous():
    """theorem2_bounds gives both bounds, flags a lower bound below 0 and an upper bound of 1 or
    more, and the N where each starts to say something is exactly the first such N."""
    for sr, k, big_l, gamma in [(0.2, 364, 364, None), (0.5, 10, 20, 0.05), (0.9, 3, 5, None)]:
        for n in (10, 1000, 10**6):
            b = hp.theorem2_bounds(sr, k, big_l, n, gamma=gamma)
            assert b.lower == hp.theorem2_lower_bound(sr, k, n, gamma=gamma)
            assert b.upper == hp.theorem2_upper_bound(sr, big_l, n, gamma=gamma)
            assert b.lower_vacuous == (b.lower <= 0) and b.upper_vacuous == (b.upper >= 1)
        n_up = b.n_upper_informative
        assert hp.theorem2_upper_bound(sr, big_l, n_up, gamma) < 1
        assert n_up == 1 or hp.theorem2_upper_bound(sr, big_l, n_up - 1, gamma) >= 1
        n_low = b.n_lower_informative
        assert hp.theorem2_lower_bound(sr, k, n_low, gamma=gamma) > 0
        assert hp.theorem2_lower_bound(sr, k, n_low - 1, gamma=gamma) <= 0
    with_delta = hp.theorem2_bounds(0.2, 364, 364, 10**8, delta=0.1)
    assert with_delta.lower == pytest.approx(0.2 - 2 / 364 - (35 + 6 * math.log(1e8)) / 1e4 - 0.1,
                                             abs=FLOAT_TOLERANCE)
    assert hp.theorem2_lower_bound(0.2, 364, with_delta.n_lower_informative, delta=0.1) > 0
    hopeless = hp.theorem2_bounds(0.004, 364, 364, 10**9)  # sr < 2/364: no N helps
    assert hopeless.lower_vacuous and hopeless.n_lower_informative is None
    for bad, message in [(dict(sr=1.5), r"sr must be in \[0, 1\], got 1.5"),
                         (dict(min_errors=0), "min_errors must be >= 1, got 0"),
                         (dict(max_errors=0), "max_errors must be >= 1, got 0"),
                         (dict(n=0), "n must be >= 1, got 0"),
                         (dict(delta=-0.1), r"delta must be in \[0, 1\], got -0.1"),
                         (dict(gamma=0), r"gamma must be in \(0, 1\], got 0")]:
        args = dict(sr=0.2, min_errors=10, max_errors=10, n=100) | bad
        with pytest.raises(ValueError, match=f"^{message}$"):
            hp.theorem2_bounds(**args)


def test_singleton_rate_of_no_examples_is_refused():
    with pytest.raises(ValueError, match="^prompts is empty: a training set needs N >= 1 examples$"):
        hp.singleton_rate([], [])


def test_answer_counts_drawn_from_a_seed_repeat():
    """The rng argument is used: one seed gives one draw, another seed another."""
    facts = hp.ArbitraryFacts(np.full(20, 0.05), n_responses=3, alpha=0.5)
    first = facts.draw_answer_counts(1000, 1)
    assert np.array_equal(first, facts.draw_answer_counts(1000, 1))
    assert not np.array_equal(first, facts.draw_answer_counts(1000, 2))


def test_lemma2_gamma_names_its_labels():
    with pytest.raises(ValueError, match="^positive is not a rectangular array"):
        hp.lemma2_gamma([[True], [True, False]], 0)


def test_upper_informative_size_is_found_from_its_closed_form(monkeypatch):
    """The N where the upper bound drops below 1 comes from N > scale / room^2 and is only
    checked, at most one step either way: a few evaluations of the bound, not a search."""
    calls = []
    real = hp.arbitrary_facts.theorem2_upper_bound
    monkeypatch.setattr(hp.arbitrary_facts, "theorem2_upper_bound",
                        lambda *args: calls.append(args) or real(*args))
    for sr, big_l, gamma in [(0.0, 1, None), (0.2, 364, None), (0.9, 3, 0.05), (1.0, 1, 1),
                             (0.5, 10**6, 1e-9)]:
        calls.clear()
        n = hp.arbitrary_facts._upper_informative_size(sr, big_l, gamma)
        assert real(sr, big_l, n, gamma) < 1 <= real(sr, big_l, n - 1, gamma)
        assert len(calls) <= 4, (sr, big_l, gamma, len(calls))
    assert hp.arbitrary_facts._upper_informative_size(0.0, 1, None) == 170


def test_theorem2_bounds_at_exactly_0_and_1():
    """A lower bound of exactly 0 and an upper bound of exactly 1 say nothing: both are vacuous.
    With sr = 0 the upper bound is 13 / sqrt(N), 1 at N = 169; the sr below (found by a search
    near N = 10^6) makes the float lower bound exactly 0."""
    at_one = hp.theorem2_bounds(0.0, 10, 10, 169)
    assert at_one.upper == 1.0 and at_one.upper_vacuous
    assert not hp.theorem2_bounds(0.0, 10, 10, 170).upper_vacuous
    at_zero = hp.theorem2_bounds(0.31789274566997117, 10, 10, 1_000_006)
    assert at_zero.lower == 0.0 and at_zero.lower_vacuous
    assert not hp.theorem2_bounds(0.3179, 10, 10, 1_000_006).lower_vacuous


@pytest.mark.result("Lemma 2", kind="exact", functions=["uniform_singleton_moments"])
def test_uniform_singleton_moments_by_enumeration():
    """Mean and variance of the singleton count agree with all m^N allocations (exact)."""
    import itertools

    for n, m in [(1, 2), (2, 3), (3, 3), (4, 2), (4, 4), (5, 3)]:
        counts = [sum(1 for x in s if s.count(x) == 1)
                  for s in itertools.product(range(m), repeat=n)]
        mean = F(sum(counts), m**n)
        var = F(sum(k * k for k in counts), m**n) - mean**2
        assert hp.arbitrary_facts.uniform_singleton_moments(n, m) == (mean, var)


@pytest.mark.result("Lemma 2", kind="validation", functions=["uniform_singleton_moments"])
def test_uniform_singleton_moments_refuses_bad_input():
    """n and m are integers, n >= 1 and m >= 2, each refused by name."""
    with pytest.raises(ValueError, match="n must be >= 1, got 0"):
        hp.arbitrary_facts.uniform_singleton_moments(0, 3)
    with pytest.raises(ValueError, match="m must be >= 2, got 1"):
        hp.arbitrary_facts.uniform_singleton_moments(3, 1)
    with pytest.raises(TypeError, match="m must be an integer, got float"):
        hp.arbitrary_facts.uniform_singleton_moments(3, 2.0)
    with pytest.raises(TypeError, match="n must be an integer, got bool"):
        hp.arbitrary_facts.uniform_singleton_moments(True, 2)
