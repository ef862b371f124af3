"""The Instance type: representation, exact mode, and every refusal of bad input."""

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import given

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
