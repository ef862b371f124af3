"""The Miao-Kearns setting (hallu_proofs.monofacts): Pareto fact corpora, the bigram generator,
upweighting, and the exact decomposition of its hallucination rate."""

import math
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given
from scipy import stats
from tolerance import FLOAT_TOLERANCE

from hallu_proofs import Instance, good_turing, singleton_rate
from hallu_proofs.monofacts import (
    bigram_fact_model,
    binned_kl,
    draw_corpus,
    generation_instance,
    hallucination_decomposition,
    monofact_experiment,
    pareto_frequencies,
    prompted_accuracy,
    upweight,
)
from hallu_proofs.poor_models import NGramModel
from hallu_proofs.strategies import instances


def rng(seed=0):
    return np.random.default_rng(seed)


# --------------------------------------------------------------------------- the identity

@pytest.mark.result("Hallucination accounting identity", kind="exact",
                    functions=["hallucination_decomposition"])
@given(instances(exact=True))
def test_decomposition_is_exact(inst):
    """err = p(V \\ A) - p_hat(V \\ A) + p_hat(E & A) - (p_hat(A) - p(A)), exactly (Fractions),
    on random instances with prompts."""
    parts = hallucination_decomposition(inst)
    assert parts["err"] == parts["identity"]
    assert abs(parts["signed_delta"]) == parts["delta"]


@pytest.mark.result("Hallucination accounting identity", kind="property",
                    functions=["hallucination_decomposition"])
@given(instances(exact=False))
def test_decomposition_floats(inst):
    parts = hallucination_decomposition(inst)
    assert math.isclose(parts["err"], parts["identity"], abs_tol=FLOAT_TOLERANCE)


@pytest.mark.result("Hallucination accounting identity", kind="falsification",
                    functions=["hallucination_decomposition"])
def test_decomposition_falsified_without_the_delta_term():
    """Falsified stronger claim: err >= p(V \\ A) - p_hat(V \\ A) (the bound without delta).
    An overconfident model on the facts it knows hallucinates less than that."""
    inst = Instance([[F(1, 2), F(1, 2), 0, 0]], [[F(9, 10), F(1, 20), F(1, 40), F(1, 40)]],
                    [[True, True, False, False]])
    parts = hallucination_decomposition(inst)
    assert parts["err"] < parts["facts_below"] - parts["model_facts_below"]
    assert parts["signed_delta"] > 0


@pytest.mark.result("Hallucination accounting identity", kind="exact",
                    functions=["hallucination_decomposition"])
@given(instances(exact=True, single_prompt=True))
def test_decomposition_step5_inequality(inst):
    """Step 5: p_hat(V \\ A) <= |V|/|E|, hence err >= p(V \\ A) - |V|/|E| - delta (exact)."""
    parts = hallucination_decomposition(inst)
    ratio = F(int(inst.n_valid[0]), int(inst.n_errors[0]))
    assert parts["model_facts_below"] <= ratio
    assert parts["err"] >= parts["facts_below"] - ratio - parts["delta"]


@pytest.mark.result("Hallucination accounting identity", kind="tightness",
                    functions=["hallucination_decomposition"])
def test_decomposition_step5_is_tight():
    """Every valid slot at the threshold, no error above it, no gap: equality (exercise)."""
    inst = Instance([[F(1, 2), F(1, 2), 0, 0]], [[F(1, 2), F(1, 2), 0, 0]],
                    [[True, True, False, False]])
    parts = hallucination_decomposition(inst)
    assert parts["err"] == parts["facts_below"] - F(2, 2) - parts["delta"] == 0


# --------------------------------------------------------------------------- the generator

def test_bigram_conditionals_are_ngram_model_probabilities():
    """p_hat(d | i) is the next-token probability of poor_models.NGramModel (bigram, add-s),
    renormalised over the attribute tokens."""
    answers = np.array([2, 0, 1])
    persons = np.array([0, 0, 1, 0])
    s = F(1, 10)
    corpus = [f"p{i} d{answers[i]}" for i in persons]
    ngram = NGramModel(corpus, n=2, smoothing=s)
    p_hat = bigram_fact_model(persons, answers, 3, float(s))
    for i in range(3):
        weights = [ngram.next_word_probability(f"p{i}", f"d{d}") for d in range(3)]
        expected = [float(w / sum(weights)) for w in weights]
        assert np.allclose(p_hat[i] / p_hat[i].sum(), expected, atol=FLOAT_TOLERANCE)


def test_bigram_start_is_good_turing():
    """The unseen persons share exactly GT = N_1 / N; the seen ones the rest, by counts."""
    persons = np.array([0, 0, 1, 3, 3, 3])
    p_hat = bigram_fact_model(persons, np.array([0, 1, 0, 1, 0]), 2, 0.5)
    start = p_hat.sum(axis=1)
    gt = good_turing(persons)
    assert gt == 1 / 6
    assert math.isclose(start[[2, 4]].sum(), gt, abs_tol=FLOAT_TOLERANCE)
    assert np.allclose(start[[0, 1, 3]], (1 - gt) * np.array([2, 1, 3]) / 6, atol=FLOAT_TOLERANCE)
    assert math.isclose(p_hat.sum(), 1, abs_tol=FLOAT_TOLERANCE)
    every_person = bigram_fact_model(np.array([0, 1, 1]), np.array([0, 0]), 2, 0.5)
    assert np.allclose(every_person.sum(axis=1), [1 / 3, 2 / 3], atol=FLOAT_TOLERANCE)


def test_calibrated_generator_hallucinates_about_the_monofact_rate():
    """Near-uniform facts (shape 8), 5 seeds: the plain generator's hallucination rate lies
    within 0.02 of the monofact rate and its delta below 0.02."""
    for seed in range(5):
        run = monofact_experiment(8.0, seed, n_facts=1000, n=2500)
        assert abs(run["plain"]["hallucination"] - run["monofact_rate"]) < 0.02
        assert run["plain"]["delta"] < 0.02


def test_upweighting_lowers_hallucination_through_delta():
    """Upweighting 5% of the corpus (x10): hallucination falls by > 20%, the signed delta rises
    by at least 80% of that fall, and the prompted accuracy changes by < 0.01 (5 seeds)."""
    for seed in range(5):
        run = monofact_experiment(2.0, seed, n_facts=1000, n=2500)
        plain, up = run["plain"], run["upweighted"]
        fall = plain["hallucination"] - up["hallucination"]
        assert fall > 0.2 * plain["hallucination"]
        assert up["signed_delta"] - plain["signed_delta"] > 0.8 * fall
        assert abs(up["accuracy"] - plain["accuracy"]) < 0.01


def test_upweighting_keeps_the_original_monofact_rate():
    persons = draw_corpus(pareto_frequencies(500, 1.5, rng(1)), 1000, rng(2))
    up = upweight(persons, 0.05, 10, rng(3))
    assert up.size == 1000 + 50 * 9
    assert np.array_equal(up[:1000], persons)
    values, counts = np.unique(up[1000:], return_counts=True)
    assert np.all(counts % 9 == 0)
    # the upweighted corpus has fewer singletons than the original
    ones = np.zeros(1000, dtype=int)
    assert singleton_rate(up, np.zeros_like(up)) < singleton_rate(persons, ones)
    assert np.array_equal(upweight(persons, 0.0, 10, rng(0)), persons)
    assert upweight(persons, 1.0, 2, rng(0)).size == 2000


def test_pareto_shape_controls_concentration():
    """A smaller shape concentrates more mass on the top 1% of facts (10 seeds, every seed)."""
    for seed in range(10):
        heavy = np.sort(pareto_frequencies(1000, 0.7, rng(seed)))[::-1][:10].sum()
        light = np.sort(pareto_frequencies(1000, 5.0, rng(seed)))[::-1][:10].sum()
        assert heavy > light


def test_draw_corpus_frequencies():
    """Counts of 100,000 draws match p: chi-square test at level 1e-4."""
    p = np.array([0.5, 0.3, 0.2])
    counts = np.bincount(draw_corpus(p, 100_000, rng(4)), minlength=3)
    assert stats.chisquare(counts, 100_000 * p).pvalue > 1e-4


# --------------------------------------------------------------------------- measures

def test_binned_kl_zero_iff_binned_calibration():
    calibrated = Instance([[0.5, 0.5, 0.0]], [[0.5, 0.5, 0.0]], [[True, True, False]])
    assert binned_kl(calibrated) == 0
    skewed = Instance([[0.5, 0.5, 0.0]], [[0.7, 0.2, 0.1]], [[True, True, False]])
    expected = 0.5 * math.log(0.5 / 0.7) + 0.5 * math.log(0.5 / 0.2)
    assert math.isclose(binned_kl(skewed, bins=3), expected, abs_tol=FLOAT_TOLERANCE)
    # one bin: the masses are both 1, KL 0 (coarser bins can only hide miscalibration)
    assert math.isclose(binned_kl(skewed, bins=1), 0, abs_tol=FLOAT_TOLERANCE)


def test_prompted_accuracy_by_hand():
    assert math.isclose(prompted_accuracy([0.25, 0.75], [0, 1], [[0.2, 0.2], [0.1, 0.3]]),
                        0.25 * 0.5 + 0.75 * 0.75, abs_tol=FLOAT_TOLERANCE)


def test_generation_instance_layout():
    inst = generation_instance([0.5, 0.5], [1, 0], [[0.1, 0.4], [0.3, 0.2]])
    assert inst.p.tolist() == [[0.0, 0.5, 0.5, 0.0]]
    assert inst.valid.tolist() == [[False, True, True, False]]


def test_experiment_arguments():
    """Every argument of monofact_experiment with a non-default value changes the run."""
    base = monofact_experiment(1.0, 0, n_facts=300, n=500)
    variants = [dict(n_responses=10), dict(smoothing=0.01), dict(fraction=0.2),
                dict(repeats=3)]
    for change in variants:
        run = monofact_experiment(1.0, 0, n_facts=300, n=500, **change)
        assert run["upweighted"] != base["upweighted"] or run["plain"] != base["plain"], change
    assert monofact_experiment(1.0, 1, n_facts=300, n=500) != base
    assert monofact_experiment(3.0, 0, n_facts=300, n=500) != base
    assert monofact_experiment(1.0, 0, n_facts=300, n=800)["monofact_rate"] != base["monofact_rate"]


def test_experiment_defaults_keys_and_seed():
    """The defaults are the documented ones (2000 facts, 20 responses, N = 5000, smoothing
    0.001, 5% upweighted 10 times); each run reports the documented keys, the decomposition's
    terms among them; the same seed gives the same run."""
    explicit = monofact_experiment(1.5, 0, n_facts=2000, n_responses=20, n=5000,
                                   smoothing=0.001, fraction=0.05, repeats=10)
    assert monofact_experiment(1.5, 0) == explicit
    keys = {"hallucination", "delta", "signed_delta", "facts_below", "model_facts_below",
            "errors_above", "kl", "accuracy"}
    assert set(explicit) == {"monofact_rate", "plain", "upweighted"}
    assert set(explicit["plain"]) == set(explicit["upweighted"]) == keys
    run = explicit["plain"]
    assert math.isclose(run["hallucination"], run["facts_below"] - run["model_facts_below"]
                        + run["errors_above"] - run["signed_delta"], abs_tol=FLOAT_TOLERANCE)
    assert run["delta"] == abs(run["signed_delta"])
    assert monofact_experiment(1.0, 7, n_facts=300, n=500) == monofact_experiment(
        1.0, 7, n_facts=300, n=500)


# --------------------------------------------------------------------------- bad input

RAGGED = [[0], [0, 1]]
HALVES = [[0.5, 0.5], [0.5, 0.5]]


@pytest.mark.parametrize("call, error, message", [
    (lambda: pareto_frequencies(10, "1", rng()), TypeError, "shape must be a real number, got str"),
    (lambda: upweight([0, 1], "0.5", 2, rng()), TypeError,
     "fraction must be a real number, got str"),
    (lambda: upweight([[0, 1]], 0.5, 2, rng()), TypeError,
     r"persons must be a non-empty 1-D integer array, got dtype int64, shape \(1, 2\)"),
    (lambda: bigram_fact_model([0], [0, 1], 2, "0.1"), TypeError,
     "smoothing must be a real number, got str"),
    (lambda: bigram_fact_model(RAGGED, [0, 1], 2, 0.1), ValueError,
     "persons is not a rectangular array"),
    (lambda: bigram_fact_model([0, 2], [0, 1], 2, 0.1), ValueError,
     "persons: entry 1 is 2, but there are only 2 facts$"),
    (lambda: bigram_fact_model([0], [0, 2], 2, 0.1), ValueError,
     r"answers: entry 1 is 2, outside 0\.\.1$"),
    (lambda: bigram_fact_model([0], [1, 3, 0], 3, 0.1), ValueError,
     r"answers: entry 1 is 3, outside 0\.\.2$"),
    (lambda: generation_instance([0.5, 0.6], [0, 1], HALVES), ValueError,
     "frequencies must sum to 1, got 1.1$"),
    (lambda: generation_instance(RAGGED, [0, 1], HALVES), ValueError,
     "frequencies is not a rectangular array"),
    (lambda: generation_instance([0.5, 0.5], ["a", "b"], HALVES), TypeError,
     "answers must be a non-empty 1-D integer array, got dtype <U1"),
    (lambda: generation_instance([0.5, 0.5], [0, 1], RAGGED), ValueError,
     "p_hat is not a rectangular array"),
    (lambda: generation_instance([0.5, 0.5], [0, 3], [[0.2] * 3] * 2), ValueError,
     r"answers: entry 1 is outside 0\.\.2$"),
    (lambda: prompted_accuracy(RAGGED, [0, 1], HALVES), ValueError,
     "frequencies is not a rectangular array"),
    (lambda: prompted_accuracy([0.5, 0.6], [0, 1], HALVES), ValueError,
     "frequencies must sum to 1, got 1.1$"),
    (lambda: prompted_accuracy([0.5, 0.5], ["a", "b"], HALVES), TypeError,
     "answers must be a non-empty 1-D integer array"),
    (lambda: prompted_accuracy([0.5, 0.5], [0, 1], RAGGED), ValueError,
     "p_hat is not a rectangular array"),
    (lambda: hallucination_decomposition([1]), TypeError,
     "inst must be a hallu_proofs.Instance, got list$"),
    (lambda: binned_kl([1]), TypeError, "inst must be a hallu_proofs.Instance, got list$"),
    (lambda: pareto_frequencies(10, 1, 0), TypeError,
     "rng must be a numpy.random.Generator, got int$"),
    (lambda: monofact_experiment(1.5, 0, n_responses=1), ValueError,
     "n_responses must be >= 2, got 1$"),
])
def test_bad_input_is_named(call, error, message):
    with pytest.raises(error, match="^" + message):
        call()


def test_bad_input():
    with pytest.raises(ValueError, match="shape must be > 0"):
        pareto_frequencies(10, 0, rng())
    with pytest.raises(TypeError, match="n_facts must be an integer"):
        pareto_frequencies(10.0, 1, rng())
    with pytest.raises(TypeError, match="rng must be"):
        pareto_frequencies(10, 1, 0)
    with pytest.raises(ValueError, match="frequencies must sum to 1"):
        draw_corpus([0.5, 0.6], 3, rng())
    with pytest.raises(ValueError, match="n must be >= 1"):
        draw_corpus([0.5, 0.5], 0, rng())
    with pytest.raises(ValueError, match="fraction must be in"):
        upweight([0, 1], 1.5, 2, rng())
    with pytest.raises(ValueError, match="repeats must be >= 1"):
        upweight([0, 1], 0.5, 0, rng())
    with pytest.raises(TypeError, match="persons must be a non-empty 1-D integer"):
        upweight([0.5], 0.5, 2, rng())
    with pytest.raises(ValueError, match="persons: entry 1 is negative"):
        upweight([0, -1], 0.5, 2, rng())
    with pytest.raises(ValueError, match="persons: entry 0 is 5"):
        bigram_fact_model([5], [0, 1], 2, 0.1)
    with pytest.raises(ValueError, match="answers: entry 1 is 3"):
        bigram_fact_model([0], [0, 3], 2, 0.1)
    with pytest.raises(ValueError, match="smoothing must be > 0"):
        bigram_fact_model([0], [0, 1], 2, 0)
    with pytest.raises(ValueError, match="n_responses must be >= 2"):
        bigram_fact_model([0], [0, 0], 1, 0.1)
    with pytest.raises(TypeError, match="answers must be a non-empty"):
        bigram_fact_model([0], [], 2, 0.1)
    with pytest.raises(ValueError, match="answers: entry 0 is negative"):
        bigram_fact_model([0], [-1], 2, 0.1)
    with pytest.raises(ValueError, match="p_hat has shape"):
        generation_instance([0.5, 0.5], [0, 1], [[0.5, 0.5]])
    with pytest.raises(ValueError, match="answers: entry 1 is outside"):
        generation_instance([0.5, 0.5], [0, 2], [[0.25, 0.25], [0.25, 0.25]])
    with pytest.raises(TypeError, match="inst must be"):
        hallucination_decomposition("inst")
    with pytest.raises(TypeError, match="inst must be"):
        binned_kl(None)
    with pytest.raises(ValueError, match="bins must be >= 1"):
        binned_kl(Instance([1.0, 0.0], [0.5, 0.5], [True, False]), bins=0)
    with pytest.raises(ValueError, match="p_hat has shape"):
        prompted_accuracy([0.5, 0.5], [0, 1], [[0.5, 0.5]])
    with pytest.raises(TypeError, match="seed must be an integer"):
        monofact_experiment(1.0, 0.5)
