"""The vectorized sweep of Theorem 1 computes the same quantities as the reduction module."""

from fractions import Fraction as F

import numpy as np
import pytest
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
import hallu_proofs.sweeps as sweeps
from hallu_proofs.sweeps import (
    draw_distribution_batch,
    draw_multiple_choice_batch,
    draw_weight_batch,
    exact_instance,
    good_turing_bias_batch,
    poor_model_batch,
    theorem1_batch,
    theorem1_sweep,
    theorem4_batch,
)


def test_batch_matches_the_reduction_module():
    """err, err_iiv, delta and the bound of every batch member equal the Instance-based values."""
    batch = draw_weight_batch(np.random.default_rng(3), 400, 3, 5)
    err, bound, err_iiv, delta = theorem1_batch(*batch)
    for i in range(400):
        inst = exact_instance(*(arr[i] for arr in batch))
        want = [hp.generative_error(inst), hp.theorem1_bound(inst), hp.iiv_error(inst),
                hp.calibration_gap(inst)]
        got = [err[i], bound[i], err_iiv[i], delta[i]]
        assert np.allclose([float(w) for w in want], got, rtol=0, atol=FLOAT_TOLERANCE), i


def test_sweep_finds_no_violation_and_rechecks_exactly():
    """Theorem 1 holds on 20,000 random instances, and exactly on the 100 tightest."""
    result = theorem1_sweep(np.random.default_rng(11), n_instances=20_000, chunk=7_000,
                            exact_rechecks=100)
    assert result["violations"] == 0 and result["exact_violations"] == 0
    assert result["exact_rechecked"] == 100
    assert float(result["smallest_exact_slack"]) == pytest.approx(result["smallest_slack"])


def test_sweep_refuses_bad_sizes():
    with pytest.raises(ValueError, match="n_responses"):
        theorem1_sweep(np.random.default_rng(0), n_instances=10, n_responses=1)
    with pytest.raises(TypeError, match="n_instances"):
        theorem1_sweep(np.random.default_rng(0), n_instances=10.5)


def test_poor_model_batch_matches_the_library():
    """opt(G) over all thresholds and the poor-model bound equal poor_models' exact values."""
    batch = draw_weight_batch(np.random.default_rng(5), 150, 2, 4)
    err, opt, bound = poor_model_batch(*batch)
    for i in range(150):
        inst = exact_instance(*(arr[i] for arr in batch))
        exact_opt = hp.opt_over_models([inst])
        assert opt[i] == pytest.approx(float(exact_opt), abs=FLOAT_TOLERANCE)
        assert bound[i] == pytest.approx(float(hp.poor_model_bound(inst, exact_opt)), abs=FLOAT_TOLERANCE)


def test_theorem4_batch_matches_the_library():
    """The closed-form E_t err_iiv(f_t) equals the integral of the step function, exactly."""
    batch = draw_multiple_choice_batch(np.random.default_rng(6), 150, 3, 4)
    err, bound = theorem4_batch(*batch)
    for i in range(150):
        inst = exact_instance(*(arr[i] for arr in batch))
        assert inst.max_valid == 1
        assert bound[i] == pytest.approx(float(hp.theorem4_average_bound(inst)), abs=FLOAT_TOLERANCE)
        assert err[i] == pytest.approx(float(hp.generative_error(inst)), abs=FLOAT_TOLERANCE)


def test_good_turing_bias_batch_matches_the_library():
    """sum nu^2 (1 - nu)^(N-1) equals E[GT] - E[M] from the closed forms of unseen_mass."""
    weights, sizes = draw_distribution_batch(np.random.default_rng(7), 200)
    _, bias = good_turing_bias_batch(weights, sizes)
    for w, n, b in zip(weights, sizes, bias):
        nu = w / w.sum()
        want = hp.expected_good_turing(nu, int(n)) - hp.expected_missing_mass(nu, int(n))
        assert b == pytest.approx(want, abs=FLOAT_TOLERANCE)


@pytest.mark.parametrize("name", ["poor_model_sweep", "theorem3_sweep", "theorem4_sweep",
                                  "observation1_sweep", "observation2_sweep",
                                  "confidence_target_sweep", "good_turing_bias_sweep"])
def test_other_sweeps_find_no_violation(name):
    """Each deterministic inequality holds on 20,000 random instances, and exactly on the tightest."""
    result = getattr(sweeps, name)(np.random.default_rng(12), n_instances=20_000, exact_rechecks=50)
    assert result["violations"] == 0 and result["exact_violations"] == 0
    assert result["exact_rechecked"] == 50


def test_sweeps_would_see_a_stronger_claim_fail():
    """The sweeps have teeth: Eq. (11) with factor 2 instead of 2 (1 - 1/C), and the bias bound
    1/(2N) instead of 1/N, are violated on some of the same random instances."""
    batch = draw_multiple_choice_batch(np.random.default_rng(8), 20_000, 3, 5)
    err, bound = theorem4_batch(*batch)
    choices = (~batch[0]).sum(axis=2).min(axis=1) + 1
    assert np.any(err < bound / (1 - 1 / choices) - FLOAT_TOLERANCE)
    weights, sizes = draw_distribution_batch(np.random.default_rng(9), 20_000)
    _, bias = good_turing_bias_batch(weights, sizes)
    assert np.any(bias > 1 / (2 * sizes) + FLOAT_TOLERANCE)


def test_sweep_draws_in_chunks_and_rechecks_the_tightest_in_draw_order():
    """_sweep draws n_instances in chunks, counts slacks below -1e-12, and re-checks exactly the
    tightest instances, ties broken by the order of drawing."""
    slack = np.array([1.0, 0.0] * 20)
    slack[[5, 8, 20]] = [-1e-12, -2e-12, -0.5]
    sizes, rechecked = [], []

    def draw(size):
        start = sum(sizes)
        sizes.append(size)
        return (np.arange(start, start + size),)

    def exact_slack(i):
        rechecked.append(int(i))
        return F(int(i)) - 10

    result = sweeps._sweep(draw, lambda idx: slack[idx], exact_slack, 40, 7, 6)
    assert sizes == [7, 7, 7, 7, 7, 5]
    want = sorted(range(40), key=lambda i: (slack[i], i))[:6]
    assert rechecked == want
    assert result == {
        "instances": 40, "violations": int(sum(s < -1e-12 for s in slack)), "smallest_slack": -0.5,
        "exact_rechecked": 6, "exact_violations": sum(1 for i in want if i < 10),
        "smallest_exact_slack": min(F(i) - 10 for i in want),
    }
    rechecked.clear()
    sizes.clear()
    result = sweeps._sweep(draw, lambda idx: slack[idx], exact_slack, 3, 40, 6)
    assert sizes == [3] and result["exact_rechecked"] == 3 and sorted(rechecked) == [0, 1, 2]


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(n_instances=0), ValueError, r"^n_instances must be >= 1, got 0$"),
    (dict(n_instances=10.5), TypeError, r"^n_instances must be an integer"),
    (dict(n_instances=10, chunk=0), ValueError, r"^chunk must be >= 1, got 0$"),
    (dict(n_instances=10, chunk=2.0), TypeError, r"^chunk must be an integer, got float$"),
    (dict(n_instances=10, n_prompts=0), ValueError, r"^n_prompts must be >= 1, got 0$"),
    (dict(n_instances=10, n_prompts=None), TypeError, r"^n_prompts must be an integer"),
    (dict(n_instances=10, n_responses=1), ValueError, r"^n_responses must be >= 2, got 1$"),
])
def test_sweep_refuses_bad_sizes_by_name(kwargs, error, message):
    with pytest.raises(error, match=message):
        theorem1_sweep(np.random.default_rng(0), **kwargs)


def test_sweep_accepts_the_smallest_sizes():
    """One prompt with two slots (one valid, one error) is a valid setting."""
    result = theorem1_sweep(np.random.default_rng(1), n_instances=300, n_prompts=1, n_responses=2,
                            exact_rechecks=5)
    assert result["violations"] == 0 and result["exact_rechecked"] == 5


SWEEPS = {
    # name: (keyword defaults of the committed ledger run, shape of one drawn batch member,
    #        strict claim)
    "theorem1_sweep": (dict(n_instances=10**6, chunk=200_000, exact_rechecks=1000), (3, 6), False),
    "poor_model_sweep": (dict(n_instances=10**6, chunk=50_000, exact_rechecks=1000), (2, 5), False),
    "theorem3_sweep": (dict(n_instances=10**6, chunk=50_000, exact_rechecks=1000), (3, 4), False),
    "theorem4_sweep": (dict(n_instances=10**6, chunk=200_000, exact_rechecks=1000), (3, 5), False),
    "observation1_sweep": (dict(n_instances=10**6, chunk=250_000, exact_rechecks=1000), (5, 6), True),
    "observation2_sweep": (dict(n_instances=10**6, chunk=200_000, exact_rechecks=1000), (5,), False),
    "confidence_target_sweep": (dict(n_instances=10**6, chunk=250_000, exact_rechecks=1000), (),
                                "per instance"),
    "good_turing_bias_sweep": (dict(n_instances=10**6, chunk=250_000, exact_rechecks=1000), (6,),
                               False),
}


@pytest.fixture
def captured(monkeypatch):
    """Replace _sweep by a recorder of the arguments each sweep hands it."""
    calls = {}

    def fake(draw, float_slack, exact_slack, n_instances, chunk, exact_rechecks, strict=False):
        calls.update(draw=draw, float_slack=float_slack, exact_slack=exact_slack, strict=strict,
                     sizes=dict(n_instances=n_instances, chunk=chunk, exact_rechecks=exact_rechecks))
        return calls

    monkeypatch.setattr(sweeps, "_sweep", fake)
    return calls


@pytest.mark.parametrize("name", list(SWEEPS))
def test_sweep_defaults_are_those_of_the_ledger_run(name, captured):
    """By default each sweep checks 10^6 instances (the ledger's minimum) and re-checks 1000
    exactly, in the chunks and sizes with which book/data/ledger_sweeps.json was made; strict
    claims are counted strictly."""
    sizes, shape, strict = SWEEPS[name]
    getattr(sweeps, name)(np.random.default_rng(0))
    assert captured["sizes"] == sizes
    batch = captured["draw"](3)
    assert all(len(arr) == 3 for arr in batch)
    assert batch[0].shape == (3, *shape)
    if strict == "per instance":
        assert callable(captured["strict"])
    else:
        assert captured["strict"] is strict


@pytest.mark.parametrize("name", list(SWEEPS))
def test_exact_slack_agrees_with_the_float_slack(name, captured):
    """Each sweep's exact re-check of an instance computes the same slack as its float formula."""
    getattr(sweeps, name)(np.random.default_rng(2), n_instances=10**6)
    batch = captured["draw"](30)
    floats = captured["float_slack"](*batch)
    assert floats.shape == (30,)
    for i in range(30):
        exact = captured["exact_slack"](*(arr[i] for arr in batch))
        assert type(exact) is F
        assert float(exact) == pytest.approx(floats[i], abs=FLOAT_TOLERANCE), i


def test_observation1_recheck_reports_an_optimal_abstention(captured, monkeypatch):
    """Should the grading module ever find an abstention optimal, the exact re-check reports a
    violation (a negative slack) even when the scores tie."""
    from hallu_proofs import grading

    sweeps.observation1_sweep(np.random.default_rng(3))
    member = [arr[0] for arr in captured["draw"](1)]
    assert captured["exact_slack"](*member) > 0
    monkeypatch.setattr(grading, "optimal_responses",
                        lambda problem, graders, beliefs, binary: {"IDK 0"})
    sweeps.observation1_sweep(np.random.default_rng(3))
    assert captured["exact_slack"](*member) <= 0


def test_weight_batch_draws_every_weight_from_its_range():
    """p weights are 1..denominator exactly on valid slots, p_hat weights 0..denominator (about
    0.2 + 0.8/9 of them zero, by construction), mu weights 1..denominator; defaults: denominator 8."""
    rng = np.random.default_rng(21)
    valid, p_w, q_w, mu_w = draw_weight_batch(rng, 3000, 3, 6, denominator=5)
    assert set(np.unique(p_w[valid]).tolist()) == {1, 2, 3, 4, 5} and (p_w[~valid] == 0).all()
    assert set(np.unique(q_w).tolist()) == {0, 1, 2, 3, 4, 5}
    assert set(np.unique(mu_w).tolist()) == {1, 2, 3, 4, 5}
    zero_share = (q_w == 0).mean()
    assert abs(zero_share - (0.2 + 0.8 / 6)) < 0.02
    assert (q_w.sum(axis=2) > 0).all()
    default = draw_weight_batch(np.random.default_rng(4), 50, 2, 4)
    explicit = draw_weight_batch(np.random.default_rng(4), 50, 2, 4, denominator=8)
    assert all((a == b).all() for a, b in zip(default, explicit))


def test_weight_batch_mixes_sparse_and_dense_valid_sets():
    """The share of valid slots is drawn per instance: some instances have one valid slot in every
    prompt, others one error slot in every prompt; within a row p's weights differ."""
    valid, p_w, q_w, _ = draw_weight_batch(np.random.default_rng(22), 3000, 3, 6)
    n_valid = valid.sum(axis=2)
    assert ((n_valid == 1).all(axis=1)).any() and ((n_valid == 5).all(axis=1)).any()
    assert ((n_valid >= 1) & (n_valid <= 5)).all()
    assert set(np.nonzero(~valid)[2].tolist()) == set(range(6))
    rows_with_two_valid = n_valid >= 2
    spread = p_w.max(axis=2) > np.where(valid, p_w, 99).min(axis=2)
    assert spread[rows_with_two_valid].mean() > 0.5
    assert (q_w.max(axis=2) > q_w.min(axis=2)).mean() > 0.9


def test_weight_batch_guarantees_a_positive_p_hat_row():
    """A row whose p_hat weights all came out zero gets weight 1 on its first slot."""
    class ZeroWeights:
        """A generator whose integer draws are all zero (so every p_hat row starts empty)."""

        def __init__(self, rng):
            self.rng = rng

        def integers(self, low, high, size=None):
            return np.maximum(np.zeros(size, int), low) if low else np.zeros(size, int)

        def __getattr__(self, name):
            return getattr(self.rng, name)

    _, _, q_w, _ = draw_weight_batch(ZeroWeights(np.random.default_rng(0)), 5, 2, 4)
    assert (q_w[..., 0] == 1).all() and (q_w[..., 1:] == 0).all()


def test_multiple_choice_batch_has_one_answer_anywhere():
    """Exactly one valid answer per prompt, in any column, with p a point mass on it."""
    valid, p_w, q_w, mu_w = draw_multiple_choice_batch(np.random.default_rng(23), 2000, 2, 4)
    assert (valid.sum(axis=2) == 1).all() and (p_w == valid).all() and p_w.dtype.kind == "i"
    assert set(np.nonzero(valid)[2].tolist()) == {0, 1, 2, 3}
    assert valid.shape == q_w.shape == (2000, 2, 4) and mu_w.shape == (2000, 2)
    default = draw_multiple_choice_batch(np.random.default_rng(5), 30, 2, 4)
    explicit = draw_multiple_choice_batch(np.random.default_rng(5), 30, 2, 4, denominator=8)
    assert all((a == b).all() for a, b in zip(default, explicit))
    _, _, q_small, _ = draw_multiple_choice_batch(np.random.default_rng(5), 500, 2, 4, denominator=2)
    assert set(np.unique(q_small).tolist()) == {0, 1, 2}


def test_belief_batch_draws():
    """Graders are binary: 0/1 scores, at least one accepted answer (some accept one, some all),
    0 on the abstentions (the last columns); belief weights are 0..max_weight with a positive
    total; defaults: 4 answers, 2 abstentions, 5 graders, weights <= 10."""
    graders, weights, n_abstentions = sweeps.draw_belief_batch(np.random.default_rng(24), 3000)
    assert graders.shape == (3000, 5, 6) and weights.shape == (3000, 5)
    assert (n_abstentions == 2).all() and len(n_abstentions) == 3000
    assert set(np.unique(graders).tolist()) == {0, 1} and (graders[..., 4:] == 0).all()
    accepted = graders[..., :4].sum(axis=2)
    assert accepted.min() == 1 and accepted.max() == 4
    assert ((accepted == 1).all(axis=1)).any() and ((accepted == 4).all(axis=1)).any()
    assert set(np.nonzero(graders)[2].tolist()) == {0, 1, 2, 3}
    assert set(np.unique(weights).tolist()) == set(range(11)) and (weights.sum(axis=1) > 0).all()
    graders, weights, n_abstentions = sweeps.draw_belief_batch(
        np.random.default_rng(25), 3000, n_answers=3, n_abstentions=1, n_graders=2, max_weight=1)
    assert graders.shape == (3000, 2, 4) and (n_abstentions == 1).all()
    assert (graders[..., 3] == 0).all() and (graders[..., :3].sum(axis=2) >= 1).all()
    assert set(np.unique(weights).tolist()) == {0, 1} and (weights.sum(axis=1) > 0).all()
    assert (weights[:, 0] == 1).mean() > (weights[:, 1] == 1).mean()
    graders, _, _ = sweeps.draw_belief_batch(np.random.default_rng(26), 50, n_answers=1)
    assert (graders[..., 0] == 1).all()  # with one answer, every grader accepts it


def test_observation1_batch_is_the_margin_of_the_best_answer():
    """The best answer's expected score minus the best abstention's, by loops over the graders;
    the abstention scores are read from the matrices, not assumed to be 0."""
    graders, weights, n_abstentions = sweeps.draw_belief_batch(np.random.default_rng(26), 200)
    graders[:50, 0, 5] = 1                                 # non-binary: an abstention scores 1
    margin = sweeps.observation1_batch(graders, weights, n_abstentions)
    for g, w, m in zip(graders, weights, margin):
        total = F(int(w.sum()))
        scores = [sum(F(int(wi)) / total * int(gi[r]) for gi, wi in zip(g, w)) for r in range(6)]
        assert m == pytest.approx(float(max(scores[:4]) - max(scores[4:])), abs=FLOAT_TOLERANCE)
    assert (margin[50:] > 0).all()


def test_distribution_batch_draws():
    """Weights 0..max_weight (point masses and full supports both occur), a positive total, and
    sample sizes 1..max_n; defaults: support 6, N <= 40, weights <= 9."""
    weights, sizes = draw_distribution_batch(np.random.default_rng(27), 5000)
    assert weights.shape == (5000, 6) and sizes.shape == (5000,)
    assert set(np.unique(weights).tolist()) == set(range(10))
    assert set(np.unique(sizes).tolist()) == set(range(1, 41))
    support = (weights > 0).sum(axis=1)
    assert support.min() == 1 and support.max() == 6 and (weights.sum(axis=1) > 0).all()
    assert (support == 1).mean() > 0.02 and (support == 6).mean() > 0.1
    weights, sizes = draw_distribution_batch(np.random.default_rng(28), 3000, support=3, max_n=2,
                                             max_weight=1)
    assert set(np.unique(weights).tolist()) == {0, 1} and set(np.unique(sizes).tolist()) == {1, 2}
    lone = (weights > 0).sum(axis=1) == 1
    assert (weights[lone, 0] == 1).mean() > (weights[lone, 1] == 1).mean()


def test_good_turing_bias_batch_upper_slack():
    """The first output is 1/N minus the bias, the second the bias itself."""
    weights, sizes = draw_distribution_batch(np.random.default_rng(29), 300)
    upper, bias = good_turing_bias_batch(weights, sizes)
    assert np.allclose(upper, 1 / sizes - bias, rtol=0, atol=1e-15)
    assert ((bias >= 0) & (upper >= -FLOAT_TOLERANCE)).all()


def test_distribution_batch_zero_weights_come_from_both_the_mask_and_the_draw():
    """A weight is zero when its slot is masked out (probability 1 - E[min(1, v + 0.2)] = 0.32 for
    v uniform) or drawn as 0 (1/10 of the rest): about 0.32 + 0.68 / 10 = 0.388 of them, a little
    less after empty rows get a weight."""
    weights, _ = draw_distribution_batch(np.random.default_rng(30), 20_000)
    assert 0.36 < (weights == 0).mean() < 0.40



# --- sweeps that can fail ------------------------------------------------------------------------

PLANTED = [
    # a claim stronger than the paper's, handed to each sweep: it must report violations, in
    # floats and in the exact re-check of the tightest instances
    ("theorem1_sweep", dict(ratio_coefficient=0)),
    ("theorem1_sweep", dict(n_prompts=1, delta_coefficient=0)),
    ("theorem1_sweep", dict(n_prompts=1, factor=F(201, 100))),
    ("poor_model_sweep", dict(ratio_coefficient=0)),
    ("poor_model_sweep", dict(family_size=1, delta_coefficient=0)),
    ("theorem3_sweep", dict(factor=F(201, 100))),
    ("theorem4_sweep", dict(factor=F(201, 100))),
    ("observation2_sweep", dict(delta_coefficient=0)),
    ("observation2_sweep", dict(ratio_coefficient=0)),
    ("confidence_target_sweep", dict(penalty_scale=F(2, 3))),
    ("good_turing_bias_sweep", dict(constant=F(1, 2))),
]


@pytest.mark.parametrize("name, claim", PLANTED)
def test_each_sweep_reports_a_planted_violation(name, claim):
    """Every sweep, given a false (stronger) claim, reports violations in floats and exactly."""
    result = getattr(sweeps, name)(np.random.default_rng(31), n_instances=20_000,
                                   exact_rechecks=20, **claim)
    assert result["violations"] > 0 and result["exact_violations"] > 0
    assert result["smallest_exact_slack"] < 0


def test_the_paper_coefficients_are_the_defaults():
    """With the paper's coefficients spelled out, each sweep gives what its defaults give."""
    for name, claim in [("theorem1_sweep", dict(factor=2, ratio_coefficient=1, delta_coefficient=1)),
                        ("poor_model_sweep", dict(factor=2, ratio_coefficient=1, delta_coefficient=1,
                                                  family_size=3)),
                        ("theorem3_sweep", dict(factor=2, family_size=3)),
                        ("theorem4_sweep", dict(factor=2)),
                        ("observation2_sweep", dict(ratio_coefficient=1, delta_coefficient=1,
                                                    n_messages=5)),
                        ("confidence_target_sweep", dict(penalty_scale=1, max_denominator=12)),
                        ("good_turing_bias_sweep", dict(constant=1))]:
        run = getattr(sweeps, name)
        assert run(np.random.default_rng(4), n_instances=3000, exact_rechecks=10, **claim) == \
            run(np.random.default_rng(4), n_instances=3000, exact_rechecks=10), name


def planted_beliefs(change):
    """draw_belief_batch, with ``change`` applied to the first problem of every batch."""
    real = sweeps.draw_belief_batch

    def draw(rng, n_problems, **kwargs):
        graders, weights, n_abstentions = real(rng, n_problems, **kwargs)
        change(graders, weights)
        return graders, weights, n_abstentions
    return draw


@pytest.mark.parametrize("change, smallest", [
    # an abstention that a grader scores 1, and only that grader believed: abstaining wins
    (lambda g, w: (g.__setitem__((0, 0), [0, 0, 0, 0, 1, 0]),
                   w.__setitem__(0, [1, 0, 0, 0, 0])), F(-1)),
    # graders that accept nothing: every response scores 0, a tie, which the strict claim refuses
    (lambda g, w: g.__setitem__(0, 0), F(0)),
])
def test_observation1_sweep_reports_a_planted_violation(change, smallest, monkeypatch):
    """Observation 1 is strict: a non-binary grader that rewards an abstention, and a tie at 0,
    are both reported, in floats and exactly."""
    monkeypatch.setattr(sweeps, "draw_belief_batch", planted_beliefs(change))
    result = sweeps.observation1_sweep(np.random.default_rng(5), n_instances=1000, chunk=400,
                                       exact_rechecks=5)
    assert result["violations"] == 3 and result["exact_violations"] == 3
    assert result["smallest_exact_slack"] == smallest


def test_sweep_counts_strict_and_non_strict_claims_apart():
    """A slack of exactly 0 violates a strict claim only; within FLOAT_MARGIN of 0, a float slack
    counts for a strict claim and not for a non-strict one; strictness may vary per instance."""
    slack = np.array([0.0, 1e-13, -1e-13, 0.5, -0.5])
    exact = [F(0), F(1, 10**13), F(-1, 10**13), F(1, 2), F(-1, 2)]

    def run(strict):
        return sweeps._sweep(lambda size: (np.arange(size),), lambda i: slack[i],
                             lambda i: exact[int(i)], 5, 5, 5, strict=strict)
    loose, tight = run(False), run(True)
    assert (loose["violations"], loose["exact_violations"]) == (1, 2)
    assert (tight["violations"], tight["exact_violations"]) == (4, 3)
    mixed = run(lambda i: i == 0)
    assert (mixed["violations"], mixed["exact_violations"]) == (2, 3)
    assert sweeps.FLOAT_MARGIN == 1e-12


@pytest.mark.parametrize("name, kwargs, error, message", [
    ("theorem1_sweep", dict(factor=2.0), TypeError, r"^factor must be an int or a Fraction"),
    ("theorem1_sweep", dict(ratio_coefficient=True), TypeError, r"^ratio_coefficient must be"),
    ("theorem1_sweep", dict(delta_coefficient="1"), TypeError, r"^delta_coefficient must be"),
    ("poor_model_sweep", dict(family_size=0), ValueError, r"^family_size must be >= 1, got 0$"),
    ("poor_model_sweep", dict(factor=0.5), TypeError, r"^factor must be"),
    ("theorem3_sweep", dict(family_size=1.5), TypeError, r"^family_size must be an integer"),
    ("theorem3_sweep", dict(factor=1.5), TypeError, r"^factor must be"),
    ("theorem4_sweep", dict(factor=1.5), TypeError, r"^factor must be"),
    ("observation2_sweep", dict(n_messages=2), ValueError, r"^n_messages must be >= 3, got 2$"),
    ("observation2_sweep", dict(delta_coefficient=0.5), TypeError, r"^delta_coefficient must be"),
    ("confidence_target_sweep", dict(max_denominator=0), ValueError,
     r"^max_denominator must be >= 1, got 0$"),
    ("confidence_target_sweep", dict(penalty_scale=0.5), TypeError, r"^penalty_scale must be"),
    ("good_turing_bias_sweep", dict(constant=0.5), TypeError, r"^constant must be"),
])
def test_sweeps_refuse_bad_claims_and_sizes_by_name(name, kwargs, error, message):
    with pytest.raises(error, match=message):
        getattr(sweeps, name)(np.random.default_rng(0), n_instances=10, **kwargs)


def test_family_batch_matches_the_library():
    """opt(G) over a family of models and every threshold, the poor-model bound and Theorem 3's
    bound equal poor_models' exact values; err and delta are the first model's."""
    batch = sweeps.draw_family_batch(np.random.default_rng(32), 120, 2, 4, 3)
    assert batch[2].shape == (120, 3, 2, 4)
    err, opt, bound = poor_model_batch(*batch)
    for i in range(120):
        models = sweeps.exact_family(*(arr[i] for arr in batch))
        exact_opt = hp.opt_over_models(models)
        assert opt[i] == pytest.approx(float(exact_opt), abs=FLOAT_TOLERANCE)
        assert bound[i] == pytest.approx(float(hp.poor_model_bound(models[0], exact_opt)),
                                         abs=FLOAT_TOLERANCE)
        assert err[i] == pytest.approx(float(hp.generative_error(models[0])), abs=FLOAT_TOLERANCE)
    assert (opt < poor_model_batch(batch[0], batch[1], batch[2][:, 0], batch[3])[1]).any()


def test_family_batch_draws():
    """The models of a family share valid, p and mu, differ in p_hat; multiple choice gives one
    valid answer per prompt; family_size 1 is the single model."""
    rng = np.random.default_rng(33)
    valid, p_w, q_w, mu_w = sweeps.draw_family_batch(rng, 500, 3, 4, 4, multiple_choice=True)
    assert q_w.shape == (500, 4, 3, 4) and (valid.sum(axis=2) == 1).all()
    assert (q_w.sum(axis=3) > 0).all() and (q_w[:, 0] != q_w[:, 1]).any(axis=(1, 2)).mean() > 0.9
    valid, p_w, q_w, mu_w = sweeps.draw_family_batch(rng, 500, 2, 5, 1, denominator=2)
    assert q_w.shape == (500, 1, 2, 5) and set(np.unique(q_w).tolist()) == {0, 1, 2}
    assert ((valid.sum(axis=2) >= 1) & (valid.sum(axis=2) <= 4)).all()


def test_observation2_batch_matches_the_library():
    """err, beta and delta of the decryption batch equal those of hardness.decryption_instance."""
    from hallu_proofs import hardness

    batch = sweeps.draw_decryption_batch(np.random.default_rng(34), 300, 4)
    err, beta, delta = sweeps.observation2_batch(*batch)
    for i in range(300):
        key, _, _, q_w, _ = (arr[i] for arr in batch)
        inst = hardness.decryption_instance(key, sweeps._rows(q_w))
        assert err[i] == pytest.approx(float(hp.generative_error(inst)), abs=FLOAT_TOLERANCE)
        assert beta[i] == pytest.approx(float(hardness.breaking_advantage(hp.iiv_error(inst))),
                                        abs=FLOAT_TOLERANCE)
        assert delta[i] == pytest.approx(float(hp.calibration_gap(inst)), abs=FLOAT_TOLERANCE)
    assert (beta > 0).any() and (beta == 0).any()


def test_decryption_batch_draws():
    """Each key is a permutation; the valid slots are the decryption and IDK; p is a point mass
    on the decryption; mu is uniform; some models put extra weight on the right answer."""
    keys, valid, p_w, q_w, mu_w = sweeps.draw_decryption_batch(np.random.default_rng(35), 2000, 5)
    assert (np.sort(keys, axis=1) == np.arange(5)).all() and len({tuple(k) for k in keys}) > 100
    assert (valid.sum(axis=2) == 2).all() and valid[..., 5].all()
    for key, v, p in zip(keys[:50], valid[:50], p_w[:50]):
        for r, h in enumerate(key):
            assert v[h, r] and p[h, r] == 1
    assert (p_w.sum(axis=2) == 1).all() and (p_w[..., 5] == 0).all() and (mu_w == 1).all()
    right = (q_w * p_w).sum(axis=2) / q_w.sum(axis=2)
    assert (right > 0.8).mean() > 0.01 and (right > 0.5).mean() > 0.1 and (q_w.sum(axis=2) > 0).all()


def test_confidence_batch_matches_the_library():
    """The rule's margin equals grading.expected_score's, signed by answer_policy's decision;
    strictness is exactly q != t."""
    from hallu_proofs import grading

    batch = sweeps.draw_confidence_batch(np.random.default_rng(36), 400)
    slack, strict = sweeps.confidence_target_batch(*batch)
    for a, d, b, e, s, st in zip(*batch, slack, strict):
        q, t = F(int(a), int(d)), F(int(b), int(e))
        value = grading.expected_score(q, t)
        assert s == pytest.approx(float(value if q > t else -value), abs=FLOAT_TOLERANCE)
        assert st == (q != t)
    scaled, _ = sweeps.confidence_target_batch(*batch, penalty_scale=2)
    a, d, b, e = batch
    q, t = a / d, b / e
    assert np.allclose(np.where(a * e > b * d, scaled, -scaled), q - 2 * (1 - q) * t / (1 - t))


def test_confidence_batch_draws():
    """q = a/d in [0, 1] with d <= max_denominator, t = b/e in [0, 1); a quarter are ties."""
    a, d, b, e = sweeps.draw_confidence_batch(np.random.default_rng(37), 8000, max_denominator=5)
    assert ((0 <= a) & (a <= d) & (d <= 5) & (0 <= b) & (b < e) & (e <= 5)).all()
    assert set(np.unique(d).tolist()) == set(range(1, 6)) and (a == d).any() and (a == 0).any()
    assert 0.2 < (a * e == b * d).mean() < 0.4


@pytest.mark.parametrize("name, kwargs", [
    ("poor_model_sweep", dict(family_size=2, n_prompts=1, n_responses=3)),
    ("theorem3_sweep", dict(family_size=2, n_prompts=2, n_responses=3)),
    ("observation2_sweep", dict(n_messages=4)),
    ("confidence_target_sweep", dict(max_denominator=3)),
])
def test_sweeps_at_other_sizes_find_no_violation(name, kwargs):
    """The sizes are the caller's: smaller families, tasks and message spaces hold too."""
    result = getattr(sweeps, name)(np.random.default_rng(40), n_instances=3000, chunk=1000,
                                   exact_rechecks=10, **kwargs)
    assert result["violations"] == 0 and result["exact_violations"] == 0
    assert result["exact_rechecked"] == 10


def test_sizes_reach_the_draws(monkeypatch):
    """Each sweep hands its sizes to its draw: the batch shapes follow them."""
    seen = {}
    for draw in ("draw_family_batch", "draw_decryption_batch", "draw_confidence_batch"):
        real = getattr(sweeps, draw)

        def spy(*args, _real=real, _name=draw, **kwargs):
            out = _real(*args, **kwargs)
            seen[_name] = out
            return out
        monkeypatch.setattr(sweeps, draw, spy)
    sweeps.theorem3_sweep(np.random.default_rng(41), n_instances=50, exact_rechecks=1,
                          family_size=2, n_prompts=2, n_responses=3)
    assert seen["draw_family_batch"][2].shape == (50, 2, 2, 3)
    sweeps.observation2_sweep(np.random.default_rng(41), n_instances=50, exact_rechecks=1,
                              n_messages=4)
    assert seen["draw_decryption_batch"][1].shape == (50, 4, 5)
    sweeps.confidence_target_sweep(np.random.default_rng(41), n_instances=500, exact_rechecks=1,
                                   max_denominator=2)
    assert seen["draw_confidence_batch"][1].max() <= 2


def test_decryption_batch_denominator():
    """Model weights come from 0..denominator, plus the extra weight on known answers."""
    keys, valid, p_w, q_w, mu_w = sweeps.draw_decryption_batch(np.random.default_rng(42), 3000, 3,
                                                               denominator=1)
    others = q_w[p_w == 0]
    assert set(np.unique(others).tolist()) == {0, 1}
    assert q_w[p_w == 1].max() > 1
