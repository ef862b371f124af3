"""Proof steps of book/calibration.md: the rescaling identity, the uniform model, one threshold
against the level-set calibration error, and models that never err.

Each test checks numbered steps of a proof on the page (see `hallu_proofs.steps.calibration`).
The symbolic checks build the rescaled model and its loss from their definitions with SymPy; the
derivative of the loss is taken by ``sympy.diff`` of the loss itself, never from the closed form
under test. The exact checks compare library quantities with sums written out here.
"""

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import hallu_proofs as hp
from hallu_proofs import calibration
from hallu_proofs.strategies import instances

RESCALING = "Rescaling identity"
UNIFORM = "Uniform model is calibrated"
LEVELS = "One threshold against all levels"
NEVER_ERRS = "Models that never err"

#: (|A_c|, |B_c|) per prompt for the symbolic prompted tables.
SIZE_PATTERNS = [((1, 1),), ((2, 1),), ((1, 3),), ((1, 1), (2, 1)), ((1, 1), (2, 1), (0, 2)),
                 ((0, 1), (3, 1))]

SYMPY_EXAMPLES = 40 if settings.default.max_examples < 10_000 else settings.default.max_examples


def prompted_table(sizes):
    """Symbols of a prompted table and its rescaled model, built from the definition of p_hat_s."""
    s = sp.Symbol("s", positive=True)
    mus = sp.symbols(f"mu1:{len(sizes) + 1}", positive=True)
    rows = []
    for c, (n_a, n_b) in enumerate(sizes):
        q = list(sp.symbols(f"q{c + 1}_1:{n_a + n_b + 1}", positive=True))
        p = list(sp.symbols(f"p{c + 1}_1:{n_a + n_b + 1}", positive=True))
        above = [i < n_a for i in range(n_a + n_b)]
        z = sum((s if a else 1) * qi for qi, a in zip(q, above))
        rescaled = [(s if a else 1) * qi / z for qi, a in zip(q, above)]
        rows.append({"q": q, "p": p, "above": above, "z": z, "rescaled": rescaled})
    normalise = {}
    for row in rows:
        normalise[row["q"][-1]] = 1 - sum(row["q"][:-1])
        normalise[row["p"][-1]] = 1 - sum(row["p"][:-1])
    return s, mus, rows, normalise


def has_finite_loss(inst):
    return not ((inst.mu[:, None] * inst.p > 0) & (inst.p_hat == 0)).any()


# --------------------------------------------------------------------------- rescaling identity


@pytest.mark.result(RESCALING, kind="symbolic", functions=["symbolic_rescaling_steps"])
def test_rescaling_step1_log_of_the_rescaled_model():
    """Step 1: log p_hat_s(r|c) = log p_hat(r|c) + [r in A_c] log s - log Z_c(s), every slot."""
    s, q, z = sp.symbols("s q Z", positive=True)
    for in_a in (0, 1):
        assert sp.expand_log(sp.log(s**in_a * q / z)) - (sp.log(q) + in_a * sp.log(s)
                                                          - sp.log(z)) == 0
    for n_above, n_below in [(1, 1), (2, 1), (1, 3), (3, 2)]:
        assert sp.simplify(hp.symbolic_rescaling_steps(n_above, n_below)["log_ratio"]) == 0


@pytest.mark.result(RESCALING, kind="symbolic", functions=[])
def test_rescaling_step2_loss_decomposition_with_prompts():
    """Step 2: L(p_hat_s) = L(p_hat) - p(A) log s + sum_c mu(c) log Z_c(s) once each p(.|c) sums to 1."""
    for sizes in SIZE_PATTERNS:
        s, mus, rows, normalise = prompted_table(sizes)
        loss_s = -sum(mu * sum(pi * sp.log(ri) for pi, ri in zip(row["p"], row["rescaled"]))
                      for mu, row in zip(mus, rows))
        loss_1 = -sum(mu * sum(pi * sp.log(qi) for pi, qi in zip(row["p"], row["q"]))
                      for mu, row in zip(mus, rows))
        p_a = sum(mu * sum(pi for pi, a in zip(row["p"], row["above"]) if a)
                  for mu, row in zip(mus, rows))
        log_z = sum(mu * sp.log(row["z"]) for mu, row in zip(mus, rows))
        gap = sp.expand(sp.expand_log(loss_s - (loss_1 - p_a * sp.log(s) + log_z)))
        p_last = {k: v for k, v in normalise.items() if k.name.startswith("p")}
        assert sp.simplify(gap.subs(p_last)) == 0, sizes


@pytest.mark.result(RESCALING, kind="symbolic", functions=["rescaled_loss_derivative"])
def test_rescaling_step3_normaliser_and_its_derivative():
    """Step 3: Z_c(s) = 1 + (s - 1) p_hat(A_c|c) when p_hat(.|c) sums to 1, and
    d/ds [-p(A) log s + sum_c mu(c) log Z_c(s)] = sum_c mu(c) [p_hat(A_c|c)/Z_c(s) - p(A_c|c)/s]."""
    for sizes in SIZE_PATTERNS:
        s, mus, rows, normalise = prompted_table(sizes)
        for row in rows:
            q_a = sum(qi for qi, a in zip(row["q"], row["above"]) if a)
            assert sp.expand(row["z"].subs(normalise) - (1 + (s - 1) * q_a).subs(normalise)) == 0
        q_as = [sum(qi for qi, a in zip(row["q"], row["above"]) if a) for row in rows]
        p_as = [sum(pi for pi, a in zip(row["p"], row["above"]) if a) for row in rows]
        tail = sum(mu * (-pa * sp.log(s) + sp.log(1 + (s - 1) * qa))
                   for mu, pa, qa in zip(mus, p_as, q_as))
        closed = sum(mu * (qa / (1 + (s - 1) * qa) - pa / s) for mu, pa, qa in zip(mus, p_as, q_as))
        assert sp.simplify(sp.diff(tail, s) - closed) == 0, sizes


@pytest.mark.result(RESCALING, kind="exact",
                    functions=["rescaled_loss_derivative", "symbolic_rescaled_loss"])
@settings(max_examples=SYMPY_EXAMPLES)
@given(instances(exact=True, max_prompts=3, max_responses=4), st.fractions(F(1, 4), 4),
       st.one_of(st.none(), st.fractions(0, 1)))
def test_rescaling_closed_form_is_the_derivative_of_the_loss(inst, s, threshold):
    """The library's closed form at any s equals sympy.diff of the loss written from p_hat_s."""
    assume(has_finite_loss(inst))
    u, loss = calibration.symbolic_rescaled_loss(inst, threshold)
    derivative = sp.nsimplify(sp.diff(loss, u).subs(u, sp.Rational(s)))
    assert F(str(derivative)) == hp.rescaled_loss_derivative(inst, s, threshold)


@pytest.mark.result(RESCALING, kind="symbolic", functions=["symbolic_prompted_rescaling"])
def test_rescaling_step4_value_at_one():
    """Step 4: at s = 1 the derivative of the weighted loss is sum_c mu(c) [p_hat(A_c|c) - p(A_c|c)]."""
    for sizes in SIZE_PATTERNS:
        assert sp.simplify(hp.symbolic_prompted_rescaling(sizes)["weighted"]) == 0, sizes
    for n_above, n_below in [(1, 1), (2, 2), (3, 1)]:
        assert sp.simplify(hp.symbolic_rescaling_steps(n_above, n_below)["derivative"]) == 0


@pytest.mark.result(RESCALING, kind="exact", functions=["symbolic_rescaled_loss"])
@settings(max_examples=SYMPY_EXAMPLES)
@given(instances(exact=True, max_prompts=3, max_responses=4),
       st.one_of(st.none(), st.fractions(0, 1)))
def test_rescaling_derivative_at_one_is_the_signed_gap(inst, threshold):
    """sympy.diff of the loss at s = 1 is p_hat(A) - p(A) exactly; its absolute value is delta."""
    assume(has_finite_loss(inst))
    u, loss = calibration.symbolic_rescaled_loss(inst, threshold)
    derivative = F(str(sp.nsimplify(sp.diff(loss, u).subs(u, 1))))
    above = hp.classify(inst, threshold)
    mu = inst.mu[:, None]
    assert derivative == sum((mu * (inst.p_hat - inst.p))[above], F(0))
    assert abs(derivative) == hp.calibration_gap(inst, threshold=threshold)


def smoothed(inst):
    """The same p with p_hat replaced by (p_hat + uniform) / 2: positive on every plausible slot."""
    p_hat = (inst.p_hat + hp.uniform_model(inst).p_hat) / 2
    return hp.Instance(inst.p, p_hat, inst.valid, mu=inst.mu, plausible=inst.plausible)


@pytest.mark.result(RESCALING, kind="property", functions=["rescaled_model", "cross_entropy"])
@settings(max_examples=60, suppress_health_check=[HealthCheck.filter_too_much])
@given(instances(exact=False, max_prompts=3, max_responses=5).map(smoothed))
def test_rescaling_step5_a_nonzero_slope_lowers_the_loss(inst):
    """Step 5, illustrated: when delta > 0 a small step of s against the slope lowers the loss."""
    assume(hp.calibration_gap(inst) > 1e-3)
    slope = hp.rescaled_loss_derivative(inst)
    h = 1e-4 * (-1 if slope > 0 else 1)
    assert hp.cross_entropy(hp.rescaled_model(inst, 1 + h)) < hp.cross_entropy(inst)


# --------------------------------------------------------------------------- the uniform model


@pytest.mark.result(UNIFORM, kind="exact", functions=["uniform_model", "classify"])
@given(instances(exact=True), st.fractions(0, 1))
def test_uniform_step1_all_or_nothing(inst, t):
    """Step 1: for the uniform model each prompt's plausible set lies wholly in A_t or outside it."""
    uniform = hp.uniform_model(inst)
    above = hp.classify(uniform, t)
    plausible = np.ones(inst.p.shape, bool) if inst.plausible is None else inst.plausible
    for c in range(inst.n_prompts):
        assert len(set(above[c][plausible[c]].tolist())) == 1


@pytest.mark.result(UNIFORM, kind="exact", functions=["uniform_model", "threshold_masses"])
@given(instances(exact=True), st.fractions(0, 1))
def test_uniform_step2_both_masses_are_mu_of_s(inst, t):
    """Step 2: p_hat(A_t) = p(A_t) = sum of mu(c) over the prompts S whose R_c lies in A_t."""
    uniform = hp.uniform_model(inst)
    above = hp.classify(uniform, t)
    in_s = above.any(axis=1)
    masses = hp.threshold_masses(uniform, t)
    assert masses["p_hat_above"] == masses["p_above"] == sum(inst.mu[in_s], F(0))


@pytest.mark.result(UNIFORM, kind="exact", functions=["uniform_model", "calibration_gap"])
@given(instances(exact=True), st.fractions(0, 1))
def test_uniform_step3_delta_zero_and_empty_at_the_paper_threshold(inst, t):
    """Step 3: delta_t = 0 for every t, and A is empty at t = 1/min_c|E_c| (1/|R_c| < 1/K)."""
    uniform = hp.uniform_model(inst)
    assert hp.calibration_gap(uniform, threshold=t) == 0
    assert not hp.classify(uniform).any()


# --------------------------------------------------------------------------- one threshold vs all levels


def level_gaps(inst):
    """g_v = p_hat(S_v) - p(S_v) for every value v of p_hat on plausible slots, by loops."""
    gaps = {}
    for c in range(inst.n_prompts):
        for r in range(inst.p.shape[1]):
            if inst.plausible is None or inst.plausible[c, r]:
                v = inst.p_hat[c, r]
                gaps[v] = gaps.get(v, F(0)) + inst.mu[c] * (inst.p_hat[c, r] - inst.p[c, r])
    return gaps


@pytest.mark.result(LEVELS, kind="exact", functions=["level_set_calibration_error"])
@given(instances(exact=True))
def test_levels_step1_gaps_sum_to_zero(inst):
    """Step 1: sum_v g_v = 0, and the level-set error is sum_v |g_v| (in [0, 2])."""
    gaps = level_gaps(inst)
    assert sum(gaps.values()) == 0
    value = hp.level_set_calibration_error(inst)
    assert value == sum(abs(g) for g in gaps.values()) and 0 <= value <= 2


@pytest.mark.result(LEVELS, kind="exact", functions=["level_set_calibration_error", "calibration_gap"])
@given(instances(exact=True), st.fractions(0, 1))
def test_levels_step2_each_side_bounds_delta(inst, t):
    """Step 2: delta_t <= sum_{v > t} |g_v| and delta_t <= sum_{v <= t} |g_v|; adding,
    2 delta_t <= sum_v |g_v|."""
    gaps = level_gaps(inst)
    delta = hp.calibration_gap(inst, threshold=t)
    assert delta == abs(sum(g for v, g in gaps.items() if v > t))
    assert delta <= sum(abs(g) for v, g in gaps.items() if v > t)
    assert delta <= sum(abs(g) for v, g in gaps.items() if v <= t)
    assert 2 * delta <= hp.level_set_calibration_error(inst)


@pytest.mark.result(LEVELS, kind="tightness", functions=["level_set_calibration_error"])
def test_levels_step3_equality_on_the_witness():
    """Step 3: one sign above t, the other below: 2 delta = level-set error = 4/5 on the witness."""
    witness = hp.printed_loss_counterexample()
    gaps = level_gaps(witness)
    above = [g for v, g in gaps.items() if v > witness.default_threshold]
    below = [g for v, g in gaps.items() if v <= witness.default_threshold]
    assert all(g < 0 for g in above) and all(g > 0 for g in below)
    assert 2 * hp.calibration_gap(witness) == hp.level_set_calibration_error(witness) == F(4, 5)
    assert not hp.calibration_gap(witness) <= F(49, 100) * hp.level_set_calibration_error(witness)


@pytest.mark.result(LEVELS, kind="falsification", functions=["level_set_calibration_error"])
def test_levels_step4_no_converse():
    """Step 4: moving mass between slots below the threshold keeps delta = 0 and makes the level-set
    error positive (one prompt, p = (1/2, 1/2, 0, 0), p_hat = (2/5, 2/5, 1/10, 1/10))."""
    inst = hp.Instance([F(1, 2), F(1, 2), 0, 0], [F(2, 5), F(2, 5), F(1, 10), F(1, 10)],
                       [True, True, False, False])
    assert hp.calibration_gap(inst) == 0 and not hp.classify(inst).any()
    assert hp.level_set_calibration_error(inst) == F(2, 5)


@pytest.mark.result(LEVELS, kind="exact", functions=["level_set_calibration_error", "slot_forecasts"])
@settings(max_examples=SYMPY_EXAMPLES)
@given(instances(exact=True, max_prompts=3, max_responses=4), st.sampled_from([1, 2, 3, 10]))
def test_level_set_error_is_n_times_the_ece_of_slot_forecasts(inst, bins):
    """level_set_calibration_error(bins=b) = n * calibration_error(slot forecasts, bins=b), with
    n = sum_c mu(c) |R_c|: the usual binned ECE, up to the mean number of responses."""
    from hallu_proofs import reliability

    confidences, correct = calibration.slot_forecasts(inst)
    ece = reliability.calibration_error(np.array(confidences, dtype=object), correct, bins=bins)
    n = calibration.mean_plausible_responses(inst)
    assert hp.level_set_calibration_error(inst, bins=bins) == n * ece


# --------------------------------------------------------------------------- models that never err


@st.composite
def facts_with_database(draw):
    """An arbitrary-facts instance (IDK in column 0, one answer a_c, p(a_c|c) = alpha_c, at least
    two errors) and the question-answer-database model for a random set of known prompts."""
    m, n = draw(st.integers(1, 4)), draw(st.integers(4, 7))
    answers = [draw(st.integers(1, n - 1)) for _ in range(m)]
    alphas = [F(draw(st.integers(0, 6)), 6) for _ in range(m)]
    weights = [draw(st.integers(1, 5)) for _ in range(m)]
    valid = np.zeros((m, n), bool)
    valid[:, 0] = True
    valid[np.arange(m), answers] = True
    p = np.full((m, n), F(0), dtype=object)
    for c, (a, alpha) in enumerate(zip(answers, alphas)):
        p[c, a], p[c, 0] = alpha, 1 - alpha
    mu = [F(w, sum(weights)) for w in weights]
    inst = hp.Instance(p, np.full((m, n), F(1, n), dtype=object), valid, mu=mu)
    known = np.array(draw(st.lists(st.booleans(), min_size=m, max_size=m)))
    return inst, known, alphas, hp.question_answer_database_model(inst, known, idk=0)


@pytest.mark.result(NEVER_ERRS, "Theorem 1", kind="exact", functions=["theorem1_bound"])
@given(facts_with_database())
def test_never_errs_step1_theorem1_with_err_zero(case):
    """Step 1: err = 0 and Theorem 1 give delta >= 2 err_iiv - k/K."""
    model = case[3]
    assert hp.generative_error(model) == 0
    ratio = F(model.max_valid, model.min_errors)
    assert hp.calibration_gap(model) >= 2 * hp.iiv_error(model) - ratio


@pytest.mark.result(NEVER_ERRS, kind="exact", functions=["question_answer_database_model"])
@given(facts_with_database())
def test_never_errs_steps_2_to_5_database_model(case):
    """Steps 2-5: the database model has p_hat(A) = 1 with no error in A, err_iiv = p(B)/2,
    delta = p(B) = sum_known mu (1 - alpha) + sum_unknown mu alpha, bound = -k/K."""
    inst, known, alphas, model = case
    above = hp.classify(model)
    masses = hp.threshold_masses(model)
    assert masses["p_hat_above"] == 1 and not (above & model.error).any()
    assert hp.iiv_error(model) == masses["p_below"] / 2
    assert hp.calibration_gap(model) == masses["p_below"]
    assert masses["p_below"] == sum(mu * (1 - a if k else a)
                                    for mu, a, k in zip(inst.mu, alphas, known))
    assert hp.theorem1_bound(model) == -F(model.max_valid, model.min_errors)
