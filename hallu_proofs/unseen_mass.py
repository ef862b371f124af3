"""Good-Turing missing mass: Corollary 3 and Lemma 1 of the paper (Appendix B).

A sample is a 1-D array of non-negative integers, the values drawn from a distribution ``nu``
over 0..k-1. The Good-Turing estimate GT is the fraction of the N samples whose value occurs
exactly once (Good, 1953); the missing mass M is the nu-mass of the values that never occur.

>>> import numpy as np
>>> nu = np.array([0.5, 0.25, 0.125, 0.125])
>>> samples = [0, 0, 1, 3]
>>> good_turing(samples), missing_mass(nu, samples)
(0.5, 0.125)
>>> from fractions import Fraction as F
>>> expected_good_turing([F(1, 2), F(1, 2)], 2), expected_missing_mass([F(1, 2), F(1, 2)], 2)
(Fraction(1, 2), Fraction(1, 4))

For Lemma 1 the training data are (prompt, response) pairs; a response equal to ``idk``
(default `hallu_proofs.IDK`, the integer code -1 of the IDK response) is an abstention.
`collapse_abstentions` maps every abstention to one extra symbol, so that the Good-Turing
machinery applies to the collapsed sample.
"""

from __future__ import annotations

import math
import re
from fractions import Fraction
from numbers import Integral

import numpy as np

from ._lazy import sympy as sp
from .arbitrary_facts import IDK
from .validation import (
    as_array,
    as_id_array,
    check_confidence_level,
    check_distribution,
    check_positive_int,
    check_probability,
    check_real,
    id_counts,
)

__all__ = [
    "collapse_abstentions",
    "collapsed_distribution",
    "corollary3_radius",
    "corollary3_symbolic",
    "draw_samples",
    "enumerate_expectations",
    "expected_good_turing",
    "expected_missing_mass",
    "geometric_distribution",
    "good_turing",
    "good_turing_bias_symbolic",
    "good_turing_max_change",
    "held_out_unseen_rate",
    "lemma1_radius",
    "lemma1_symbolic",
    "missing_mass",
    "simulate_good_turing",
    "uniform_distribution",
    "word_codes",
    "zipf_distribution",
]


# --------------------------------------------------------------------------- input checks

def _check_samples(samples, name="samples"):
    """A non-empty 1-D array of non-negative integers, returned as int64."""
    arr = as_array(samples, name)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {arr.shape}")
    if arr.size == 0:
        raise ValueError(f"{name} must not be empty")
    if arr.dtype == bool:
        raise TypeError(f"{name} must hold integers, got booleans")
    if arr.dtype == object:
        if not all(isinstance(x, Integral) and not isinstance(x, bool) for x in arr):
            raise TypeError(f"{name} must hold integers")
        arr = arr.astype(np.int64)
    elif np.issubdtype(arr.dtype, np.floating):
        bad = np.flatnonzero(~np.isfinite(arr) | (arr != np.round(arr)))
        if bad.size:
            raise ValueError(f"{name}: entry {bad[0]} is {arr[bad[0]].item()!r}; values must be integers")
        arr = arr.astype(np.int64)
    elif not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    negative = np.flatnonzero(arr < 0)
    if negative.size:
        raise ValueError(f"{name}: entry {negative[0]} is {arr[negative[0]]}; values must be >= 0")
    return arr.astype(np.int64, copy=False)


def _check_in_support(arr, k, name):
    too_large = np.flatnonzero(arr >= k)
    if too_large.size:
        i = too_large[0]
        raise ValueError(f"{name}: entry {i} is {arr[i]}, outside the support 0..{k - 1} of nu")


# --------------------------------------------------------------------------- the estimator

def good_turing(samples, exact=False):
    """GT: the fraction of the N samples whose value occurs exactly once.

    Parameters
    ----------
    samples : array_like of hashable, shape (N,)
        Any hashable values: ints of any size, strings, tuples, a pandas column; N >= 1.
        Time O(N log N) and memory O(N), whatever the values.
    exact : bool
        Return a `fractions.Fraction` instead of a float.

    Examples
    --------
    >>> good_turing([3, 1, 4, 1, 5])
    0.6
    >>> good_turing([7, 7], exact=True), good_turing([2]), good_turing(["a", "b", "a"])
    (Fraction(0, 1), 1.0, 0.3333333333333333)
    >>> good_turing([])
    Traceback (most recent call last):
    ...
    ValueError: samples must not be empty
    """
    values = as_id_array(samples, "samples")
    if values.size == 0:
        raise ValueError("samples must not be empty")
    singletons = int(np.count_nonzero(id_counts(values, "samples") == 1))
    return Fraction(singletons, values.size) if exact else singletons / values.size


def missing_mass(nu, samples):
    """M: the nu-mass of the values in 0..k-1 that do not occur in ``samples``.

    Parameters
    ----------
    nu : array_like, shape (k,)
        A probability distribution over 0..k-1 (floats, or Fractions for an exact result).
    samples : array_like of int
        Values in 0..k-1.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> missing_mass([F(1, 2), F(1, 3), F(1, 6)], [0, 0, 2])
    Fraction(1, 3)
    >>> missing_mass([0.5, 0.5], [0, 2])
    Traceback (most recent call last):
    ...
    ValueError: samples: entry 1 is 2, outside the support 0..1 of nu
    """
    nu = check_distribution(nu, "nu")
    arr = _check_samples(samples)
    _check_in_support(arr, nu.size, "samples")
    unseen = np.ones(nu.size, dtype=bool)
    unseen[arr] = False
    if nu.dtype == object:
        return Fraction(sum(nu[unseen]))
    return float(nu[unseen].sum())


def expected_good_turing(nu, n):
    """E[GT] = sum_x nu(x) (1 - nu(x))^(N-1) for N iid samples from nu.

    Value x is a singleton with probability N nu(x) (1 - nu(x))^(N-1); divide by N.

    >>> expected_good_turing([0.5, 0.5], 3)
    0.25
    """
    nu = check_distribution(nu, "nu")
    n = check_positive_int(n, "n")
    if nu.dtype == object:
        return Fraction(sum(q * (1 - q) ** (n - 1) for q in nu))
    return float(np.sum(nu * (1.0 - nu) ** (n - 1)))


def expected_missing_mass(nu, n):
    """E[M] = sum_x nu(x) (1 - nu(x))^N for N iid samples from nu.

    >>> expected_missing_mass([0.5, 0.5], 3)
    0.125
    """
    nu = check_distribution(nu, "nu")
    n = check_positive_int(n, "n")
    if nu.dtype == object:
        return Fraction(sum(q * (1 - q) ** n for q in nu))
    return float(np.sum(nu * (1.0 - nu) ** n))


def enumerate_expectations(nu, n):
    """E[GT] and E[M] by summing over all k^N samples (exact for Fraction ``nu``; small k^N only).

    Independent of the closed forms, so the two can be compared.

    >>> from fractions import Fraction as F
    >>> enumerate_expectations([F(1, 2), F(1, 2)], 3)
    (Fraction(1, 4), Fraction(1, 8))
    """
    nu = check_distribution(nu, "nu")
    n = check_positive_int(n, "n")
    k = nu.size
    if k**n > 10**6:
        raise ValueError(f"n: enumerating k^n = {k}^{n} samples is too many (limit 10^6)")
    all_samples = np.indices((k,) * n).reshape(n, -1).T
    counts = (all_samples[:, :, None] == np.arange(k)).sum(axis=1)
    singletons = (counts == 1).sum(axis=1)
    unseen = counts == 0
    expected_gt = expected_m = 0
    for sample, ones, missing in zip(all_samples, singletons, unseen):
        prob = math.prod(nu[sample])  # exact for Fractions
        expected_gt += prob * Fraction(int(ones), n)  # a float times a Fraction is a float
        expected_m += prob * nu[missing].sum()
    if nu.dtype == object:
        return expected_gt, expected_m
    return float(expected_gt), float(expected_m)


def good_turing_max_change(n, k):
    """The largest change of GT when one of N samples over k values is changed (exhaustive).

    McDiarmid's inequality needs this bounded difference. It is 2/N when N >= 2 and k >= 3
    (a value seen twice loses one copy to an unseen value: two new singletons), and at N = 2,
    k = 2; with k = 2 and N >= 3 it is only 1/N.

    >>> good_turing_max_change(3, 3)
    Fraction(2, 3)
    """
    n = check_positive_int(n, "n")
    k = check_positive_int(k, "k")
    if k**n > 10**6:
        raise ValueError(f"n: enumerating k^n = {k}^{n} samples is too many (limit 10^6)")
    all_samples = np.indices((k,) * n).reshape(n, -1).T
    counts = (all_samples[:, :, None] == np.arange(k)).sum(axis=1)
    singletons = (counts == 1).sum(axis=1).reshape((k,) * n)
    # Along axis i only sample i varies: the spread along it is the largest change of sample i.
    largest = max(int(np.ptp(singletons, axis=i).max()) for i in range(n))
    return Fraction(largest, n)


# --------------------------------------------------------------------------- the bounds

def corollary3_radius(n, gamma):
    """Corollary 3: |M - GT| <= 1/N + 2.42 sqrt(ln(4/gamma) / N) with probability >= 1 - gamma.

    >>> round(corollary3_radius(10_000, 0.01), 4)
    0.0593
    """
    n = check_positive_int(n, "n")
    gamma = check_confidence_level(gamma)
    return 1 / n + 2.42 * math.sqrt(math.log(4 / gamma) / n)


def lemma1_radius(n, gamma):
    """Lemma 1: |MM - sr| <= 4.42 sqrt(ln(5/gamma) / N) with probability >= 1 - gamma.

    >>> round(lemma1_radius(10_000, 0.01), 4)
    0.1102
    """
    n = check_positive_int(n, "n")
    gamma = check_confidence_level(gamma)
    return 4.42 * math.sqrt(math.log(5 / gamma) / n)


def good_turing_bias_symbolic():
    """The sympy steps of 0 <= E[GT] - E[M] <= 1/N, per value x with q = nu(x).

    Returns a dict:

    * ``difference``: q (1-q)^(N-1) - q (1-q)^N, and ``difference_is_q2_power``: it equals
      q^2 (1-q)^(N-1) (so E[GT] - E[M] = sum_x nu(x) [nu(x) (1 - nu(x))^(N-1)] >= 0);
    * ``derivative_is_factored``: d/dq q(1-q)^(N-1) = (1-q)^(N-2) (1 - N q);
    * ``critical_points``: where 1 - N q vanishes, [1/N];
    * ``maximum``: q(1-q)^(N-1) at q = 1/N, and ``maximum_times_n``: N times it, ((N-1)/N)^(N-1);
    * ``base_in_unit_interval``: with N = 1 + t, t >= 0, the base t/(1+t) lies in [0, 1), so its
      t-th power is at most 1 and the maximum is at most 1/N.

    >>> facts = good_turing_bias_symbolic()
    >>> facts["critical_points"], facts["difference_is_q2_power"], facts["derivative_is_factored"]
    ([1/N], True, True)
    >>> facts["base_in_unit_interval"]
    True
    """
    q, n, t = sp.symbols("q N t", positive=True)
    term = q * (1 - q) ** (n - 1)
    difference = term - q * (1 - q) ** n
    derivative = sp.diff(term, q)
    maximum = sp.simplify(term.subs(q, 1 / n))
    base = sp.simplify((1 - 1 / n).subs(n, 1 + t))
    return {
        "difference": difference,
        "difference_is_q2_power": _vanishes(difference - q**2 * (1 - q) ** (n - 1),
                                            (1 - q) ** (n - 1)),
        "derivative_is_factored": _vanishes(derivative - (1 - q) ** (n - 2) * (1 - n * q),
                                            (1 - q) ** (n - 2)),
        "critical_points": sp.solve(sp.Eq(1 - n * q, 0), q),
        "maximum": maximum,
        "maximum_times_n": sp.simplify(maximum * n),
        "base_in_unit_interval": bool(base.is_nonnegative and sp.simplify(1 - base).is_positive),
    }


def _vanishes(expr, common_power):
    """Whether expr is identically 0, after dividing out a power with a symbolic exponent."""
    reduced = sp.powsimp(sp.expand_power_exp(sp.expand(expr / common_power)))
    return sp.simplify(reduced) == 0


def corollary3_symbolic():
    """The sympy steps of Corollary 3's proof (McDiarmid, two tails, union bound, 2.42).

    Returns a dict of sympy expressions and booleans:

    * ``sum_of_squared_differences``: N (2/N)^2 = 4/N;
    * ``good_turing_tail``: McDiarmid 2 exp(-2 eps^2 / (4/N)) at eps = sqrt(2 ln(4/gamma)/N);
    * ``missing_mass_tail``: 2 exp(-N eps^2) at eps = sqrt(ln(4/gamma)/N) (both tails);
    * ``total_failure``: their sum;
    * ``radius``: 1/N + sqrt(ln(4/gamma)/N) + sqrt(2 ln(4/gamma)/N);
    * ``radius_constant``: the coefficient 1 + sqrt(2) of sqrt(ln(4/gamma)/N);
    * ``constant_at_most_2_42``: 1 + sqrt(2) <= 2.42.

    >>> facts = corollary3_symbolic()
    >>> facts["good_turing_tail"], facts["total_failure"], facts["constant_at_most_2_42"]
    (gamma/2, gamma, True)
    """
    n, gamma = sp.symbols("N gamma", positive=True)
    log_term = sp.log(4 / gamma)
    squared_differences = sp.simplify(n * (2 / n) ** 2)
    eps_gt = sp.sqrt(2 * log_term / n)
    eps_m = sp.sqrt(log_term / n)
    gt_tail = sp.simplify(2 * sp.exp(-2 * eps_gt**2 / squared_differences))
    m_tail = sp.simplify(2 * sp.exp(-n * eps_m**2))
    radius = 1 / n + eps_m + eps_gt
    constant = sp.simplify((radius - 1 / n) / sp.sqrt(log_term / n))
    return {
        "sum_of_squared_differences": squared_differences,
        "good_turing_tail": gt_tail,
        "missing_mass_tail": m_tail,
        "total_failure": sp.simplify(gt_tail + m_tail),
        "radius": radius,
        "radius_constant": constant,
        "constant_at_most_2_42": bool(constant <= sp.Rational(242, 100)),
    }


def lemma1_symbolic():
    """The sympy steps of Lemma 1's proof (Appendix B), with L = ln(5/gamma).

    Returns a dict:

    * ``corollary3_log_at_4gamma_over_5``: ln(4 / (4 gamma/5)), which is L;
    * ``idk_tail``: exp(-N * L/N), the bound on Pr[IDK unseen] once phi(IDK) >= L/N: gamma/5;
    * ``total_failure``: gamma/5 + 4 gamma/5;
    * ``z_minus_two_terms``: z - (L/N + 1/N) for z = 2L/N, i.e. (L - 1)/N;
    * ``log5_above_1``: ln 5 > 1, so the previous line is >= 0 for every gamma <= 1;
    * ``sqrt_z_coefficient``: sqrt(z) / sqrt(L/N) = sqrt(2), and ``sqrt2_at_most_2``;
    * ``constant``: 2 + 2.42 = 4.42 (exact rationals);
    * ``trivial_case_bound``: 4.42 sqrt(z/2) at z = 1, i.e. 4.42/sqrt(2) > 1 >= |MM - sr|
      (``trivial_case_exceeds_1``).

    >>> facts = lemma1_symbolic()
    >>> facts["idk_tail"], facts["total_failure"], facts["constant"]
    (gamma/5, gamma, 221/50)
    """
    n, gamma = sp.symbols("N gamma", positive=True)
    big_l = sp.log(5 / gamma)
    z = 2 * big_l / n
    coefficient = sp.simplify(sp.sqrt(z) / sp.sqrt(big_l / n))
    constant = 2 + sp.Rational(242, 100)
    trivial = constant * sp.sqrt(sp.Rational(1, 2))
    return {
        "corollary3_log_at_4gamma_over_5": sp.expand_log(sp.log(4 / (4 * gamma / 5)), force=True),
        "idk_tail": sp.simplify(sp.exp(-n * (big_l / n))),
        "total_failure": sp.simplify(gamma / 5 + 4 * gamma / 5),
        "z_minus_two_terms": sp.simplify(z - (big_l / n + 1 / n)),
        "log5_above_1": bool(sp.log(5) > 1),
        "sqrt_z_coefficient": coefficient,
        "sqrt2_at_most_2": bool(coefficient <= 2),
        "constant": constant,
        "trivial_case_bound": trivial,
        "trivial_case_exceeds_1": bool(trivial > 1),
    }


# --------------------------------------------------------------------------- distributions

def zipf_distribution(k, exponent=1, exact=False):
    """Zipf's law on 0..k-1: nu(x) proportional to 1 / (x + 1)^exponent.

    >>> zipf_distribution(3, exact=True).tolist()
    [Fraction(6, 11), Fraction(3, 11), Fraction(2, 11)]
    """
    k = check_positive_int(k, "k")
    check_real(exponent, "exponent")
    if exponent < 0:
        raise ValueError(f"exponent must be >= 0, got {exponent!r}")
    if exact:
        exponent = check_positive_int(exponent, "exponent", minimum=0)
        weights = [Fraction(1, (x + 1) ** exponent) for x in range(k)]
        return _normalized_fractions(weights)
    weights = np.arange(1, k + 1, dtype=float) ** -float(exponent)
    return weights / weights.sum()


def geometric_distribution(k, ratio, exact=False):
    """A geometric law truncated to 0..k-1: nu(x) proportional to ratio^x, 0 < ratio <= 1.

    >>> geometric_distribution(3, 0.5).tolist()
    [0.5714285714285714, 0.2857142857142857, 0.14285714285714285]
    """
    k = check_positive_int(k, "k")
    check_probability(ratio, "ratio")
    if ratio == 0:
        raise ValueError("ratio must be in (0, 1], got 0")
    if exact:
        r = Fraction(ratio)
        return _normalized_fractions([r**x for x in range(k)])
    weights = float(ratio) ** np.arange(k)
    return weights / weights.sum()


def uniform_distribution(k, exact=False):
    """The uniform law on 0..k-1.

    >>> uniform_distribution(2, exact=True).tolist()
    [Fraction(1, 2), Fraction(1, 2)]
    """
    k = check_positive_int(k, "k")
    if exact:
        return np.array([Fraction(1, k)] * k)
    return np.full(k, 1.0 / k)


def _normalized_fractions(weights):
    total = sum(weights)
    return np.array([w / total for w in weights])


def draw_samples(nu, n, seed=None):
    """N iid samples from nu over 0..k-1 (inverse CDF, vectorized), as an int64 array.

    ``seed`` is an int, None, or a `numpy.random.Generator`.

    >>> draw_samples([0.0, 1.0], 4, seed=0).tolist()
    [1, 1, 1, 1]
    """
    nu = check_distribution(nu, "nu").astype(float)
    n = check_positive_int(n, "n")
    cdf = np.cumsum(nu)
    u = np.random.default_rng(seed).random(n) * cdf[-1]
    return np.minimum(np.searchsorted(cdf, u, side="right"), nu.size - 1).astype(np.int64)


def simulate_good_turing(nu, n, trials, seed=None):
    """GT and M on ``trials`` independent samples of size N from nu, via multinomial counts.

    Returns two float arrays of length ``trials``: the Good-Turing estimates and the missing
    masses. Only the counts matter, so each trial costs O(k), not O(N).

    >>> gt, m = simulate_good_turing([0.5, 0.5], 1, trials=3, seed=0)
    >>> gt.tolist(), m.tolist()
    ([1.0, 1.0, 1.0], [0.5, 0.5, 0.5])
    """
    nu = check_distribution(nu, "nu").astype(float)
    n = check_positive_int(n, "n")
    trials = check_positive_int(trials, "trials")
    counts = np.random.default_rng(seed).multinomial(n, nu / nu.sum(), size=trials)
    return (counts == 1).sum(axis=1) / n, (counts == 0) @ nu


# --------------------------------------------------------------------------- Lemma 1: abstentions

def _check_pairs(prompts, responses, n_prompts):
    c = _check_samples(prompts, "prompts")
    _check_in_support_prompts(c, n_prompts)
    r = as_array(responses, "responses")
    if r.dtype == bool or not np.issubdtype(r.dtype, np.integer):
        raise TypeError(f"responses must hold integers, got dtype {r.dtype}")
    if r.shape != c.shape:
        raise ValueError(f"responses has shape {r.shape}, but prompts has shape {c.shape}")
    return c, r


def _check_in_support_prompts(c, n_prompts):
    too_large = np.flatnonzero(c >= n_prompts)
    if too_large.size:
        i = too_large[0]
        raise ValueError(f"prompts: entry {i} is {c[i]}, but there are only {n_prompts} prompts")


def _check_answer_probabilities(mu, alpha):
    mu = check_distribution(mu, "mu")
    raw = as_array(alpha, "alpha")
    if raw.shape != mu.shape:
        raise ValueError(f"alpha has shape {raw.shape}, but mu has shape {mu.shape}")
    for c, a in enumerate(raw.tolist()):  # Python numbers, so that a message shows 1.5
        check_probability(a, f"alpha[{c}]")
    return mu, raw.astype(object if mu.dtype == object else float)


def collapse_abstentions(prompts, responses, n_prompts, idk=IDK):
    """The Lemma 1 sample: answered row i becomes its prompt, every abstention one symbol n_prompts.

    In the Arbitrary Facts model a prompt has a single non-IDK answer, so (prompt, answer) is
    determined by the prompt; all (prompt, IDK) rows collapse to the one symbol ``n_prompts``.

    >>> collapse_abstentions([0, 1, 1, 2], [5, -1, 7, -1], n_prompts=3).tolist()
    [0, 3, 1, 3]
    """
    n_prompts = check_positive_int(n_prompts, "n_prompts")
    c, r = _check_pairs(prompts, responses, n_prompts)
    return np.where(r == idk, n_prompts, c)


def collapsed_distribution(mu, alpha):
    """phi: phi(c) = mu(c) alpha(c) for prompt c answered, phi(n_prompts) = sum_c mu(c)(1 - alpha(c)).

    The distribution of one collapsed training example.

    >>> from fractions import Fraction as F
    >>> collapsed_distribution([F(1, 2), F(1, 2)], [1, F(1, 2)]).tolist()
    [Fraction(1, 2), Fraction(1, 4), Fraction(1, 4)]
    """
    mu, alpha = _check_answer_probabilities(mu, alpha)
    return np.append(mu * alpha, sum(mu * (1 - alpha)))


# --------------------------------------------------------------------------- real text

def word_codes(text):
    """The words of ``text`` (lower-cased runs of letters, with inner apostrophes) as integer codes.

    Letters are Unicode letters (digits and underscores excluded); an inner apostrophe is ' or
    the typographic ’. Codes number the distinct words in order of first appearance, so a
    prefix of the text is a prefix of the codes.

    >>> word_codes("The cat saw the other cat.").tolist()
    [0, 1, 2, 0, 3, 1]
    >>> word_codes("Café naïve, café doesn’t").tolist()
    [0, 1, 0, 2]
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    words = re.findall(r"[^\W\d_]+(?:['’][^\W\d_]+)*", text.lower())
    if not words:
        raise ValueError("text contains no words")
    _, first, inverse = np.unique(words, return_index=True, return_inverse=True)
    rank = np.empty(first.size, dtype=np.int64)
    rank[np.argsort(first)] = np.arange(first.size)
    return rank[inverse]


def held_out_unseen_rate(train, held_out):
    """The fraction of ``held_out`` samples whose value never occurs in ``train``.

    On iid data this is an unbiased estimate of the missing mass of ``train``.

    >>> held_out_unseen_rate([0, 1, 1], [1, 2, 3, 0])
    0.5
    """
    train = _check_samples(train, "train")
    held = _check_samples(held_out, "held_out")
    return float(np.mean(~np.isin(held, train)))
