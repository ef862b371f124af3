"""Post-training against graders (hallu_proofs.post_training): graders, the policy-gradient runs,
their exact dynamics, and the forgetful base model."""

import math
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats
from tolerance import FLOAT_TOLERANCE

from hallu_proofs import IDK, ArbitraryFacts, memorising_learner
from hallu_proofs.grading import expected_score, penalty
from hallu_proofs.post_training import (
    HISTORY_KEYS,
    Grader,
    binary_grader,
    confidence_target_grader,
    exact_natural_step,
    forgetful_learner,
    mixture_grader,
    policy_rates,
    post_train,
    recall_confidence,
)

TARGETS = [F(0), F(1, 2), F(3, 4), F(9, 10)]


def rng(seed=0):
    return np.random.default_rng(seed)


confidence_sets = st.lists(st.floats(0.01, 0.99), min_size=3, max_size=40).filter(
    lambda xs: max(xs) - min(xs) > 0.05)


# --------------------------------------------------------------------------- graders

def test_grader_penalty_and_threshold_exact():
    """A single target t has penalty t/(1-t) and threshold t, exactly."""
    for t in TARGETS:
        g = confidence_target_grader(t)
        assert g.penalty == penalty(t)
        assert g.threshold == t
    assert binary_grader().penalty == 0 and binary_grader().threshold == 0


def test_mixture_expected_reward_is_weighted_expected_score_exact():
    """sum_k w_k expected_score(q, t_k) = q - (1 - q) P with P = the mixture's penalty (exact)."""
    graders = [binary_grader(), confidence_target_grader(F(1, 2)), confidence_target_grader(F(9, 10))]
    weights = [3, 1, 2]
    board = mixture_grader(graders, weights)
    for q in (F(0), F(1, 7), F(1, 2), F(5, 6), F(1)):
        direct = sum(F(w, 6) * expected_score(q, t) for w, t in zip(weights, [0, F(1, 2), F(9, 10)]))
        assert q - (1 - q) * board.penalty == direct
    # the float evaluation agrees
    q = np.array([0.0, 0.3, 0.8, 1.0])
    expected = [sum(w / 6 * float(expected_score(x, t)) for w, t in zip(weights, [0, 0.5, 0.9]))
                for x in q]
    assert np.allclose(board.expected_reward(q), expected, atol=FLOAT_TOLERANCE, rtol=0)


def test_mixture_threshold_is_break_even():
    """Answering at q = t* earns 0 under the mixture; just above it earns more, below less."""
    board = mixture_grader([binary_grader()] * 4 + [confidence_target_grader(F(3, 4))], [1] * 5)
    t = board.threshold
    assert t == F(3, 8)
    assert t - (1 - t) * board.penalty == 0
    lo, hi = t - F(1, 100), t + F(1, 100)
    assert lo - (1 - lo) * board.penalty < 0 < hi - (1 - hi) * board.penalty
    # falsified: the mixture's threshold is not the average of its targets (3/20)
    assert t != sum(F(1, 5) * x for x in [0, 0, 0, 0, F(3, 4)])


def test_mixture_of_mixtures_flattens_and_float_weights():
    inner = mixture_grader([binary_grader(), confidence_target_grader(0.5)], [0.5, 0.5])
    outer = mixture_grader([inner, confidence_target_grader(0.9)], [2.0, 2.0])
    assert len(outer.targets) == 3
    assert math.isclose(sum(outer.weights), 1.0, abs_tol=FLOAT_TOLERANCE)
    assert math.isclose(float(outer.penalty), 0.25 * 1 + 0.5 * 9, abs_tol=FLOAT_TOLERANCE)
    assert "mixture" in repr(outer)


def test_sampled_rewards_have_the_expected_mean():
    """Mean of 200,000 sampled rewards vs q - (1 - q) P: a z-test at 1e-4 significance."""
    board = mixture_grader([binary_grader(), confidence_target_grader(0.75)], [3, 1])
    q = np.full(200_000, 0.6)
    r = board.sample_rewards(q, rng(3))
    assert set(np.unique(r)) == {1.0, 0.0, -3.0}
    z = (r.mean() - board.expected_reward([0.6])[0]) / (r.std() / math.sqrt(r.size))
    assert abs(z) < stats.norm.isf(0.5e-4)


def test_grader_bad_input():
    with pytest.raises(ValueError, match="^t must be in"):
        confidence_target_grader(-0.1)
    with pytest.raises(TypeError, match="^t must be a real"):
        confidence_target_grader("0.5")
    with pytest.raises(ValueError, match="^graders must hold"):
        mixture_grader([], [])
    with pytest.raises(ValueError, match="^weights has 1 entries"):
        mixture_grader([binary_grader(), binary_grader()], [1])
    with pytest.raises(TypeError, match="^graders: entry 0"):
        mixture_grader([0.5], [1])
    with pytest.raises(ValueError, match=r"^weights\[1\] must be > 0"):
        mixture_grader([binary_grader(), binary_grader()], [1, 0])
    with pytest.raises(TypeError, match="^graders must be a sequence"):
        mixture_grader("binary", [1])
    with pytest.raises(ValueError, match="^confidences: entry 1"):
        binary_grader().expected_reward([0.5, 1.5])
    with pytest.raises(TypeError, match="^rng must be a numpy.random.Generator"):
        binary_grader().sample_rewards([0.5], 0)


# --------------------------------------------------------------------------- exact dynamics

@pytest.mark.result("Natural-gradient step", kind="property", functions=["exact_natural_step"])
@given(confidence_sets, st.sampled_from(TARGETS), st.floats(-5, 5), st.floats(-20, 20))
def test_exact_natural_step_is_constant(qs, t, a, b):
    """F^-1 grad J = (-P, 1 + P) at every parameter (a, b): the reward is linear in q."""
    grader = confidence_target_grader(t)
    p = float(penalty(t))
    step = exact_natural_step(qs, grader, (a, b))
    assert np.allclose(step, [-p, 1 + p], rtol=1e-6, atol=1e-6 * (1 + p))


@pytest.mark.result("Natural-gradient step", kind="property", functions=["post_train"])
@given(confidence_sets, st.floats(0.05, 0.95), st.integers(1, 60), st.booleans())
def test_binary_post_training_never_increases_abstention(qs, answer_rate, steps, natural):
    """Exact-gradient dynamics under binary grading, natural or plain: at every step the
    abstention rate on the training prompts does not increase, and the answer probability at
    every confidence (held-out ones too) does not decrease (the features (1, q) are >= 0, so
    every logit moves by lr sum_j w_j q_j (1 + q_i q_j) / n >= 0)."""
    run = post_train(qs, binary_grader(), steps=steps, exact=True, answer_rate=answer_rate,
                     learning_rate=0.5, natural=natural)
    assert np.all(np.diff(run.history["abstention"]) <= FLOAT_TOLERANCE)
    grid = np.linspace(0, 1, 11)
    logits = run.parameters @ np.stack([np.ones_like(grid), grid])
    assert np.all(np.diff(logits, axis=0) >= -FLOAT_TOLERANCE)
    assert run.history["abstention"][-1] < run.history["abstention"][0]


@pytest.mark.result("Natural-gradient step", kind="falsification", functions=["post_train"])
def test_sampled_binary_steps_can_increase_abstention():
    """Falsified stronger claim: "in expectation" is needed. With sampled rewards some single
    steps of binary post-training do raise the abstention rate (the noise of REINFORCE), though
    the run as a whole lowers it."""
    q = np.random.default_rng(4).uniform(size=50)
    run = post_train(q, binary_grader(), steps=100, rng=rng(0))
    assert np.any(np.diff(run.history["abstention"]) > 0)
    assert run.history["abstention"][-1] < run.history["abstention"][0]


@pytest.mark.result("Natural-gradient step", kind="falsification", functions=["post_train"])
def test_vanilla_gradient_stalls_at_high_targets():
    """With the plain gradient a target of 0.9 drives the policy to always abstain (b < 0):
    the natural gradient is what makes the threshold learnable from this start."""
    qs = np.random.default_rng(0).beta(2, 2, 500)
    grader = confidence_target_grader(0.9)
    vanilla = post_train(qs, grader, steps=300, exact=True, natural=False, learning_rate=1.0)
    assert vanilla.threshold is None
    natural = post_train(qs, grader, steps=300, exact=True)
    assert abs(natural.threshold - 0.9) < 0.05


@pytest.mark.result("Natural-gradient step", kind="property", functions=["post_train"])
@given(confidence_sets, st.sampled_from(TARGETS[1:]), st.floats(0.05, 0.95),
       st.integers(5, 200), st.floats(1, 40))
def test_target_post_training_converges_to_answer_iff_above_target(qs, t, answer_rate, steps,
                                                                   scale):
    """Exact dynamics under target t: logit pi_T(q) = logit(answer_rate) + T lr (1 + P)(q - t), so
    pi_T(q) > 1/2 iff q > t for every q farther than |logit(answer_rate)| / (T lr (1 + P)) from t,
    and the threshold is exactly t - logit(answer_rate) / (T lr (1 + P)). (The learning rate is
    chosen so that T lr (1 + P) = scale <= 40: logits stay within about +-40, where pi (1 - pi)
    keeps enough digits for the Fisher matrix.)"""
    p = float(penalty(t))
    lr = scale / (steps * (1 + p))
    run = post_train(qs, confidence_target_grader(t), steps=steps, exact=True,
                     answer_rate=answer_rate, learning_rate=lr)
    logit0 = math.log(answer_rate / (1 - answer_rate))
    expected = np.array([logit0, 0.0]) + steps * lr * np.array([-p, 1 + p])
    assert np.allclose(run.parameters[-1], expected, rtol=1e-6, atol=1e-6)
    band = abs(logit0) / scale
    assert math.isclose(run.threshold, float(t) - logit0 / scale, abs_tol=1e-6)
    q = np.asarray(qs + [0.0, 1.0])  # with two confidences surely outside the band
    far = np.abs(q - float(t)) > band + 1e-6
    if far.any():  # the checks above run whatever the band
        decided = run.answer_probability(q[far]) > 0.5
        assert np.array_equal(decided, q[far] > float(t))


@pytest.mark.result("Natural-gradient step", kind="tightness", functions=["post_train"])
def test_target_convergence_band_is_tight():
    """At distance less than the band the rule can still be wrong: a confidence just above t
    is refused when the policy starts at answer_rate < 1/2."""
    t, lr, steps, answer_rate = 0.75, 0.1, 50, 0.2
    run = post_train([0.1, 0.9], confidence_target_grader(t), steps=steps, exact=True,
                     answer_rate=answer_rate, learning_rate=lr)
    band = abs(math.log(answer_rate / (1 - answer_rate))) / (steps * lr * 4)
    inside = t + 0.5 * band
    assert run.answer_probability(inside) < 0.5  # wrong side: the band is needed
    assert run.answer_probability(t + 1.5 * band) > 0.5


@pytest.mark.result("Natural-gradient step", kind="property", functions=["post_train"])
@given(confidence_sets, st.floats(-4, 4), st.floats(-10, 10))
def test_natural_step1_gradient_formula(qs, a, b):
    """Step 1: grad J = mean_i w_i r_i (1, q_i), against central differences of J."""
    q = np.asarray(qs)
    grader = confidence_target_grader(0.75)
    reward = grader.expected_reward(q)
    phi = np.stack([np.ones_like(q), q], axis=1)

    def objective(theta):
        return np.mean(reward / (1 + np.exp(-phi @ theta)))

    theta = np.array([a, b])
    pi = 1 / (1 + np.exp(-phi @ theta))
    formula = phi.T @ (pi * (1 - pi) * reward) / q.size
    h = 1e-6
    numeric = [(objective(theta + h * e) - objective(theta - h * e)) / (2 * h) for e in np.eye(2)]
    assert np.allclose(numeric, formula, atol=1e-6)


@pytest.mark.result("Natural-gradient step", kind="property", functions=["exact_natural_step"])
@given(confidence_sets, st.floats(-4, 4), st.floats(-10, 10))
def test_natural_steps2_3_fisher_and_least_squares(qs, a, b):
    """Steps 2-3: F = E[(A - pi)^2 (1, q)(1, q)^T] exactly over A, and F^-1 grad J is the
    weighted least-squares fit of the reward on (1, q) that exact_natural_step returns."""
    q = np.asarray(qs)
    grader = confidence_target_grader(0.5)
    phi = np.stack([np.ones_like(q), q], axis=1)
    pi = 1 / (1 + np.exp(-phi @ np.array([a, b])))
    w = pi * (1 - pi)
    fisher = phi.T @ (w[:, None] * phi) / q.size
    outer = phi[:, :, None] * phi[:, None, :]
    expected = sum((prob * (act - pi) ** 2)[:, None, None] * outer
                   for act, prob in ((1, pi), (0, 1 - pi))).mean(axis=0)
    assert np.allclose(expected, fisher, atol=FLOAT_TOLERANCE)
    gradient = phi.T @ (w * grader.expected_reward(q)) / q.size
    fit = exact_natural_step(q, grader, (a, b))
    assert np.allclose(fisher @ fit, gradient, atol=1e-9)


# --------------------------------------------------------------------------- sampled runs

@pytest.mark.result("Natural-gradient step", kind="monte_carlo", functions=["post_train"])
def test_reinforce_step_is_unbiased():
    """The mean of 4000 independent one-step REINFORCE estimates (vanilla, the raw gradient)
    matches the exact gradient: z-test per coordinate at 1e-4 significance."""
    q = np.array([0.2, 0.5, 0.7, 0.95])
    grader = confidence_target_grader(0.5)
    exact = post_train(q, grader, steps=1, exact=True, natural=False, learning_rate=1.0,
                       answer_rate=0.4)
    exact_step = exact.parameters[1] - exact.parameters[0]
    g = rng(7)
    steps = np.array([np.diff(post_train(q, grader, steps=1, rng=g, natural=False,
                                         learning_rate=1.0, answer_rate=0.4).parameters,
                              axis=0)[0] for _ in range(4000)])
    z = (steps.mean(axis=0) - exact_step) / (steps.std(axis=0) / math.sqrt(len(steps)))
    assert np.all(np.abs(z) < stats.norm.isf(0.5e-4))


@pytest.mark.result("Natural-gradient step", kind="monte_carlo", functions=["post_train"])
def test_sampled_threshold_within_tolerance():
    """Over 20 seeds, |threshold - t| <= threshold_tolerance(z=3) fails at most as often as a
    binomial test allows (per-run failure probability 2(1 - Phi(3)) = 0.0027, level 1%)."""
    q = np.random.default_rng(1).uniform(size=400)
    grader = confidence_target_grader(0.75)
    failures = 0
    for seed in range(20):
        run = post_train(q, grader, steps=100, rng=rng(seed))
        failures += abs(run.threshold - 0.75) > run.threshold_tolerance(z=3)
    assert stats.binomtest(failures, 20, 2 * stats.norm.sf(3), alternative="greater").pvalue > 0.01


def test_threshold_tolerance_is_not_vacuous():
    """The tolerance shrinks with the number of sampled prompts per step (16 times more prompts,
    at least half the tolerance), and a run at z = 0.1 misses it on some seed (so the check above
    can fail)."""
    grader = confidence_target_grader(0.75)
    few = post_train(np.random.default_rng(1).uniform(size=100), grader, steps=100, rng=rng(0))
    q = np.random.default_rng(1).uniform(size=1600)
    many = post_train(q, grader, steps=100, rng=rng(0))
    assert many.threshold_tolerance() < few.threshold_tolerance() / 2
    q = np.random.default_rng(1).uniform(size=400)
    misses = [abs(r.threshold - 0.75) > r.threshold_tolerance(z=0.1)
              for r in (post_train(q, grader, steps=100, rng=rng(s)) for s in range(10))]
    assert any(misses)


def test_sampled_run_follows_exact_run():
    """A sampled binary run ends within 0.02 of the exact run's abstention, on 2000 prompts."""
    q = np.random.default_rng(2).beta(2, 3, 2000)
    sampled = post_train(q, binary_grader(), steps=100, rng=rng(0), learning_rate=0.2)
    exact = post_train(q, binary_grader(), steps=100, exact=True, learning_rate=0.2)
    assert abs(sampled.history["abstention"][-1] - exact.history["abstention"][-1]) < 0.02
    assert sampled.history["abstention"][-1] < sampled.history["abstention"][0]


def test_batch_size_and_history_shapes():
    q = np.linspace(0.05, 0.95, 50)
    run = post_train(q, confidence_target_grader(0.5), steps=30, rng=rng(0), batch_size=8)
    assert set(run.history) == set(HISTORY_KEYS)
    assert all(v.shape == (31,) for v in run.history.values())
    assert run.parameters.shape == (31, 2) and run.step_noise.shape == (30, 2, 2)
    assert np.array_equal(run.history["binary_score"], run.history["accuracy"])
    h = run.history
    assert np.allclose(h["abstention"] + h["hallucination"] + h["accuracy"], 1,
                       atol=FLOAT_TOLERANCE)
    assert np.allclose(h["target_score"], h["accuracy"] - h["hallucination"], atol=FLOAT_TOLERANCE)


def test_rates_on_other_confidences_and_other_grader():
    q = np.linspace(0.05, 0.95, 50)
    run = post_train(q, confidence_target_grader(0.5), steps=200, rng=rng(0))
    held_out = np.array([0.1, 0.3, 0.7, 0.9])
    own = run.rates(held_out)
    other = run.rates(held_out, grader=confidence_target_grader(0.9))
    assert other["accuracy"] == own["accuracy"]
    assert math.isclose(other["target_score"], own["accuracy"] - 9 * own["hallucination"],
                        abs_tol=FLOAT_TOLERANCE)
    assert np.allclose(run.answer_probability(held_out), [0, 0, 1, 1], atol=1e-3)
    assert isinstance(run.answer_probability(0.7), float | np.floating)


def test_policy_rates_by_hand():
    rates = policy_rates([1.0, 0.0], [0.75, 0.5], confidence_target_grader(F(3, 4)))
    assert rates == {"abstention": 0.5, "hallucination": 0.125, "accuracy": 0.375,
                     "binary_score": 0.375, "target_score": 0.0}


def test_post_train_bad_input():
    q = [0.2, 0.8]
    g = binary_grader()
    cases = [
        (dict(confidences=[]), ValueError, "confidences must be a non-empty"),
        (dict(confidences=[0.5, 2.0]), ValueError, "confidences: entry 1"),
        (dict(confidences=[0.5]), ValueError, "confidences must hold at least 2 entries"),
        (dict(confidences=[0.5, 0.5]), ValueError,
         "confidences must hold at least two different values for the natural gradient"),
        (dict(grader=0.5), TypeError, "grader must be"),
        (dict(steps=0), ValueError, "steps must be >= 1"),
        (dict(steps=2.0), TypeError, "steps must be an integer"),
        (dict(rng=None), TypeError, "rng must be"),
        (dict(rng=3), TypeError, "rng must be"),
        (dict(learning_rate=0), ValueError, "learning_rate must be > 0"),
        (dict(learning_rate=float("nan")), ValueError, "learning_rate must be finite"),
        (dict(answer_rate=1.0), ValueError, "answer_rate must be in"),
        (dict(answer_rate="a"), TypeError, "answer_rate must be a real"),
        (dict(exact=1), TypeError, "exact must be True or False"),
        (dict(natural="yes"), TypeError, "natural must be True or False"),
        (dict(batch_size=1), ValueError, "batch_size must be >= 2"),
    ]
    for change, error, message in cases:
        kwargs = dict(confidences=q, grader=g, steps=3, rng=rng())
        kwargs.update(change)
        with pytest.raises(error, match="^" + message):
            post_train(**kwargs)
    with pytest.raises(TypeError, match="^rng must be"):
        post_train(q, g, exact=True, rng=5)
    run = post_train(q, g, steps=3, rng=rng())
    with pytest.raises(ValueError, match="^z must be > 0"):
        run.threshold_tolerance(z=0)
    with pytest.raises(ValueError, match="^q: entry 0"):
        run.answer_probability([-1.0])
    with pytest.raises(ValueError, match="^parameters must be two real"):
        exact_natural_step(q, g, (1.0,))
    with pytest.raises(ValueError, match="^parameters must be finite"):
        exact_natural_step(q, g, (1.0, float("inf")))
    with pytest.raises(ValueError, match="^confidences must hold at least two different values$"):
        exact_natural_step([0.3, 0.3], g, (0.0, 0.0))
    with pytest.raises(ValueError, match="^answer_probability has shape"):
        policy_rates([1.0], q, g)
    with pytest.raises(TypeError, match="^grader must be"):
        policy_rates([1.0, 1.0], q, "binary")
    always_idk = post_train(q, confidence_target_grader(0.99), steps=1, exact=True,
                            natural=False, learning_rate=5.0)
    assert always_idk.threshold is None
    with pytest.raises(ValueError, match="^the final policy has b <= 0: it has no threshold"):
        always_idk.threshold_tolerance()


def test_grader_is_a_value():
    assert binary_grader() == Grader((F(0),), (F(1),), "binary")


# --------------------------------------------------------------------------- forgetful learner

def test_recall_confidence_by_hand_exact():
    """1 - (1 - rho)^k (1 - 1/R) at rho = 1/2, R = 4: 1/4, 5/8, 13/16."""
    q = recall_confidence(np.array([0, 1, 2]), np.array([4, 4, 4]), 0.5)
    assert q.tolist() == [0.25, 0.625, 0.8125]
    assert recall_confidence(np.array([3]), np.array([2]), 1.0).tolist() == [1.0]


def test_forgetful_learner_is_calibrated():
    """Among 20,000 prompts seen once (R = 5, rho = 0.3), the fraction answered right matches
    q = 0.3 + 0.7/5 = 0.44: a two-sided binomial test at level 1e-4."""
    m = 20_000
    facts = ArbitraryFacts(np.full(m, 1 / m), n_responses=5, alpha=0.5)
    answers = facts.draw_answers(rng=0)
    model = forgetful_learner(facts, answers, np.ones(m, dtype=np.int64), 0.3, rng(1))
    assert np.allclose(model.confidence, 0.44, atol=FLOAT_TOLERANCE)
    hits = int(model.correct(answers).sum())
    assert stats.binomtest(hits, m, 0.44).pvalue > 1e-4
    # falsified: the learner is not the memorising one (which would be right on all of them)
    assert hits < m


def test_forgetful_learner_at_full_retention_is_the_memorising_learner():
    """With rho = 1, p_hat equals the paper's calibrated memorising learner, entry by entry."""
    facts = ArbitraryFacts([0.4, 0.3, 0.2, 0.1], n_responses=[2, 3, 5, 4], alpha=[0.5, 1, 0.2, 0.7])
    answers = facts.draw_answers(rng=2)
    prompts = np.array([0, 0, 2, 3])
    responses = np.array([answers[0], IDK, answers[2], IDK])
    counts = np.bincount(prompts[responses != IDK], minlength=4)
    model = forgetful_learner(facts, answers, counts, 1.0, rng(3))
    reference = memorising_learner(facts, prompts, responses)
    # unseen prompts guess uniformly: the guess changes no probability, only the label of "answer"
    assert np.allclose(model.p_hat(), reference, atol=FLOAT_TOLERANCE)
    assert np.allclose(model.p_hat().sum(axis=1), 1, atol=FLOAT_TOLERANCE)


def test_forgetful_p_hat_with_answer_probability():
    facts = ArbitraryFacts([0.5, 0.5], n_responses=3, alpha=0.5)
    model = forgetful_learner(facts, [0, 1], np.array([1, 0]), 0.5, rng(0))
    p_hat = model.p_hat(np.array([1.0, 0.0]))
    assert p_hat[0, model.answers[0]] == pytest.approx(0.5 + 0.5 / 3, abs=FLOAT_TOLERANCE)
    assert p_hat[0, -1] == 0 and p_hat[1, -1] == 1
    with pytest.raises(ValueError, match="answer_probability has shape"):
        model.p_hat(np.array([1.0]))


def test_forgetful_bad_input():
    facts = ArbitraryFacts([0.5, 0.5], n_responses=3, alpha=0.5)
    with pytest.raises(TypeError, match="^facts must be"):
        forgetful_learner("facts", [0, 1], np.array([1, 0]), 0.5, rng())
    with pytest.raises(ValueError, match="^counts has shape"):
        forgetful_learner(facts, [0, 1], np.array([1]), 0.5, rng())
    with pytest.raises(ValueError, match="^retention must be in"):
        forgetful_learner(facts, [0, 1], np.array([1, 0]), 0.0, rng())
    with pytest.raises(TypeError, match="^rng must be"):
        forgetful_learner(facts, [0, 1], np.array([1, 0]), 0.5, 0)
    with pytest.raises(ValueError, match="^answers: prompt 0"):
        forgetful_learner(facts, [5, 1], np.array([1, 0]), 0.5, rng())
    with pytest.raises(TypeError, match="^counts must be a 1-D integer"):
        recall_confidence(np.array([0.5]), np.array([2]), 0.5)
    with pytest.raises(ValueError, match="^counts: entry 0 is negative"):
        recall_confidence(np.array([-1]), np.array([2]), 0.5)
    with pytest.raises(ValueError, match="^n_responses: entry 0"):
        recall_confidence(np.array([1]), np.array([1]), 0.5)
    with pytest.raises(ValueError, match="^n_responses must be integers"):
        recall_confidence(np.array([1]), np.array([2, 3]), 0.5)
    with pytest.raises(TypeError, match="^retention must be a real"):
        recall_confidence(np.array([1]), np.array([2]), None)


def test_sigmoid_matches_scipy_on_both_tails():
    """The policy's sigmoid (written in numpy so that importing the package does not import
    SciPy) agrees with scipy.special.expit to a few ulps in relative terms over [-700, 700], and
    so does pi (1 - pi)."""
    from scipy.special import expit

    from hallu_proofs.post_training import _sigmoid, _sigmoid_weight

    x = np.linspace(-700, 700, 20_001)
    assert np.max(np.abs(_sigmoid(x) / expit(x) - 1)) <= 4 * np.finfo(float).eps
    weight = expit(x) * expit(-x)
    assert np.max(np.abs(_sigmoid_weight(x) / weight - 1)) <= 4 * np.finfo(float).eps


# --------------------------------------------------------------------------- arguments named

@pytest.mark.parametrize("call, error, message", [
    (lambda: recall_confidence([[1], [1, 2]], [2, 2], 0.5), ValueError,
     "counts is not a rectangular array"),
    (lambda: recall_confidence([1, 1], [[2], [2, 3]], 0.5), ValueError,
     "n_responses is not a rectangular array"),
    (lambda: recall_confidence([0, -1], [2, 2], 0.5), ValueError, "counts: entry 1 is negative"),
    (lambda: recall_confidence([1, 1, 1], [3, 2, 1], 0.5), ValueError,
     "n_responses: entry 2 is below 2"),
    (lambda: recall_confidence([1], [True], 0.5), ValueError,
     r"n_responses must be integers of shape \(1,\), got bool"),
    (lambda: recall_confidence([1], [2.0], 0.5), ValueError,
     r"n_responses must be integers of shape \(1,\), got float64"),
    (lambda: recall_confidence([1], [2], 1.5), ValueError, r"retention must be in \(0, 1\], got 1.5"),
    (lambda: forgetful_learner([0.5], [0], [1], 0.5, rng()), TypeError,
     "facts must be a hallu_proofs.ArbitraryFacts, got list"),
    (lambda: forgetful_learner(ArbitraryFacts([0.5, 0.5], 3, 0.5), [0, 1], [[1], [0, 1]], 0.5,
                               rng()), ValueError, "counts is not a rectangular array"),
    (lambda: exact_natural_step([0.2, 0.8], binary_grader(), [[1.0], [1.0, 2.0]]), ValueError,
     "parameters is not a rectangular array"),
    (lambda: exact_natural_step([0.2, 0.8], binary_grader(), ["a", "b"]), ValueError,
     "parameters must be two real numbers"),
    (lambda: exact_natural_step([0.2, 0.8], binary_grader(), [True, False]), ValueError,
     "parameters must be two real numbers"),
    (lambda: policy_rates([[1.0], [1.0, 0.0]], [0.5, 0.5], binary_grader()), ValueError,
     "answer_probability is not a rectangular array"),
    (lambda: policy_rates([1.0, 2.0], [0.5, 0.5], binary_grader()), ValueError,
     "answer_probability: entry 1 is 2.0"),
    (lambda: mixture_grader([binary_grader()], 1), TypeError, "weights must be a sequence"),
    (lambda: mixture_grader([binary_grader()], ["1"]), TypeError, r"weights\[0\] must be a real"),
    (lambda: mixture_grader([binary_grader(), 0.5], [1, 1]), TypeError,
     "graders: entry 1 is float, not a Grader"),
    (lambda: mixture_grader([], []), ValueError, "graders must hold at least one grader$"),
])
def test_post_training_arguments_are_named(call, error, message):
    with pytest.raises(error, match="^" + message):
        call()


def test_forgetful_p_hat_names_answer_probability():
    facts = ArbitraryFacts([0.5, 0.5], n_responses=3, alpha=0.5)
    model = forgetful_learner(facts, [0, 1], np.array([1, 0]), 0.5, rng())
    with pytest.raises(ValueError, match="^answer_probability is not a rectangular array"):
        model.p_hat([[1.0], [1.0, 0.0]])
    with pytest.raises(ValueError, match="^answer_probability: entry 0 is -1.0"):
        model.p_hat([-1.0, 1.0])


def test_mixture_grader_name_and_weights_types():
    """The mixture is named after its graders; int and Fraction weights stay exact, a float
    weight makes them floats."""
    board = mixture_grader([binary_grader(), confidence_target_grader(F(1, 2))], [1, 3])
    assert board.name == f"mixture(binary, {confidence_target_grader(F(1, 2)).name})"
    assert board.weights == (F(1, 4), F(3, 4))
    floats = mixture_grader([binary_grader(), confidence_target_grader(F(1, 2))], [1.0, 3])
    assert [type(w) for w in floats.weights] == [float, float]
    assert floats.weights == (0.25, 0.75)


def test_forgetful_learner_memory_and_guesses():
    """With rho = 1/2 and k = 2 a prompt is remembered with probability 3/4; a forgotten one is
    guessed uniformly over all of R_c, response 0 included; the model's arrays are read-only."""
    n = 20_000
    facts = ArbitraryFacts(np.full(n, 1 / n), n_responses=4, alpha=1.0)
    truth = np.full(n, 3)
    model = forgetful_learner(facts, truth, np.full(n, 2), 0.5, rng(1))
    remembered_or_lucky = np.mean(model.answers == 3)
    assert abs(remembered_or_lucky - (0.75 + 0.25 / 4)) < 0.01
    forgotten = forgetful_learner(facts, truth, np.zeros(n, dtype=int), 0.5, rng(2))
    assert np.bincount(forgotten.answers, minlength=4).min() > n / 4 - 300
    for arr in (model.answers, model.confidence):
        assert not arr.flags.writeable


def test_answer_probability_uses_the_final_parameters():
    q = np.linspace(0.05, 0.95, 20)
    run = post_train(q, confidence_target_grader(0.5), steps=50, rng=rng(0))
    a, b = run.parameters[-1]
    assert not np.array_equal(run.parameters[-1], run.parameters[-2])
    assert np.allclose(run.answer_probability([0.3, 0.6]), 1 / (1 + np.exp(-(a + b * np.array(
        [0.3, 0.6])))), rtol=0, atol=FLOAT_TOLERANCE)


def test_threshold_tolerance_from_its_formula():
    """(|a_0 + t* b_0| + z lr sqrt(sum_s u C_s u)) / b_T with u = (1, t*), recomputed with loops;
    z = 3 by default; a final b in (0, 1] still has a threshold."""
    q = np.random.default_rng(1).uniform(size=200)
    run = post_train(q, confidence_target_grader(0.75), steps=40, rng=rng(3), learning_rate=0.05)
    (a0, b0), b_final, t_star = run.parameters[0], run.parameters[-1][1], 0.75
    variance = sum(c[0][0] + 2 * t_star * c[0][1] + t_star**2 * c[1][1]
                   for c in run.step_noise.tolist())
    for z in (3.0, 0.5):
        want = (abs(a0 + t_star * b0) + z * 0.05 * math.sqrt(variance)) / b_final
        assert math.isclose(run.threshold_tolerance(z=z), want, rel_tol=1e-12)
    assert run.threshold_tolerance() == run.threshold_tolerance(z=3.0)
    with pytest.raises(TypeError, match="^z must be a real number, got str$"):
        run.threshold_tolerance(z="3")
    short = post_train(q, confidence_target_grader(0.75), steps=1, rng=rng(3),
                       learning_rate=0.01)
    assert 0 < short.parameters[-1][1] <= 1 and short.threshold_tolerance() > 0
