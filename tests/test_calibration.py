"""Calibration (paper Section 3.1, Eq. (3)): the rescaling identity dL(p_hat_s)/ds|_{s=1} = p_hat(A) - p(A),
the printed prompted loss that breaks it, delta versus ECE, the uniform and the question-answer-database
models, and cross-entropy training.
"""

import math
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, find, given, settings
from hypothesis import strategies as st
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
from hallu_proofs import calibration
from hallu_proofs.strategies import instances

thresholds = st.one_of(st.none(), st.fractions(0, 1))

# SymPy differentiates a symbolic loss per example: 40 examples in the quick profiles, all of
# the profile's examples in the thorough one.
SYMPY_EXAMPLES = 40 if settings.default.max_examples < 10_000 else settings.default.max_examples


def has_finite_loss(inst):
    support = inst.mu[:, None] * inst.p > 0
    return not (support & (inst.p_hat == 0)).any()


def smoothed(inst):
    """The same instance with p_hat replaced by (p_hat + uniform) / 2: positive on every plausible slot."""
    uniform = hp.uniform_model(inst)
    half = F(1, 2) if inst.exact else 0.5
    p_hat = (inst.p_hat + uniform.p_hat) * half
    if inst.single_prompt:
        plausible = None if inst.plausible is None else inst.plausible[0]
        return hp.Instance(inst.p[0], p_hat[0], inst.valid[0], plausible=plausible)
    return hp.Instance(inst.p, p_hat, inst.valid, mu=inst.mu, plausible=inst.plausible)


@st.composite
def arbitrary_facts(draw, exact=True):
    """Definition 1 instances: column 0 is IDK, one correct answer a_c, p(a_c|c) = alpha_c."""
    m = draw(st.integers(1, 4))
    n = draw(st.integers(4, 7))  # IDK, a_c and at least two errors: threshold 1/K < 1
    valid = np.zeros((m, n), bool)
    valid[:, 0] = True
    answers = [draw(st.integers(1, n - 1)) for _ in range(m)]
    valid[np.arange(m), answers] = True
    alphas = [F(draw(st.integers(0, 6)), 6) for _ in range(m)]
    p = np.full((m, n), F(0), dtype=object)
    for c, (a, alpha) in enumerate(zip(answers, alphas)):
        p[c, a], p[c, 0] = alpha, 1 - alpha
    weights = [draw(st.integers(1, 5)) for _ in range(m)]
    mu = [F(w, sum(weights)) for w in weights]
    uniform = np.full((m, n), F(1, n), dtype=object)
    known = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    inst = hp.Instance(p, uniform, valid, mu=mu)
    if not exact:
        inst = hp.Instance(p.astype(float), uniform.astype(float), valid, mu=np.array(mu, float))
    return inst, known, np.array(answers), np.array(alphas, dtype=object)


# --------------------------------------------------------------------------- the rescaled model


@given(instances(exact=True), st.fractions(F(1, 10), 10), thresholds)
def test_rescaled_model_is_the_rescaling(inst, s, threshold):
    """p_hat_s is an Instance on the same p with p_hat_s(A_c|c) = s q_c / (1 + (s - 1) q_c), exactly."""
    scaled = hp.rescaled_model(inst, s, threshold)
    assert scaled.p.tolist() == inst.p.tolist() and scaled.mu.tolist() == inst.mu.tolist()
    above = hp.classify(inst, threshold)
    for c in range(inst.n_prompts):
        q = sum(inst.p_hat[c][above[c]], F(0))
        assert sum(scaled.p_hat[c][above[c]], F(0)) == s * q / (1 + (s - 1) * q)
        ratios = {scaled.p_hat[c, r] / inst.p_hat[c, r] for r in range(inst.p.shape[1])
                  if inst.p_hat[c, r] > 0 and not above[c, r]}
        assert len(ratios) <= 1  # slots below the threshold keep their proportions
    assert hp.rescaled_model(inst, 1, threshold).p_hat.tolist() == inst.p_hat.tolist()


# --------------------------------------------------------------------------- the identity


@given(instances(exact=True), thresholds)
def test_derivative_identity_exact(inst, threshold):
    """The closed form at s = 1 and signed_calibration_gap agree exactly (two code paths of one sum;
    the identity itself is checked against sympy.diff of the loss in test_steps_calibration.py)."""
    assume(has_finite_loss(inst))
    derivative = hp.rescaled_loss_derivative(inst, 1, threshold)
    assert derivative == hp.signed_calibration_gap(inst, threshold)
    assert abs(derivative) == hp.calibration_gap(inst, threshold=threshold)


@given(instances(exact=False), st.one_of(st.none(), st.floats(0, 1)))
def test_derivative_identity_by_finite_differences(inst, threshold):
    """The numerical derivative of the loss at s = 1 equals p_hat(A) - p(A) within FLOAT_TOLERANCE."""
    assume(has_finite_loss(inst))
    numeric = hp.finite_difference_derivative(inst, threshold=threshold)
    assert abs(numeric - hp.signed_calibration_gap(inst, threshold)) <= FLOAT_TOLERANCE
    assert abs(abs(numeric) - hp.calibration_gap(inst, threshold=threshold)) <= FLOAT_TOLERANCE


@given(instances(exact=False), st.floats(0.2, 5.0))
def test_closed_form_derivative_at_any_scale(inst, s):
    """The closed form sum_c mu(c) [q_c / Z_c(s) - p(A_c|c) / s] matches finite differences at any s."""
    assume(has_finite_loss(inst))
    numeric = hp.finite_difference_derivative(inst, s=s)
    assert abs(numeric - hp.rescaled_loss_derivative(inst, s)) <= FLOAT_TOLERANCE


def symbolic_loss_derivative(inst, s):
    """dL(p_hat_s)/ds at s, exactly: sympy differentiates the loss written from the definitions."""
    u = sp.Symbol("u", positive=True)
    above = hp.classify(inst)
    loss = 0
    for c in range(inst.n_prompts):
        z = sum((u if above[c, r] else 1) * sp.Rational(inst.p_hat[c, r])
                for r in range(inst.p.shape[1]))
        for r in range(inst.p.shape[1]):
            weight = sp.Rational(inst.mu[c] * inst.p[c, r])
            if weight:
                scaled = (u if above[c, r] else 1) * sp.Rational(inst.p_hat[c, r]) / z
                loss += -weight * sp.log(scaled)
    return F(str(sp.simplify(sp.diff(loss, u).subs(u, sp.Rational(s)))))


@settings(max_examples=SYMPY_EXAMPLES)
@given(instances(exact=True, max_prompts=3, max_responses=4), st.fractions(F(1, 4), 4))
def test_closed_form_derivative_exact_at_any_scale(inst, s):
    """The exact closed form equals sympy's derivative of the loss written from its definition."""
    assume(has_finite_loss(inst))
    assert hp.rescaled_loss_derivative(inst, s) == symbolic_loss_derivative(inst, s)


def test_derivative_is_signed_not_delta():
    """Falsification: dL/ds = +delta (without the sign) fails, and so does dL/ds = -delta."""
    def finite_and(pred):
        return lambda i: has_finite_loss(i) and pred(i)
    below = find(instances(exact=True), finite_and(
        lambda i: hp.rescaled_loss_derivative(i) != hp.calibration_gap(i)))
    above = find(instances(exact=True), finite_and(
        lambda i: hp.rescaled_loss_derivative(i) != -hp.calibration_gap(i)))
    assert hp.rescaled_loss_derivative(below) < 0 < hp.rescaled_loss_derivative(above)


def test_symbolic_no_prompt_steps():
    """Sympy: each step of the no-prompt derivation simplifies to 0, for several sizes of A and B."""
    for n_above, n_below in [(1, 1), (2, 1), (1, 3), (3, 2)]:
        steps = hp.symbolic_rescaling_steps(n_above, n_below)
        for name in ("log_ratio", "loss", "normaliser", "derivative"):
            assert sp.simplify(steps[name]) == 0, (name, n_above, n_below)


def test_symbolic_prompted_weighted_holds_printed_fails():
    """Sympy: with the weight p(r|c) the prompted identity holds; the printed loss gives another value."""
    out = hp.symbolic_prompted_rescaling(((1, 1), (2, 1), (0, 2)))
    assert sp.simplify(out["weighted"]) == 0
    assert sp.simplify(out["printed_closed_form"]) == 0
    point = {x: F(1, 4) for group in out["symbols"]["p_hat"] + out["symbols"]["p"] for x in group}
    point.update({mu: F(1, 3) for mu in out["symbols"]["mu"]})
    assert out["printed"].subs(point) != 0


# --------------------------------------------------------------------------- the printed loss


@given(instances(exact=False).map(smoothed), st.one_of(st.none(), st.floats(0, 1)))
def test_printed_loss_closed_form_matches_finite_differences(inst, threshold):
    """The printed loss's derivative is sum_c mu(c) (|R_c| q_c - |A_c|) (checked numerically)."""
    numeric = hp.finite_difference_derivative(inst, threshold=threshold, printed=True)
    closed = hp.printed_prompted_loss_derivative(inst, 1, threshold)
    assert abs(numeric - closed) <= FLOAT_TOLERANCE


def test_printed_loss_breaks_the_identity():
    """Falsification: the printed (unweighted) prompted loss does not have derivative p_hat(A) - p(A)."""
    witness = hp.printed_loss_counterexample()
    slip = hp.prompted_loss_slip(witness)
    assert slip["weighted_derivative"] == slip["signed_gap"] == F(-2, 5)
    assert slip["printed_derivative"] == F(4, 5)
    found = find(instances(exact=True, single_prompt=False).map(smoothed), lambda i:
                 hp.prompted_loss_slip(i)["printed_derivative"] != hp.prompted_loss_slip(i)["signed_gap"])
    assert found.n_prompts >= 2


# --------------------------------------------------------------------------- delta itself


@given(instances(exact=True), thresholds)
def test_delta_via_complement(inst, threshold):
    """delta = |p_hat(A) - p(A)| = |p_hat(B) - p(B)| with B the plausible slots not in A."""
    masses = hp.threshold_masses(inst, threshold)
    assert abs(masses["p_hat_below"] - masses["p_below"]) == hp.calibration_gap(inst, threshold)
    assert masses["p_hat_above"] + masses["p_hat_below"] == 1 == masses["p_above"] + masses["p_below"]


@given(instances(exact=True), st.lists(st.fractions(0, 1), min_size=1, max_size=5))
def test_delta_t_in_unit_interval(inst, ts):
    """0 <= delta_t <= 1 for every threshold t."""
    assert all(0 <= d <= 1 for d in hp.calibration_gap_curve(inst, ts))


@given(instances(exact=True, single_prompt=True))
def test_uniform_model_delta_zero_one_prompt(inst):
    """One prompt: the uniform model p_hat = 1/|X| has delta = 0 (paper, Section 3.1)."""
    assert hp.calibration_gap(hp.uniform_model(inst)) == 0


@given(instances(exact=True), st.fractions(0, 1))
def test_uniform_model_calibrated_at_every_threshold_with_prompts(inst, t):
    """Any prompts and sizes: the per-prompt uniform model has delta_t = 0 for every t, and ECE = 0."""
    uniform = hp.uniform_model(inst)
    assert hp.calibration_gap(uniform, threshold=t) == 0
    assert hp.level_set_calibration_error(uniform) == 0


def test_uniform_model_not_a_perfect_model():
    """delta = 0 does not need p_hat = p: the uniform model differs from p yet has delta = 0."""
    inst = hp.printed_loss_counterexample()
    uniform = hp.uniform_model(inst)
    assert uniform.p_hat.tolist() != uniform.p.tolist() and hp.calibration_gap(uniform) == 0


# --------------------------------------------------------------------------- delta versus ECE


@given(instances(exact=True), st.fractions(0, 1))
def test_twice_delta_at_most_ece(inst, t):
    """2 delta_t <= ECE for every threshold t; binning can only lower ECE."""
    ece = hp.level_set_calibration_error(inst)
    assert 2 * hp.calibration_gap(inst, threshold=t) <= ece
    assert all(hp.level_set_calibration_error(inst, bins=b) <= ece for b in (1, 2, 10))


def test_twice_delta_at_most_ece_is_tight_and_has_no_converse():
    """Tightness: 2 delta = ECE on the witness; so delta <= c ECE fails for c < 1/2; ECE <= C delta fails."""
    witness = hp.printed_loss_counterexample()
    assert 2 * hp.calibration_gap(witness) == hp.level_set_calibration_error(witness) == F(4, 5)
    assert not hp.calibration_gap(witness) <= F(49, 100) * hp.level_set_calibration_error(witness)
    calibrated_but_not = find(instances(exact=True), lambda i: hp.calibration_gap(i) == 0
                              and hp.level_set_calibration_error(i) > 0)
    assert hp.level_set_calibration_error(calibrated_but_not) > 0


def test_ece_by_hand_exact_and_in_floats():
    """ECE on a two-prompt instance whose level sets and bins are worked out by hand.

    Prompt 0: p = (1/2, 1/2, 0), p_hat = (1, 0, 0); prompt 1: p = (1, 0, 0), p_hat = (1/2, 1/4, 1/4);
    mu uniform, so the weighted gaps mu (p_hat - p) are (1/4, -1/4, 0) and (-1/4, 1/8, 1/8).
    Level sets of p_hat: 1 -> 1/4, 0 -> -1/4, 1/2 -> -1/4, 1/4 -> 1/4, so ECE = 1. One bin: the
    gaps cancel (0). Two bins: [0, 1/2] holds 0, 1/4 and 1/2 (-1/4), (1/2, 1] holds 1 (1/4):
    1/2. Three bins: [0, 1/3] cancels, (1/3, 2/3] holds 1/2 (-1/4), (2/3, 1] holds 1 (1/4): 1/2.
    """
    p = [[F(1, 2), F(1, 2), 0], [1, 0, 0]]
    p_hat = [[1, 0, 0], [F(1, 2), F(1, 4), F(1, 4)]]
    valid = [[True, True, False], [True, False, False]]
    exact = hp.Instance(np.array(p, dtype=object), np.array(p_hat, dtype=object), valid)
    floats = hp.Instance(np.array(p, dtype=float), np.array(p_hat, dtype=float), valid)
    expected = {None: F(1), 1: F(0), 2: F(1, 2), 3: F(1, 2)}
    for bins, value in expected.items():
        assert hp.level_set_calibration_error(exact, bins=bins) == value
        assert abs(hp.level_set_calibration_error(floats, bins=bins) - float(value)) <= FLOAT_TOLERANCE


# --------------------------------------------------------------------------- a model that never errs


@pytest.mark.result("Theorem 1", kind="exact", functions=["question_answer_database_model", "theorem1_bound"])
@given(arbitrary_facts())
def test_database_model_never_errs_and_is_miscalibrated(case):
    """Question-answer database + IDK: err = 0, and delta = 2 err_iiv = p(B) = sum_known mu (1 - alpha)
    + sum_unknown mu alpha; so err >= 2 err_iiv - k/K - delta holds with 2 err_iiv - delta = 0."""
    inst, known, answers, alphas = case
    model = hp.question_answer_database_model(inst, known, idk=0)
    delta = hp.calibration_gap(model)
    assert hp.generative_error(model) == 0
    assert delta == 2 * hp.iiv_error(model) == hp.threshold_masses(model)["p_below"]
    assert delta == sum(mu * (1 - a if k else a) for mu, a, k in zip(inst.mu, alphas, known))
    assert hp.theorem1_bound(model) == -F(model.max_valid, model.min_errors)


def test_database_model_is_not_a_pretrained_model():
    """The database model has infinite cross-entropy when p answers a question it does not know."""
    case = find(arbitrary_facts(), lambda c: any(a > 0 and not k for a, k in zip(c[3], c[1])))
    model = hp.question_answer_database_model(case[0], case[1], idk=0)
    with pytest.raises(ValueError, match="cross-entropy is infinite"):
        hp.cross_entropy(model)


# --------------------------------------------------------------------------- training


def prompt_blind_task():
    answers = np.array([0, 1, 1, 2, 2, 2, 3, 3, 3, 4])  # q = (.1, .2, .3, .3, .1)
    valid = np.zeros((10, 5), bool)
    valid[np.arange(10), answers] = True
    return hp.Instance(valid.astype(float), np.full((10, 5), 0.2), valid)


@given(instances(exact=True), st.data())
def test_grouped_optimum_is_calibrated(inst, data):
    """The cross-entropy minimiser of a family closed under rescaling has delta_t = 0 for all t,
    derivative 0, and ECE = 0 (for models sharing a row within groups of prompts)."""
    plaus = np.ones(inst.p.shape, bool) if inst.plausible is None else inst.plausible
    keys = {tuple(row) for row in plaus}
    groups = [sorted(keys).index(tuple(row)) for row in plaus]
    optimum = hp.grouped_softmax_optimum(inst, groups)
    t = data.draw(st.fractions(0, 1))
    assert hp.calibration_gap(optimum, threshold=t) == 0
    assert hp.level_set_calibration_error(optimum) == 0
    if has_finite_loss(optimum):
        assert hp.rescaled_loss_derivative(optimum, 1, t) == 0


def test_training_with_exact_gradient_reaches_the_optimum():
    """Gradient descent on the expected loss converges to the grouped optimum, where delta = 0."""
    task = prompt_blind_task()
    run = hp.train_softmax(task, groups=np.zeros(10, int), steps=3000, learning_rate=2.0,
                           batch_size=None, record_every=500)
    optimum = hp.grouped_softmax_optimum(task, np.zeros(10, int))
    assert np.abs(run.model.p_hat - optimum.p_hat).max() <= FLOAT_TOLERANCE
    assert run.delta[-1] <= FLOAT_TOLERANCE < run.delta[0]
    assert abs(run.loss[-1] - hp.cross_entropy(optimum)) <= FLOAT_TOLERANCE
    assert np.all(run.err >= run.bound) and run.bound[-1] > 0


def test_training_on_samples_shrinks_delta_and_is_reproducible():
    """SGD on fresh samples from p: delta falls well below its starting value; the seed fixes the run."""
    task = prompt_blind_task()
    kwargs = dict(groups=np.zeros(10, int), steps=1000, learning_rate=1.0, batch_size=500,
                  decay_steps=50, init_scale=1.5, seed=3, record_every=100)
    run = hp.train_softmax(task, **kwargs)
    assert run.delta[-1] < run.delta[0] / 10
    assert np.array_equal(run.delta, hp.train_softmax(task, **kwargs).delta)


def test_grouped_family_closed_under_rescaling():
    """Rescaling a grouped model keeps equal rows within each group (the family is closed)."""
    task = prompt_blind_task()
    run = hp.train_softmax(task, groups=np.zeros(10, int), steps=10, record_every=10)
    scaled = hp.rescaled_model(run.model, 1.7)
    assert np.all(scaled.p_hat == scaled.p_hat[0])


# --------------------------------------------------------------------------- bad input


def test_refusals():
    """Every bad input is refused with an error that names the argument."""
    exact = hp.printed_loss_counterexample()
    floaty = hp.Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    zero_model = hp.Instance([0.5, 0.5, 0.0], [1.0, 0.0, 0.0], [True, True, False])
    cases = [
        (ValueError, "s must be > 0", lambda: hp.rescaled_model(floaty, 0)),
        (ValueError, "s must be > 0", lambda: hp.rescaled_model(exact, F(-1, 2))),
        (ValueError, "s must be finite", lambda: hp.rescaled_model(floaty, float("nan"))),
        (ValueError, "s must be finite", lambda: hp.rescaled_model(floaty, float("inf"))),
        (TypeError, "s must be a real", lambda: hp.rescaled_model(floaty, True)),
        (TypeError, "s must be a real", lambda: hp.rescaled_model(floaty, "2")),
        (TypeError, "s must be an int or fractions.Fraction", lambda: hp.rescaled_model(exact, 1.5)),
        (ValueError, "threshold", lambda: hp.rescaled_model(floaty, 2, threshold=1.5)),
        (ValueError, "s must be > 0", lambda: hp.rescaled_loss_derivative(floaty, s=-1)),
        (ValueError, "cross-entropy is infinite", lambda: hp.cross_entropy(zero_model)),
        (ValueError, "cross-entropy is infinite", lambda: hp.rescaled_loss_derivative(zero_model)),
        (ValueError, "printed prompted loss is infinite", lambda: hp.printed_prompted_loss(zero_model)),
        (ValueError, "printed prompted loss is infinite",
         lambda: hp.printed_prompted_loss_derivative(zero_model)),
        (ValueError, "step", lambda: hp.finite_difference_derivative(floaty, step=0)),
        (ValueError, "step", lambda: hp.finite_difference_derivative(floaty, step=0.6)),
        (TypeError, "step", lambda: hp.finite_difference_derivative(floaty, step="small")),
        (ValueError, "bins must be >= 1", lambda: hp.level_set_calibration_error(floaty, bins=0)),
        (TypeError, "bins must be an integer", lambda: hp.level_set_calibration_error(floaty, bins=2.0)),
        (ValueError, "thresholds must be a 1-D", lambda: hp.calibration_gap_curve(floaty, [[0.1]])),
        (ValueError, "threshold", lambda: hp.calibration_gap_curve(floaty, [0.1, 2.0])),
        (TypeError, "known must be a boolean", lambda: hp.question_answer_database_model(
            floaty, [1], idk=0)),
        (ValueError, "known has shape", lambda: hp.question_answer_database_model(
            floaty, [True, False], idk=0)),
        (TypeError, "idk must be an integer", lambda: hp.question_answer_database_model(
            floaty, [True], idk=True)),
        (ValueError, "idk must be a column index", lambda: hp.question_answer_database_model(
            floaty, [True], idk=3)),
        (ValueError, "idk: response 1 is not valid", lambda: hp.question_answer_database_model(
            floaty, [True], idk=1)),
        (ValueError, "known: prompt 0 has no valid response other than IDK",
         lambda: hp.question_answer_database_model(floaty, [True], idk=0)),
        (TypeError, "groups must hold integers", lambda: hp.grouped_softmax_optimum(floaty, [0.5])),
        (ValueError, "groups has shape", lambda: hp.grouped_softmax_optimum(floaty, [0, 0])),
        (ValueError, "different plausible sets", lambda: hp.grouped_softmax_optimum(
            hp.Instance([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]], [[0.5, 0.5, 0.0], [0.3, 0.3, 0.4]],
                        [[True, False, False]] * 2,
                        plausible=[[True, True, False], [True, True, True]]), [0, 0])),
        (ValueError, "steps must be >= 1", lambda: hp.train_softmax(floaty, steps=0)),
        (ValueError, "learning_rate must be > 0", lambda: hp.train_softmax(floaty, learning_rate=0)),
        (ValueError, "learning_rate must be finite",
         lambda: hp.train_softmax(floaty, learning_rate=float("nan"))),
        (ValueError, "batch_size must be >= 1", lambda: hp.train_softmax(floaty, batch_size=0)),
        (ValueError, "decay_steps must be >= 1", lambda: hp.train_softmax(floaty, decay_steps=0)),
        (ValueError, "init_scale must be >= 0", lambda: hp.train_softmax(floaty, init_scale=-1)),
        (ValueError, "record_every must be >= 1", lambda: hp.train_softmax(floaty, record_every=0)),
        (ValueError, "n_above must be >= 1", lambda: hp.symbolic_rescaling_steps(0, 1)),
        (ValueError, "sizes must list", lambda: hp.symbolic_prompted_rescaling(())),
        (ValueError, "sizes: prompt 0", lambda: hp.symbolic_prompted_rescaling(((1, 0),))),
    ]
    for error, message, call in cases:
        with pytest.raises(error, match=message):
            call()


# --------------------------------------------------------------------------- training, against a reference


def two_group_task(exact=False):
    """Three prompts on four responses: prompts 0 and 1 share a group and the plausible set
    {0, 1, 2}; prompt 2 is alone in its group, with all four responses plausible."""
    p = [[F(1, 2), F(1, 2), 0, 0], [F(1, 5), F(4, 5), 0, 0], [F(1, 10), F(2, 10), F(7, 10), 0]]
    plausible = [[True, True, True, False], [True, True, True, False], [True] * 4]
    valid = [[True, True, False, False], [True, True, False, False], [True, True, True, False]]
    mu = [F(1, 2), F(1, 4), F(1, 4)]
    p_hat = [[F(1, 3)] * 3 + [0], [F(1, 3)] * 3 + [0], [F(1, 4)] * 4]
    if not exact:
        p, p_hat, mu = (np.array(x, dtype=float) for x in (p, p_hat, mu))
    return hp.Instance(p, p_hat, valid, mu=mu, plausible=plausible), np.array([0, 0, 1])


def reference_descent(inst, groups, steps, learning_rate, decay_steps, init_scale, seed, record_every):
    """Plain gradient descent on the expected loss, written from its definition: the gradient of
    sum_c mu(c) sum_r -p(r|c) log softmax(theta_g(c))_r in theta_g is
    sum_{c in g} mu(c) (softmax - p(.|c))."""
    mu = np.array(inst.mu, dtype=float)
    p = np.array(inst.p, dtype=float)
    plausible = inst.plausible
    labels = sorted(set(groups.tolist()))
    theta = init_scale * np.random.default_rng(seed).standard_normal((len(labels), p.shape[1]))
    first = [list(groups).index(g) for g in labels]

    def model_of(theta):
        rows = []
        for c in range(len(groups)):
            g = labels.index(groups[c])
            e = np.array([np.exp(theta[g, r]) if plausible[first[g], r] else 0.0
                          for r in range(p.shape[1])])
            rows.append(e / e.sum())
        return np.array(rows)

    recorded = []
    for t in range(steps + 1):
        model = model_of(theta)
        if t % record_every == 0 or t == steps:
            recorded.append((t, model))
        if t == steps:
            break
        gradient = np.zeros_like(theta)
        for c in range(len(groups)):
            g = labels.index(groups[c])
            gradient[g] += mu[c] * (model[c] - p[c])
        eta = learning_rate * decay_steps / (decay_steps + t)
        theta = theta - eta * gradient
    return recorded


@pytest.mark.parametrize("exact", [False, True])
def test_train_softmax_matches_reference_descent(exact):
    """train_softmax with the exact gradient follows the reference descent step by step (decayed
    steps, two groups of different sizes, a response outside one group's plausible set), and each
    record holds the loss, delta, err and Theorem 1 bound of the model at that step. An exact
    instance gives the same run, with float models."""
    inst, groups = two_group_task(exact)
    kwargs = dict(steps=7, learning_rate=0.8, decay_steps=3, init_scale=0.7, seed=5, record_every=3)
    run = hp.train_softmax(inst, groups=groups, batch_size=None, **kwargs)
    reference = reference_descent(inst, groups, **kwargs)
    assert run.steps.tolist() == [t for t, _ in reference] == [0, 3, 6, 7]
    assert run.steps.dtype.kind == "i"
    assert all(a.dtype == float for a in (run.loss, run.delta, run.err, run.bound))
    float_inst, _ = two_group_task(exact=False)
    for i, (_, model) in enumerate(reference):
        want = hp.Instance(float_inst.p, model, float_inst.valid, mu=float_inst.mu,
                           plausible=float_inst.plausible)
        assert abs(run.loss[i] - hp.cross_entropy(want)) <= FLOAT_TOLERANCE
        assert abs(run.delta[i] - hp.calibration_gap(want)) <= FLOAT_TOLERANCE
        assert abs(run.err[i] - hp.generative_error(want)) <= FLOAT_TOLERANCE
        assert abs(run.bound[i] - hp.theorem1_bound(want)) <= FLOAT_TOLERANCE
    assert not run.model.exact
    assert np.abs(run.model.p_hat - reference[-1][1]).max() <= FLOAT_TOLERANCE


def test_train_softmax_without_decay_and_from_uniform():
    """Without decay every step has size learning_rate; init_scale = 0 starts from the uniform model."""
    inst, groups = two_group_task()
    run = hp.train_softmax(inst, groups=groups, steps=4, learning_rate=1.5, batch_size=None,
                           init_scale=0, record_every=4)
    big_tau = reference_descent(inst, groups, steps=4, learning_rate=1.5, decay_steps=10**12,
                                init_scale=0, seed=0, record_every=4)
    assert np.abs(run.model.p_hat - big_tau[-1][1]).max() <= FLOAT_TOLERANCE
    assert abs(run.loss[0] - hp.cross_entropy(hp.uniform_model(inst))) <= FLOAT_TOLERANCE


def test_train_softmax_defaults():
    """The documented defaults: steps=2000, learning_rate=1.0, batch_size=64, no decay,
    init_scale=1.0, seed=0, record_every=20."""
    inst = hp.Instance([0.7, 0.3, 0.0], [0.4, 0.3, 0.3], [True, True, False])
    run = hp.train_softmax(inst)
    explicit = hp.train_softmax(inst, groups=None, steps=2000, learning_rate=1.0, batch_size=64,
                                decay_steps=None, init_scale=1.0, seed=0, record_every=20)
    assert run.steps.tolist() == list(range(0, 2001, 20))
    assert np.array_equal(run.loss, explicit.loss) and np.array_equal(run.model.p_hat, explicit.model.p_hat)


def test_train_softmax_samples_from_p():
    """One step from the uniform model on B samples moves the logits of prompt c by
    (count(c, r) - count(c) / |R_c|) / B, so the centred log-model estimates mu(c) (p(r|c) - 1/|R_c|)
    within five standard errors; the last response of the last prompt is sampled too."""
    mu, p = np.array([0.4, 0.6]), np.array([[0.0, 0.5, 0.2, 0.3], [0.0, 0.1, 0.3, 0.6]])
    inst = hp.Instance(p, np.full((2, 4), 1 / 4), p > 0, mu=mu)
    batch = 40000
    run = hp.train_softmax(inst, steps=1, learning_rate=1.0, batch_size=batch, init_scale=0,
                           seed=1, record_every=1)
    logs = np.log(run.model.p_hat)
    centred = logs - logs.mean(axis=1, keepdims=True)
    joint = mu[:, None] * p
    want = joint - joint.mean(axis=1, keepdims=True)
    assert np.abs(centred - want).max() <= 5 * 0.5 / np.sqrt(batch)


# --------------------------------------------------------------------------- more exact checks


def test_refusal_messages_in_full():
    """Messages name the argument and the offending value in full."""
    floaty = hp.Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    plausible_zero = hp.Instance([1.0, 0.0, 0.0], [1.0, 0.0, 0.0], [True, False, False])
    cases = [
        (ValueError, r"^p_hat is 0 on plausible response 1 of prompt 0: the printed prompted loss "
         r"is infinite$", lambda: hp.printed_prompted_loss(plausible_zero)),
        (ValueError, r"^p_hat is 0 on plausible response 1 of prompt 0: the printed prompted loss "
         r"is infinite$", lambda: hp.finite_difference_derivative(plausible_zero, printed=True)),
        (ValueError, r"^step must be in \(0, 0.5\), got 0.5$",
         lambda: hp.finite_difference_derivative(floaty, step=0.5)),
        (TypeError, r"^step must be a real number, got str$",
         lambda: hp.finite_difference_derivative(floaty, step="small")),
        (TypeError, r"^idk must be an integer column index, got bool$",
         lambda: hp.question_answer_database_model(floaty, [True], idk=True)),
        (ValueError, r"^groups: prompts 0 and 2 share group 1 but have different plausible sets$",
         lambda: hp.grouped_softmax_optimum(hp.Instance(
             [[1.0, 0.0, 0.0]] * 3, [[0.5, 0.5, 0.0], [0.3, 0.3, 0.4], [0.3, 0.3, 0.4]],
             [[True, False, False]] * 3,
             plausible=[[True, True, False], [True, True, True], [True, True, True]]), [1, 0, 1])),
        (TypeError, r"^init_scale must be a real number, got str$",
         lambda: hp.train_softmax(floaty, init_scale="1")),
        (ValueError, r"^init_scale must be finite, got nan$",
         lambda: hp.train_softmax(floaty, init_scale=float("nan"))),
        (ValueError, r"^n_below must be >= 1", lambda: hp.symbolic_rescaling_steps(1, 0)),
        (TypeError, r"^n_below must be an integer", lambda: hp.symbolic_rescaling_steps(1, 1.0)),
        (ValueError, r"^sizes must list at least one prompt$", lambda: hp.symbolic_prompted_rescaling(())),
    ]
    for error, message, call in cases:
        with pytest.raises(error, match=message):
            call()
    # the printed loss is finite on the witness, the weighted one is refused only where p has mass
    assert hp.cross_entropy(plausible_zero) == 0


def test_database_model_takes_the_most_likely_answer_in_floats_too():
    """The database answer is the valid non-IDK response most likely under p, not the first one;
    a float instance gives the same model, in floats."""
    p = [[0.1, 0.3, 0.6, 0.0], [0.5, 0.2, 0.3, 0.0]]
    valid = [[True, True, True, False]] * 2
    floats = hp.Instance(p, [[0.25] * 4] * 2, valid)
    exact = hp.Instance([[F(x).limit_denominator(10) for x in row] for row in p], [[F(1, 4)] * 4] * 2, valid)
    for inst in (floats, exact):
        model = hp.question_answer_database_model(inst, known=np.array([True, True]), idk=0)
        want = np.zeros((2, 4))
        for c in range(2):
            want[c, max((r for r in (1, 2)), key=lambda r: p[c][r])] = 1
        assert model.p_hat.tolist() == want.tolist()
        assert model.exact == inst.exact
        assert all(isinstance(x, F if inst.exact else float) for x in model.p_hat.ravel())


def test_grouped_optimum_of_a_group_without_mass_is_uniform():
    """A group of mu-mass 0 gets the uniform row over its plausible set (singleton or not)."""
    p = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.5, 0.5]]
    plausible = [[True, True, False], [True, True, True], [True, True, True]]
    inst = hp.Instance(p, [[0.5, 0.5, 0.0], [1 / 3] * 3, [1 / 3] * 3],
                       [[True, False, False], [False, True, False], [False, True, True]],
                       mu=[1.0, 0.0, 0.0], plausible=plausible)
    uniform = hp.uniform_model(inst).p_hat
    for groups in (None, [0, 1, 1]):
        optimum = hp.grouped_softmax_optimum(inst, groups)
        assert optimum.p_hat[0].tolist() == p[0]
        assert optimum.p_hat[1:].tolist() == uniform[1:].tolist()


def test_gap_curve_is_calibration_gap_threshold_by_threshold():
    """Each entry of the curve is calibration_gap at that threshold, exactly: Fractions for an
    exact instance (1/3 is not above 1/3, which a float threshold would get wrong, so a float is
    refused there), floats else."""
    inst = hp.Instance([F(1, 2), F(1, 2), 0], [F(1, 3), F(1, 2), F(1, 6)], [True, True, False])
    ts = [F(1, 3), F(1, 4), 0]
    curve = hp.calibration_gap_curve(inst, ts)
    assert curve.tolist() == [hp.calibration_gap(inst, threshold=t) for t in ts]
    assert all(isinstance(x, F) for x in curve)
    with pytest.raises(TypeError, match="exact instance, got 0.333"):
        hp.calibration_gap(inst, threshold=float(ts[0]))
    floats = hp.Instance([0.5, 0.5, 0.0], [0.6, 0.2, 0.2], [True, True, False])
    float_curve = hp.calibration_gap_curve(floats, [0, 0.5])
    assert float_curve.dtype == float
    assert float_curve.tolist() == [hp.calibration_gap(floats, threshold=t) for t in (0, 0.5)]


def test_prompted_loss_slip_uses_the_threshold():
    """prompted_loss_slip(inst, t) reports the three quantities at the threshold t."""
    witness = hp.printed_loss_counterexample()
    for t in (F(1, 10), F(1, 2)):
        slip = hp.prompted_loss_slip(witness, t)
        assert slip == {"signed_gap": hp.signed_calibration_gap(witness, t),
                        "weighted_derivative": hp.rescaled_loss_derivative(witness, 1, t),
                        "printed_derivative": hp.printed_prompted_loss_derivative(witness, 1, t)}
    assert hp.prompted_loss_slip(witness, F(1, 10)) != hp.prompted_loss_slip(witness)


def symbolic_printed_loss_derivative(inst, s):
    """d/ds of the printed loss sum over plausible (c, r) of -mu(c) log p_hat_s(r|c), by sympy."""
    u = sp.Symbol("u", positive=True)
    above = hp.classify(inst)
    plausible = np.ones(inst.p.shape, bool) if inst.plausible is None else inst.plausible
    loss = 0
    for c in range(inst.n_prompts):
        z = sum((u if above[c, r] else 1) * sp.Rational(inst.p_hat[c, r]) for r in range(inst.p.shape[1]))
        for r in range(inst.p.shape[1]):
            if plausible[c, r] and inst.mu[c]:
                loss += -sp.Rational(inst.mu[c]) * sp.log((u if above[c, r] else 1)
                                                         * sp.Rational(inst.p_hat[c, r]) / z)
    return F(str(sp.simplify(sp.diff(loss, u).subs(u, sp.Rational(s)))))


@settings(max_examples=SYMPY_EXAMPLES)
@given(instances(exact=True, max_prompts=3, max_responses=4).map(smoothed), st.fractions(F(1, 4), 4))
def test_printed_derivative_exact_at_any_scale(inst, s):
    """The printed loss's closed-form derivative equals sympy's derivative at any s; s = 1 by default."""
    assert hp.printed_prompted_loss_derivative(inst, s) == symbolic_printed_loss_derivative(inst, s)
    assert hp.printed_prompted_loss_derivative(inst) == symbolic_printed_loss_derivative(inst, 1)


@settings(max_examples=SYMPY_EXAMPLES)
@given(instances(exact=True, max_prompts=3, max_responses=4).map(smoothed), st.fractions(F(1, 2), 2),
       st.booleans())
def test_finite_differences_on_exact_instances(inst, s, printed):
    """On exact instances the finite difference (exact steps, log1p of exact ratios) agrees with
    the exact closed forms within FLOAT_TOLERANCE."""
    numeric = hp.finite_difference_derivative(inst, s=s, printed=printed)
    closed = (hp.printed_prompted_loss_derivative if printed else hp.rescaled_loss_derivative)(inst, s)
    assert abs(numeric - float(closed)) <= FLOAT_TOLERANCE


def test_symbolic_no_prompt_expressions():
    """The raw derivative at s = 1 is -p(A) + (sum p) p_hat(A) / (sum p_hat) on positive symbols
    qhat1.., p1.. (A the first n_above slots); the default sizes are (2, 2); the steps are
    expressions in the positive symbol s."""
    s = sp.Symbol("s", positive=True)
    for n_above, n_below in [(1, 1), (2, 1), (1, 3)]:
        n = n_above + n_below
        q = sp.symbols(f"qhat1:{n + 1}", positive=True)
        p = sp.symbols(f"p1:{n + 1}", positive=True)
        steps = hp.symbolic_rescaling_steps(n_above, n_below)
        want = -sum(p[:n_above]) + sum(p) * sum(q[:n_above]) / sum(q)
        assert sp.simplify(steps["derivative_expr"] - want) == 0
        assert steps["derivative_expr"].free_symbols == set(q) | set(p)
        assert s in steps["normaliser"].free_symbols
        assert sp.expand(steps["normaliser"] - (s * sum(q[:n_above]) + sum(q[n_above:-1])
                                                + (1 - sum(q[:-1])) - 1 - (s - 1) * sum(q[:n_above]))) == 0
    defaults, two_two = hp.symbolic_rescaling_steps(), hp.symbolic_rescaling_steps(2, 2)
    assert all(sp.simplify(defaults[k] - two_two[k]) == 0 for k in two_two)
    assert defaults["derivative_expr"].free_symbols == two_two["derivative_expr"].free_symbols


def test_symbolic_prompted_expressions():
    """The printed loss's derivative at s = 1 is sum_c mu(c) (|R_c| p_hat(A_c|c) - |A_c|), so the
    'printed' entry is that minus sum_c mu(c) (p_hat(A_c|c) - p(A_c|c)), once the rows are
    normalised; the symbols are the positive s, mu1.., qhat{c}_{i} and p{c}_{i}."""
    sizes = ((1, 1), (2, 1), (0, 2))
    out = hp.symbolic_prompted_rescaling(sizes)
    s = sp.Symbol("s", positive=True)
    mus = sp.symbols("mu1:4", positive=True)
    assert out["symbols"]["s"] == s and tuple(out["symbols"]["mu"]) == mus
    want = 0
    for c, (n_a, n_b) in enumerate(sizes):
        q = sp.symbols(f"qhat{c + 1}_1:{n_a + n_b + 1}", positive=True)
        p = sp.symbols(f"p{c + 1}_1:{n_a + n_b + 1}", positive=True)
        assert tuple(out["symbols"]["p_hat"][c]) == q and tuple(out["symbols"]["p"][c]) == p
        q_a = sum(q[:n_a]) if n_a < len(q) else 1  # the normalisation fixes the last slot
        p_a = sum(p[:n_a])
        want += mus[c] * ((n_a + n_b) * q_a - n_a) - mus[c] * (q_a - p_a)
    assert sp.simplify(out["printed"] - want) == 0
    assert sp.simplify(out["weighted"]) == 0


def test_train_softmax_is_stable_for_large_logits():
    """Logits of size ~1000 (init_scale=1000) still give the finite softmax model: each group's
    row is normalised on its own maximum, even when the groups' maxima are far apart."""
    from scipy.special import softmax

    inst, groups = two_group_task()
    run = hp.train_softmax(inst, groups=groups, steps=1, learning_rate=1e-12, batch_size=None,
                           init_scale=1000, seed=5, record_every=1)
    theta = 1000 * np.random.default_rng(5).standard_normal((2, 4))
    theta[0, 3] = -np.inf  # response 3 is not plausible for group 0
    assert theta[1].max() - theta[0].max() > 800  # beyond the range of exp
    assert np.abs(run.model.p_hat - softmax(theta, axis=1)[groups]).max() <= FLOAT_TOLERANCE


def test_gap_curve_refuses_a_grid_naming_its_shape():
    """A 2-D array of thresholds is refused with its shape."""
    floaty = hp.Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    with pytest.raises(ValueError, match=r"^thresholds must be a 1-D array, got shape \(1, 1\)$"):
        hp.calibration_gap_curve(floaty, [[0.1]])


def test_finite_differences_on_the_exact_witness():
    """The exact witness (3/5, 1/5, 1/5): finite differences match both exact closed forms."""
    witness = hp.printed_loss_counterexample()
    for s in (1, F(3, 2)):
        for printed, closed in ((False, hp.rescaled_loss_derivative),
                                (True, hp.printed_prompted_loss_derivative)):
            numeric = hp.finite_difference_derivative(witness, s=s, printed=printed)
            assert abs(numeric - float(closed(witness, s))) <= FLOAT_TOLERANCE


def test_losses_by_hand_exact_and_in_floats():
    """Cross-entropy and the printed loss on one prompt, p = (1/2, 1/2, 0), p_hat = (1/4, 1/2, 1/4):
    E_p[-log p_hat] = (ln 4 + ln 2)/2 = 1.5 ln 2; the printed loss sums -log p_hat over all three
    plausible slots, ln 4 + ln 2 + ln 4 = 5 ln 2. A zero of p_hat under p is refused by name."""
    p, p_hat, valid = [F(1, 2), F(1, 2), 0], [F(1, 4), F(1, 2), F(1, 4)], [True, True, False]
    exact = hp.Instance(np.array(p, dtype=object), np.array(p_hat, dtype=object), valid)
    floats = hp.Instance(np.array(p, dtype=float), np.array(p_hat, dtype=float), valid)
    for inst in (exact, floats):
        assert abs(hp.cross_entropy(inst) - 1.5 * math.log(2)) <= FLOAT_TOLERANCE
        assert abs(hp.printed_prompted_loss(inst) - 5 * math.log(2)) <= FLOAT_TOLERANCE
    zero = hp.Instance(np.array(p, dtype=object), np.array([F(1, 2), 0, F(1, 2)], dtype=object), valid)
    with pytest.raises(ValueError, match=r"^p_hat is 0 on response 1 of prompt 0: p has mass there, "
                                         r"so the cross-entropy is infinite$"):
        hp.cross_entropy(zero)
    with pytest.raises(ValueError, match=r"^p_hat is 0 on plausible response 1 of prompt 0: the "
                                         r"printed prompted loss is infinite$"):
        hp.printed_prompted_loss(zero)


@given(instances(exact=True).filter(has_finite_loss), st.fractions(0, 1))
def test_derivative_at_one_uses_the_given_threshold(inst, t):
    """d/ds L(p_hat_s) at s = 1 is p_hat(A_t) - p(A_t) for the threshold t that defines A_t."""
    assert hp.rescaled_loss_derivative(inst, threshold=t) == hp.signed_calibration_gap(inst, t)


def test_new_models_keep_the_plausible_set():
    """Rescaled and uniform models keep the instance's plausible mask (one prompt and several)."""
    several = hp.Instance([[1.0, 0, 0], [0.5, 0.5, 0]], [[0.5, 0.5, 0], [0.5, 0.25, 0.25]],
                          [[True, False, False], [True, True, False]],
                          plausible=[[True, True, False], [True, True, True]])
    one = hp.Instance([1.0, 0, 0], [0.5, 0.5, 0], [True, False, False], plausible=[True, True, False])
    for inst in (several, one):
        for model in (hp.rescaled_model(inst, 2), hp.uniform_model(inst)):
            assert model.plausible.tolist() == inst.plausible.tolist()
    assert hp.uniform_model(several).p_hat[1].tolist() == [1 / 3] * 3


def test_new_helpers_refuse_bad_input_and_take_floats():
    """slot_forecasts and symbolic_rescaled_loss need an exact instance; every new helper refuses a
    non-instance with a TypeError naming inst; mean_plausible_responses works in floats too."""
    floats = hp.Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    with pytest.raises(TypeError, match="inst must be an exact"):
        hp.calibration.slot_forecasts(floats)
    with pytest.raises(TypeError, match="inst must be an exact"):
        hp.calibration.symbolic_rescaled_loss(floats)
    for func in (hp.calibration.slot_forecasts, hp.calibration.symbolic_rescaled_loss,
                 hp.calibration.mean_plausible_responses, hp.reduction.threshold_partition,
                 hp.reduction.per_prompt_threshold_terms):
        with pytest.raises(TypeError, match="inst"):
            func([[1.0, 0.0]])
    with pytest.raises(TypeError, match="inst"):
        hp.reduction.nonsense_terms(None, [False])
    two_sizes = hp.Instance([[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]], [[0.5, 0.5, 0.0], [0.2, 0.4, 0.4]],
                            [[True, False, False], [True, False, False]], mu=[0.25, 0.75],
                            plausible=[[True, True, False], [True] * 3])
    assert calibration.mean_plausible_responses(two_sizes) == 0.25 * 2 + 0.75 * 3
    inst = hp.printed_loss_counterexample()
    s, loss = calibration.symbolic_rescaled_loss(inst, threshold=F(1, 10))
    assert sp.diff(loss, s).subs(s, 1) == sp.Rational(hp.signed_calibration_gap(inst, F(1, 10)))


@pytest.mark.parametrize("call, error, message", [
    (lambda inst: calibration.question_answer_database_model(inst, [[True], [True, False]], 0),
     ValueError, "known is not a rectangular array"),
    (lambda inst: calibration.grouped_softmax_optimum(inst, groups=[[0], [0, 1]]), ValueError,
     "groups is not a rectangular array"),
    (lambda inst: calibration.slot_forecasts(hp.Instance([1.0, 0.0], [0.5, 0.5], [True, False])),
     TypeError, r"inst must be an exact \(Fraction\) instance: slot_forecasts replicates slots "
     "by their exact weights$"),
    (lambda inst: calibration.symbolic_rescaled_loss(
        hp.Instance([1.0, 0.0], [0.5, 0.5], [True, False])), TypeError,
     r"inst must be an exact \(Fraction\) instance$"),
])
def test_calibration_arguments_are_named(call, error, message):
    inst = hp.Instance([[1, 0, 0], [1, 0, 0]], [[F(1, 2), F(1, 4), F(1, 4)]] * 2,
                       [[True, False, False]] * 2)
    with pytest.raises(error, match="^" + message):
        call(inst)


def test_database_model_says_idk_only_where_unknown():
    """A known prompt's answer is its likeliest valid response other than IDK; an unknown one
    says IDK; exact instances stay exact (mean_plausible_responses too, 1/3 * 2 + 2/3 * 3)."""
    inst = hp.Instance([[F(4, 5), F(1, 5), 0, 0], [F(3, 5), F(2, 5), 0, 0]], [[F(1, 4)] * 4] * 2,
                       [[True, True, False, False]] * 2)
    model = calibration.question_answer_database_model(inst, known=[True, False], idk=1)
    assert model.p_hat.tolist() == [[1, 0, 0, 0], [0, 1, 0, 0]]
    assert all(isinstance(x, F) for x in model.p_hat.ravel())
    two_sizes = hp.Instance([[1, 0, 0], [1, 0, 0]], [[F(1, 2), F(1, 2), 0], [F(1, 3)] * 3],
                            [[True, False, False]] * 2, mu=[F(1, 3), F(2, 3)],
                            plausible=[[True, True, False], [True] * 3])
    assert calibration.mean_plausible_responses(two_sizes) == F(8, 3)
    assert isinstance(calibration.mean_plausible_responses(two_sizes), F)
    floats = hp.Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    assert isinstance(calibration.mean_plausible_responses(floats), float)


def test_level_set_error_in_floats_groups_equal_values():
    """Float p_hat with repeated values: each distinct value is one level set, as in exact
    arithmetic (the float path sorts and splits where the value changes)."""
    exact = hp.Instance([[1, 0, 0, 0], [F(1, 2), F(1, 2), 0, 0]],
                        [[F(1, 4)] * 4, [F(1, 4), F(1, 4), F(1, 4), F(1, 4)]],
                        [[True, False, False, False], [True, True, False, False]],
                        mu=[F(1, 3), F(2, 3)])
    floats = hp.Instance(exact.p.astype(float), exact.p_hat.astype(float),
                         exact.valid, mu=exact.mu.astype(float))
    value = hp.level_set_calibration_error(exact)
    assert value == 0  # one level, 1/4, holding mass 1 under p_hat and p
    assert hp.level_set_calibration_error(floats) == float(value)
    # two levels: 1/2 holds p_hat mass 1/2 and p mass 1/3, 1/4 holds 1/2 and 2/3
    mixed = hp.Instance([[1, 0, 0], [0, 1, 0]], [[F(1, 2), F(1, 4), F(1, 4)]] * 2,
                        [[True, False, False], [False, True, False]], mu=[F(1, 3), F(2, 3)])
    as_floats = hp.Instance(mixed.p.astype(float), mixed.p_hat.astype(float), mixed.valid,
                            mu=mixed.mu.astype(float))
    assert hp.level_set_calibration_error(mixed) == F(1, 3)
    assert abs(hp.level_set_calibration_error(as_floats) - 1 / 3) <= FLOAT_TOLERANCE
