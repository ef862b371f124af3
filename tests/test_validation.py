"""The shared argument checks: accepted values come back unchanged, bad ones are refused by name."""

import inspect
import re
from fractions import Fraction as F

import numpy as np
import pytest

import hallu_proofs as hp
from hallu_proofs.instances import ROW_SUM_TOLERANCE
from hallu_proofs.validation import (
    check_confidence_level,
    check_distribution,
    check_positive_int,
    check_probability,
    check_real,
)


@pytest.mark.parametrize("x", [0, -3, 2.5, F(7, 3), np.float64(0.25), np.int64(4), np.float32(-1.5)])
def test_check_real_returns_finite_reals_unchanged(x):
    out = check_real(x, "x")
    assert out is x


@pytest.mark.parametrize("x, error, message", [
    (True, TypeError, r"^x must be a real number, got bool$"),
    (np.bool_(False), TypeError, r"^x must be a real number, got bool"),
    ("1", TypeError, r"^x must be a real number, got str$"),
    (None, TypeError, r"^x must be a real number, got NoneType$"),
    (1j, TypeError, r"^x must be a real number, got complex$"),
    (float("nan"), ValueError, r"^x must be finite, got nan$"),
    (float("-inf"), ValueError, r"^x must be finite, got -inf$"),
    (np.float64("inf"), ValueError, r"^x must be finite, got .*inf"),
    (np.float32("nan"), ValueError, r"^x must be finite, got .*nan"),
])
def test_check_real_refuses_with_the_name(x, error, message):
    with pytest.raises(error, match=message):
        check_real(x, "x")


@pytest.mark.parametrize("x", [0, 1, 0.0, 1.0, F(1, 3), np.float64(0.5)])
def test_check_probability_accepts_the_closed_unit_interval(x):
    assert check_probability(x, "q") is x


@pytest.mark.parametrize("x, error, message", [
    (-1e-12, ValueError, r"^q must be in \[0, 1\], got -1e-12$"),
    (F(101, 100), ValueError, r"^q must be in \[0, 1\], got Fraction\(101, 100\)$"),
    (2, ValueError, r"^q must be in \[0, 1\], got 2$"),
    (float("nan"), ValueError, r"^q must be finite"),
    (True, TypeError, r"^q must be a real number"),
])
def test_check_probability_refuses_with_the_name(x, error, message):
    with pytest.raises(error, match=message):
        check_probability(x, "q")


@pytest.mark.parametrize("x", [1, 1.0, 1e-300, F(1, 100)])
def test_check_confidence_level_accepts_half_open_interval(x):
    assert check_confidence_level(x) is x


@pytest.mark.parametrize("x, error, message", [
    (0, ValueError, r"^gamma must be in \(0, 1\], got 0$"),
    (-0.5, ValueError, r"^gamma must be in \(0, 1\], got -0\.5$"),
    (1.0000001, ValueError, r"^gamma must be in \(0, 1\], got 1\.0000001$"),
    (float("inf"), ValueError, r"^gamma must be finite"),
    ("0.1", TypeError, r"^gamma must be a real number, got str$"),
])
def test_check_confidence_level_refuses_with_the_default_name(x, error, message):
    with pytest.raises(error, match=message):
        check_confidence_level(x)


def test_check_confidence_level_uses_the_given_name():
    with pytest.raises(ValueError, match=r"^delta must be in \(0, 1\]"):
        check_confidence_level(0, "delta")


@pytest.mark.parametrize("n, minimum", [(1, 1), (5, 1), (np.int64(3), 1), (2, 2), (0, 0), (-4, -4)])
def test_check_positive_int_accepts_integers_from_the_minimum(n, minimum):
    out = check_positive_int(n, "n", minimum=minimum)
    assert out == n and type(out) is int


def test_check_positive_int_default_minimum_is_one():
    assert check_positive_int(1, "n") == 1
    with pytest.raises(ValueError, match=r"^n must be >= 1, got 0$"):
        check_positive_int(0, "n")


@pytest.mark.parametrize("n, minimum, error, message", [
    (1, 2, ValueError, r"^n must be >= 2, got 1$"),
    (np.int32(-1), 0, ValueError, r"^n must be >= 0, got -1$"),
    (2.0, 1, TypeError, r"^n must be an integer, got float$"),
    (True, 1, TypeError, r"^n must be an integer, got bool$"),
    (np.bool_(True), 1, TypeError, r"^n must be an integer, got bool"),
    (F(2), 1, TypeError, r"^n must be an integer, got Fraction$"),
])
def test_check_positive_int_refuses_with_the_name(n, minimum, error, message):
    with pytest.raises(error, match=message):
        check_positive_int(n, "n", minimum=minimum)


def test_check_distribution_floats():
    """Float input comes back as a float array, within ROW_SUM_TOLERANCE of summing to 1."""
    out = check_distribution([1, 0, 0], "nu")
    assert out.dtype == float and out.tolist() == [1.0, 0.0, 0.0]
    out = check_distribution(np.array([0.5 + ROW_SUM_TOLERANCE / 2, 0.5]), "nu")
    assert out.dtype == float and out[0] == 0.5 + ROW_SUM_TOLERANCE / 2


def test_check_distribution_exact():
    """Fraction (and int) entries come back as Fractions of Python ints, summing exactly to 1."""
    out = check_distribution([F(1, 3), F(2, 3), 0], "nu")
    assert out.dtype == object and out.tolist() == [F(1, 3), F(2, 3), F(0)]
    assert all(type(x) is F and type(x.numerator) is int for x in out)
    out = check_distribution(np.array([F(np.int64(1), np.int64(2)), F(1, 2)], dtype=object), "nu")
    assert all(type(x.numerator) is int and type(x.denominator) is int for x in out)
    assert check_distribution(np.array([1, 0], dtype=object), "nu").tolist() == [F(1), F(0)]


@pytest.mark.parametrize("values, error, message", [
    ([], ValueError, r"^nu must be a non-empty 1-D array, got shape \(0,\)$"),
    ([[0.5, 0.5]], ValueError, r"^nu must be a non-empty 1-D array, got shape \(1, 2\)$"),
    (0.5, ValueError, r"^nu must be a non-empty 1-D array, got shape \(\)$"),
    ([F(1, 2), 0.5], TypeError, r"^nu: entry 1 is float; exact arrays need int or Fraction entries$"),
    ([F(1, 2), True], TypeError, r"^nu: entry 1 is bool; exact arrays need int or Fraction entries$"),
    ([True, False], TypeError, r"^nu must hold real numbers, got dtype bool$"),
    (["a", "b"], TypeError, r"^nu must hold real numbers, got dtype <U1$"),
    ([0.5, float("nan"), 0.5], ValueError, r"^nu: entry 1 is nan; entries must be finite$"),
    ([0.5, 0.5, float("inf")], ValueError, r"^nu: entry 2 is inf; entries must be finite$"),
    ([0.5, 0.7, -0.2], ValueError, r"^nu: entry 2 is -0\.2; entries must be >= 0$"),
    ([F(3, 2), F(-1, 2)], ValueError, r"^nu: entry 1 is Fraction\(-1, 2\); entries must be >= 0$"),
    ([0.5, 0.6], ValueError, r"^nu must sum to 1, got 1\.1$"),
    ([0.5, 0.5 + 4 * ROW_SUM_TOLERANCE], ValueError, r"^nu must sum to 1, got 1$"),
    ([0.25, 0.25], ValueError, r"^nu must sum to 1, got 0\.5$"),
    ([F(1, 3), F(1, 3)], ValueError, r"^nu must sum to 1, got Fraction\(2, 3\)$"),
    ([F(333, 1000)] * 3, ValueError, r"^nu must sum to 1, got Fraction\(999, 1000\)$"),
    # within the float tolerance of 1, but an exact distribution must sum to 1 exactly
    ([F(1, 2), F(1, 2) + F(1, 10**12)], ValueError,
     r"^nu must sum to 1, got Fraction\(1000000000001, 1000000000000\)$"),
])
def test_check_distribution_refuses_with_the_name(values, error, message):
    arr = np.array(values, dtype=object) if any(isinstance(v, F) for v in np.ravel(values)) else values
    with pytest.raises(error, match=message):
        check_distribution(arr, "nu")


INSTANCE_FUNCTIONS = [
    "iiv_distribution", "classify", "generative_error", "iiv_error", "calibration_gap", "theorem1_bound",
    "theorem1_slack_terms", "rescaled_model", "uniform_model", "question_answer_database_model",
    "grouped_softmax_optimum", "threshold_masses", "signed_calibration_gap", "calibration_gap_curve",
    "level_set_calibration_error", "cross_entropy", "printed_prompted_loss", "rescaled_loss_derivative",
    "printed_prompted_loss_derivative", "finite_difference_derivative", "prompted_loss_slip",
    "train_softmax", "iiv_error_steps", "expected_iiv_error", "best_threshold", "n_choices",
    "theorem4_average_bound", "theorem4_proof_terms", "poor_model_bound",
]
FACTS_FUNCTIONS = ["missing_answer_mass", "memorising_learner", "memorising_learner_error",
                   "counting_learner", "facts_instance", "lumped_memorising_instance"]


def _call_with(name, first):
    """Call hp.<name> with ``first`` as its first argument and 0 for its other required ones."""
    func = getattr(hp, name)
    required = [p for p in inspect.signature(func).parameters.values() if p.default is p.empty]
    return func(first, *[0] * (len(required) - 1))


@pytest.mark.parametrize("name", INSTANCE_FUNCTIONS)
def test_functions_of_an_instance_refuse_anything_else(name):
    """Every function of an Instance refuses another object with a TypeError naming inst."""
    for wrong, kind in ((None, "NoneType"), ([[1.0, 0.0]], "list")):
        with pytest.raises(TypeError, match=rf"^inst must be a hallu_proofs\.Instance, got {kind}$"):
            _call_with(name, wrong)


@pytest.mark.parametrize("name", FACTS_FUNCTIONS)
def test_functions_of_a_facts_model_refuse_anything_else(name):
    """Every function of an ArbitraryFacts model refuses another object with a TypeError naming facts."""
    with pytest.raises(TypeError, match=r"^facts must be a hallu_proofs\.ArbitraryFacts, got dict$"):
        _call_with(name, {"mu": [1.0]})


RAGGED = [[0, 1], [2]]


@pytest.mark.parametrize("name, call", [
    ("samples", lambda: hp.missing_mass([0.5, 0.5], RAGGED)),
    ("prompts", lambda: hp.answer_counts(RAGGED, [0, 1])),
    ("alpha", lambda: hp.collapsed_distribution([0.5, 0.5], RAGGED)),
    ("mu", lambda: hp.collapsed_distribution(RAGGED, [1, 1])),
    ("n_responses", lambda: hp.ArbitraryFacts([0.5, 0.5], RAGGED, 1.0)),
    ("confidences", lambda: hp.answer_policy(RAGGED, 0.5)),
    ("encryption", lambda: hp.decryption_instance(RAGGED, [[1.0]])),
])
def test_ragged_arrays_are_refused_by_name(name, call):
    """A ragged nested list is refused with a ValueError naming the argument, not numpy's message alone."""
    with pytest.raises(ValueError, match=rf"^{name} is not a rectangular array: "):
        call()


def test_ragged_ids_are_unhashable_entries():
    """Where ids may be any hashable value, the rows of a ragged list are lists, refused by name."""
    with pytest.raises(TypeError, match=r"^samples: entry 0 is a list, which is not hashable"):
        hp.good_turing(RAGGED)
    with pytest.raises(TypeError, match=r"^prompts: entry 0 is a list, which is not hashable"):
        hp.singleton_rate(RAGGED, [0, 1])


def test_the_first_unhashable_id_is_the_one_named():
    """Hashable ids before it are passed over: the entry named is the first unhashable one."""
    with pytest.raises(TypeError, match=r"^samples: entry 2 is a dict, which is not hashable; "
                                        r"ids must be hashable$"):
        hp.good_turing(["a", ("b", 1), {"c": 1}, ["d"]])


@pytest.mark.parametrize("name, call", [
    ("models", lambda: hp.opt_over_models(None)),
    ("keys", lambda: hp.key_instances(5, [[1.0]])),
    ("keys", lambda: hp.best_keyless_classifier(3)),
    ("second", lambda: hp.crossover_target((1, 2, 3), 5)),
    ("responses", lambda: hp.Problem("c", None, [])),
    ("abstentions", lambda: hp.Problem("c", ("a", "b"), 3)),
])
def test_non_sequences_are_refused_by_name(name, call):
    """Where a sequence is expected, a number or None is refused with a TypeError naming the argument."""
    with pytest.raises(TypeError, match=rf"^{name} must be a sequence, got \w+$"):
        call()


def test_random_instance_needs_a_generator():
    """random_instance draws from a numpy Generator and refuses anything else by name."""
    with pytest.raises(TypeError, match=r"^rng must be a numpy\.random\.Generator, got int$"):
        hp.random_instance(0, 2, 3)


@pytest.mark.parametrize("error, message, call", [
    (ValueError, "sr must be in [0, 1], got 1.5", lambda: hp.theorem2_sample_size(1.5, 10)),
    (ValueError, "target must be finite, got nan",
     lambda: hp.theorem2_sample_size(0.2, 10, target=float("nan"))),
    (ValueError, "min_errors must be >= 1, got 0", lambda: hp.theorem2_sample_size(0.2, 0)),
    (TypeError, "mu must hold real numbers, got dtype <U1",
     lambda: hp.Instance([1.0, 0.0], [0.5, 0.5], [True, False], mu=["a"])),
    (ValueError, "plausible must be 1-D (one prompt) or 2-D (prompts x responses), got 3-D",
     lambda: hp.Instance([1.0, 0.0], [0.5, 0.5], [True, False], plausible=[[[True, True]]])),
])
def test_more_messages_in_full(error, message, call):
    """Messages that name the argument, in full (each check's name is part of its contract)."""
    with pytest.raises(error, match="^" + re.escape(message) + "$"):
        call()


def test_id_counts_on_every_path():
    """Small non-negative ints (counted by bincount, ids never seen left out), negative or large
    ints, ints that no one integer dtype holds (kept as Python ints: numpy would make floats of
    2^63 + 5 and 3, merging 2^63 + 5 with 2^63 + 6), strings, tuples, floats: the counts of the
    distinct ids; Python and numpy booleans together are refused as booleans."""
    from hallu_proofs.validation import as_id_array, id_counts

    cases = [([0, 5, 5, 9], [1, 1, 2]), ([-3, -3, 7], [1, 2]), ([2**40, 5, 2**40], [1, 2]),
             ([2**70, 2**70, 1], [1, 2]), ([2**63 + 5, 2**63 + 6, 3], [1, 1, 1]),
             ([2**63, -1, -1], [1, 2]), (["b", "a", "b", "b"], [1, 3]),
             ([("a", 1), ("a", 1), ("b", 2)], [1, 2]), ([0.5, 0.5, 1.5], [1, 2])]
    for ids, counts in cases:
        got = id_counts(ids, "ids")
        assert sorted(got.tolist()) == counts and got.dtype == np.intp, ids
    for ids in ([2**70, 1], [2**63 + 5, 3]):  # no integer dtype holds both: Python ints
        kept = as_id_array(ids, "ids")
        assert kept.dtype == object and kept.tolist() == ids
    assert as_id_array([2**63, 2**64 - 1], "ids").dtype == np.uint64
    assert id_counts([], "ids").tolist() == []
    with pytest.raises(TypeError, match=r"^ids must hold ids \(ints, strings, tuples, \.\.\.\), "
                                        r"got booleans$"):
        as_id_array([True, np.True_], "ids")
