"""Corollary 1 and Theorem 1: the Is-It-Valid reduction (paper Section 3, Appendix A).

The library's quantities are checked against a slow, loop-by-loop reference written from the
definitions, then the theorem is checked on random instances, for tightness, and against
stronger claims that must fail.
"""

from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import find, given
from hypothesis import strategies as st
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
from hallu_proofs import reduction
from hallu_proofs.strategies import instances

QUANTITIES = ["generative_error", "iiv_error", "calibration_gap"]


def plausible_slots(inst):
    """(c, r, |E_c|) for every plausible slot, by plain loops (the reference side of the tests)."""
    for c in range(inst.n_prompts):
        n_err = sum(1 for r in range(inst.p.shape[1]) if inst.error[c, r])
        for r in range(inst.p.shape[1]):
            if inst.plausible is None or inst.plausible[c, r]:
                yield c, r, n_err


def reference_quantities(inst, threshold=None):
    """err, err_iiv, delta by explicit loops over (c, r), straight from Eqs. (1), (2) and delta."""
    t = inst.default_threshold if threshold is None else inst.number(threshold)
    err = err_iiv = p_hat_above = p_above = 0
    for c, r, n_err in plausible_slots(inst):
        mu, p, q = inst.mu[c], inst.p[c, r], inst.p_hat[c, r]
        is_valid, says_valid = bool(inst.valid[c, r]), bool(q > t)
        if not is_valid:
            err += mu * q
        d = mu * p / 2 if is_valid else mu / (2 * n_err)
        if says_valid != is_valid:
            err_iiv += d
        if says_valid:
            p_hat_above += mu * q
            p_above += mu * p
    return err, err_iiv, abs(p_hat_above - p_above)


def library_quantities(inst, threshold=None):
    return (hp.generative_error(inst), hp.iiv_error(inst, threshold),
            hp.calibration_gap(inst, threshold))


@pytest.mark.result("Theorem 1", "Corollary 1", kind="exact", functions=QUANTITIES)
@given(instances(exact=True), st.one_of(st.none(), st.fractions(0, 1)))
def test_quantities_match_the_definitions_exactly(inst, threshold):
    """err, err_iiv and delta equal their definitions, exactly, at any threshold."""
    assert library_quantities(inst, threshold) == reference_quantities(inst, threshold)


@pytest.mark.result("Theorem 1", "Corollary 1", kind="property", functions=QUANTITIES)
@given(instances(exact=False), st.one_of(st.none(), st.floats(0, 1)))
def test_quantities_match_the_definitions_in_floats(inst, threshold):
    """The vectorized float path agrees with the definitions up to FLOAT_TOLERANCE."""
    got, want = library_quantities(inst, threshold), reference_quantities(inst, threshold)
    assert np.allclose(got, want, rtol=0, atol=FLOAT_TOLERANCE)


@pytest.mark.result("Theorem 1", kind="exact", functions=["iiv_distribution"])
@given(instances(exact=True))
def test_iiv_distribution_is_a_distribution_half_valid(inst):
    """D is a probability distribution with D(V) = D(E) = 1/2."""
    d = hp.iiv_distribution(inst)
    assert sum(d[inst.valid]) == F(1, 2) and sum(d[inst.error]) == F(1, 2)


@pytest.mark.result("Corollary 1", kind="exact", functions=["theorem1_bound"])
@given(instances(exact=True, single_prompt=True))
def test_corollary1_exact(inst):
    """Corollary 1: err >= 2 err_iiv - |V|/|E| - delta (one prompt, exact)."""
    assert hp.generative_error(inst) >= hp.theorem1_bound(inst)


@pytest.mark.result("Theorem 1", kind="exact", functions=["theorem1_bound"])
@given(instances(exact=True))
def test_theorem1_exact(inst):
    """Theorem 1: err >= 2 err_iiv - max_c|V_c| / min_c|E_c| - delta (exact)."""
    assert hp.generative_error(inst) >= hp.theorem1_bound(inst)


@pytest.mark.result("Theorem 1", kind="property", functions=["theorem1_bound"])
@given(instances(exact=False, max_prompts=6, max_responses=8))
def test_theorem1_float(inst):
    """Theorem 1 in floats: err >= bound - FLOAT_TOLERANCE."""
    assert hp.generative_error(inst) >= hp.theorem1_bound(inst) - FLOAT_TOLERANCE


@pytest.mark.result("Theorem 1", "Corollary 1", kind="exact", functions=["theorem1_slack_terms"])
@given(instances(exact=True))
def test_slack_is_the_sum_of_three_nonnegative_terms(inst):
    """err - bound = (errors above 1/K) + (valid mass below 1/K) + (calibration), each >= 0."""
    terms = hp.theorem1_slack_terms(inst)
    assert all(term >= 0 for term in terms.values()), terms
    assert sum(terms.values()) == hp.generative_error(inst) - hp.theorem1_bound(inst)


@pytest.mark.result("Theorem 1", kind="exact", functions=["calibration_gap"])
@given(instances(exact=True))
def test_delta_via_a_equals_delta_via_its_complement(inst):
    """delta = |p_hat(A) - p(A)| = |p(B) - p_hat(B)| (Appendix A)."""
    above = hp.classify(inst)
    below = ~above if inst.plausible is None else inst.plausible & ~above
    mu = inst.mu[:, None]
    via_b = abs(sum((mu * inst.p)[below]) - sum((mu * inst.p_hat)[below]))
    assert hp.calibration_gap(inst) == via_b


@pytest.mark.result("Corollary 1", kind="exact", functions=["iiv_error"])
@given(instances(exact=True))
def test_iiv_error_is_at_most_about_one_half(inst):
    """Corollary 1 with err <= 1 gives err_iiv <= (1 + max|V_c|/min|E_c| + delta) / 2."""
    ratio = F(inst.max_valid, inst.min_errors)
    assert hp.iiv_error(inst) <= (1 + ratio + hp.calibration_gap(inst)) / 2


def tight_instance(n_errors):
    """One prompt, one valid answer with p_hat = 1/K, K errors sharing the rest: zero slack."""
    k = n_errors
    return hp.Instance([1] + [0] * k, [F(1, k)] + [F(k - 1, k * k)] * k, [True] + [False] * k)


@pytest.mark.result("Theorem 1", "Corollary 1", kind="tightness", functions=["theorem1_bound"])
@pytest.mark.parametrize("n_errors", [1, 2, 3, 10, 364])
def test_theorem1_is_tight(n_errors):
    """The bound is attained exactly: err = 2 err_iiv - |V|/|E| - delta = 1 - 1/K."""
    inst = tight_instance(n_errors)
    assert hp.generative_error(inst) == hp.theorem1_bound(inst) == 1 - F(1, n_errors)
    assert hp.iiv_error(inst) == F(1, 2) and hp.calibration_gap(inst) == 0


@pytest.mark.result("Theorem 1", kind="tightness", functions=["theorem1_bound"])
def test_zero_slack_instances_are_found_by_search():
    """Hypothesis also finds zero-slack instances among random ones, with several prompts."""
    inst = find(
        instances(exact=True, single_prompt=False),
        lambda i: hp.generative_error(i) == hp.theorem1_bound(i) and hp.iiv_error(i) > 0,
    )
    assert inst.n_prompts >= 2


@pytest.mark.result("Theorem 1", "Corollary 1", kind="falsification", functions=["theorem1_bound"])
@pytest.mark.parametrize("factor", [F(201, 100), F(21, 10), F(3)])
def test_a_factor_larger_than_two_is_false(factor):
    """err >= c err_iiv - |V|/|E| - delta fails for every c > 2 (on the tight instance)."""
    inst = tight_instance(4)
    stronger = factor * hp.iiv_error(inst) - F(1, 4) - hp.calibration_gap(inst)
    assert hp.generative_error(inst) < stronger


@pytest.mark.result("Theorem 1", "Corollary 1", kind="falsification", functions=["theorem1_bound"])
def test_dropping_delta_is_false():
    """err >= 2 err_iiv - max|V_c|/min|E_c| (without delta) fails on some instance."""
    inst = find(
        instances(exact=True),
        lambda i: hp.generative_error(i) < hp.theorem1_bound(i) + hp.calibration_gap(i),
    )
    assert hp.calibration_gap(inst) > 0


@pytest.mark.result("Theorem 1", "Corollary 1", kind="falsification", functions=["theorem1_bound"])
def test_dropping_the_ratio_term_is_false():
    """err >= 2 err_iiv - delta (without max|V_c|/min|E_c|) fails on some instance."""
    inst = find(
        instances(exact=True),
        lambda i: hp.generative_error(i)
        < 2 * hp.iiv_error(i) - hp.calibration_gap(i),
    )
    assert hp.generative_error(inst) < 2 * hp.iiv_error(inst) - hp.calibration_gap(inst)


@pytest.mark.result("Theorem 1", kind="falsification", functions=["theorem1_bound"])
def test_min_over_prompts_matters():
    """Using a per-prompt average |V_c|/|E_c| instead of max/min would be false."""
    def averaged_bound(i):
        ratio = sum(m * F(int(v), int(e)) for m, v, e in zip(i.mu, i.n_valid, i.n_errors))
        return 2 * hp.iiv_error(i) - ratio - hp.calibration_gap(i)

    inst = find(instances(exact=True, single_prompt=False),
                lambda i: hp.generative_error(i) < averaged_bound(i))
    assert len(set(inst.n_errors.tolist())) > 1 or len(set(inst.n_valid.tolist())) > 1


@given(instances(exact=True))
def test_float_and_exact_agree(inst):
    """The same instance in floats gives the same quantities up to FLOAT_TOLERANCE."""
    as_float = hp.Instance(
        inst.p.astype(float), inst.p_hat.astype(float), inst.valid, mu=inst.mu.astype(float),
        plausible=inst.plausible,
    )
    exact = [float(x) for x in (hp.generative_error(inst), hp.theorem1_bound(inst))]
    approx = [hp.generative_error(as_float), hp.theorem1_bound(as_float)]
    assert np.allclose(exact, approx, rtol=0, atol=FLOAT_TOLERANCE)


def test_cached_quantities_depend_on_the_threshold():
    """Asking at a second threshold gives that threshold's value, not a cached one."""
    inst = hp.Instance([1.0, 0.0, 0.0], [0.6, 0.2, 0.2], [True, False, False])
    assert hp.iiv_error(inst) == 0.0
    assert hp.iiv_error(inst, threshold=0.1) == 0.5
    assert hp.iiv_error(inst, threshold=0.7) == 0.5
    assert hp.calibration_gap(inst, threshold=0.7) == 0.0


def test_birthday_ratio():
    """Birthdays: one correct date plus IDK against 364 wrong dates, so max|V_c|/min|E_c| = 2/364."""
    valid = np.zeros(366, dtype=bool)
    valid[:2] = True  # slot 0: the correct date, slot 1: IDK
    p = np.zeros(366)
    p[0] = 1.0
    inst = hp.Instance(p, np.full(366, 1 / 366), valid)
    assert (inst.max_valid, inst.min_errors) == (2, 364)
    assert hp.theorem1_bound(inst) <= hp.generative_error(inst)


def reference_iiv_distribution(inst):
    """D(c, r) by loops: mu(c) p(r|c) / 2 on valid slots, mu(c) / (2 |E_c|) on errors, 0 elsewhere."""
    m, n = inst.p.shape
    d = [[0] * n for _ in range(m)]
    for c in range(m):
        n_err = sum(1 for r in range(n) if inst.error[c, r])
        for r in range(n):
            if inst.valid[c, r]:
                d[c][r] = inst.mu[c] * inst.p[c, r] / 2
            elif inst.error[c, r]:
                d[c][r] = inst.mu[c] / (2 * n_err)
    return d


def as_float_instance(inst):
    return hp.Instance(inst.p.astype(float), inst.p_hat.astype(float), inst.valid,
                       mu=inst.mu.astype(float), plausible=inst.plausible)


@given(instances(exact=True))
def test_iiv_distribution_matches_its_definition(inst):
    """D(c, r) equals its definition slot by slot, exactly; the float path agrees with it."""
    d = hp.iiv_distribution(inst)
    want = reference_iiv_distribution(inst)
    assert d.tolist() == want and all(type(x) is F for x in d.ravel())
    got = hp.iiv_distribution(as_float_instance(inst))
    assert got.dtype == float
    assert np.allclose(got, np.array(want, dtype=float), rtol=0, atol=FLOAT_TOLERANCE)


def reference_slack_terms(inst):
    """The three terms of Appendix A by loops over the slots, A = {p_hat > 1/K}, B = the rest of R_c."""
    t = inst.default_threshold
    errors_above = valid_below = p_below = p_hat_below = 0
    for c, r, n_err in plausible_slots(inst):
        mu, q = inst.mu[c], inst.p_hat[c, r]
        if q > t and inst.error[c, r]:
            errors_above += mu * q - 2 * mu / (2 * n_err)
        if not q > t:
            p_below += mu * inst.p[c, r]
            p_hat_below += mu * q
            if inst.valid[c, r]:
                valid_below += mu * q
    ratio = inst.number(F(inst.max_valid, inst.min_errors))
    return {"errors_above_threshold": errors_above,
            "valid_below_threshold": ratio - valid_below,
            "calibration": hp.calibration_gap(inst) - (p_below - p_hat_below)}


@given(instances(exact=True))
def test_each_slack_term_matches_its_definition(inst):
    """Each of the three terms equals its Appendix A definition, exactly; in floats, approximately."""
    terms = hp.theorem1_slack_terms(inst)
    assert terms == reference_slack_terms(inst)
    assert all(type(x) is F for x in terms.values())
    floats = hp.theorem1_slack_terms(as_float_instance(inst))
    assert list(floats) == list(terms) and all(type(x) is float for x in floats.values())
    assert np.allclose([floats[k] for k in terms], [float(v) for v in terms.values()],
                       rtol=0, atol=FLOAT_TOLERANCE)


HAND_MADE = [
    # One prompt: an error far above 1/K = 1/3, the valid answer below it, one implausible slot.
    hp.Instance([1, 0, 0, 0, 0], [F(1, 10), F(6, 10), F(2, 10), F(1, 10), 0],
                [True, False, False, False, False], plausible=[True, True, True, True, False]),
    # Two prompts of different sizes, errors above and valid slots both sides of 1/K = 1/2.
    hp.Instance([[F(1, 2), F(1, 2), 0, 0], [1, 0, 0, 0]],
                [[F(3, 5), F(1, 10), F(1, 5), F(1, 10)], [F(1, 4), F(3, 4), 0, 0]],
                [[True, True, False, False], [True, False, False, False]], mu=[F(1, 3), F(2, 3)],
                plausible=[[True] * 4, [True, True, True, False]]),
]


@pytest.mark.parametrize("inst", HAND_MADE)
def test_slack_terms_on_hand_made_instances(inst):
    """Errors above the threshold, valid slots below it and implausible slots all occur here."""
    terms = hp.theorem1_slack_terms(inst)
    assert terms == reference_slack_terms(inst) and terms["errors_above_threshold"] > 0
    assert sum(terms.values()) == hp.generative_error(inst) - hp.theorem1_bound(inst)
    floats = hp.theorem1_slack_terms(as_float_instance(inst))
    assert np.allclose([floats[k] for k in terms], [float(v) for v in terms.values()],
                       rtol=0, atol=FLOAT_TOLERANCE)
    d = hp.iiv_distribution(inst)
    assert d.tolist() == reference_iiv_distribution(inst)
    assert np.allclose(hp.iiv_distribution(as_float_instance(inst)), d.astype(float), rtol=0,
                       atol=FLOAT_TOLERANCE)


# --------------------------------------------------------------------------- sharpness of every constant


@pytest.mark.result("Theorem 1", "Corollary 1", kind="tightness", functions=["reduction.tight_instance"])
@pytest.mark.parametrize("n_prompts", [1, 3])
def test_ratio_is_exactly_tight_for_every_k(n_prompts):
    """k valid slots at 1/K and K errors at (K - k)/K^2: err = bound = 1 - k/K for all k <= K."""
    for big_k in range(1, 13):
        for k in range(1, big_k + 1):
            inst = reduction.tight_instance(big_k, n_valid=k, n_prompts=n_prompts)
            assert (inst.max_valid, inst.min_errors, inst.n_prompts) == (k, big_k, n_prompts)
            assert hp.generative_error(inst) == hp.theorem1_bound(inst) == 1 - F(k, big_k)
            assert hp.iiv_error(inst) == F(1, 2) and hp.calibration_gap(inst) == 0


@pytest.mark.result("Theorem 1", "Corollary 1", kind="falsification",
                    functions=["reduction.tight_instance"])
@pytest.mark.parametrize("c", [F(0), F(1, 2), F(99, 100), F(999, 1000)])
def test_a_smaller_coefficient_on_the_ratio_is_false(c):
    """err >= 2 err_iiv - c k/K - delta with c < 1 fails on the tight instances (k >= 1)."""
    for k, big_k in [(1, 2), (2, 10), (3, 7)]:
        inst = reduction.tight_instance(big_k, n_valid=k)
        claim = 2 * hp.iiv_error(inst) - c * F(k, big_k) - hp.calibration_gap(inst)
        assert hp.generative_error(inst) < claim


@pytest.mark.result("Theorem 1", "Corollary 1", kind="tightness",
                    functions=["reduction.delta_coefficient_witness"])
def test_delta_witness_has_slack_two_over_k():
    """On the delta witness err = 1/K, err_iiv = 1/4, delta = 1/2 - 1/K, slack 2/K -> 0."""
    for big_k in (3, 4, 10, 100, 1000):
        inst = reduction.delta_coefficient_witness(big_k)
        assert hp.generative_error(inst) == F(1, big_k)
        assert hp.iiv_error(inst) == F(1, 4)
        assert hp.calibration_gap(inst) == F(1, 2) - F(1, big_k)
        assert hp.generative_error(inst) - hp.theorem1_bound(inst) == F(2, big_k)


@pytest.mark.result("Theorem 1", "Corollary 1", kind="falsification",
                    functions=["reduction.delta_coefficient_witness",
                               "reduction.delta_coefficient_failure_size"])
@pytest.mark.parametrize("c", [F(0), F(1, 2), F(9, 10), F(99, 100)])
def test_a_smaller_coefficient_on_delta_is_false(c):
    """err >= 2 err_iiv - k/K - c delta (c < 1) holds on the witness up to K = 2(3-c)/(1-c) and
    fails beyond: the first failing K is delta_coefficient_failure_size(c)."""
    def claim_holds(big_k):
        inst = reduction.delta_coefficient_witness(big_k)
        ratio = F(inst.max_valid, inst.min_errors)
        return hp.generative_error(inst) >= (2 * hp.iiv_error(inst) - ratio
                                             - c * hp.calibration_gap(inst))

    first = reduction.delta_coefficient_failure_size(c)
    assert all(claim_holds(big_k) for big_k in range(3, first))
    assert not any(claim_holds(big_k) for big_k in (first, first + 1, 10 * first))


def test_delta_coefficient_nine_tenths():
    """The coefficient 0.9 on delta holds on the witness at K = 10 and fails at K = 100 (K >= 43)."""
    assert reduction.delta_coefficient_failure_size(F(9, 10)) == 43
    for big_k, holds in ((10, True), (42, True), (43, False), (100, False)):
        inst = reduction.delta_coefficient_witness(big_k)
        claim = 2 * hp.iiv_error(inst) - F(2, big_k) - F(9, 10) * hp.calibration_gap(inst)
        assert (hp.generative_error(inst) >= claim) is holds


def test_sharpness_helpers_refuse_bad_input():
    """Each argument of the sharpness helpers is checked, and named."""
    with pytest.raises(ValueError, match="n_valid must be at most n_errors = 2, got 3"):
        reduction.tight_instance(2, n_valid=3)
    with pytest.raises(TypeError, match="n_prompts must be an integer"):
        reduction.tight_instance(2, n_prompts=1.0)
    with pytest.raises(ValueError, match="n_errors must be >= 1"):
        reduction.tight_instance(0)
    with pytest.raises(ValueError, match="n_errors must be >= 3, got 2"):
        reduction.delta_coefficient_witness(2)
    with pytest.raises(ValueError, match=r"coefficient must be in \[0, 1\), got 1"):
        reduction.delta_coefficient_failure_size(1)
    with pytest.raises(TypeError, match="coefficient must be an int or fractions.Fraction"):
        reduction.delta_coefficient_failure_size(0.9)
    assert reduction.delta_coefficient_failure_size(0) == 7


@pytest.mark.result("Theorem 1", kind="exact", functions=["reduction.threshold_partition"])
@given(instances(exact=True))
def test_threshold_partition_feeds_err_err_iiv_and_delta(inst):
    """The 2 x 2 cells give err = p_hat(A, E) + p_hat(B, E), err_iiv = D(A, E) + D(B, V),
    delta = |p_hat(A) - p(A)|, p(E) = 0 and D(V) = D(E) = 1/2."""
    cells = reduction.threshold_partition(inst)
    assert cells["above", "error"]["p_hat"] + cells["below", "error"]["p_hat"] == hp.generative_error(inst)
    assert cells["above", "error"]["D"] + cells["below", "valid"]["D"] == hp.iiv_error(inst)
    above = cells["above", "valid"], cells["above", "error"]
    assert abs(sum(c["p_hat"] for c in above) - sum(c["p"] for c in above)) == hp.calibration_gap(inst)
    assert cells["above", "error"]["p"] == cells["below", "error"]["p"] == 0
    assert cells["above", "valid"]["D"] + cells["below", "valid"]["D"] == F(1, 2)
    assert sum(cell["p_hat"] for cell in cells.values()) == 1


def test_appendix_a_patterns_and_table_refusals():
    """Patterns are counted up to symmetry; a pattern without a valid or an error is refused."""
    assert len(reduction.appendix_a_patterns(1, 4)) == 6
    assert len(reduction.appendix_a_patterns(2, 3)) == 3 + 6
    with pytest.raises(ValueError, match="prompt 1 needs at least one valid and one error"):
        reduction.appendix_a_table([[True, False], [True, True]])
    with pytest.raises(ValueError, match="pattern must list at least one prompt"):
        reduction.appendix_a_table([])
    with pytest.raises(ValueError, match="max_responses must be >= 2"):
        reduction.appendix_a_patterns(1, 1)
    table = reduction.appendix_a_table([[True, False], [True, False, False]], per_prompt=True)
    assert table["ratio"] == table["mu"][0] / 1 + table["mu"][1] / 2


@pytest.mark.result("Theorem 1", kind="exact", functions=["reduction.nonsense_terms"])
@given(instances(exact=True), st.randoms(use_true_random=False))
def test_theorem1_holds_with_nonsense(inst, random):
    """Section 5: with some non-valid slots declared nonsense (D(N) = 0, K from the errors only,
    err = p_hat(N ∪ E)), err >= 2 err_iiv - k/K - delta still holds, exactly."""
    nonsense = np.zeros(inst.p.shape, dtype=bool)
    for c in range(inst.n_prompts):
        errors = np.flatnonzero(inst.error[c]).tolist()
        for r in random.sample(errors, random.randint(0, len(errors) - 1)):
            nonsense[c, r] = True
    terms = reduction.nonsense_terms(inst, nonsense)
    assert terms["err"] == hp.generative_error(inst) >= terms["bound"]


def test_nonsense_and_relabelling_give_two_bounds_neither_dominates():
    """Relabelling nonsense as errors can raise the bound (0 -> 9/10) or lower it (1/2 -> -14/15)."""
    raised = hp.Instance([1] + [0] * 10, [F(1, 20), F(1, 20)] + [F(1, 10)] * 9, [True] + [False] * 10)
    terms = reduction.nonsense_terms(raised, [False, False] + [True] * 9)
    assert (terms["bound"], hp.theorem1_bound(raised)) == (0, F(9, 10))
    assert terms["err"] == hp.generative_error(raised) == F(19, 20)
    lowered = hp.Instance([1, 0, 0, 0], [F(2, 5), 0, F(3, 10), F(3, 10)], [True, False, False, False])
    terms = reduction.nonsense_terms(lowered, [False, False, False, True])
    assert (terms["bound"], hp.theorem1_bound(lowered)) == (F(1, 2), F(-14, 15))
    floats = hp.Instance([1.0, 0, 0, 0], [0.4, 0, 0.3, 0.3], [True, False, False, False])
    assert abs(reduction.nonsense_terms(floats, [False, False, False, True])["bound"] - 0.5) < 1e-12
    with pytest.raises(ValueError, match="nonsense marks valid response 0 of prompt 0"):
        reduction.nonsense_terms(lowered, [True, False, False, False])
    with pytest.raises(ValueError, match="nonsense: prompt 0 has no error left"):
        reduction.nonsense_terms(lowered, [False, True, True, True])
    with pytest.raises(ValueError, match=r"nonsense has shape \(1, 3\), expected \(1, 4\)"):
        reduction.nonsense_terms(lowered, [False, False, True])
    with pytest.raises(TypeError, match="nonsense must be a boolean array"):
        reduction.nonsense_terms(lowered, [0, 0, 0, 1])


@pytest.mark.result("Theorem 1", "Corollary 1", kind=("tightness", "falsification"),
                    functions=["reduction.delta_tight_witness"])
@pytest.mark.parametrize("c", [F(0), F(1, 2), F(9, 10), F(99, 100)])
def test_delta_coefficient_fails_at_k_equal_two(c):
    """At K = 2 the slack is 2 eta and delta = 1/2 + eta; with c delta (c < 1) the claim holds
    for eta >= (1 - c)/(2(1 + c)) and fails below, while the true bound 1/2 - eta stays positive."""
    edge = (1 - c) / (2 * (1 + c))
    for eta, holds in ((edge, True), (edge * 2, True), (edge / 2, False), (edge / 10, False)):
        if not 0 < eta < F(1, 2):
            continue
        inst = reduction.delta_tight_witness(eta)
        assert hp.generative_error(inst) - hp.theorem1_bound(inst) == 2 * eta
        assert hp.calibration_gap(inst) == F(1, 2) + eta and hp.theorem1_bound(inst) == F(1, 2) - eta
        claim = 2 * hp.iiv_error(inst) - F(1, 2) - c * hp.calibration_gap(inst)
        assert (hp.generative_error(inst) >= claim) is holds
    with pytest.raises(ValueError, match=r"eta must be in \(0, 1/2\), got 1/2"):
        reduction.delta_tight_witness(F(1, 2))
    with pytest.raises(TypeError, match="eta must be a fractions.Fraction, got float"):
        reduction.delta_tight_witness(0.1)


# --------------------------------------------------------------------------- per-prompt thresholds

def assert_terms(terms, want, exact):
    """The terms are ``want``: exactly, as Fractions, for an exact instance; within
    FLOAT_TOLERANCE for a float one."""
    assert terms.keys() == want.keys()
    for key, value in want.items():
        if exact:
            assert terms[key] == value and isinstance(terms[key], F), key
        else:
            assert abs(terms[key] - float(value)) <= FLOAT_TOLERANCE, key


def per_prompt_example(exact):
    """Prompt 0: |E_0| = 2 (a fourth slot implausible), one valid slot above 1/2. Prompt 1:
    |E_1| = 3, two slots at exactly 1/3, so not above it. mu = (1/4, 3/4)."""
    q0 = [F(3, 5), F(3, 10), F(1, 10), F(0)]
    q1 = [F(1, 3), F(1, 3), F(1, 6), F(1, 6)]
    p_row, mu = [1, 0, 0, 0], [F(1, 4), F(3, 4)]
    if not exact:
        q0, q1, mu, p_row = ([float(x) for x in row] for row in (q0, q1, mu, p_row))
    return hp.Instance([p_row, p_row], [q0, q1], [[True, False, False, False]] * 2, mu=mu,
                       plausible=[[True, True, True, False], [True] * 4])


@pytest.mark.result("Theorem 1", kind="exact", functions=["reduction.per_prompt_threshold_terms"])
@pytest.mark.parametrize("exact", [True, False])
def test_per_prompt_threshold_terms_by_hand(exact):
    """A' holds prompt 0's valid slot only (3/5 > 1/2; prompt 1's 1/3 is not above 1/3), so
    err_iiv' = 3/4 * 1/2, delta' = 1/4 * |3/5 - 1|, the ratio 1/4 * 1/2 + 3/4 * 1/3, and the
    bound 2 * 3/8 - 3/8 - 1/10 = 11/40, below err = 3/5."""
    terms = reduction.per_prompt_threshold_terms(per_prompt_example(exact))
    want = {"iiv_error": F(3, 8), "calibration_gap": F(1, 10), "ratio": F(3, 8),
            "bound": F(11, 40)}
    assert_terms(terms, want, exact)
    assert hp.generative_error(per_prompt_example(exact)) == (F(3, 5) if exact else 0.6)


@pytest.mark.result("Theorem 1", kind="property", functions=["reduction.per_prompt_threshold_terms"])
@given(instances(exact=True))
def test_per_prompt_threshold_bound_holds(inst):
    """err >= 2 err_iiv' - sum_c mu(c) |V_c| / |E_c| - delta' on every exact instance."""
    terms = reduction.per_prompt_threshold_terms(inst)
    assert hp.generative_error(inst) >= terms["bound"]
    assert terms["bound"] == 2 * terms["iiv_error"] - terms["ratio"] - terms["calibration_gap"]


# --------------------------------------------------------------------------- the sharpness helpers

def test_tight_instance_defaults_and_names():
    """By default one valid response and one prompt (a 1-D instance); n_valid and n_prompts are
    named when wrong; two prompts give two equal rows."""
    inst = reduction.tight_instance(4)
    assert inst.single_prompt and (inst.max_valid, inst.min_errors) == (1, 4)
    assert inst.p_hat.tolist() == [[F(1, 4)] + [F(3, 16)] * 4]
    two = reduction.tight_instance(4, n_prompts=2)
    assert not two.single_prompt and two.p_hat.tolist() == inst.p_hat.tolist() * 2
    with pytest.raises(ValueError, match="^n_valid must be >= 1, got 0$"):
        reduction.tight_instance(4, n_valid=0)
    with pytest.raises(ValueError, match="^n_prompts must be >= 1, got 0$"):
        reduction.tight_instance(4, n_prompts=0)


def test_delta_tight_witness_refuses_eta_zero():
    with pytest.raises(ValueError, match=r"^eta must be in \(0, 1/2\), got 0$"):
        reduction.delta_tight_witness(F(0))


def test_appendix_a_patterns_in_full():
    """Every (valid, error) split of 2..3 responses, for one prompt and for pairs of prompts
    (unordered); the arguments are named when wrong."""
    one = [[[True, False]], [[True, False, False]], [[True, True, False]]]
    assert reduction.appendix_a_patterns(1, 3) == one
    pairs = reduction.appendix_a_patterns(2, 3)
    assert pairs[:3] == one and len(pairs) == 9
    assert pairs[3:] == [[a[0], b[0]] for i, a in enumerate(one) for b in one[i:]]
    with pytest.raises(ValueError, match="^max_prompts must be >= 1, got 0$"):
        reduction.appendix_a_patterns(0, 3)
    with pytest.raises(ValueError, match="^max_responses must be >= 2, got 1$"):
        reduction.appendix_a_patterns(1, 1)


def nonsense_example(exact):
    """Prompt 0: one valid slot, errors 1-3 (slot 1 at exactly 1/3), nonsense slot 4 at 1/2,
    slot 5 implausible. Prompt 1: two valid slots (one at 1/2), errors 2-5 (slot 2 at 1/2).
    K = 3, so t = 1/3; k = 2; mu = (1/5, 4/5)."""
    half, third, sixth = F(1, 2), F(1, 3), F(1, 6)
    p = [[1, 0, 0, 0, 0, 0], [half, half, 0, 0, 0, 0]]
    p_hat = [[sixth, third, 0, 0, half, 0], [half, 0, half, 0, 0, 0]]
    mu = [F(1, 5), F(4, 5)]
    if not exact:
        p, p_hat = ([[float(x) for x in row] for row in rows] for rows in (p, p_hat))
        mu = [float(x) for x in mu]
    inst = hp.Instance(p, p_hat, [[True] + [False] * 5, [True, True] + [False] * 4], mu=mu,
                       plausible=[[True] * 5 + [False], [True] * 6])
    return inst, np.array([[False] * 4 + [True, False], [False] * 6])


@pytest.mark.result("Theorem 1", kind="exact", functions=["reduction.nonsense_terms"])
@pytest.mark.parametrize("exact", [True, False])
def test_nonsense_terms_by_hand(exact):
    """A = {nonsense slot of prompt 0; valid slot 0 and error slot 2 of prompt 1} (1/3 is not
    above 1/3): err_iiv = 1/5 * 1/2 + 4/5 * (1/4 + 1/2) / 2 = 2/5, delta = 1/5 * 1/2 +
    4/5 * 1/2 = 1/2, k/K = 2/3, bound = 4/5 - 2/3 - 1/2 = -11/30, err = 17/30."""
    inst, nonsense = nonsense_example(exact)
    terms = reduction.nonsense_terms(inst, nonsense)
    want = {"err": F(17, 30), "iiv_error": F(2, 5), "calibration_gap": F(1, 2),
            "ratio": F(2, 3), "bound": F(-11, 30)}
    assert_terms(terms, want, exact)
    nonsense[1, 1] = True
    with pytest.raises(ValueError, match="^nonsense marks valid response 1 of prompt 1$"):
        reduction.nonsense_terms(inst, nonsense)
