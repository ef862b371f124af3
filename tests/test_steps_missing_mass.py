"""Proof steps of book/missing_mass.md: the Good-Turing bias lemma, Corollary 3 and Lemma 1.

Each test checks one or more numbered steps of a proof on the page (see
`hallu_proofs.steps.missing_mass`, which gives each step's kind of check: symbolic, smt,
exhaustive). Symbolic checks build the quantities from their definitions
(all k^N samples with symbolic probabilities, the indicator of a singleton), so they fail if a
definition or a closed form is wrong. Inequalities SymPy cannot decide directly are proved by a
derivative sign or handed to z3 as formulas of real arithmetic.
"""

import functools
import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import z3
from hypothesis import given
from hypothesis import strategies as st

import hallu_proofs as hp
from hallu_proofs import arbitrary_facts as af
from hallu_proofs import unseen_mass as um
from hallu_proofs.strategies import distributions

BIAS = "Good-Turing bias lemma"


def symbolic_simplex(k):
    """k symbolic probabilities nu_1..nu_{k-1} and 1 - their sum."""
    free = sp.symbols(f"nu1:{k}", nonnegative=True)
    return list(free) + [1 - sum(free)]


def enumerated_expectations(nu, n):
    """E[GT] and E[M] of N iid draws from nu, summed over all k^N samples from the definitions."""
    k = len(nu)
    expected_gt = expected_m = 0
    for sample in itertools.product(range(k), repeat=n):
        prob = sp.Mul(*[nu[x] for x in sample])
        counts = [sample.count(x) for x in range(k)]
        singletons = sum(1 for x in sample if counts[x] == 1)
        expected_gt += prob * sp.Rational(singletons, n)
        expected_m += prob * sum(nu[x] for x in range(k) if counts[x] == 0)
    return sp.expand(expected_gt), sp.expand(expected_m)


@functools.cache
def bias_symbolic():
    return um.good_turing_bias_symbolic()


def z3_proves(claim):
    """True when z3 finds no real assignment violating ``claim``."""
    solver = z3.Solver()
    solver.add(z3.Not(claim))
    return solver.check() == z3.unsat


# ------------------------------------------------------------------------ Good-Turing bias lemma

@pytest.mark.result(BIAS, "Corollary 3", kind="symbolic",
                    functions=["expected_good_turing", "expected_missing_mass"])
def test_bias_closed_forms_and_leave_one_out_from_all_samples():
    """Step 1: summing over all k^N samples with symbolic nu gives E[M_N] = sum nu(1-nu)^N and
    E[GT_N] = sum nu(1-nu)^(N-1) = E[M_{N-1}] (leave one out); a wrong exponent is caught."""
    for k, n in [(1, 1), (2, 1), (2, 2), (2, 3), (3, 2), (3, 3), (2, 4), (3, 4)]:
        nu = symbolic_simplex(k)
        gt, m = enumerated_expectations(nu, n)
        assert sp.expand(gt - sum(q * (1 - q) ** (n - 1) for q in nu)) == 0
        assert sp.expand(m - sum(q * (1 - q) ** n for q in nu)) == 0
        if n >= 2:
            assert sp.expand(gt - enumerated_expectations(nu, n - 1)[1]) == 0
        if k >= 2:
            assert sp.expand(gt - sum(q * (1 - q) ** n for q in nu)) != 0
        # The library's closed forms at an exact point of the simplex.
        point = {s: sp.Rational(1, k + 1) for s in nu[:-1]}
        exact = [Fraction(str(sp.sympify(q).subs(point))) for q in nu]
        assert hp.expected_good_turing(exact, n) == Fraction(str(gt.subs(point)))
        assert hp.expected_missing_mass(exact, n) == Fraction(str(m.subs(point)))


@pytest.mark.result(BIAS, "Corollary 3", kind="symbolic",
                    functions=["good_turing_bias_symbolic", "expected_good_turing"])
@given(distributions(4, exact=True), st.integers(1, 30))
def test_bias_term_by_term(nu, n):
    """Step 2: q(1-q)^(N-1) - q(1-q)^N = q^2 (1-q)^(N-1) >= 0 for symbolic N (SymPy), and the
    library's E[GT] - E[M] is that sum exactly."""
    assert bias_symbolic()["difference_is_q2_power"]
    bias = hp.expected_good_turing(nu, n) - hp.expected_missing_mass(nu, n)
    assert bias == sum(q**2 * (1 - q) ** (n - 1) for q in nu) >= 0


@pytest.mark.result(BIAS, kind="symbolic", functions=["good_turing_bias_symbolic"])
def test_bias_maximum_by_derivative_sign():
    """Steps 3-4: g(q) = q(1-q)^(N-1) has derivative (1-q)^(N-2)(1-Nq), positive below 1/N and
    negative above (N >= 2), so max g = g(1/N) = (1/N)((N-1)/N)^(N-1) <= 1/N; at N = 1, g = q."""
    q, n, t = sp.symbols("q N t", positive=True)
    g = q * (1 - q) ** (n - 1)
    facts = um.good_turing_bias_symbolic()
    assert facts["derivative_is_factored"] and facts["critical_points"] == [1 / n]
    derivative = sp.diff(g, q)
    # Sign of the derivative: write q = s/(N(1+s)) below 1/N and q = (1+s)/N above (s > 0).
    s = sp.Symbol("s", positive=True)
    factor = sp.simplify(derivative / (1 - q) ** (n - 2))
    assert sp.simplify(factor - (1 - n * q)) == 0
    assert sp.simplify(factor.subs(q, s / (n * (1 + s)))).is_positive
    assert sp.simplify(factor.subs(q, (1 + s) / n)).is_negative
    assert sp.simplify(facts["maximum_times_n"] - ((n - 1) / n) ** (n - 1)) == 0
    base = sp.simplify(((n - 1) / n).subs(n, 1 + t))  # N = 1 + t, t > 0
    assert base.is_positive and sp.simplify(1 - base).is_positive  # so base^t <= 1
    assert g.subs(n, 1) == q  # N = 1: g(q) = q, largest at q = 1 = 1/N


@pytest.mark.result(BIAS, kind="smt", functions=[])
def test_bias_sum_at_most_largest_term_smt():
    """Step 5: sum nu(x) g(nu(x)) <= max g: for every real nu on the simplex and 0 <= g_x <= G,
    sum nu_x g_x <= G (z3, up to 6 values); dropping g_x <= G makes it false."""
    for k in range(1, 7):
        nu = z3.Reals(" ".join(f"n{i}" for i in range(k)))
        g = z3.Reals(" ".join(f"g{i}" for i in range(k)))
        top = z3.Real("G")
        simplex = z3.And(*[x >= 0 for x in nu], z3.Sum(nu) == 1)
        bounded = z3.And(*[z3.And(y >= 0, y <= top) for y in g])
        total = z3.Sum([x * y for x, y in zip(nu, g)])
        assert z3_proves(z3.Implies(z3.And(simplex, bounded), total <= top))
        assert not z3_proves(z3.Implies(simplex, total <= top))


@pytest.mark.result(BIAS, kind=("symbolic", "tightness", "falsification"),
                    functions=["expected_good_turing", "expected_missing_mass"])
def test_bias_at_most_half_over_n_for_n_at_least_2():
    """Step 6: ((N-1)/N)^(N-1) <= 1/2 for N >= 2, so E[GT] - E[M] <= 1/(2N): h(x) = (x-1) ln(1-1/x)
    has h'(x) = ln(1-1/x) + 1/x < 0 (as ln(1-u) + u decreases from 0), and h(2) = ln(1/2).
    Equality at N = 2 (uniform on two values); false at N = 1; any c < 1/2 fails at N = 2."""
    x, u, s = sp.symbols("x u s", positive=True)
    h = (x - 1) * sp.log(1 - 1 / x)
    assert sp.simplify(sp.diff(h, x) - (sp.log(1 - 1 / x) + 1 / x)) == 0
    f = sp.log(1 - u) + u
    assert f.subs(u, 0) == 0
    assert sp.simplify(sp.diff(f, u) + u / (1 - u)) == 0
    assert sp.simplify((u / (1 - u)).subs(u, s / (1 + s))) == s  # u in (0, 1): f' = -s < 0
    assert sp.simplify(sp.exp(h.subs(x, 2)) - sp.Rational(1, 2)) == 0
    for n in range(2, 120):
        assert Fraction(n - 1, n) ** (n - 1) <= Fraction(1, 2)
    for n in (2, 3, 7):
        uniform = hp.uniform_distribution(n, exact=True)
        bias = hp.expected_good_turing(uniform, n) - hp.expected_missing_mass(uniform, n)
        assert bias <= Fraction(1, 2 * n)
        assert (bias == Fraction(1, 2 * n)) == (n == 2)
    one = hp.uniform_distribution(1, exact=True)
    assert hp.expected_good_turing(one, 1) - hp.expected_missing_mass(one, 1) > Fraction(1, 2)
    two = hp.uniform_distribution(2, exact=True)
    assert hp.expected_good_turing(two, 2) - hp.expected_missing_mass(two, 2) > Fraction(49, 100 * 2)


@pytest.mark.result(BIAS, kind="exact", functions=["expected_good_turing", "expected_missing_mass"])
@given(distributions(5, exact=True), st.integers(2, 25))
def test_bias_at_most_half_over_n_exact(nu, n):
    """Step 6 on random exact distributions: E[GT] - E[M] <= ((N-1)/N)^(N-1)/N <= 1/(2N)."""
    bias = hp.expected_good_turing(nu, n) - hp.expected_missing_mass(nu, n)
    assert bias <= Fraction(n - 1, n) ** (n - 1) / n <= Fraction(1, 2 * n)


# ------------------------------------------------------------------------ Corollary 3

@pytest.mark.result("Corollary 3", kind="symbolic", functions=["corollary3_symbolic"])
def test_corollary3_tail_exponents():
    """Steps 2b and 3c: each missing-mass tail e^(-N eps^2) at eps = sqrt(ln(4/g)/N) is g/4;
    McDiarmid's 2 exp(-2 eps^2 / (N (2/N)^2)) at eps = sqrt(2 ln(4/g)/N) is g/2."""
    n, gamma = sp.symbols("N gamma", positive=True)
    eps = sp.sqrt(sp.log(4 / gamma) / n)
    assert sp.simplify(sp.exp(-n * eps**2) - gamma / 4) == 0
    squares = n * (sp.Rational(2) / n) ** 2  # N bounded differences c_i = 2/N, squared
    eps_gt = sp.sqrt(2 * sp.log(4 / gamma) / n)
    assert sp.simplify(2 * sp.exp(-2 * eps_gt**2 / squares) - gamma / 2) == 0
    facts = um.corollary3_symbolic()
    assert facts["missing_mass_tail"] == gamma / 2 and facts["good_turing_tail"] == gamma / 2
    assert sp.simplify(2 * sp.exp(-2 * eps**2 / squares) - gamma / 2) != 0


@pytest.mark.result("Corollary 3", kind="exhaustive", functions=["good_turing", "good_turing_max_change"])
def test_corollary3_bounded_difference_every_n():
    """Step 3a: moving one draw from value a (count ka) to value b (count kb) changes only the
    singleton status of a and b, and [k = 1] is the same for k and k +- 1 once k >= 3, so the
    cases ka in 1..4, kb in 0..4 cover every N: |change of GT| <= 2/N; 2/N is attained."""
    changes = set()
    for ka in range(1, 5):
        for kb in range(0, 5):
            for others in (0, 1, 3):  # other values, each seen once
                before = [0] * ka + [1] * kb + list(range(2, 2 + others))
                after = [0] * (ka - 1) + [1] * (kb + 1) + list(range(2, 2 + others))
                n = len(before)
                change = (hp.good_turing(after, exact=True) - hp.good_turing(before, exact=True)) * n
                assert abs(change) <= 2
                changes.add(abs(change))
    assert max(changes) == 2
    for n, k in [(2, 3), (4, 3), (6, 4)]:
        assert hp.good_turing_max_change(n, k) == Fraction(2, n)


@pytest.mark.result("Corollary 3", kind="smt", functions=[])
def test_corollary3_union_and_triangle_smt():
    """Step 4: |M - EM| <= e, |EM - EGT| <= 1/N, |EGT - GT| <= sqrt2 e imply
    |M - GT| <= 1/N + (1 + sqrt2) e (z3 over the reals, sqrt2 as a real r with r^2 = 2);
    with the 1/N dropped it is false. And g/4 + g/4 + g/2 = g."""
    m, em, egt, gt, e, inv_n, r = z3.Reals("m em egt gt e inv_n r")
    hyp = z3.And(e >= 0, inv_n > 0, r > 0, r * r == 2, z3.Abs(m - em) <= e,
                 z3.Abs(em - egt) <= inv_n, z3.Abs(egt - gt) <= r * e)
    assert z3_proves(z3.Implies(hyp, z3.Abs(m - gt) <= inv_n + (1 + r) * e))
    assert not z3_proves(z3.Implies(hyp, z3.Abs(m - gt) <= (1 + r) * e))
    gamma = sp.Symbol("gamma", positive=True)
    assert um.corollary3_symbolic()["total_failure"] == gamma / 4 + gamma / 4 + gamma / 2


@pytest.mark.result("Corollary 3", kind="symbolic", functions=["corollary3_symbolic"])
def test_corollary3_constant():
    """Step 5: 1 + sqrt 2 <= 2.42, and 2.41 would be too small."""
    constant = um.corollary3_symbolic()["radius_constant"]
    assert sp.simplify(constant - (1 + sp.sqrt(2))) == 0
    assert bool(constant <= sp.Rational(242, 100)) and not bool(constant <= sp.Rational(241, 100))


# ------------------------------------------------------------------------ Lemma 1

def all_training_sets(m, n_max):
    """Every training set of an exact two-answer model with m prompts, N <= n_max, and its law."""
    mu = [Fraction(i + 1, m * (m + 1) // 2) for i in range(m)]
    alpha = [Fraction(j + 1, m + 1) for j in range(m)]
    facts = af.ArbitraryFacts(mu, n_responses=2, alpha=alpha)
    outcomes = [(c, 0) for c in range(m)] + [(c, af.IDK) for c in range(m)]
    for n in range(1, n_max + 1):
        for rows in itertools.product(outcomes, repeat=n):
            prompts = np.array([c for c, _ in rows])
            responses = np.array([r for _, r in rows])
            yield facts, prompts, responses


@pytest.mark.result("Lemma 1", kind="exhaustive",
                    functions=["collapse_abstentions", "good_turing", "singleton_rate",
                               "missing_mass", "missing_answer_mass", "collapsed_distribution"])
def test_lemma1_steps_1_2_every_training_set():
    """Steps 1 and 2a on every training set with m <= 3 prompts and N <= 4 (m = 2: N <= 5):
    GT - sr in {0, 1/N} and M - MM in {0, phi(IDK)}, each alternative occurring; |MM - sr| <= 1."""
    seen = set()
    for m, n_max in ((1, 6), (2, 5), (3, 4)):
        for facts, prompts, responses in all_training_sets(m, n_max):
            n = prompts.size
            collapsed = hp.collapse_abstentions(prompts, responses, n_prompts=m)
            counts = af.answer_counts(prompts, responses, m)
            sr = Fraction(int(np.sum(counts == 1)), n)
            assert sr == Fraction(af.singleton_rate(prompts, responses)).limit_denominator(n)
            gt_gap = hp.good_turing(collapsed, exact=True) - sr
            phi = hp.collapsed_distribution(facts.mu, facts.alpha)
            mm = af.missing_answer_mass(facts, counts == 0)
            m_gap = hp.missing_mass(phi, collapsed) - mm
            assert gt_gap in (0, Fraction(1, n)) and m_gap in (0, phi[-1])
            assert (m_gap == phi[-1]) == (not np.any(responses == af.IDK))
            assert abs(mm - sr) <= 1
            seen.add((gt_gap == 0, m_gap == 0))
    # Both gaps at once would need exactly one abstention and none: never.
    assert seen == {(True, True), (True, False), (False, True)}


@pytest.mark.result("Lemma 1", "Lemma 2", kind="symbolic", functions=[])
def test_one_minus_x_to_the_n_at_most_exp():
    """Steps 2b (Lemma 1) and 2b (Lemma 2): (1 - x)^N <= e^(-N x) on [0, 1), by the derivative sign
    of f(x) = ln(1 - x) + x: f(0) = 0 and f'(x) = -x/(1-x) = -s < 0 at x = s/(1+s). The reverse
    inequality fails."""
    x, s = sp.symbols("x s", positive=True)
    f = sp.log(1 - x) + x
    assert f.subs(x, 0) == 0
    derivative = sp.simplify(sp.diff(f, x))
    assert sp.simplify(derivative + x / (1 - x)) == 0
    assert sp.simplify(derivative.subs(x, s / (1 + s))) == -s
    for n in (1, 5, 50):
        for value in (Fraction(1, 10), Fraction(1, 2), Fraction(9, 10)):
            assert float((1 - value) ** n) <= math.exp(-n * value)
            assert float((1 - value) ** n) < math.exp(-n * value)  # strict: not an equality


@pytest.mark.result("Lemma 1", kind="symbolic", functions=["lemma1_symbolic"])
def test_lemma1_logarithm_steps():
    """Steps 2c, 3b and 4: e^(-L) = gamma/5 for L = ln(5/gamma); L >= ln 5 > 1 for gamma <= 1;
    ln(4/(4 gamma/5)) = L. At gamma = 4: L < 1 (the restriction gamma <= 1 is used)."""
    gamma = sp.Symbol("gamma", positive=True)
    big_l = sp.log(5 / gamma)
    assert sp.simplify(sp.exp(-big_l) - gamma / 5) == 0
    assert bool(sp.log(5) > 1) and not bool(big_l.subs(gamma, 4) > 1)
    assert sp.simplify(sp.log(4 / (4 * gamma / 5)) - big_l) == 0
    facts = um.lemma1_symbolic()
    assert facts["idk_tail"] == gamma / 5 and facts["log5_above_1"]
    assert sp.simplify(facts["corollary3_log_at_4gamma_over_5"] - big_l) == 0


@pytest.mark.result("Lemma 1", kind="smt", functions=[])
def test_lemma1_difference_of_differences_smt():
    """Step 3a: 0 <= A <= L/N and 0 <= B <= 1/N <= L/N imply |A - B| <= L/N (z3); with B <= 2/N
    and L < 2 it fails."""
    a, b, big_l, inv_n = z3.Reals("A B L inv_n")
    hyp = z3.And(inv_n > 0, big_l >= 1, a >= 0, a <= big_l * inv_n, b >= 0, b <= inv_n)
    assert z3_proves(z3.Implies(hyp, z3.Abs(a - b) <= big_l * inv_n))
    loose = z3.And(inv_n > 0, big_l >= 1, a >= 0, a <= big_l * inv_n, b >= 0, b <= 2 * inv_n)
    assert not z3_proves(z3.Implies(loose, z3.Abs(a - b) <= big_l * inv_n))


@pytest.mark.result("Lemma 1", kind=("smt", "symbolic"), functions=["lemma1_symbolic"])
def test_lemma1_union_and_triangle():
    """Step 5: gamma/5 + 4 gamma/5 = gamma, and |(M - GT) - (MM - sr)| <= x, |M - GT| <= y give
    |MM - sr| <= x + y (z3)."""
    gamma = sp.Symbol("gamma", positive=True)
    assert um.lemma1_symbolic()["total_failure"] == gamma == gamma / 5 + 4 * gamma / 5
    m, gt, mm, sr, x, y = z3.Reals("M GT MM sr x y")
    hyp = z3.And(z3.Abs((m - gt) - (mm - sr)) <= x, z3.Abs(m - gt) <= y)
    assert z3_proves(z3.Implies(hyp, z3.Abs(mm - sr) <= x + y))
    assert not z3_proves(z3.Implies(hyp, z3.Abs(mm - sr) <= y))


@pytest.mark.result("Lemma 1", kind=("symbolic", "smt"), functions=["lemma1_symbolic"])
def test_lemma1_simplification():
    """Step 6: z = 2L/N >= L/N + 1/N (z - both = (L - 1)/N); z <= sqrt z on [0, 1] (z3 with
    w = sqrt z); sqrt z = sqrt2 sqrt(L/N) <= 2 sqrt(L/N); 2 + 2.42 = 4.42; if z > 1 the radius
    4.42 sqrt(z/2) exceeds 4.42/sqrt2 > 1."""
    n, gamma = sp.symbols("N gamma", positive=True)
    big_l = sp.log(5 / gamma)
    z = 2 * big_l / n
    assert sp.simplify(z - (big_l / n + 1 / n) - (big_l - 1) / n) == 0
    w = z3.Real("w")
    assert z3_proves(z3.Implies(z3.And(w >= 0, w <= 1), w * w <= w))
    assert not z3_proves(z3.Implies(w >= 0, w * w <= w))
    assert sp.simplify(sp.sqrt(z) / sp.sqrt(big_l / n) - sp.sqrt(2)) == 0
    facts = um.lemma1_symbolic()
    assert facts["sqrt2_at_most_2"] and facts["constant"] == 2 + sp.Rational(242, 100)
    assert facts["constant"] == sp.Rational(442, 100)
    assert bool(sp.Rational(442, 100) / sp.sqrt(2) > 1) and facts["trivial_case_exceeds_1"]
    assert sp.simplify(facts["trivial_case_bound"] - sp.Rational(442, 100) / sp.sqrt(2)) == 0
