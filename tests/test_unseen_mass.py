"""Good-Turing missing mass: the estimator, its bias, Corollary 3 and Lemma 1 (paper Appendix B).

Exact results use Fractions and no tolerance; Monte-Carlo claims use seeded simulations and an
exact binomial test at significance SIGNIFICANCE.
"""

import importlib
import math
import re
from collections import Counter
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from hypothesis import find, given
from hypothesis import strategies as st
from scipy.stats import binomtest
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
from hallu_proofs import arbitrary_facts as af
from hallu_proofs.strategies import distributions

# The module itself, for its non-exported helpers.
MODULE = importlib.import_module("hallu_proofs.unseen_mass")
#: Significance of every binomial test below.
SIGNIFICANCE = 0.01
IDK_CODE = -1  # the integer code of the IDK response, by the library's contract


def test_idk_code():
    """The abstention code used here is the library's IDK."""
    assert af.IDK == IDK_CODE


def small_exact_distributions(max_values=4):
    return st.integers(1, max_values).flatmap(lambda k: distributions(k, exact=True))


def reference_singleton_rate(prompts, responses):
    """Definition 2, written independently: prompts with exactly one non-IDK row, over N."""
    answered = Counter(int(c) for c, r in zip(prompts, responses) if r != IDK_CODE)
    return Fraction(sum(1 for count in answered.values() if count == 1), len(prompts))


# ----------------------------------------------------------------------------- definitions

@pytest.mark.result("Corollary 3", kind="exact", functions=["good_turing"])
@given(st.lists(st.integers(0, 6), min_size=1, max_size=30))
def test_good_turing_is_the_singleton_fraction(values):
    """GT = #{i : value of sample i occurs exactly once} / N, exactly and as a float."""
    counts = Counter(values)
    expected = Fraction(sum(1 for v in values if counts[v] == 1), len(values))
    assert hp.good_turing(values, exact=True) == expected
    assert hp.good_turing(np.array(values, dtype=float)) == float(expected)


@pytest.mark.result("Corollary 3", kind="exact", functions=["missing_mass"])
@given(small_exact_distributions(6), st.lists(st.integers(0, 5), min_size=1, max_size=12))
def test_missing_mass_is_the_unseen_mass(nu, values):
    """M = sum of nu(x) over the x in 0..k-1 that no sample equals (exact for Fractions)."""
    values = [v % len(nu) for v in values]
    expected = sum((nu[x] for x in range(len(nu)) if x not in values), Fraction(0))
    assert hp.missing_mass(nu, values) == expected
    assert abs(hp.missing_mass(nu.astype(float), values) - float(expected)) <= FLOAT_TOLERANCE


def test_edge_cases():
    """All singletons: GT = 1; no singletons: GT = 0; N = 1: GT = 1; everything seen: M = 0."""
    assert hp.good_turing(np.arange(1000)) == 1.0
    assert hp.good_turing([4, 4, 9, 9, 9]) == 0.0
    assert hp.good_turing([123456789]) == 1.0
    assert hp.good_turing(np.repeat(np.arange(50), 2)) == 0.0
    nu = hp.uniform_distribution(3, exact=True)
    assert hp.missing_mass(nu, [2, 0, 1]) == 0
    assert hp.missing_mass(nu, [1]) == Fraction(2, 3)
    # Sparse huge values take the np.unique path and agree with the small-value path.
    assert hp.good_turing([10**15, 3, 10**15, 7]) == hp.good_turing([5, 3, 5, 7]) == 0.5


# ----------------------------------------------------------------------------- expectations

@pytest.mark.result("Corollary 3", kind="exact",
                    functions=["expected_good_turing", "expected_missing_mass", "enumerate_expectations"])
@given(small_exact_distributions(3), st.integers(1, 5))
def test_closed_form_expectations(nu, n):
    """E[GT] = sum nu (1-nu)^(N-1) and E[M] = sum nu (1-nu)^N, equal to the sum over all k^N samples."""
    assert hp.enumerate_expectations(nu, n) == (
        hp.expected_good_turing(nu, n), hp.expected_missing_mass(nu, n))


@pytest.mark.result("Corollary 3", kind="exact", functions=["expected_good_turing", "expected_missing_mass"])
@given(small_exact_distributions(6), st.integers(1, 40))
def test_good_turing_bias_bound(nu, n):
    """McAllester-Schapire Theorem 1: 0 <= E[GT] - E[M] <= 1/N (exact)."""
    bias = hp.expected_good_turing(nu, n) - hp.expected_missing_mass(nu, n)
    assert 0 <= bias <= Fraction(1, n)


@pytest.mark.result("Corollary 3", kind="tightness",
                    functions=["expected_good_turing", "expected_missing_mass"])
def test_good_turing_bias_bound_tight():
    """E[GT] - E[M] = 1/N at N = 1; = 0 for a point mass; the sharp bound ((N-1)/N)^(N-1)/N is attained."""
    one_point = hp.uniform_distribution(1, exact=True)
    assert hp.expected_good_turing(one_point, 1) - hp.expected_missing_mass(one_point, 1) == 1
    point_mass = np.array([Fraction(1), Fraction(0), Fraction(0)], dtype=object)
    assert hp.expected_good_turing(point_mass, 7) == hp.expected_missing_mass(point_mass, 7) == 0
    for n in range(1, 30):
        uniform = hp.uniform_distribution(n, exact=True)
        bias = hp.expected_good_turing(uniform, n) - hp.expected_missing_mass(uniform, n)
        assert bias == Fraction(n - 1, n) ** (n - 1) / n


@pytest.mark.result("Corollary 3", kind="falsification",
                    functions=["expected_good_turing", "expected_missing_mass"])
def test_good_turing_bias_stronger_claims_fail():
    """GT is not unbiased (E[GT] <= E[M] fails), and E[GT] - E[M] <= 1/(2N) fails."""
    def bias(case):
        nu, n = case
        return hp.expected_good_turing(nu, n) - hp.expected_missing_mass(nu, n)

    cases = st.tuples(small_exact_distributions(4), st.integers(1, 10))
    assert bias(find(cases, lambda c: bias(c) > 0)) > 0
    nu, n = find(cases, lambda c: bias(c) > Fraction(1, 2 * c[1]))
    assert bias((nu, n)) > Fraction(1, 2 * n)


@pytest.mark.result("Corollary 3", kind="symbolic", functions=["good_turing_bias_symbolic"])
def test_good_turing_bias_symbolic():
    """q(1-q)^(N-1) - q(1-q)^N = q^2(1-q)^(N-1); max_q q(1-q)^(N-1) = ((N-1)/N)^(N-1)/N <= 1/N."""
    facts = hp.good_turing_bias_symbolic()
    n = sp.Symbol("N", positive=True)
    assert facts["difference_is_q2_power"] and facts["derivative_is_factored"]
    assert facts["critical_points"] == [1 / n]
    assert facts["base_in_unit_interval"]
    for value in range(1, 60):
        assert facts["maximum_times_n"].subs(n, value) == sp.Rational(value - 1, value) ** (value - 1)
        assert facts["maximum_times_n"].subs(n, value) <= 1
    q = sp.Symbol("q", positive=True)
    assert not MODULE._vanishes(facts["difference"] - q**3 * (1 - q) ** (n - 1), (1 - q) ** (n - 1))


# ----------------------------------------------------------------------------- Corollary 3

@pytest.mark.result("Corollary 3", kind="exact", functions=["good_turing_max_change", "good_turing"])
def test_mcdiarmid_bounded_difference():
    """Changing one of N samples changes GT by at most 2/N; = 2/N for k >= 3; a 1/N bound fails."""
    for n in range(1, 7):
        for k in range(1, 5):
            if k**n > 5000:
                continue
            change = hp.good_turing_max_change(n, k)
            assert change <= Fraction(2, n)
            if n >= 2 and k >= 3:
                assert change == Fraction(2, n)
    assert hp.good_turing_max_change(3, 3) > Fraction(1, 3)
    # The exhaustive search itself, checked on one case by a direct loop over single changes.
    worst = max(
        abs(hp.good_turing(list(s[:i]) + [b] + list(s[i + 1:]), exact=True)
            - hp.good_turing(list(s), exact=True))
        for s in np.ndindex(3, 3, 3, 3) for i in range(4) for b in range(3)
    )
    assert worst == hp.good_turing_max_change(4, 3)


@pytest.mark.result("Corollary 3", kind="symbolic", functions=["corollary3_symbolic", "corollary3_radius"])
def test_corollary3_symbolic():
    """McDiarmid at eps = sqrt(2 ln(4/g)/N) gives g/2; missing mass tails g/2; union g; 1 + sqrt2 <= 2.42."""
    facts = hp.corollary3_symbolic()
    gamma, n = sp.symbols("gamma N", positive=True)
    assert facts["sum_of_squared_differences"] == 4 / n
    assert facts["good_turing_tail"] == gamma / 2
    assert facts["missing_mass_tail"] == gamma / 2
    assert facts["total_failure"] == gamma
    assert sp.simplify(facts["radius_constant"] - (1 + sp.sqrt(2))) == 0
    assert facts["constant_at_most_2_42"]
    assert not bool(facts["radius_constant"] <= sp.Rational(241, 100))  # 2.42 is the 2-digit ceiling
    at = {n: 1000, gamma: sp.Rational(1, 20)}
    assert abs(float(facts["radius"].subs(at)) + (2.42 - float(facts["radius_constant"]))
               * math.sqrt(math.log(80) / 1000) - hp.corollary3_radius(1000, 0.05)) <= FLOAT_TOLERANCE


MONTE_CARLO_CASES = [
    ("zipf", hp.zipf_distribution(2000), 200),
    ("zipf", hp.zipf_distribution(2000), 5000),
    ("geometric", hp.geometric_distribution(400, 0.99), 300),
    ("uniform", hp.uniform_distribution(1000), 1000),
]


@pytest.mark.result("Corollary 3", kind=("monte_carlo", "falsification"),
                    functions=["simulate_good_turing", "corollary3_radius"])
@pytest.mark.parametrize("name, nu, n", MONTE_CARLO_CASES)
def test_corollary3_coverage(name, nu, n, ledger_note):
    """Corollary 3: Pr[|M - GT| <= 1/N + 2.42 sqrt(ln(4/g)/N)] >= 1 - g (binomial test, g = 0.05);
    without the sqrt(1/N) term the coverage fails."""
    gamma, trials = 0.05, 2000
    ledger_note(monte_carlo_runs=trials)
    gt, m = hp.simulate_good_turing(nu, n, trials, seed=4)
    covered = int(np.sum(np.abs(m - gt) <= hp.corollary3_radius(n, gamma)))
    assert binomtest(covered, trials, 1 - gamma, alternative="less").pvalue >= SIGNIFICANCE
    # Step 2 of the proof (McAllester-Ortiz): |M - E[M]| < sqrt(ln(4/g)/N) w.p. >= 1 - g/2.
    m_close = int(np.sum(np.abs(m - hp.expected_missing_mass(nu, n))
                         < math.sqrt(math.log(4 / gamma) / n)))
    assert binomtest(m_close, trials, 1 - gamma / 2, alternative="less").pvalue >= SIGNIFICANCE
    # Falsification: without the sqrt(1/N) term the coverage is significantly below 1 - gamma.
    too_small = int(np.sum(np.abs(m - gt) <= 1 / n + 2.42 * math.sqrt(math.log(4 / gamma)) / n))
    assert binomtest(too_small, trials, 1 - gamma, alternative="less").pvalue < SIGNIFICANCE


# ----------------------------------------------------------------------------- Lemma 1

@st.composite
def training_sets(draw):
    m = draw(st.integers(1, 6))
    mu = draw(distributions(m, exact=True))
    alpha = np.array([Fraction(draw(st.integers(0, 4)), 4) for _ in range(m)], dtype=object)
    n = draw(st.integers(1, 25))
    facts = af.ArbitraryFacts(mu, n_responses=2, alpha=alpha)
    prompts, responses = facts.draw_training_set(np.zeros(m, dtype=int), n,
                                                 rng=draw(st.integers(0, 10**6)))
    return facts, prompts, responses


def unanswered_mass(facts, prompts, responses):
    """MM of a training set: the answer mass of its unanswered prompts (arbitrary_facts)."""
    return af.missing_answer_mass(facts, af.unanswered_prompts(prompts, responses, facts.n_prompts))


@pytest.mark.result("Lemma 1", kind="exact",
                    functions=["collapse_abstentions", "collapsed_distribution", "missing_answer_mass",
                               "good_turing", "missing_mass"])
@given(training_sets())
def test_lemma1_collapsed_differences(case):
    """Lemma 1, steps 1-2: GT - sr in {0, 1/N} (1/N iff IDK occurs once); M - MM = phi(IDK) [IDK unseen]."""
    facts, prompts, responses = case
    n, m = len(prompts), facts.n_prompts
    collapsed = hp.collapse_abstentions(prompts, responses, m)
    sr = reference_singleton_rate(prompts, responses)
    assert af.singleton_rate(prompts, responses) == float(sr)
    idk_count = int(np.sum(responses == IDK_CODE))
    assert hp.good_turing(collapsed, exact=True) - sr == (Fraction(1, n) if idk_count == 1 else 0)
    phi = hp.collapsed_distribution(facts.mu, facts.alpha)
    gap = hp.missing_mass(phi, collapsed) - unanswered_mass(facts, prompts, responses)
    assert gap == (phi[m] if idk_count == 0 else 0)


@pytest.mark.result("Lemma 1", kind="tightness", functions=[])
def test_lemma1_idk_step():
    """If phi(IDK) >= ln(5/g)/N then Pr[IDK unseen] = (1 - phi)^N <= g/5; tight as N grows; g/6 fails."""
    gamma = 0.1
    level = math.log(5 / gamma)
    ratios = []
    for n in (10, 100, 1000, 10**5):
        for phi in np.linspace(level / n, 1, 50):
            assert (1 - phi) ** n <= gamma / 5 + FLOAT_TOLERANCE
        ratios.append((1 - level / n) ** n / (gamma / 5))
    assert ratios == sorted(ratios) and ratios[-1] > 0.999
    assert (1 - level / 10**5) ** 10**5 > gamma / 6


@pytest.mark.result("Lemma 1", kind="monte_carlo",
                    functions=["collapsed_distribution"])
def test_lemma1_collapsed_sample_frequency(ledger_note):
    """Pr[IDK unseen in N samples] = (1 - phi(IDK))^N (seeded, binomial test)."""
    mu, alpha, n, trials = hp.zipf_distribution(30), np.full(30, 0.9), 20, 3000
    ledger_note(monte_carlo_runs=trials)
    phi_idk = hp.collapsed_distribution(mu, alpha)[-1]
    facts, answers = af.ArbitraryFacts(mu, n_responses=2, alpha=alpha), np.zeros(30, dtype=int)
    rng = np.random.default_rng(11)
    unseen = sum(int(np.all(facts.draw_training_set(answers, n, rng)[1] != IDK_CODE))
                 for _ in range(trials))
    assert binomtest(unseen, trials, (1 - phi_idk) ** n).pvalue >= SIGNIFICANCE


@pytest.mark.result("Lemma 1", kind="symbolic", functions=["lemma1_symbolic"])
def test_lemma1_symbolic():
    """ln(4/(4g/5)) = ln(5/g); e^(-L) = g/5; z - (L+1)/N >= 0; sqrt(z) <= 2 sqrt(L/N); 2 + 2.42 = 4.42."""
    facts = hp.lemma1_symbolic()
    gamma, n = sp.symbols("gamma N", positive=True)
    assert sp.simplify(facts["corollary3_log_at_4gamma_over_5"] - sp.log(5 / gamma)) == 0
    assert facts["idk_tail"] == gamma / 5 and facts["total_failure"] == gamma
    assert sp.simplify(facts["z_minus_two_terms"] - (sp.log(5 / gamma) - 1) / n) == 0
    assert facts["log5_above_1"] and facts["sqrt2_at_most_2"] and facts["trivial_case_exceeds_1"]
    assert facts["constant"] == sp.Rational(442, 100)
    assert facts["sqrt_z_coefficient"] == sp.sqrt(2)


@pytest.mark.result("Lemma 1", kind=("monte_carlo", "falsification"),
                    functions=["missing_answer_mass", "lemma1_radius"])
@pytest.mark.parametrize("n", [200, 2000])
def test_lemma1_coverage(n, ledger_note):
    """Lemma 1: Pr[|MM - sr| <= 4.42 sqrt(ln(5/g)/N)] >= 1 - g (binomial test, g = 0.05); radius/100 fails."""
    gamma, trials, prompts_count = 0.05, 400, 3000
    ledger_note(monte_carlo_runs=trials)
    mu = hp.zipf_distribution(prompts_count)
    alpha = np.random.default_rng(1).uniform(0.2, 1.0, prompts_count)
    facts, answers = af.ArbitraryFacts(mu, n_responses=2, alpha=alpha), np.zeros(prompts_count, dtype=int)
    rng = np.random.default_rng(5)
    gaps = []
    for _ in range(trials):
        prompts, responses = facts.draw_training_set(answers, n, rng)
        sr = float(reference_singleton_rate(prompts, responses))
        gaps.append(abs(unanswered_mass(facts, prompts, responses) - sr))
    gaps = np.array(gaps)
    covered = int(np.sum(gaps <= hp.lemma1_radius(n, gamma)))
    assert binomtest(covered, trials, 1 - gamma, alternative="less").pvalue >= SIGNIFICANCE
    too_small = int(np.sum(gaps <= hp.lemma1_radius(n, gamma) / 100))
    assert binomtest(too_small, trials, 1 - gamma, alternative="less").pvalue < SIGNIFICANCE


# ----------------------------------------------------------------------------- samplers and text

def test_distributions_exact_shapes():
    """Zipf, geometric and uniform laws have the stated weights and sum to 1 exactly."""
    assert hp.zipf_distribution(4, exponent=2, exact=True).tolist() == [
        Fraction(144, 205), Fraction(36, 205), Fraction(16, 205), Fraction(9, 205)]
    # the default exponent is 1: weights 1, 1/2, 1/3 over 11/6
    assert hp.zipf_distribution(3, exact=True).tolist() == [
        Fraction(6, 11), Fraction(3, 11), Fraction(2, 11)]
    assert np.abs(hp.zipf_distribution(3) - [6 / 11, 3 / 11, 2 / 11]).max() <= FLOAT_TOLERANCE
    assert hp.geometric_distribution(3, Fraction(1, 2), exact=True).tolist() == [
        Fraction(4, 7), Fraction(2, 7), Fraction(1, 7)]
    for nu in (hp.zipf_distribution(50, 1.3), hp.geometric_distribution(50, 0.9),
               hp.uniform_distribution(50)):
        assert abs(nu.sum() - 1) <= FLOAT_TOLERANCE and np.all(np.diff(nu) <= 0)


@pytest.mark.parametrize("nu", [hp.zipf_distribution(100), hp.geometric_distribution(20, 0.7)])
def test_draw_samples_frequencies(nu):
    """The share of samples equal to 0 matches nu(0) (binomial test); all values lie in 0..k-1."""
    samples = hp.draw_samples(nu, 20_000, seed=3)
    assert samples.min() >= 0 and samples.max() < len(nu)
    assert binomtest(int(np.sum(samples == 0)), samples.size, nu[0]).pvalue >= SIGNIFICANCE


def test_simulate_good_turing_distribution():
    """For nu uniform on 2 values and N = 2: GT = 1 (and M = 0) w.p. 1/2, else GT = 0, M = 1/2."""
    gt, m = hp.simulate_good_turing([0.5, 0.5], 2, trials=4000, seed=2)
    assert set(gt.tolist()) <= {0.0, 1.0} and np.all((gt == 1) == (m == 0))
    assert binomtest(int(gt.sum()), gt.size, 0.5).pvalue >= SIGNIFICANCE


def test_held_out_unseen_rate_estimates_missing_mass():
    """Given the training sample, held-out iid tokens are unseen w.p. exactly M (binomial test)."""
    nu = hp.zipf_distribution(5000)
    train = hp.draw_samples(nu, 3000, seed=8)
    held_out = hp.draw_samples(nu, 20_000, seed=9)
    unseen = round(hp.held_out_unseen_rate(train, held_out) * held_out.size)
    assert binomtest(unseen, held_out.size, hp.missing_mass(nu, train)).pvalue >= SIGNIFICANCE


def test_word_codes():
    """Words are lower-cased letter runs coded by first appearance; a text prefix gives a code prefix."""
    assert hp.word_codes("It's a dog; a DOG isn't a cat.").tolist() == [0, 1, 2, 1, 2, 3, 1, 4]
    text = "one two three two one four"
    assert hp.word_codes(text)[:3].tolist() == hp.word_codes("one two three").tolist()


# ----------------------------------------------------------------------------- refusals

@pytest.mark.result("Corollary 3", kind="validation", functions=["good_turing", "missing_mass"])
@pytest.mark.parametrize("samples, error, words", [
    ([], ValueError, "must not be empty"),
    ([[1, 2]], ValueError, "1-D"),
    ([1, -2], ValueError, "entry 1 is -2"),
    ([1.0, 2.5], ValueError, "entry 1 is 2.5"),
    ([1.0, float("nan")], ValueError, "entry 1"),
    ([True, False], TypeError, "booleans"),
    (["a", "b"], TypeError, "integers"),
    ([Fraction(1, 2)], TypeError, "integers"),
])
def test_missing_mass_refuses_bad_samples(samples, error, words):
    """Samples index nu's support 0..k-1: empty, multi-dimensional, negative, non-integer or
    non-numeric samples are refused."""
    with pytest.raises(error, match=words):
        hp.missing_mass([1.0], samples)


@pytest.mark.parametrize("samples, error, words", [
    ([], ValueError, "samples must not be empty"),
    (np.array([[1, 2]]), ValueError, "samples must be a 1-D array"),
    ([[1, 2]], TypeError, "samples: entry 0 is a list, which is not hashable"),
    ([1.0, float("nan")], ValueError, "samples: entry 1 is nan"),
    ([True, False], TypeError, "samples must hold ids"),
    ([{}, 1], TypeError, "samples: entry 0 is a dict, which is not hashable"),
    (7, TypeError, "samples must be a sequence"),
])
def test_good_turing_refuses_bad_samples(samples, error, words):
    """Good-Turing counts hashable values: empty, 2-D, NaN, boolean or unhashable samples are
    refused by name."""
    with pytest.raises(error, match=words):
        hp.good_turing(samples)


def test_good_turing_of_values_of_any_type():
    """Strings, tuples, Fractions, negative and sparse 64-bit ints and pandas columns are counted
    as values: GT is the same as for the same sample coded 0..d-1."""
    import pandas as pd

    coded = [0, 1, 1, 2, 3, 3, 3, 4]
    gt = hp.good_turing(coded, exact=True)
    assert gt == Fraction(3, 8)
    for sample in ([str(v) for v in coded], [(v, "x") for v in coded], [Fraction(v, 3) for v in coded],
                   [-v for v in coded], np.array([2**62 + 11 * v for v in coded]),
                   [2**80 * v for v in coded], pd.Series(coded), [float(v) / 2 for v in coded]):
        assert hp.good_turing(sample, exact=True) == gt


@pytest.mark.result("Corollary 3", kind="validation",
                    functions=["missing_mass", "expected_good_turing", "expected_missing_mass",
                               "draw_samples", "simulate_good_turing", "enumerate_expectations"])
@pytest.mark.parametrize("nu, message", [
    ([0.5, 0.6], "nu must sum to 1"),
    ([1.5, -0.5], "nu: entry 1"),
    ([], "nu must be a non-empty"),
    ([float("nan"), 1.0], "nu: entry 0"),
])
def test_refuses_bad_distributions(nu, message):
    """nu must be a probability vector, in every function taking one."""
    for call in (lambda: hp.missing_mass(nu, [0]), lambda: hp.expected_good_turing(nu, 3),
                 lambda: hp.expected_missing_mass(nu, 3), lambda: hp.draw_samples(nu, 3),
                 lambda: hp.simulate_good_turing(nu, 3, 2), lambda: hp.enumerate_expectations(nu, 2)):
        with pytest.raises(ValueError, match=message):
            call()


@pytest.mark.result("Corollary 3", "Lemma 1", kind="validation",
                    functions=["missing_mass", "expected_good_turing", "expected_missing_mass",
                               "simulate_good_turing", "corollary3_radius", "lemma1_radius",
                               "enumerate_expectations", "good_turing_max_change"])
def test_refuses_bad_sizes_and_levels():
    """N, trials, k must be positive integers; gamma must lie in (0, 1]; samples must fit nu's support."""
    with pytest.raises(ValueError, match="outside the support 0..1 of nu"):
        hp.missing_mass([0.5, 0.5], [0, 2])
    for bad in (0, -3):
        with pytest.raises(ValueError, match="n must be"):
            hp.expected_good_turing([1.0], bad)
    with pytest.raises(TypeError, match="n must be an integer"):
        hp.expected_missing_mass([1.0], 2.0)
    with pytest.raises(ValueError, match="trials"):
        hp.simulate_good_turing([1.0], 3, 0)
    for radius in (hp.corollary3_radius, hp.lemma1_radius):
        for gamma in (0, -0.1, 1.5):
            with pytest.raises(ValueError, match="gamma must be in"):
                radius(100, gamma)
        with pytest.raises(TypeError, match="gamma"):
            radius(100, "0.1")
        with pytest.raises(ValueError, match="n must be"):
            radius(0, 0.1)
    assert hp.corollary3_radius(100, 1) > 0
    with pytest.raises(ValueError, match="too many"):
        hp.enumerate_expectations(hp.uniform_distribution(10), 7)
    with pytest.raises(ValueError, match="too many"):
        hp.good_turing_max_change(20, 3)
    with pytest.raises(ValueError, match="k must be"):
        hp.zipf_distribution(0)
    with pytest.raises(ValueError, match="exponent must be"):
        hp.zipf_distribution(3, exponent=-1)
    with pytest.raises(ValueError, match="ratio must be"):
        hp.geometric_distribution(3, 0)
    with pytest.raises(ValueError, match="ratio must be"):
        hp.geometric_distribution(3, 1.2)


@pytest.mark.result("Lemma 1", kind="validation",
                    functions=["collapse_abstentions", "collapsed_distribution"])
def test_lemma1_functions_refuse_bad_input():
    """Prompts outside 0..m-1, mismatched shapes, alpha outside [0, 1] or of the wrong shape are refused."""
    mu = [0.5, 0.5]
    with pytest.raises(ValueError, match="prompts: entry 1 is 2"):
        hp.collapse_abstentions([0, 2], [1, 1], n_prompts=2)
    with pytest.raises(ValueError, match="responses has shape"):
        hp.collapse_abstentions([0, 1], [1], n_prompts=2)
    with pytest.raises(TypeError, match="responses must hold integers"):
        hp.collapse_abstentions([0, 1], [0.5, 1.0], n_prompts=2)
    with pytest.raises(ValueError, match="^responses is not a rectangular array"):
        hp.collapse_abstentions([0, 1], [[1], [1, 2]], n_prompts=2)
    with pytest.raises(ValueError, match=r"alpha\[1\] must be in"):
        hp.collapsed_distribution(mu, [1.0, 1.5])
    with pytest.raises(ValueError, match="alpha has shape"):
        hp.collapsed_distribution(mu, [1.0])
    with pytest.raises(TypeError, match="text must be a str"):
        hp.word_codes(b"bytes")
    with pytest.raises(ValueError, match="no words"):
        hp.word_codes("1 2 3 ...")
    with pytest.raises(ValueError, match="held_out must not be empty"):
        hp.held_out_unseen_rate([1], [])


# ----------------------------------------------------------------------------- float paths and messages

@given(small_exact_distributions(3), st.integers(1, 4))
def test_enumerated_expectations_in_floats(nu, n):
    """With a float nu the enumeration gives Python floats equal to the exact values."""
    exact = hp.enumerate_expectations(nu, n)
    approx = hp.enumerate_expectations(nu.astype(float), n)
    assert all(isinstance(x, Fraction) for x in exact) and all(type(x) is float for x in approx)
    assert all(abs(a - float(e)) <= FLOAT_TOLERANCE for a, e in zip(approx, exact))


def test_enumeration_limits():
    """k^N up to 10^6 samples is enumerated; 2^20 > 10^6 is refused."""
    assert hp.good_turing_max_change(6, 10) == Fraction(2, 6)  # k^N = 10^6 exactly
    for call in (hp.good_turing_max_change, lambda n, k: hp.enumerate_expectations(
            hp.uniform_distribution(k), n)):
        with pytest.raises(ValueError, match=r"^n: enumerating k\^n = 2\^20 samples is too many"):
            call(20, 2)


def test_bias_symbolic_expressions():
    """The returned expressions equal the ones written here with the same symbols: the difference
    q(1-q)^(N-1) - q(1-q)^N and the maximum (1/N)(1 - 1/N)^(N-1)."""
    facts = hp.good_turing_bias_symbolic()
    q, n = sp.symbols("q N", positive=True)
    assert sp.simplify(facts["difference"] - (q * (1 - q) ** (n - 1) - q * (1 - q) ** n)) == 0
    assert sp.simplify(facts["maximum"] - (1 - 1 / n) ** (n - 1) / n) == 0
    assert facts["difference"].free_symbols == {q, n}


def test_lemma1_trivial_case_bound():
    """The trivial case: 4.42 sqrt(1/2) = 4.42 / sqrt(2)."""
    facts = hp.lemma1_symbolic()
    assert sp.simplify(facts["trivial_case_bound"] - sp.Rational(442, 100) / sp.sqrt(2)) == 0


def test_distribution_defaults_and_floats():
    """Without exact=True the laws are float arrays; the collapsed distribution in floats equals
    the exact one; word codes are int64; simulations with one seed repeat."""
    assert hp.uniform_distribution(4).dtype == np.float64
    assert hp.uniform_distribution(4).tolist() == [0.25] * 4
    assert hp.geometric_distribution(3, 0.5).dtype == np.float64
    assert np.allclose(hp.geometric_distribution(3, 0.5), [4 / 7, 2 / 7, 1 / 7])
    mu, alpha = [Fraction(1, 4), Fraction(3, 4)], [Fraction(1, 3), Fraction(1)]
    exact = hp.collapsed_distribution(mu, alpha)
    assert exact.tolist() == [Fraction(1, 12), Fraction(3, 4), Fraction(1, 6)]
    approx = hp.collapsed_distribution([0.25, 0.75], [1 / 3, 1.0])
    assert approx.dtype == np.float64 and np.all(np.abs(approx - exact.astype(float)) <= FLOAT_TOLERANCE)
    assert hp.word_codes("b a b").dtype == np.int64
    first = hp.simulate_good_turing(hp.zipf_distribution(50), 20, trials=5, seed=7)
    second = hp.simulate_good_turing(hp.zipf_distribution(50), 20, trials=5, seed=7)
    assert all(np.array_equal(a, b) for a, b in zip(first, second))


def test_error_messages_in_full():
    """The messages of refused inputs name the argument, in full."""
    nu = hp.uniform_distribution(2)
    cases = [
        ("samples: entry 1 is 2, outside the support 0..1 of nu", lambda: hp.missing_mass(nu, [0, 2])),
        ("n must be >= 1, got 0", lambda: hp.enumerate_expectations(nu, 0)),
        ("n must be >= 1, got 0", lambda: hp.good_turing_max_change(0, 3)),
        ("k must be >= 1, got 0", lambda: hp.good_turing_max_change(3, 0)),
        ("n must be >= 1, got 0", lambda: hp.simulate_good_turing(nu, 0, 3)),
        ("trials must be >= 1, got 0", lambda: hp.simulate_good_turing(nu, 3, 0)),
        ("k must be >= 1, got 0", lambda: hp.geometric_distribution(0, 0.5)),
        ("ratio must be in (0, 1], got 0", lambda: hp.geometric_distribution(3, 0)),
        ("k must be >= 1, got 0", lambda: hp.uniform_distribution(0)),
        ("n_prompts must be >= 1, got 0", lambda: hp.collapse_abstentions([0], [1], 0)),
        ("text must be a str, got int", lambda: hp.word_codes(3)),
        ("text contains no words", lambda: hp.word_codes("1 2")),
        ("train must not be empty", lambda: hp.held_out_unseen_rate([], [1])),
    ]
    for message, call in cases:
        with pytest.raises((ValueError, TypeError), match="^" + re.escape(message) + "$"):
            call()


def test_draw_samples_never_draws_a_zero_mass_value():
    """Values of probability 0 never occur in a sample."""
    assert set(hp.draw_samples([0.25, 0.0, 0.75], 500, seed=2).tolist()) == {0, 2}


def test_zipf_weights():
    """nu(x) proportional to (x + 1)^-s, in floats (any s >= 0) and exactly (integer s)."""
    for s in (0, 1, 1.5, 2):
        weights = [(x + 1) ** -s for x in range(6)]
        expected = [w / sum(weights) for w in weights]
        assert np.all(np.abs(hp.zipf_distribution(6, s) - expected) <= FLOAT_TOLERANCE)
    for s in (0, 1, 3):
        weights = [Fraction(1, (x + 1) ** s) for x in range(5)]
        assert hp.zipf_distribution(5, s, exact=True).tolist() == [w / sum(weights) for w in weights]
    assert hp.zipf_distribution(3).dtype == np.float64


def test_missing_mass_takes_whole_floats_and_python_ints():
    """Samples as whole floats or as an object array of Python ints are integers; booleans in
    an object array are not; the caller's array is not modified."""
    nu = [Fraction(1, 2), Fraction(1, 3), Fraction(1, 6)]
    for samples in ([0.0, 2.0], np.array([0, 2], dtype=object), np.array([0, 2], dtype=np.int32)):
        assert hp.missing_mass(nu, samples) == Fraction(1, 3), samples
    with pytest.raises(TypeError, match="^samples must hold integers$"):
        hp.missing_mass(nu, np.array([0, True], dtype=object))
    mine = np.array([0, 2])
    hp.missing_mass(nu, mine)
    assert mine.tolist() == [0, 2] and mine.flags.writeable


def test_input_check_messages_in_full():
    """The messages of the sample, pair and alpha checks, in full."""
    mu, alpha = [0.5, 0.5], [1.0, 0.5]
    cases = [
        ("samples must be a 1-D array, got shape (1, 2)", lambda: hp.good_turing(np.array([[1, 2]]))),
        ("samples must not be empty", lambda: hp.good_turing([])),
        ("samples must hold ids (ints, strings, tuples, ...), got booleans", lambda: hp.good_turing([True])),
        ("samples: entry 0 is a set, which is not hashable; ids must be hashable",
         lambda: hp.good_turing([{1}, 2])),
        ("samples: entry 1 is nan; an id must equal itself", lambda: hp.good_turing([1.0, float("nan")])),
        ("samples must hold integers", lambda: hp.missing_mass([1.0], np.array([1, 0.5], dtype=object))),
        ("samples: entry 1 is 2.5; values must be integers", lambda: hp.missing_mass([1.0], [1.0, 2.5])),
        ("samples must hold integers, got dtype <U1", lambda: hp.missing_mass([1.0], ["a"])),
        ("samples: entry 1 is -2; values must be >= 0", lambda: hp.missing_mass([1.0], [1, -2])),
        ("prompts: entry 1 is 2, but there are only 2 prompts",
         lambda: hp.collapse_abstentions([0, 2], [1, 1], 2)),
        ("prompts must not be empty", lambda: hp.collapse_abstentions([], [], 2)),
        ("responses must hold integers, got dtype float64",
         lambda: hp.collapse_abstentions([0, 1], [0.5, 1.0], 2)),
        ("responses must hold integers, got dtype bool",
         lambda: hp.collapse_abstentions([0, 1], [True, False], 2)),
        ("responses has shape (1,), but prompts has shape (2,)",
         lambda: hp.collapse_abstentions([0, 1], [1], 2)),
        ("alpha has shape (1,), but mu has shape (2,)", lambda: hp.collapsed_distribution(mu, [1.0])),
        ("alpha[1] must be in [0, 1], got 1.5", lambda: hp.collapsed_distribution(mu, [1.0, 1.5])),
        ("alpha[0] must be a real number, got str", lambda: hp.collapsed_distribution(mu, ["a", "b"])),
        ("alpha[0] must be a real number, got NoneType",
         lambda: hp.collapsed_distribution(mu, [None, 1.0])),
        ("mu must sum to 1, got 1.1", lambda: hp.collapsed_distribution([0.5, 0.6], alpha)),
        ("n must be >= 1, got 0", lambda: hp.draw_samples(mu, 0)),
        ("exponent must be >= 0, got -1", lambda: hp.zipf_distribution(3, exponent=-1)),
        ("exponent must be an integer, got float", lambda: hp.zipf_distribution(3, 1.5, exact=True)),
        ("exponent must be a real number, got str", lambda: hp.zipf_distribution(3, "1")),
        ("k must be >= 1, got 0", lambda: hp.zipf_distribution(0)),
        ("ratio must be in [0, 1], got 1.2", lambda: hp.geometric_distribution(3, 1.2)),
        ("gamma must be in (0, 1], got 0", lambda: hp.lemma1_radius(10, 0)),
        ("n must be >= 1, got 0", lambda: hp.lemma1_radius(0, 0.1)),
        ("n must be >= 1, got 0", lambda: hp.corollary3_radius(0, 0.1)),
        ("held_out must not be empty", lambda: hp.held_out_unseen_rate([1], [])),
    ]
    for message, call in cases:
        with pytest.raises((ValueError, TypeError), match="^" + re.escape(message) + "$"):
            call()


def test_radii_follow_the_derivations():
    """lemma1_radius is lemma1_symbolic's constant times sqrt(ln(5/g)/N); corollary3_radius is
    1/N + 2.42 sqrt(ln(4/g)/N)."""
    constant = float(hp.lemma1_symbolic()["constant"])
    for n, gamma in ((10, 1), (1000, 0.05), (12345, 1e-6)):
        assert abs(hp.lemma1_radius(n, gamma) - constant * math.sqrt(math.log(5 / gamma) / n)) \
            <= FLOAT_TOLERANCE
        assert abs(hp.corollary3_radius(n, gamma) - (1 / n + 2.42 * math.sqrt(math.log(4 / gamma) / n))) \
            <= FLOAT_TOLERANCE


def test_seeds_and_generators_agree():
    """An int seed and a Generator seeded with it give the same draws."""
    nu = hp.zipf_distribution(20)
    assert np.array_equal(hp.draw_samples(nu, 50, seed=4), hp.draw_samples(nu, 50, np.random.default_rng(4)))
    generator = np.random.default_rng(9)
    first = hp.draw_samples(nu, 50, generator)  # a Generator given is used, and advanced
    assert not np.array_equal(hp.draw_samples(nu, 50, generator), first)
    assert np.array_equal(first, hp.draw_samples(nu, 50, seed=9))
    a = hp.simulate_good_turing(nu, 30, 5, seed=6)
    b = hp.simulate_good_turing(nu, 30, 5, seed=np.random.default_rng(6))
    assert all(np.array_equal(x, y) for x, y in zip(a, b))


def test_object_arrays_of_python_ints_are_samples():
    """An object array of Python ints is a valid sample."""
    assert hp.good_turing(np.array([1, 2, 2], dtype=object), exact=True) == Fraction(1, 3)


def test_word_codes_unicode_letters_and_typographic_apostrophe():
    """Accented letters stay inside a word; ’ joins like '; digits and _ separate words."""
    assert hp.word_codes("Café naïve café").tolist() == [0, 1, 0]
    assert hp.word_codes("doesn’t doesn't doesn").tolist() == [0, 1, 2]
    assert hp.word_codes("a_b c3d").tolist() == [0, 1, 2, 3]
    assert hp.word_codes("’tis rock’").tolist() == [0, 1]  # no outer apostrophes
