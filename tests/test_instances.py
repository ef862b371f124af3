"""The Instance type: representation, exact mode, and every refusal of bad input."""

import re
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
from hallu_proofs.strategies import instances

P = [[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]]
P_HAT = [[0.5, 0.25, 0.25], [0.2, 0.3, 0.5]]
VALID = [[True, False, False], [True, True, False]]


def test_one_prompt_is_a_one_row_instance():
    """1-D inputs are one prompt with mu = [1]: Corollary 1's setting."""
    inst = hp.Instance([1.0, 0.0], [0.3, 0.7], [True, False])
    assert inst.single_prompt and inst.n_prompts == 1 and inst.mu.tolist() == [1.0]


def test_counts_and_default_threshold():
    inst = hp.Instance(P, P_HAT, VALID)
    assert inst.n_valid.tolist() == [1, 2] and inst.n_errors.tolist() == [2, 1]
    assert (inst.max_valid, inst.min_errors, inst.default_threshold) == (2, 1, 1.0)


def test_exact_mode_uses_fractions_throughout():
    """Fraction entries (and the default uniform mu) give Fraction arithmetic, no floats."""
    inst = hp.Instance([[1, 0], [1, 0], [1, 0]], [[F(1, 3), F(2, 3)]] * 3, [[True, False]] * 3)
    assert inst.exact
    assert all(type(x) is F for x in inst.mu) and sum(inst.mu) == 1
    assert all(type(x) is F for x in inst.p.ravel())
    assert type(inst.p[0, 0].numerator) is int  # no numpy integers leak into Fractions


def test_arrays_are_read_only():
    inst = hp.Instance(P, P_HAT, VALID)
    with pytest.raises(ValueError):
        inst.p_hat[0, 0] = 1.0


@given(instances(exact=True))
def test_strategy_draws_valid_exact_instances(inst):
    """Every drawn instance satisfies the paper's assumptions: p(V_c | c) = 1 for every c."""
    assert inst.exact
    for c in range(inst.n_prompts):
        assert sum(inst.p[c][inst.valid[c]]) == 1
        assert sum(inst.p_hat[c]) == 1


BAD_INPUTS = [
    # (keyword arguments, error type, message pattern naming the argument)
    (dict(p=[1.0, 0.0], p_hat=[0.5, 0.25, 0.25], valid=[True, False]), ValueError,
     r"p_hat has shape"),
    (dict(p=[1.0, 0.0], p_hat=[0.5, 0.5], valid=[True, False, False]), ValueError,
     r"valid has shape"),
    (dict(p=P, p_hat=P_HAT, valid=VALID, mu=[1.0]), ValueError, r"mu has shape"),
    (dict(p=P, p_hat=P_HAT, valid=VALID, plausible=[True, True]), ValueError,
     r"plausible has shape"),
    (dict(p=[1.2, -0.2, 0.0], p_hat=[0.5, 0.5, 0.0], valid=[True, True, False]), ValueError,
     r"p: prompt 0, response 1 is -0\.2"),
    (dict(p=[1.0, 0.0], p_hat=[float("nan"), 1.0], valid=[True, False]), ValueError,
     r"p_hat: prompt 0, response 0 is nan"),
    (dict(p=[1.0, 0.0], p_hat=[float("inf"), 1.0], valid=[True, False]), ValueError,
     r"p_hat: prompt 0, response 0 is inf"),
    (dict(p=[0.9, 0.0], p_hat=[0.5, 0.5], valid=[True, False]), ValueError,
     r"p sums to 0\.9 for prompt 0, not 1"),
    (dict(p=P, p_hat=[[0.5, 0.25, 0.25], [0.2, 0.3, 0.4]], valid=VALID), ValueError,
     r"p_hat sums to .* for prompt 1, not 1"),
    (dict(p=P, p_hat=P_HAT, valid=VALID, mu=[0.7, 0.7]), ValueError, r"mu sums to 1\.4"),
    (dict(p=P, p_hat=P_HAT, valid=VALID, mu=[1.5, -0.5]), ValueError, r"mu: entry 1 is -0\.5"),
    (dict(p=[0.5, 0.5], p_hat=[0.5, 0.5], valid=[True, False]), ValueError,
     r"p puts mass 0\.5 on error response 1 of prompt 0"),
    (dict(p=[[1.0, 0.0], [0.5, 0.5]], p_hat=[[0.5, 0.5]] * 2, valid=[[True, False], [True, True]]),
     ValueError, r"valid: prompt 1 has no error response"),
    (dict(p=[0.0, 0.0], p_hat=[0.5, 0.5], valid=[False, False]), ValueError,
     r"p sums to 0\.0 for prompt 0"),
    (dict(p=[1.0, 0.0, 0.0], p_hat=[0.5, 0.25, 0.25], valid=[True, False, False],
          plausible=[True, True, False]), ValueError,
     r"p_hat puts mass 0\.25 outside the plausible set, on response 2 of prompt 0"),
    (dict(p=[0.5, 0.0, 0.5], p_hat=[0.5, 0.5, 0.0], valid=[True, False, True],
          plausible=[True, True, False]), ValueError,
     r"valid marks response 2 of prompt 0 as valid, but plausible says it is not"),
    (dict(p=np.ones((2, 2, 2)) / 4, p_hat=np.ones((2, 2, 2)) / 4, valid=np.ones((2, 2, 2), bool)),
     ValueError, r"p must be 1-D .* or 2-D"),
    (dict(p=["a", "b"], p_hat=[0.5, 0.5], valid=[True, False]), TypeError, r"p must hold real"),
    (dict(p=[True, False], p_hat=[0.5, 0.5], valid=[True, False]), TypeError, r"p must hold real"),
    (dict(p=[1.0, 0.0], p_hat=[0.5, 0.5], valid=[1, 0]), TypeError, r"valid must be a boolean"),
    (dict(p=[F(1), F(0)], p_hat=[0.5, 0.5], valid=[True, False]), TypeError,
     r"p_hat: entry .* do not mix floats with Fractions"),
    (dict(p=[[1.0, 0.0], [1.0]], p_hat=[[0.5, 0.5]] * 2, valid=[[True, False]] * 2), ValueError,
     r"p is not a rectangular array"),
]


@pytest.mark.parametrize("kwargs, error, message", BAD_INPUTS)
def test_bad_input_is_refused_with_a_message_naming_it(kwargs, error, message):
    with pytest.raises(error, match=message):
        hp.Instance(**kwargs)


def test_no_valid_response_is_refused():
    """A prompt whose every plausible response is an error violates p(V) = 1 and is refused."""
    with pytest.raises(ValueError, match=r"valid: prompt 0 has no valid response"):
        hp.Instance([1.0, 0.0, 0.0], [0.5, 0.5, 0.0], [False, False, False],
                    plausible=[True, True, False])


def test_exact_rows_must_sum_to_exactly_one():
    """Fractions get no tolerance: 1/3 + 1/3 + 1/3 passes, 333/1000 * 3 does not."""
    hp.Instance([1, 0, 0], [F(1, 3)] * 3, [True, False, False])
    with pytest.raises(ValueError, match=r"p_hat sums to 999/1000"):
        hp.Instance([1, 0, 0], [F(333, 1000)] * 3, [True, False, False])


def test_float_rows_get_the_named_tolerance():
    """A float row may miss 1 by at most ROW_SUM_TOLERANCE."""
    tiny = hp.ROW_SUM_TOLERANCE / 2
    hp.Instance([1.0, 0.0], [0.5 + tiny, 0.5], [True, False])
    with pytest.raises(ValueError, match="p_hat sums to"):
        hp.Instance([1.0, 0.0], [0.5 + 4 * hp.ROW_SUM_TOLERANCE, 0.5], [True, False])


@pytest.mark.parametrize("threshold, error", [
    (float("nan"), ValueError), (-0.1, ValueError), (1.5, ValueError), ("0.5", TypeError),
    (True, TypeError),
])
def test_bad_threshold_is_refused(threshold, error):
    inst = hp.Instance(P, P_HAT, VALID)
    for quantity in (hp.iiv_error, hp.calibration_gap, hp.classify):
        with pytest.raises(error, match="threshold"):
            quantity(inst, threshold=threshold)


def weight_ratios(rows):
    """Every ratio x / y of two positive entries of one row, over all the given rows."""
    return {F(x) / F(y) for row in rows for x in row if x > 0 for y in row if y > 0}


def test_random_instance_draws_integer_weights_up_to_the_denominator():
    """p, p_hat and mu are integer weights 1..denominator, normalised: every ratio of two positive
    entries of a row is a/b with a, b in 1..denominator, and over many draws every such ratio occurs."""
    denominator = 3
    possible = {F(a, b) for a in range(1, denominator + 1) for b in range(1, denominator + 1)}
    seen = {"p": set(), "p_hat": set(), "mu": set()}
    for seed in range(60):
        inst = hp.random_instance(np.random.default_rng(seed), 3, 4, exact=True, denominator=denominator)
        seen["p"] |= weight_ratios(inst.p)
        seen["p_hat"] |= weight_ratios(inst.p_hat)
        seen["mu"] |= weight_ratios([inst.mu])
        assert all(x > 0 for x in inst.p_hat.ravel()) and all(x > 0 for x in inst.mu)
        assert all((x > 0) == v for x, v in zip(inst.p.ravel(), inst.valid.ravel()))
    assert seen == {"p": possible, "p_hat": possible, "mu": possible}


def test_random_instance_has_both_kinds_of_slot_in_every_prompt():
    """Every prompt has a valid and an error slot, and over many draws any number of valid slots
    from 1 to n - 1 occurs, in any column."""
    counts, valid_columns, error_columns = set(), set(), set()
    for seed in range(60):
        inst = hp.random_instance(np.random.default_rng(seed), 2, 4)
        assert inst.plausible is None and inst.p.shape == (2, 4) and not inst.single_prompt
        counts |= set(inst.n_valid.tolist())
        valid_columns |= set(np.nonzero(inst.valid)[1].tolist())
        error_columns |= set(np.nonzero(inst.error)[1].tolist())
    assert counts == {1, 2, 3} and valid_columns == error_columns == {0, 1, 2, 3}


@pytest.mark.parametrize("sharpness", [1.0, 3.0])
def test_random_instance_exact_and_float_draw_the_same_instance(sharpness):
    """The same generator state gives the same instance in Fractions and in floats."""
    for seed in range(20):
        exact = hp.random_instance(np.random.default_rng(seed), 3, 5, exact=True, sharpness=sharpness)
        approx = hp.random_instance(np.random.default_rng(seed), 3, 5, sharpness=sharpness)
        assert exact.exact and not approx.exact
        assert (exact.valid == approx.valid).all()
        for name in ("p", "p_hat", "mu"):
            want = getattr(exact, name).astype(float)
            assert np.allclose(getattr(approx, name), want, rtol=0, atol=1e-15), name


def test_random_instance_defaults():
    """The defaults are floats, denominator 12 and sharpness 1 (p_hat weights uniform on 1..12)."""
    default = hp.random_instance(np.random.default_rng(4), 3, 6)
    explicit = hp.random_instance(np.random.default_rng(4), 3, 6, exact=False, denominator=12,
                                  sharpness=1.0)
    for name in ("p", "p_hat", "mu", "valid"):
        assert (getattr(default, name) == getattr(explicit, name)).all(), name


def test_random_instance_sharpness_makes_p_hat_peakier():
    """p_hat's weights are ceil(u ** sharpness * denominator), u uniform on [0, 1): they stay in
    1..denominator, and weight 1 (the row minimum) has probability denominator ** (-1 / sharpness)."""
    denominator, sharpness = 4, 3.0
    possible = {F(a, b) for a in range(1, denominator + 1) for b in range(1, denominator + 1)}
    at_minimum = {1.0: [], sharpness: []}
    for s in at_minimum:
        for seed in range(20):
            inst = hp.random_instance(np.random.default_rng(seed), 4, 6, exact=True,
                                      denominator=denominator, sharpness=s)
            assert weight_ratios(inst.p_hat) <= possible
            at_minimum[s] += [np.mean([x == min(row) for x in row]) for row in inst.p_hat]
    # Share of slots at their row's minimum: at least Pr[weight = 1] = 4 ** (-1/3) = 0.63 when
    # sharpened, against about 1/4 + (ties) without.
    assert np.mean(at_minimum[sharpness]) > 0.55 > 0.45 > np.mean(at_minimum[1.0])


def test_repr_names_the_sizes_and_the_arithmetic():
    exact = hp.Instance([1, 0, 0], [F(1, 2), F(1, 4), F(1, 4)], [True, False, False])
    floats = hp.Instance(P, P_HAT, VALID)
    assert repr(exact) == "Instance(1 prompt(s) x 3 response slots, exact, max|V_c| = 1, min|E_c| = 2)"
    assert repr(floats) == "Instance(2 prompt(s) x 3 response slots, float, max|V_c| = 2, min|E_c| = 1)"


@pytest.mark.parametrize("args, message", [
    ((1, 1), r"^n_responses must be >= 2, got 1$"),
    ((0, 3), r"^n_prompts must be >= 1, got 0$"),
])
def test_random_instance_refuses_bad_sizes(args, message):
    with pytest.raises(ValueError, match=message):
        hp.random_instance(np.random.default_rng(0), *args)


def test_random_instance_smallest_sizes():
    """One prompt with two slots: one valid, one error."""
    inst = hp.random_instance(np.random.default_rng(0), 1, 2, exact=True)
    assert inst.n_valid.tolist() == [1] and inst.n_errors.tolist() == [1] and inst.mu.tolist() == [1]


MORE_BAD_INPUTS = [
    # Faults in a later prompt or response: the message names that prompt and response.
    (dict(p=[[1.0, 0.0, 0.0], [0.5, 0.0, 0.5]], p_hat=[[0.5, 0.5, 0.0]] * 2,
          valid=[[True, False, False], [True, False, True]],
          plausible=[[True, True, False], [True, True, False]]),
     r"^valid marks response 2 of prompt 1 as valid, but plausible says it is not plausible$"),
    (dict(p=[[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]], p_hat=[[0.5, 0.5, 0.0], [0.5, 0.25, 0.25]],
          valid=[[True, False, False]] * 2, plausible=[[True, True, False]] * 2),
     r"^p_hat puts mass 0\.25 outside the plausible set, on response 2 of prompt 1$"),
    (dict(p=[[1.0, 0.0, 0.0], [0.0, 0.5, 0.5]], p_hat=[[0.5, 0.5, 0.0]] * 2,
          valid=[[True, False, False], [False, True, False]],
          plausible=[[True, True, False], [True, True, False]]),
     r"^p puts mass 0\.5 outside the plausible set, on response 2 of prompt 1$"),
    (dict(p=[[1.0, 0.0, 0.0], [0.5, 0.0, 0.5]], p_hat=[[0.5, 0.5, 0.0]] * 2,
          valid=[[True, False, False], [True, False, False]]),
     r"^p puts mass 0\.5 on error response 2 of prompt 1 \(the theorem assumes p\(V\) = 1\)$"),
    (dict(p=[[1.0, 0.0, 0.0], [1.0, 0.0, 0.0]], p_hat=[[0.5, 0.5, 0.0]] * 2,
          valid=[[True, False, False], [False, False, False]], plausible=[[True] * 3, [True, True, False]]),
     r"^valid: prompt 1 has no valid response \(every prompt needs at least one valid and one "
     r"error response\)$"),
    (dict(p=[[1.0, 0.0], [1.0, 0.0]], p_hat=[[0.5, 0.5], [0.5, 0.5]], valid=[[True, False], [True, True]],
          plausible=[[True, True], [True, True]]),
     r"^valid: prompt 1 has no error response"),
    (dict(p=[[1.0, 0.0], [1.0, 0.0]], p_hat=[[0.5, 0.5], [0.5, -0.5 + 1.0]],
          valid=[[True, False]] * 2, mu=[0.25, 0.25, 0.5]),
     r"^mu has shape \(3,\), expected \(2,\): one entry per prompt$"),
    (dict(p=[[1.0, 0.0], [1.0, 0.0]], p_hat=[[0.5, 0.5], [1.5, -0.5]], valid=[[True, False]] * 2),
     r"^p_hat: prompt 1, response 1 is -0\.5; entries must be finite and >= 0$"),
    (dict(p=[[1.0, 0.0], [1.0, 0.0]], p_hat=[[0.5, 0.5]] * 2, valid=[[True, False]] * 2,
          mu=[1.0, float("nan")]),
     r"^mu: entry 1 is nan; entries must be finite and >= 0$"),
    (dict(p=[[1.0, 0.0], [1.0, 0.0]], p_hat=[[0.5, 0.5]] * 2, valid=[[True, False]] * 2, mu=[0.5, 0.25]),
     r"^mu sums to 0\.75, not 1$"),
    (dict(p=[[1, 0], [1, 0]], p_hat=[[F(1, 2), F(1, 2)], [F(3, 2), F(-1, 2)]], valid=[[True, False]] * 2),
     r"^p_hat: prompt 1, response 1 is -1/2; entries must be finite and >= 0$"),
    (dict(p=[[1, 0], [1, 0]], p_hat=[[F(1, 2), F(1, 2)]] * 2, valid=[[True, False]] * 2,
          mu=[F(1, 2), F(1, 3)]),
     r"^mu sums to 5/6, not 1$"),
    (dict(p=[[1, 0], [F(1, 2), F(1, 3)]], p_hat=[[F(1, 2), F(1, 2)]] * 2, valid=[[True, False]] * 2),
     r"^p sums to 5/6 for prompt 1, not 1$"),
    (dict(p=np.zeros((2, 0)), p_hat=np.zeros((2, 0)), valid=np.zeros((2, 0), bool)), r"^p is empty$"),
    (dict(p=np.zeros((0, 2)), p_hat=np.zeros((0, 2)), valid=np.zeros((0, 2), bool)), r"^p is empty$"),
    (dict(p=[[1.0, 0.0]], p_hat=[[0.5, 0.5]], valid=[[True, False, False]]),
     r"^valid has shape \(1, 3\), but p has shape \(1, 2\)$"),
    (dict(p=[[1.0, 0.0]], p_hat=[[0.5, 0.5]], valid=[[True, False]], plausible=[[True, True, True]]),
     r"^plausible has shape \(1, 3\), but p has shape \(1, 2\)$"),
    (dict(p=[1.0, 0.0], p_hat=[0.5, 0.5], valid=np.ones((1, 1, 2), bool)),
     r"^valid must be 1-D \(one prompt\) or 2-D \(prompts x responses\), got 3-D$"),
    (dict(p=[1.0, 0.0], p_hat=[0.5, 0.5], valid=[True, False], plausible=[1, 1]),
     r"^plausible must be a boolean array, got dtype int"),
]


@pytest.mark.parametrize("kwargs, message", MORE_BAD_INPUTS)
def test_refusals_name_the_prompt_and_response_at_fault(kwargs, message):
    with pytest.raises(ValueError if "boolean" not in message else TypeError, match=message):
        hp.Instance(**kwargs)


@pytest.mark.parametrize("kwargs, message", [
    (dict(p=[[1, 0], [1, 0]], p_hat=[[F(1, 2), F(1, 2)], [F(1, 2), 0.5]], valid=[[True, False]] * 2),
     r"^p_hat: entry \(1, 1\) is 0\.5; exact instances need int or fractions\.Fraction entries"),
    (dict(p=np.array([1, 0], dtype=object), p_hat=np.array([F(1, 2), True], dtype=object),
          valid=[True, False]),
     r"^p_hat: entry \(1,\) is True; exact instances need int"),
    (dict(p=[1.0, 0.0], p_hat=[0.5, 0.5], valid=[True, False], mu=np.array([F(1)], dtype=object)),
     r"^p: entry \(0,\) is 1\.0; exact instances"),
    (dict(p=[1.0, 0.0], p_hat=[0.5 + 0.5j, 0.5], valid=[True, False]), r"^p_hat must hold real numbers"),
])
def test_exact_and_type_refusals(kwargs, message):
    with pytest.raises(TypeError, match=message):
        hp.Instance(**kwargs)


def test_exact_entries_become_fractions_of_python_ints():
    """numpy integers and Fractions of numpy integers are turned into plain Fractions."""
    p = np.array([np.int64(1), np.int64(0)], dtype=object)
    p_hat = np.array([F(np.int64(1), np.int64(4)), F(3, 4)], dtype=object)
    inst = hp.Instance(p, p_hat, [True, False])
    for x in (*inst.p.ravel(), *inst.p_hat.ravel(), *inst.mu):
        assert type(x) is F and type(x.numerator) is int and type(x.denominator) is int
    assert inst.p.tolist() == [[1, 0]] and inst.p_hat.tolist() == [[F(1, 4), F(3, 4)]]
    assert inst.p.shape == inst.p_hat.shape == (1, 2) and inst.single_prompt


def test_exact_mu_is_kept_and_float_mu_is_uniform_by_default():
    inst = hp.Instance([[1, 0], [1, 0]], [[F(1, 2), F(1, 2)]] * 2, [[True, False]] * 2, mu=[F(1, 3), F(2, 3)])
    assert inst.mu.tolist() == [F(1, 3), F(2, 3)] and inst.exact
    floats = hp.Instance([[1.0, 0.0]] * 4, [[0.5, 0.5]] * 4, [[True, False]] * 4)
    assert floats.mu.dtype == float and floats.mu.tolist() == [0.25] * 4 and not floats.exact
    assert not floats.single_prompt and floats.n_prompts == 4


def test_plausible_sets_of_different_sizes():
    """Slots outside R_c are neither valid nor errors; counts and the error mask follow R_c."""
    inst = hp.Instance([[1.0, 0.0, 0.0], [0.5, 0.5, 0.0]], [[0.5, 0.5, 0.0], [0.25, 0.25, 0.5]],
                       [[True, False, False], [True, True, False]],
                       plausible=[[True, True, False], [True, True, True]])
    assert inst.n_valid.tolist() == [1, 2] and inst.n_errors.tolist() == [1, 1]
    assert inst.error.tolist() == [[False, True, False], [False, False, True]]
    assert inst.plausible.tolist() == [[True, True, False], [True, True, True]]
    assert (inst.max_valid, inst.min_errors) == (2, 1)
    with pytest.raises(ValueError):
        inst.plausible[0, 0] = False
    for arr in (inst.p, inst.valid, inst.error, inst.mu):
        assert not arr.flags.writeable
    no_plausible = hp.Instance(P, P_HAT, VALID)
    assert no_plausible.plausible is None
    assert no_plausible.error.tolist() == (~np.array(VALID)).tolist()


def test_exact_default_threshold_and_number():
    inst = hp.Instance([1, 0, 0, 0], [F(1, 4)] * 4, [True, False, False, False])
    assert inst.default_threshold == F(1, 3) and type(inst.default_threshold) is F
    assert inst.number(0.5) == F(1, 2) and type(inst.number(1)) is F
    floats = hp.Instance([1.0, 0.0, 0.0], [0.5, 0.25, 0.25], [True, False, False])
    assert floats.default_threshold == 0.5 and type(floats.number(1)) is float


@pytest.mark.parametrize("threshold", [0, 1, F(1, 3), 0.25, np.float64(0.5)])
def test_threshold_boundaries_are_accepted_in_the_instance_arithmetic(threshold):
    """Exact thresholds on exact instances, any real on float instances; a float threshold on an
    exact instance is refused (it would be its binary value, a hair off the decimal)."""
    exact = hp.Instance([1, 0, 0], [F(1, 3)] * 3, [True, False, False])
    if isinstance(threshold, float):
        with pytest.raises(TypeError, match="exact instance, got"):
            hp.instances.check_threshold(threshold, exact)
    else:
        t = hp.instances.check_threshold(threshold, exact)
        assert t == F(threshold) and type(t) is F
    floats = hp.Instance([1.0, 0.0], [0.5, 0.5], [True, False])
    t = hp.instances.check_threshold(threshold, floats)
    assert t == float(threshold) and type(t) is float


@pytest.mark.parametrize("threshold, error, message", [
    (-0.1, ValueError, r"^threshold must be a number in \[0, 1\], got -0\.1$"),
    (F(3, 2), ValueError, r"^threshold must be a number in \[0, 1\], got Fraction\(3, 2\)$"),
    ("0.5", TypeError, r"^threshold must be a real number, got str$"),
    (True, TypeError, r"^threshold must be a real number, got bool$"),
])
def test_check_threshold_messages(threshold, error, message):
    inst = hp.Instance([1.0, 0.0], [0.5, 0.5], [True, False])
    with pytest.raises(error, match=message):
        hp.instances.check_threshold(threshold, inst)


def test_exact_rows_must_sum_to_one_exactly():
    """An exact row within the float tolerance of 1 is still refused: exact instances use no tolerance."""
    p_hat = np.array([F(1, 2), F(1, 2) + F(1, 10**12)], dtype=object)
    with pytest.raises(ValueError, match=r"^p_hat sums to 1000000000001/1000000000000 for prompt 0, not 1$"):
        hp.Instance(np.array([1, 0], dtype=object), p_hat, [True, False])


# --- instances from real model outputs ---------------------------------------------------------


def test_the_callers_arrays_are_never_frozen_and_results_never_go_stale():
    """Instance copies its inputs: the caller's arrays stay writable, and changing them after the
    instance is built changes neither the instance nor a result cached on it."""
    p, p_hat = np.array([[1.0, 0.0, 0.0]]), np.array([[0.5, 0.25, 0.25]])
    valid, mu = np.array([[True, False, False]]), np.array([1.0])
    inst = hp.Instance(p, p_hat, valid, mu=mu)
    err = hp.generative_error(inst)
    assert err == 0.5
    for arr in (p, p_hat, valid, mu):
        assert arr.flags.writeable
    p_hat[0] = [1.0, 0.0, 0.0]
    valid[0, 1] = True
    assert hp.generative_error(inst) == 0.5 and inst.p_hat.tolist() == [[0.5, 0.25, 0.25]]
    assert hp.generative_error(hp.Instance(p, p_hat, np.array([[True, False, False]]))) == 0.0
    facts_mu = np.array([0.5, 0.5])
    hp.ArbitraryFacts(facts_mu, 3, 1.0)
    assert facts_mu.flags.writeable


def test_row_sum_tolerance_in_literal_numbers():
    """A float row may miss 1 by 9e-10 but not by 1.1e-9 (ROW_SUM_TOLERANCE is 1e-9); with
    normalize=True, by 9e-4 but not by 1.1e-3 (NORMALIZE_TOLERANCE is 1e-3)."""
    valid = [True, False]
    hp.Instance([1.0, 0.0], [0.5 + 9e-10, 0.5], valid)
    with pytest.raises(ValueError, match=r"^p_hat sums to 1.0000000011 for prompt 0, not 1$"):
        hp.Instance([1.0, 0.0], [0.5 + 1.1e-9, 0.5], valid)
    inst = hp.Instance([1.0, 0.0], [0.5 + 9e-4, 0.5], valid, normalize=True)
    assert inst.p_hat.sum() == pytest.approx(1.0, abs=1e-15)
    assert inst.p_hat[0, 0] == pytest.approx(0.5009 / 1.0009, abs=1e-15)
    with pytest.raises(ValueError, match=r"p_hat sums to 1.0011 for prompt 0: more than "
                                         r"NORMALIZE_TOLERANCE = 0.001 from 1"):
        hp.Instance([1.0, 0.0], [0.5 + 1.1e-3, 0.5], valid, normalize=True)


def test_normalize_divides_mu_too():
    """normalize=True also divides mu by its sum, even mu of a single prompt (one entry); the
    refusal names mu without a prompt. (No float sum s has |s - 1| equal to the double 1e-3, so
    the tolerance's own edge cannot be tested.)"""
    inst = hp.Instance([1.0, 0.0], [0.5, 0.5], [True, False], mu=[1.0005], normalize=True)
    assert inst.mu.tolist() == [1.0]
    with pytest.raises(ValueError, match=r"^mu sums to 1.1: more than NORMALIZE_TOLERANCE = "
                                         r"0.001 from 1, too far to be rounding$"):
        hp.Instance([1.0, 0.0], [0.5, 0.5], [True, False], mu=[1.1], normalize=True)
    near = [1 + i * 2.0**-52 for i in range(-10**4, 10**4)]
    assert not any(abs(s - 1) == 1e-3 for s in near + [1 - 1e-3, 1 + 1e-3])


def test_float32_softmax_rows_with_normalize():
    """float32 softmax rows over 10^4 responses miss 1 by more than ROW_SUM_TOLERANCE: refused as
    they are, accepted with normalize=True, after which every quantity is computed."""
    rng = np.random.default_rng(3)
    logits = rng.normal(size=(4, 10_000)).astype(np.float32)
    p_hat = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    assert p_hat.dtype == np.float32
    valid = np.zeros_like(p_hat, dtype=bool)
    valid[:, 0] = True
    p = valid.astype(np.float32)
    with pytest.raises(ValueError, match="p_hat sums to"):
        hp.Instance(p, p_hat, valid)
    inst = hp.Instance(p, p_hat, valid, normalize=True, mu=np.full(4, 0.25, dtype=np.float32))
    assert inst.p_hat.dtype == np.float64
    assert np.abs(inst.p_hat.sum(axis=1) - 1).max() <= 1e-12
    assert 0 <= hp.generative_error(inst) <= 1 and hp.theorem1_bound(inst) <= hp.generative_error(inst)
    with pytest.raises(TypeError, match="normalize must be True or False, got str"):
        hp.Instance(p, p_hat, valid, normalize="yes")
    exact = hp.Instance([1, 0], [F(1, 3), F(2, 3)], [True, False], normalize=True)
    assert exact.p_hat.tolist() == [[F(1, 3), F(2, 3)]]
    with pytest.raises(ValueError, match="sums to 1 for prompt 0, not 1|sums to 4/3"):
        hp.Instance([1, 0], [F(2, 3), F(2, 3)], [True, False], normalize=True)
    with pytest.raises(ValueError, match=r"p_hat: prompt 0, response 1 is nan"):
        hp.Instance([1.0, 0.0], [1.0, float("nan")], [True, False], normalize=True)


def test_instance_from_ragged_rows():
    """Prompts with different numbers of candidates, without hand padding: the padding slots are
    not plausible, so |E_c| counts only prompt c's own candidates; exact rows stay exact."""
    inst = hp.Instance.from_rows([[1.0, 0.0], [0.5, 0.0, 0.5, 0.0]],
                                 [[0.75, 0.25], [0.25, 0.25, 0.25, 0.25]],
                                 [[True, False], [True, False, True, False]], mu=[0.5, 0.5])
    assert inst.p.shape == (2, 4) and inst.n_errors.tolist() == [1, 2]
    assert inst.plausible.tolist() == [[True, True, False, False], [True] * 4]
    assert hp.generative_error(inst) == pytest.approx(0.5 * 0.25 + 0.5 * 0.5, abs=FLOAT_TOLERANCE)
    exact = hp.Instance.from_rows([[1, 0], [1, 0, 0]], [[F(1, 2), F(1, 2)], [F(1, 3)] * 3],
                                  [[True, False], [True, False, False]])
    assert exact.exact and hp.generative_error(exact) == F(1, 2) * F(1, 2) + F(1, 2) * F(2, 3)
    same = hp.Instance.from_rows([[1.0, 0.0]], [[1.0005, 0.0]], [[True, False]], normalize=True)
    assert same.p_hat.tolist() == [[1.0, 0.0]]
    with pytest.raises(ValueError, match="^p_hat sums to 1.0005 for prompt 0, not 1$"):
        hp.Instance.from_rows([[1.0, 0.0]], [[1.0005, 0.0]], [[True, False]])
    weighted = hp.Instance.from_rows([[1.0, 0.0], [1.0, 0.0, 0.0]], [[0.5, 0.5], [1.0, 0.0, 0.0]],
                                     [[True, False], [True, False, False]], mu=[0.25, 0.75])
    assert weighted.mu.tolist() == [0.25, 0.75] and hp.generative_error(weighted) == 0.125
    cases = [
        (ValueError, "p_hat has 1 rows, but p has 2", ([[1.0, 0.0], [1.0, 0.0]], [[1.0, 0.0]],
                                                       [[True, False], [True, False]])),
        (ValueError, "valid: row 1 has 2 entries, but p's row 1 has 3",
         ([[1.0, 0.0], [1.0, 0.0, 0.0]], [[1.0, 0.0], [1.0, 0.0, 0.0]], [[True, False]] * 2)),
        (TypeError, "p must be a list of per-prompt rows, got float", (1.0, [[1.0]], [[True]])),
        (TypeError, "p_hat: row 0 must be a sequence, got int", ([[1.0, 0.0]], [3], [[True, False]])),
        (ValueError, "p is empty", ([], [], [])),
        (ValueError, "p is not a rectangular array", ([[[1.0], [0.0, 0.5]]], [[1.0, 0.0]],
                                                      [[True, False]])),
        (TypeError, "valid must be a boolean array", ([[1.0, 0.0]], [[1.0, 0.0]], [[1, 0]])),
        (TypeError, "p_hat must hold real numbers", ([[1.0, 0.0]], [["a", "b"]], [[True, False]])),
    ]
    for error, message, args in cases:
        with pytest.raises(error, match=re.escape(message)):
            hp.Instance.from_rows(*args)


@pytest.mark.parametrize("block_entries", [1, 7, 12, 1 << 17])
def test_masked_row_sums_by_blocks_of_any_size(monkeypatch, block_entries):
    """Float row sums over a mask run block by block (a last block shorter than the others, a
    row wider than a block): each agrees with a plain sum of the masked entries, for every array
    summed over the same mask."""
    from hallu_proofs import instances

    monkeypatch.setattr(instances, "_BLOCK_ENTRIES", block_entries)
    rng = np.random.default_rng(3)
    first, second = rng.random((13, 5)), rng.random((13, 5))
    mask = rng.random((13, 5)) < 0.5
    sums = instances._row_sums_of_each((first, second), mask, exact=False)
    for arr, got in zip((first, second), sums):
        expected = [sum(x for x, keep in zip(row, keep_row) if keep)
                    for row, keep_row in zip(arr.tolist(), mask.tolist())]
        assert np.abs(got - expected).max() <= FLOAT_TOLERANCE
