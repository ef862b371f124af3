"""Proof steps of book/arbitrary_facts.md: the birthday symmetrisation, Lemma 2 and Theorem 2.

Each test checks one or more numbered steps of a proof on the page (see
`hallu_proofs.steps.arbitrary_facts`, which gives each step's kind of check). Symbolic checks are built
from the definitions (symbolic labels of a prompt's responses, the IIV distribution of one
prompt), exhaustive checks enumerate every fact vector and every training set of a small model
with their exact probabilities.
"""

import itertools
import math
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
import z3

import hallu_proofs as hp
from hallu_proofs import arbitrary_facts as af

SYMMETRISATION = "Birthday symmetrisation"


def z3_proves(claim):
    """True when z3 finds no real assignment violating ``claim``."""
    solver = z3.Solver()
    solver.add(z3.Not(claim))
    return solver.check() == z3.unsat


def prompt_iiv_error(labels, idk_label, answer, alpha):
    """One prompt's IIV error from Eq. (2): half valid (a_c w.p. alpha, IDK w.p. 1 - alpha), half
    a uniform error of R_c minus a_c; ``labels[r]`` is 1 for '+' (symbols allowed)."""
    size = len(labels)
    valid_half = alpha * (1 - labels[answer]) + (1 - alpha) * (1 - idk_label)
    error_half = sum(labels[r] for r in range(size) if r != answer) / sp.Integer(size - 1)
    return (valid_half + error_half) / 2


# ------------------------------------------------------------------------ birthday symmetrisation

@pytest.mark.result(SYMMETRISATION, "Lemma 2", kind="symbolic", functions=[])
def test_symmetrisation_symbolic():
    """Steps 1-3: with symbolic labels x_r of the R dates and y of IDK, the average over a uniform
    date of the prompt's IIV error is (alpha n_- + n_+)/(2R) + (1 - alpha)(1 - y)/2, which is
    alpha/2 + (1 - alpha)((1 - y) + n_+/R)/2 >= alpha/2 (R = 2..8); a slack of 0 is wrong."""
    alpha, y = sp.symbols("alpha y")
    for size in range(2, 9):
        x = sp.symbols(f"x0:{size}")
        average = sum(prompt_iiv_error(x, y, a, alpha) for a in range(size)) / size
        plus = sum(x)
        minus = size - plus
        misses = sum(1 - x[a] for a in range(size)) / size
        false_alarms = sum(sum(x[r] for r in range(size) if r != a) / (size - 1)
                           for a in range(size)) / size
        assert sp.simplify(misses - minus / size) == 0  # step 1
        assert sp.simplify(false_alarms - plus / size) == 0  # step 2
        slack = (1 - alpha) * ((1 - y) + plus / size) / 2
        assert sp.simplify(average - alpha / 2 - slack) == 0  # step 3
        assert sp.simplify(average - alpha / 2) != 0


@pytest.mark.result(SYMMETRISATION, "Lemma 2", kind=("exhaustive", "tightness"),
                    functions=["facts_instance", "iiv_error"])
def test_symmetrisation_every_labelling_with_the_library():
    """The symmetrisation on the library's Instance of one prompt, for every labelling of
    R = 2..5 dates and of IDK and alpha in {0, 1/4, ..., 1}: average err_iiv over the date equals
    the closed form and is >= alpha/2, with equality when IDK is labelled valid and alpha = 1."""
    for size in range(2, 6):
        for alpha in (Fraction(k, 4) for k in range(5)):
            facts = af.ArbitraryFacts([Fraction(1)], n_responses=size, alpha=[alpha])
            for bits in itertools.product((0, 1), repeat=size + 1):
                plus = [slot for slot, bit in enumerate(bits) if bit]
                row = [Fraction(0)] * (size + 1)
                for slot in plus:
                    row[slot] = Fraction(1, len(plus))
                if not plus:
                    row[-1] = Fraction(1)
                threshold = Fraction(0) if plus else Fraction(1)
                errors = [hp.iiv_error(af.facts_instance(facts, [a], np.array([row], dtype=object)),
                                       threshold) for a in range(size)]
                average = sum(errors) / size
                n_plus = sum(bits[:size])
                closed = (alpha * (size - n_plus) + n_plus) / (2 * size) + (1 - alpha) * (
                    1 - bits[-1]) / 2
                assert average == closed >= alpha / 2
                if alpha == 1 and bits[-1] == 1:
                    assert average == alpha / 2


# ------------------------------------------------------------------------ Lemma 2

@pytest.mark.result("Lemma 2", kind="symbolic", functions=["theorem2_symbolic_checks"])
def test_lemma2_step1_constants():
    """Steps 1a-1d: ln(5/(gamma/2)) = ln(10/gamma); at N = 1 the right side is negative
    (6 ln(3/gamma) >= 6 ln 3 > 1 >= sr); sqrt(ln(10/gamma)) <= ln(3N/gamma) for N >= 2 (the
    larger root of L^2 - L - ln(5/3) is below ln 6 <= L); sqrt 2 + 4.42 <= 6 (5.8 fails)."""
    gamma, big_l, t = sp.symbols("gamma L t", positive=True)
    assert sp.simplify(sp.log(5 / (gamma / 2)) - sp.log(10 / gamma)) == 0
    assert bool(6 * sp.log(3) > 1)
    root = max(sp.solve(sp.Eq(big_l**2 - big_l - sp.log(sp.Rational(5, 3)), 0), big_l))
    assert bool(root <= sp.log(6))
    # ln(10/gamma) - ln(3N/gamma) = ln(5/3) - ln(1 + t/2) <= ln(5/3) at N = 2 + t.
    gap = sp.log(10 / gamma) - sp.log(3 * (2 + t) / gamma)
    assert sp.simplify(sp.expand_log(gap - sp.log(sp.Rational(5, 3)) + sp.log(1 + t / 2),
                                     force=True)) == 0
    assert bool(sp.sqrt(2) + sp.Rational(442, 100) <= 6)
    assert not bool(sp.sqrt(2) + sp.Rational(442, 100) <= sp.Rational(58, 10))
    verdicts = {name: ok for name, _, ok in af.theorem2_symbolic_checks()}
    assert verdicts["sqrt 2 + 4.42 <= 6"]


@pytest.mark.result("Lemma 2", kind="smt", functions=[])
def test_lemma2_heavy_prompts_at_most_one_over_zeta_smt():
    """Step 2a: if k prompts have mu'(c) >= zeta > 0 and sum mu' <= 1, then k <= 1/zeta (z3 for
    k = 1..8); with the sum unbounded it fails."""
    zeta = z3.Real("zeta")
    for k in range(1, 9):
        heavy = z3.Reals(" ".join(f"m{i}" for i in range(k)))
        hyp = z3.And(zeta > 0, *[x >= zeta for x in heavy])
        assert z3_proves(z3.Implies(z3.And(hyp, z3.Sum(heavy) <= 1), k * zeta <= 1))
        if k >= 2:
            assert not z3_proves(z3.Implies(hyp, k * zeta <= 1))


def tiny_model():
    """Two prompts with |R_c| = 3 and 4: every fact vector and training sequence is enumerable."""
    return af.ArbitraryFacts([Fraction(1, 3), Fraction(2, 3)], n_responses=[3, 4],
                             alpha=[Fraction(1, 2), Fraction(3, 4)])


def joint_law(facts, n):
    """{(answers, rows): probability} over the facts and N training examples, from Definition 1."""
    law = {}
    outcomes = [(c, r) for c in range(facts.n_prompts)
                for r in list(range(int(facts.n_responses[c]))) + [af.IDK]]
    prior = Fraction(1, math.prod(int(k) for k in facts.n_responses))
    for answers in itertools.product(*[range(int(k)) for k in facts.n_responses]):
        for rows in itertools.product(outcomes, repeat=n):
            prob = prior
            for c, r in rows:
                if r == af.IDK:
                    prob *= facts.mu[c] * (1 - facts.alpha[c])
                elif r == answers[c]:
                    prob *= facts.mu[c] * facts.alpha[c]
                else:
                    prob = Fraction(0)
                    break
            if prob:
                law[answers, rows] = prob
    return law


@pytest.mark.result("Lemma 2", kind="exhaustive", functions=["unanswered_prompts", "lemma2_gamma",
                                                         "missing_answer_mass"])
def test_lemma2_key_trick_conditional_law_every_training_set():
    """Steps 2b and 4a-4c, exhaustively on a two-prompt model for N <= 3: Pr[c unanswered] =
    (1 - mu'(c))^N; given the training set, the unseen facts are independent and uniform; so
    for labels that are any function of the training set, E[gamma_c | data] = 1/2 for each
    unseen c and E[sum_U mu' gamma_c | data] = MM/2."""
    facts = tiny_model()
    for n in range(1, 4):
        law = joint_law(facts, n)
        assert sum(law.values()) == 1
        by_data = {}
        for (answers, rows), prob in law.items():
            by_data.setdefault(rows, {})[answers] = prob
        for c in range(2):
            unanswered = sum(p for (a, rows), p in law.items()
                             if not any(cc == c and r != af.IDK for cc, r in rows))
            assert unanswered == (1 - facts.answer_mass[c]) ** n  # step 2b's probability
        for rows, given in by_data.items():
            total = sum(given.values())
            prompts = np.array([c for c, _ in rows])
            responses = np.array([r for _, r in rows])
            u = af.unanswered_prompts(prompts, responses, 2)
            seen_answer = {c: r for c, r in rows if r != af.IDK}
            for answers, prob in given.items():  # step 4a
                assert all(answers[c] == a for c, a in seen_answer.items())
                uniform = Fraction(1, math.prod(int(facts.n_responses[c]) for c in np.flatnonzero(u)))
                assert prob / total == uniform
            # Labels chosen from the data in an arbitrary (but fixed) way.
            code = sum((7 * i + 3) * (c + 1) * (r + 2) for i, (c, r) in enumerate(rows))
            expected_sum = Fraction(0)
            for c in np.flatnonzero(u):
                labels = np.array([bool((code >> (r + c)) & 1) for r in range(facts.n_responses[c])])
                mean = sum(prob * af.lemma2_gamma(labels, answers[c])
                           for answers, prob in given.items()) / total
                assert mean == Fraction(1, 2)  # step 4b
                expected_sum += facts.answer_mass[c] * mean
            assert expected_sum == af.missing_answer_mass(facts, u) / 2  # step 4c


@pytest.mark.result("Lemma 2", kind="symbolic", functions=["lemma2_gamma"])
def test_lemma2_gamma_average_symbolic():
    """Step 4b for symbolic labels: (1/R) sum_a gamma_c(a) = 1/2 as a polynomial identity in the
    labels x_r (R = 2..8); so it holds for every labelling. Without the 1/(|R_c| - 1) it fails."""
    for size in range(2, 9):
        x = sp.symbols(f"x0:{size}")
        gammas = [((1 - x[a]) + sum(x[r] for r in range(size) if r != a) / sp.Integer(size - 1)) / 2
                  for a in range(size)]
        assert sp.expand(sum(gammas) / size - sp.Rational(1, 2)) == 0
        wrong = [((1 - x[a]) + sum(x[r] for r in range(size) if r != a)) / 2 for a in range(size)]
        assert size == 2 or sp.expand(sum(wrong) / size - sp.Rational(1, 2)) != 0
    for labels in itertools.product((False, True), repeat=5):
        assert sum(af.lemma2_gamma(np.array(labels), a) for a in range(5)) / 5 == Fraction(1, 2)


def random_exact_case(rng):
    """An exact model, facts, a training set and an arbitrary exact base model p_hat."""
    m = int(rng.integers(1, 5))
    w = rng.integers(1, 5, m)
    facts = af.ArbitraryFacts([Fraction(int(x), int(w.sum())) for x in w], rng.integers(2, 6, m),
                              [Fraction(int(x), 4) for x in rng.integers(0, 5, m)])
    answers = facts.draw_answers(rng)
    prompts, responses = facts.draw_training_set(answers, int(rng.integers(1, 8)), rng)
    width = facts.max_errors + 2
    p_hat = np.full((m, width), Fraction(0), dtype=object)
    for c in range(m):
        slots = list(range(int(facts.n_responses[c]))) + [width - 1]
        weights = rng.integers(0, 4, len(slots))
        weights[rng.integers(len(slots))] += 1
        for slot, weight in zip(slots, weights):
            p_hat[c, slot] = Fraction(int(weight), int(weights.sum()))
    return facts, answers, prompts, responses, p_hat


@pytest.mark.result("Lemma 2", kind="exact", functions=["iiv_error", "facts_instance", "lemma2_gamma"])
def test_lemma2_step3_err_iiv_at_least_unseen_terms():
    """Step 3 on 300 random exact models and arbitrary exact p_hat: err_iiv computed from Eq. (2)
    equals the library's, and equals sum_U mu' gamma_c plus the dropped terms (answered prompts,
    IDK labelled invalid on U, the false alarms weighted by mu - mu'), all >= 0."""
    rng = np.random.default_rng(3)
    dropped_positive = 0
    for _ in range(300):
        facts, answers, prompts, responses, p_hat = random_exact_case(rng)
        inst = af.facts_instance(facts, answers, p_hat)
        threshold = Fraction(1, facts.min_errors)
        u = af.unanswered_prompts(prompts, responses, facts.n_prompts)
        by_definition = kept = Fraction(0)
        for c in range(facts.n_prompts):
            size = int(facts.n_responses[c])
            labels = [int(p_hat[c, r] > threshold) for r in range(size)]
            idk = int(p_hat[c, -1] > threshold)
            term = facts.mu[c] * prompt_iiv_error(labels, idk, int(answers[c]), facts.alpha[c])
            by_definition += Fraction(str(term))
            if u[c]:
                gamma_c = af.lemma2_gamma(np.array(labels, dtype=bool), int(answers[c]))
                kept += facts.answer_mass[c] * gamma_c
        assert hp.iiv_error(inst) == by_definition
        assert by_definition >= kept
        dropped_positive += by_definition > kept
    assert dropped_positive > 0


@pytest.mark.result("Lemma 2", kind="smt", functions=[])
def test_lemma2_sum_of_squares_smt():
    """Step 5b: 0 <= x_c <= zeta and sum x_c <= 1 imply sum x_c^2 <= zeta. z3 (nonlinear real
    arithmetic) proves the per-term inequality x^2 <= zeta x, whose sum gives the claim for any
    number of prompts, and the claim itself for up to 3 prompts; without x_c <= zeta it fails."""
    zeta, v = z3.Reals("zeta v")
    assert z3_proves(z3.Implies(z3.And(v >= 0, v <= zeta), v * v <= zeta * v))
    for k in range(1, 4):
        x = z3.Reals(" ".join(f"x{i}" for i in range(k)))
        base = z3.And(zeta > 0, *[w >= 0 for w in x], z3.Sum(x) <= 1)
        squares = z3.Sum([w * w for w in x])
        assert z3_proves(z3.Implies(z3.And(base, *[w <= zeta for w in x]), squares <= zeta))
        assert not z3_proves(z3.Implies(base, squares <= zeta))


@pytest.mark.result("Lemma 2", kind="symbolic", functions=["theorem2_symbolic_checks"])
def test_lemma2_zeta_hoeffding_and_budget():
    """Steps 2c, 5c, 6 and 7: (1/zeta) e^(-zeta N) = gamma/(3 ln(3N/gamma)) <= gamma/3 (ln 3 > 1);
    Hoeffding exp(-2 t^2/zeta) = gamma/6 at t = sqrt(zeta ln(6/gamma)/2); 2 zeta ln(6/gamma) =
    (ln(3N/gamma) sqrt(2/N))^2 ln(6/gamma)/ln(3N/gamma) <= (ln(3N/gamma) sqrt(2/N))^2 for N >= 2;
    gamma/3 + gamma/6 + gamma/2 = gamma."""
    n, gamma, zeta, t = sp.symbols("N gamma zeta t", positive=True)
    level = sp.log(3 * n / gamma)
    z = level / n
    assert sp.simplify(sp.exp(-z * n) / z - gamma / (3 * level)) == 0
    assert bool(sp.log(3) > 1)
    deviation = sp.sqrt(zeta * sp.log(6 / gamma) / 2)
    assert sp.simplify(sp.exp(-2 * deviation**2 / zeta) - gamma / 6) == 0
    ratio = sp.simplify((2 * z * sp.log(6 / gamma)) / (level * sp.sqrt(2 / n)) ** 2)
    assert sp.simplify(ratio - sp.log(6 / gamma) / level) == 0
    # ln(3N/gamma) - ln(6/gamma) = ln(N/2) = ln(1 + t/2) >= 0 at N = 2 + t.
    diff = sp.expand_log(sp.log(3 * (2 + t) / gamma) - sp.log(6 / gamma), force=True)
    assert sp.simplify(diff - sp.log(1 + t / 2)) == 0 and sp.log(1 + t / 2).is_positive
    assert gamma / 3 + gamma / 6 + gamma / 2 == gamma
    assert gamma / 3 + gamma / 6 != gamma / 3 + gamma / 3


@pytest.mark.result("Lemma 2", "Theorem 2", kind=("exact", "falsification"),
                    functions=["facts_instance", "iiv_error", "generative_error", "calibration_gap",
                               "uniform_singleton_moments"])
def test_lemma2_and_theorem2_fail_for_fixed_facts():
    """With the facts fixed, the learner that outputs p (facts hard-coded) has err_iiv = err =
    delta = 0, so Lemma 2 at gamma = 1/2 would need sr <= 6 ln(3N/gamma)/sqrt N < 0.67 with
    probability >= 1/2. At N = 10^4, m = 4N uniform prompts, alpha = 1, Cantelli's inequality with
    the exact mean and variance of the singleton count bounds that probability by 0.003."""
    small = af.ArbitraryFacts([Fraction(1, 5)] * 5, n_responses=365, alpha=1)
    answers = small.draw_answers(rng=0)
    p = np.full((5, 366), Fraction(0), dtype=object)
    p[np.arange(5), answers] = Fraction(1)
    inst = af.facts_instance(small, answers, p)
    assert hp.iiv_error(inst) == hp.generative_error(inst) == hp.calibration_gap(inst) == 0
    n, m, gamma = 10**4, 4 * 10**4, sp.Rational(1, 2)
    cut = Fraction(67, 100)
    assert bool(6 * sp.log(3 * n / gamma) / sp.sqrt(n) < sp.Rational(67, 100))
    assert bool(2 / sp.Integer(364) + 6 * sp.log(3 * n / gamma) / sp.sqrt(n) < sp.Rational(67, 100))
    mean, var = af.uniform_singleton_moments(n, m)
    gap = mean - cut * n
    assert gap > 0
    holds = var / (var + gap**2)  # >= Pr[sr <= 0.67], Cantelli
    assert holds < Fraction(3, 1000) < 1 - Fraction(1, 2)


# ------------------------------------------------------------------------ Theorem 2

@pytest.mark.result("Theorem 2", "Definition 1", kind="exhaustive", functions=["facts_instance"])
def test_theorem2_valid_sets_have_two_elements():
    """Step 1: in every facts instance with m <= 2 prompts, |R_c| <= 4, every fact vector,
    V_c = {a_c, IDK} has 2 elements and |E_c| = |R_c| - 1."""
    for sizes in itertools.product(range(2, 5), repeat=2):
        facts = af.ArbitraryFacts([Fraction(1, 2)] * 2, n_responses=list(sizes), alpha=Fraction(1, 2))
        for answers in itertools.product(*[range(k) for k in sizes]):
            p_hat = af.memorising_learner(facts, [0], [answers[0]])
            inst = af.facts_instance(facts, list(answers), p_hat)
            valid = np.asarray(inst.valid)
            plausible = np.ones_like(valid) if inst.plausible is None else np.asarray(inst.plausible)
            assert valid.sum(axis=1).tolist() == [2, 2]
            assert (plausible & ~valid).sum(axis=1).tolist() == [k - 1 for k in sizes]
            assert facts.min_errors == min(sizes) - 1 and facts.max_errors == max(sizes) - 1


@pytest.mark.result("Theorem 2", "Theorem 1", kind="exact",
                    functions=["facts_instance", "theorem1_bound", "generative_error"])
def test_theorem2_theorem1_holds_on_facts_instances():
    """Step 2: Theorem 1, err >= 2 err_iiv - 2/min|E_c| - delta, holds on 300 random exact facts
    instances with arbitrary p_hat, so Lemma 2's event implies the lower bound."""
    rng = np.random.default_rng(8)
    for _ in range(300):
        facts, answers, _, _, p_hat = random_exact_case(rng)
        inst = af.facts_instance(facts, answers, p_hat)
        bound = 2 * hp.iiv_error(inst) - Fraction(2, facts.min_errors) - hp.calibration_gap(inst)
        assert hp.theorem1_bound(inst) == bound <= hp.generative_error(inst)


@pytest.mark.result("Theorem 2", kind="symbolic", functions=["theorem2_symbolic_checks"])
def test_theorem2_constants():
    """Steps 3, 5b, 6 and 7: 6 ln(300 N) = 6 ln 300 + 6 ln N <= 35 + 6 ln N (34 fails);
    (R - 1)/R <= L/(L+1) for R <= L + 1; 5 >= 4.42 and L/(L+1)(sr + e) <= sr - sr/(L+1) + e;
    5 sqrt(ln 500) <= 13 (12 fails)."""
    n, big_l, t, sr, e = sp.symbols("N L t sr e", positive=True)
    assert sp.simplify(sp.expand_log(6 * sp.log(300 * n) - 6 * sp.log(300) - 6 * sp.log(n),
                                     force=True)) == 0
    assert bool(6 * sp.log(300) <= 35) and not bool(6 * sp.log(300) <= 34)
    margin = big_l / (big_l + 1) - (big_l + 1 - t - 1) / (big_l + 1 - t)  # R = L + 1 - t
    assert sp.simplify(margin - t / ((big_l + 1) * (big_l + 1 - t))) == 0
    assert sp.Rational(5) >= sp.Rational(442, 100)
    slack = sr - sr / (big_l + 1) + e - big_l / (big_l + 1) * (sr + e)
    assert sp.simplify(slack - e / (big_l + 1)) == 0  # >= 0
    assert bool(5 * sp.sqrt(sp.log(500)) <= 13) and not bool(5 * sp.sqrt(sp.log(500)) <= 12)
    verdicts = {name: ok for name, _, ok in af.theorem2_symbolic_checks()}
    assert verdicts["6 ln 300 <= 35"] and verdicts["5 sqrt(ln 500) <= 13"]


def every_training_set(facts, answers, n_max):
    """Every training sequence of N <= n_max examples consistent with the facts."""
    outcomes = [(c, r) for c in range(facts.n_prompts) for r in (int(answers[c]), af.IDK)]
    for n in range(1, n_max + 1):
        for rows in itertools.product(outcomes, repeat=n):
            yield np.array([c for c, _ in rows]), np.array([r for _, r in rows])


@pytest.mark.result("Theorem 2", kind=("exhaustive", "definition"),
                    functions=["memorising_learner", "memorising_learner_error", "facts_instance",
                               "calibration_gap", "generative_error"])
def test_theorem2_learner_error_and_calibration_every_training_set():
    """Steps 4, 5a and 8 on every fact vector and training set (N <= 3) of a two-prompt model:
    the learner's rows are as stated, its err is sum_U mu alpha (|R_c| - 1)/|R_c|, and
    delta_z = 0 at every threshold (each value of p_hat, each midpoint, 0 and 1)."""
    facts = tiny_model()
    for answers in itertools.product(range(3), range(4)):
        for prompts, responses in every_training_set(facts, answers, 3):
            p_hat = af.memorising_learner(facts, prompts, responses)
            u = af.unanswered_prompts(prompts, responses, 2)
            for c in range(2):
                size = int(facts.n_responses[c])
                expected = [Fraction(0)] * 5
                if u[c]:
                    expected[:size] = [facts.alpha[c] / size] * size
                else:
                    expected[answers[c]] = facts.alpha[c]
                expected[-1] = 1 - facts.alpha[c]
                assert p_hat[c].tolist() == expected  # step 4
            inst = af.facts_instance(facts, list(answers), p_hat)
            closed = sum(facts.mu[c] * facts.alpha[c] * Fraction(int(facts.n_responses[c]) - 1,
                                                                  int(facts.n_responses[c]))
                         for c in np.flatnonzero(u))
            assert hp.generative_error(inst) == closed == af.memorising_learner_error(facts, u)
            values = sorted(set(p_hat.ravel()) | {Fraction(0), Fraction(1)})
            for z in values + [(a + b) / 2 for a, b in zip(values, values[1:])]:
                assert hp.calibration_gap(inst, z) == 0  # step 8
