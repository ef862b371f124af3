"""Proof steps of book/poor_models.md, one test per step (see hallu_proofs/steps/poor_models.py).

The symbolic tests build the proofs' quantities from the definitions: the Is-It-Valid weights
D(c, a_c) = mu(c)/2 on the one valid answer and D(c, r) = mu(c) / (2 |E_c|) on each error, the
row sums of p_hat, and Pr_t[f_t(c, r) = +] = p_hat(r|c). They then tie the symbolic quantities
to the library by evaluating them at exact random points and comparing with
`hallu_proofs.theorem4_proof_terms` and `hallu_proofs.generative_error`.
"""

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import hallu_proofs as hp
from hallu_proofs.poor_models import SMALL_CORPUS
from hallu_proofs.strategies import distributions, instances

# --- helpers ----------------------------------------------------------------------------------


@st.composite
def families(draw, one_valid=False):
    """An exact instance and 0-3 other models on the same task: a finite family G holding it."""
    inst = draw(instances(exact=True, one_valid=one_valid))
    others = []
    for _ in range(draw(st.integers(0, 3))):
        support = np.ones_like(inst.valid) if inst.plausible is None else inst.plausible
        p_hat = np.stack([draw(distributions(support.shape[1], True, row)) for row in support])
        others.append(hp.Instance(inst.p, p_hat, inst.valid, mu=inst.mu, plausible=inst.plausible))
    return inst, [inst] + others


#: Shapes of symbolic multiple-choice tables: the number of errors |E_c| of each prompt.
SHAPES = [(1,), (2,), (4,), (1, 1), (1, 2), (2, 3), (3, 3), (1, 2, 4), (2, 2, 3)]


def symbolic_multiple_choice(shape):
    """A symbolic multiple-choice instance: mu(c) >= 0 and p_hat(r|c) >= 0 on the errors, the
    valid answer taking the rest of the row; the proof's terms built from the definitions.

    Returns (symbols, err, false_positive, false_negative, C).
    """
    mus = sp.symbols(f"mu0:{len(shape)}", nonnegative=True)
    errors = [sp.symbols(f"e{c}_0:{k}", nonnegative=True) for c, k in enumerate(shape)]
    err = false_positive = false_negative = 0
    for mu, row in zip(mus, errors):
        p_hat_valid = 1 - sum(row)                      # the row of p_hat sums to 1
        d_valid = mu / 2 * 1                            # D = mu(c) p(a_c|c) / 2, p(a_c|c) = 1
        d_error = mu / (2 * len(row))                   # D = mu(c) / (2 |E_c|)
        err += mu * sum(row)                            # err = sum_c mu(c) p_hat(E_c|c)
        false_positive += sum(d_error * e for e in row)           # Pr_t[+] = p_hat
        false_negative += d_valid * (1 - p_hat_valid)             # Pr_t[-] = 1 - p_hat
    symbols = list(mus) + [e for row in errors for e in row]
    return symbols, err, false_positive, false_negative, min(shape) + 1


def nonnegative_polynomial(expr, symbols):
    """True iff expr expands to a polynomial in the (non-negative) symbols whose coefficients are
    all >= 0, so that it is >= 0 for every non-negative value of them."""
    poly = sp.Poly(sp.expand(expr), *symbols)
    return all(coefficient >= 0 for coefficient in poly.coeffs())


def library_instance(shape, mu, rows):
    """The exact Instance of a multiple-choice shape: column 0 valid, then the errors."""
    width = max(shape) + 1
    p = [[F(1)] + [F(0)] * (width - 1) for _ in shape]
    valid = [[True] + [False] * (width - 1) for _ in shape]
    plausible = [[j <= k for j in range(width)] for k in shape]
    p_hat = [[1 - sum(row)] + list(row) + [F(0)] * (width - 1 - len(row)) for row in rows]
    return hp.Instance(p, p_hat, valid, mu=mu, plausible=plausible)


def random_point(rng, shape):
    """Exact random mu and error masses for a shape (each row's errors sum to at most 1)."""
    weights = rng.integers(1, 6, size=len(shape))
    mu = [F(int(w), int(weights.sum())) for w in weights]
    rows = []
    for k in shape:
        w = rng.integers(0, 5, size=k + 1)
        w[0] += 1
        rows.append([F(int(x), int(w.sum())) for x in w[1:]])
    return mu, rows


# --- Theorem 4 --------------------------------------------------------------------------------


@pytest.mark.result("Theorem 4", kind="exact", functions=["best_threshold", "expected_iiv_error"])
@given(instances(exact=True, one_valid=True))
def test_theorem4_step1_some_threshold_is_at_most_the_average(inst):
    """Step 1: min_t err_iiv(f_t) <= E_{t ~ U[0,1]} err_iiv(f_t), and the minimiser satisfies the
    theorem whenever Eq. (11) holds."""
    best = hp.best_threshold(inst)
    assert 0 <= best.threshold <= 1
    assert best.iiv_error == hp.iiv_error(inst, threshold=best.threshold)
    assert best.iiv_error <= hp.expected_iiv_error(inst)


@pytest.mark.result("Theorem 4", kind="symbolic", functions=["theorem4_derivation"])
def test_theorem4_step2_probability_above_threshold_is_q():
    """Step 2: Pr_{t ~ U[0,1]}[q > t] = q for every q in [0, 1] (q = u/(1+u), u >= 0, covers
    [0, 1); q = 1 separately), from the integral of the indicator of t < q."""
    d = hp.theorem4_derivation()
    assert d["probability_is_q"]
    t, q = sp.symbols("t q", real=True)
    indicator = sp.Piecewise((1, t < q), (0, True))
    for value in (sp.Integer(0), sp.Rational(1, 3), sp.Integer(1)):
        assert sp.integrate(indicator.subs(q, value), (t, 0, 1)) == value
    # A stronger claim, Pr_t[q >= t] = q + 1/2, must fail: the check can tell the two apart.
    assert sp.integrate(indicator.subs(q, sp.Rational(1, 3)), (t, 0, 1)) != sp.Rational(5, 6)


@pytest.mark.result("Theorem 4", kind="exact", functions=["expected_iiv_error", "theorem4_proof_terms"])
@given(instances(exact=True, one_valid=True))
def test_theorem4_step2_on_instances(inst):
    """Step 2 on instances: integrating the library's step function t -> err_iiv(f_t) gives the
    closed form in which each slot is '+' with probability p_hat(r|c)."""
    terms = hp.theorem4_proof_terms(inst)
    assert hp.expected_iiv_error(inst) == terms["false_positive"] + terms["false_negative"]


@pytest.mark.result("Theorem 4", kind="symbolic", functions=["theorem4_proof_terms"])
@pytest.mark.parametrize("shape", SHAPES)
def test_theorem4_step3_false_positives(shape):
    """Step 3: E_t false positives = (1/2) sum_c mu(c) sum_{E_c} p_hat/|E_c| <= err/(2(C-1)),
    for every non-negative mu and p_hat of the shape: the difference is a polynomial with
    non-negative coefficients. The symbolic term equals the library's at random exact points."""
    symbols, err, fp, _, c = symbolic_multiple_choice(shape)
    assert nonnegative_polynomial(err / (2 * (c - 1)) - fp, symbols)
    equal = len(set(shape)) == 1
    assert (sp.expand(err / (2 * (c - 1)) - fp) == 0) == equal  # an equality iff |E_c| = C - 1
    rng = np.random.default_rng(len(shape) * 10 + sum(shape))
    for _ in range(5):
        mu, rows = random_point(rng, shape)
        values = dict(zip(symbols, list(mu) + [e for row in rows for e in row]))
        inst = library_instance(shape, mu, rows)
        assert sp.Rational(hp.theorem4_proof_terms(inst)["false_positive"]) == fp.subs(values)
        assert sp.Rational(hp.generative_error(inst)) == err.subs(values)


@pytest.mark.result("Theorem 4", kind="symbolic", functions=["theorem4_proof_terms"])
@pytest.mark.parametrize("shape", SHAPES)
def test_theorem4_step4_false_negatives(shape):
    """Step 4: E_t false negatives = (1/2) sum_c mu(c) (1 - p_hat(a_c|c)) = err/2 identically,
    because the row of p_hat sums to 1; equal to the library's term at random exact points."""
    symbols, err, _, fn, _ = symbolic_multiple_choice(shape)
    assert sp.expand(fn - err / 2) == 0
    rng = np.random.default_rng(100 + len(shape))
    for _ in range(5):
        mu, rows = random_point(rng, shape)
        values = dict(zip(symbols, list(mu) + [e for row in rows for e in row]))
        inst = library_instance(shape, mu, rows)
        assert sp.Rational(hp.theorem4_proof_terms(inst)["false_negative"]) == fn.subs(values)


@pytest.mark.result("Theorem 4", kind="symbolic", functions=["theorem4_derivation"])
@pytest.mark.parametrize("shape", SHAPES)
def test_theorem4_step5_sum_and_rearrangement(shape):
    """Step 5: 1/(2(C-1)) + 1/2 = C/(2(C-1)), whose inverse is 2(1 - 1/C) (for symbolic C), and
    Eq. (11), err - 2(1 - 1/C)(FP + FN) >= 0, as a polynomial with non-negative coefficients."""
    d = hp.theorem4_derivation()
    assert d["constant_is_c_over_2c_minus_2"] and d["inverse_is_paper_factor"]
    symbols, err, fp, fn, c = symbolic_multiple_choice(shape)
    factor = 2 * (1 - sp.Rational(1, c))
    assert nonnegative_polynomial(err - factor * (fp + fn), symbols)
    # the stronger factor 2 (no 1 - 1/C) leaves a negative coefficient: the check can fail
    assert not nonnegative_polynomial(err - 2 * (fp + fn), symbols)


@pytest.mark.result("Theorem 3", "Theorem 4", kind="tightness", functions=["theorem3_bound", "best_threshold",
                                                                       "expected_iiv_error"])
@pytest.mark.parametrize("c", range(2, 41))
def test_uniform_guesser_is_tight_for_every_c(c):
    """For C = 2..40 the uniform guesser (p_hat = 1/C on each of C choices) has err = 1 - 1/C and
    err_iiv(f_t) = 1/2 at every t, so err = 2(1 - 1/C) min_t err_iiv(f_t) = 2(1 - 1/C) E_t
    err_iiv(f_t) = 2(1 - 1/C) opt: Theorems 3 and 4 and Eq. (11) hold with equality."""
    guesser = hp.Instance([1] + [0] * (c - 1), [F(1, c)] * c, [True] + [False] * (c - 1))
    _, values = hp.iiv_error_steps(guesser)
    assert set(values) == {F(1, 2)}
    err = hp.generative_error(guesser)
    assert err == 1 - F(1, c)
    assert err == hp.theorem3_bound(hp.best_threshold(guesser).iiv_error, c)
    assert err == hp.theorem3_bound(hp.opt_over_models([guesser]), c)
    assert err == hp.theorem4_average_bound(guesser)
    assert err < F(101, 100) * hp.theorem3_bound(hp.opt_over_models([guesser]), c)


@pytest.mark.result("Theorem 3", "Theorem 4", kind="tightness", functions=[])
def test_uniform_guesser_is_tight_for_every_c_symbolically():
    """For symbolic C >= 2: the uniform guesser's classifier says '+' to all C slots (t < 1/C) or
    to none (t >= 1/C); from the definition of D, the misclassified mass is the error mass
    (C - 1) * 1/(2(C - 1)) = 1/2 or the valid mass 1/2, and err = (C - 1)/C = 2(1 - 1/C) * 1/2."""
    c = sp.Symbol("C", integer=True, positive=True)
    d_valid, d_error = sp.Rational(1, 2), 1 / (2 * (c - 1))
    all_plus = (c - 1) * d_error            # every error is a false positive
    all_minus = d_valid                     # the valid answer is a false negative
    err = (c - 1) * (1 / c)
    assert sp.simplify(all_plus - sp.Rational(1, 2)) == 0 and all_minus == sp.Rational(1, 2)
    assert sp.simplify(err - 2 * (1 - 1 / c) * sp.Rational(1, 2)) == 0
    # and 2(1 - 1/C) rises from 1 at C = 2 towards 2 (Corollary 1's constant)
    assert (2 * (1 - 1 / c)).subs(c, 2) == 1 and sp.limit(2 * (1 - 1 / c), c, sp.oo) == 2


# --- Theorem 3 --------------------------------------------------------------------------------


@pytest.mark.result("Theorem 3", kind="exact", functions=["opt_over_models", "best_threshold"])
@given(families(one_valid=True))
def test_theorem3_step1_f_t_is_in_the_family(family):
    """Step 1: the classifier f_t of Theorem 4 is g_{theta,t} for the model itself, so
    err_iiv(f_t) >= opt(G) over any family that holds the model."""
    inst, models = family
    best = hp.best_threshold(inst)
    assert hp.opt_over_models([inst], thresholds=[best.threshold]) == best.iiv_error
    assert hp.opt_over_models(models) <= best.iiv_error


@pytest.mark.result("Theorem 3", kind="exact", functions=["theorem3_bound", "opt_over_models"])
@given(families(one_valid=True))
def test_theorem3_step2_chain(family):
    """Step 2: err >= 2(1 - 1/C) err_iiv(f_t) >= 2(1 - 1/C) opt(G) (the factor is >= 0)."""
    inst, models = family
    c = hp.n_choices(inst)
    at_t = hp.theorem3_bound(hp.best_threshold(inst).iiv_error, c)
    assert hp.generative_error(inst) >= at_t >= hp.theorem3_bound(hp.opt_over_models(models), c)


# --- the poor-model inequality ----------------------------------------------------------------


@pytest.mark.result("Poor-model inequality", kind="exact", functions=["opt_over_models", "iiv_error"])
@given(instances(exact=True))
def test_poor_model_step1_theorem1_classifier_is_a_member(inst):
    """Step 1: Theorem 1's classifier is g_{theta, t} at t = 1/min_c|E_c|, a threshold in [0, 1]."""
    t = F(1, inst.min_errors)
    assert 0 < t <= 1
    assert hp.iiv_error(inst) == hp.iiv_error(inst, threshold=t)
    assert hp.opt_over_models([inst], thresholds=[t]) == hp.iiv_error(inst)


@pytest.mark.result("Poor-model inequality", kind="exact", functions=["opt_over_models"])
@given(families())
def test_poor_model_step2_opt_is_at_most_err_iiv(family):
    """Step 2: a minimum is at most any member: opt(G) <= err_iiv."""
    inst, models = family
    assert hp.opt_over_models(models) <= hp.iiv_error(inst)


@pytest.mark.result("Poor-model inequality", kind="exact", functions=["poor_model_bound", "theorem1_bound"])
@given(families())
def test_poor_model_step3_replace_err_iiv_by_opt(family):
    """Step 3: err >= Theorem 1's bound = the poor-model bound at err_iiv >= the bound at opt."""
    inst, models = family
    opt = hp.opt_over_models(models)
    theorem1 = hp.theorem1_bound(inst)
    assert hp.poor_model_bound(inst, hp.iiv_error(inst)) == theorem1
    assert hp.generative_error(inst) >= theorem1 >= hp.poor_model_bound(inst, opt)


# --- Corollary 2 ------------------------------------------------------------------------------

corpus_sentences = st.lists(st.sampled_from(
    ["she", "he", "her", "his", "mind", "out", "of", "lost", "it", "and", "was", "completely", "."]),
    min_size=1, max_size=8).map(" ".join)


@pytest.mark.result("Corollary 2", kind="exact", functions=["NGramModel", "corollary2_instance"])
@given(st.lists(st.one_of(corpus_sentences, st.sampled_from(SMALL_CORPUS)), min_size=1, max_size=10),
       st.integers(1, 8), st.fractions(F(1, 100), 3))
def test_corollary2_step1_trigram_rows_are_equal(corpus, n, smoothing):
    """Step 1: an n-gram model with n <= 8 never sees the pronoun, so p_hat(.|c_1) = p_hat(.|c_2)."""
    inst = hp.corollary2_instance(hp.NGramModel(corpus, n, smoothing=smoothing))
    assert inst.p_hat[0].tolist() == inst.p_hat[1].tolist()


@pytest.mark.result("Corollary 2", kind="exhaustive", functions=["iiv_error_steps"])
def test_corollary2_step2_every_threshold_misclassifies_half():
    """Step 2: with equal rows (q, 1 - q), every one of the four labelings a classifier blind to
    the pronoun can give (one label per response, shared by both prompts) misclassifies D-mass
    1/2 (D = 1/4 per slot, from mu = 1/2, |V_c| = |E_c| = 1); and the library's step function is
    1/2 at every threshold, for every q = k/24."""
    d_slot = F(1, 2) * F(1, 2)  # mu(c)/2 * p(r|c) on the valid slot = mu(c)/(2|E_c|) on the error
    target = {("c1", "r1"): True, ("c1", "r2"): False, ("c2", "r1"): False, ("c2", "r2"): True}
    for label_r1 in (True, False):
        for label_r2 in (True, False):
            label = {"r1": label_r1, "r2": label_r2}
            wrong = sum(d_slot for (c, r), ok in target.items() if label[r] != ok)
            assert wrong == F(1, 2)
    for k in range(25):
        q = F(k, 24)
        inst = hp.Instance([[1, 0], [0, 1]], [[q, 1 - q], [q, 1 - q]],
                           [[True, False], [False, True]])
        assert set(hp.iiv_error_steps(inst)[1]) == {F(1, 2)}


@pytest.mark.result("Corollary 2", kind="symbolic", functions=["theorem3_bound", "theorem4_derivation"])
def test_corollary2_step3_value_one_half():
    """Step 3: Theorem 3 with C = 2 and opt = 1/2 gives 2(1 - 1/2)(1/2) = 1/2; directly, from the
    definition err = sum_c mu(c) p_hat(E_c|c) with mu = 1/2, err = (1 - q)/2 + q/2 = 1/2."""
    assert hp.theorem4_derivation()["corollary2_value_is_half"]
    assert hp.theorem3_bound(F(1, 2), 2) == F(1, 2)
    q = sp.Symbol("q", nonnegative=True)
    err = sp.Rational(1, 2) * (1 - q) + sp.Rational(1, 2) * q  # E_{c1} = {r2}, E_{c2} = {r1}
    assert sp.simplify(err) == sp.Rational(1, 2)
    inst = hp.corollary2_instance(hp.NGramModel(SMALL_CORPUS, n=3))
    assert hp.generative_error(inst) == F(1, 2) == hp.theorem3_bound(hp.opt_over_models([inst]), 2)
