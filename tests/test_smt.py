"""SMT proofs (hallu_proofs.smt): each inequality decided by z3 for every real instance up to a size.

A proof test asserts that every pattern was decided unsatisfiable (no counterexample, nothing left
undecided). A refutation test hands a stronger claim to the solver, takes its model as an exact
Instance (or grading problem, or distribution) and re-checks the violation with the library's own
functions, independently of the solver. Under HYPOTHESIS_PROFILE=thorough the proof tests also run
the larger sizes of `smt.THOROUGH_SIZES`.
"""

import math
import os
from fractions import Fraction as F

import numpy as np
import pytest

import hallu_proofs as hp
from hallu_proofs import smt

#: The ledger kind of a proof for every instance up to a size.
PROOF = "smt"
THOROUGH = os.environ.get("HYPOTHESIS_PROFILE") == "thorough"


def sizes(statement):
    return smt.SIZES[statement] + (smt.THOROUGH_SIZES[statement] if THOROUGH else ())


def assert_proved(statement):
    for max_prompts, max_responses, variant in sizes(statement):
        result = smt.prove(statement, max_prompts, max_responses, **variant)
        expected_cases = len(smt.patterns(statement, max_prompts, max_responses, **variant))
        assert (result.proved, result.unknown, result.counterexample) == (True, 0, None), variant
        assert result.cases == expected_cases > 0
        assert result.size == (max_prompts, max_responses)
        assert result.seconds >= sum(seconds for _, seconds in result.timings) > 0
        assert [pattern for pattern, _ in result.timings] == smt.patterns(
            statement, max_prompts, max_responses, **variant)


def refuted(statement, max_prompts, max_responses, **variant):
    result = smt.prove(statement, max_prompts, max_responses, **variant)
    assert not result.proved
    assert result.counterexample is not None
    assert result.cases == smt.patterns(statement, max_prompts, max_responses, **variant).index(
        result.pattern) + 1
    return result


def revalidated(inst):
    """The counterexample passes Instance validation afresh and is exact."""
    assert isinstance(inst, hp.Instance) and inst.exact
    again = hp.Instance(inst.p, inst.p_hat, inst.valid, mu=inst.mu, plausible=inst.plausible)
    assert all(isinstance(x, F) for x in np.concatenate([again.p.ravel(), again.p_hat.ravel()]))
    return again


# --- multisets of patterns -------------------------------------------------------------------------


def multisets(kinds, at_most):
    """Number of multisets of 1..at_most elements drawn from ``kinds`` kinds."""
    return sum(math.comb(kinds + size - 1, size) for size in range(1, at_most + 1))


@pytest.mark.result("Theorem 1", kind="definition", functions=["smt.patterns"])
def test_smt_patterns_are_every_multiset_of_prompt_patterns():
    """Patterns: multisets of (|V_c|, |E_c|) with |V_c|, |E_c| >= 1 and |V_c| + |E_c| <= n."""
    for m, n in ((1, 2), (2, 3), (3, 5)):
        found = smt.patterns("theorem1", m, n)
        assert len(found) == len(set(found)) == multisets(math.comb(n, 2), m)
        assert all(v >= 1 and e >= 1 and v + e <= n for pattern in found for v, e in pattern)
    assert smt.patterns("theorem4", 2, 3) == [((1, 1),), ((1, 2),), ((1, 1), (1, 1)),
                                              ((1, 1), (1, 2)), ((1, 2), (1, 2))]
    assert smt.patterns("observation1", 1, 3) == [(1, 1), (1, 2), (2, 1)]
    assert smt.patterns("confidence_target", 2, 3) == [(1,), (2,), (1, 1), (1, 2), (2, 2)]
    assert smt.patterns("good_turing_bias", 1, 2, max_samples=2, min_samples=2) == [(2, 1), (2, 2)]


# --- proofs ------------------------------------------------------------------------------------------


@pytest.mark.result("Corollary 1", kind=PROOF, functions=["smt.prove"])
def test_smt_proves_corollary1():
    """err >= 2 err_iiv - |V|/|E| - delta for every real one-prompt instance up to the size."""
    assert_proved("corollary1")


@pytest.mark.result("Theorem 1", kind=PROOF, functions=["smt.prove"])
def test_smt_proves_theorem1():
    """err >= 2 err_iiv - max|V_c|/min|E_c| - delta for every real instance up to the size."""
    assert_proved("theorem1")


@pytest.mark.result("Poor-model inequality", kind=PROOF, functions=["smt.prove"])
def test_smt_proves_poor_model():
    """err >= 2 opt(G) - k/K - delta for every family G containing the base model's f_hat."""
    assert_proved("poor_model")
    assert smt.prove("poor_model", 1, 3, family_size=3).proved


@pytest.mark.result("Theorem 3", kind=PROOF, functions=["smt.prove"])
def test_smt_proves_theorem3():
    """err >= 2 (1 - 1/C) opt(G) when |V_c| = 1, for every real instance up to the size."""
    assert_proved("theorem3")
    with_others = smt.prove("theorem3", 1, 4, family_size=3)  # G: the f_t and two other classifiers
    assert (with_others.proved, with_others.variant["family_size"]) == (True, 3)


@pytest.mark.result("Theorem 4", kind=PROOF, functions=["smt.prove"])
def test_smt_proves_theorem4():
    """Some t in [0, 1] has err >= 2 (1 - 1/C) err_iiv(f_t) when |V_c| = 1, up to the size."""
    assert_proved("theorem4")


@pytest.mark.result("Observation 1", kind=PROOF, functions=["smt.prove"])
def test_smt_proves_observation1():
    """Under every belief over binary graders some answer scores strictly above every abstention."""
    assert_proved("observation1")


@pytest.mark.result("Confidence targets", kind=PROOF, functions=["smt.prove"])
def test_smt_proves_confidence_target():
    """Section 4.2: an answer beats IDK iff q > t, and 'answer iff q > t' is an optimal policy."""
    assert_proved("confidence_target")
    assert smt.prove("confidence_target", 1, 3, target=F(3, 4)).proved
    assert smt.prove("confidence_target", 1, 3, target=F(2, 3), penalty=2).proved


@pytest.mark.result("Corollary 3", kind=PROOF, functions=["smt.prove"])
def test_smt_proves_good_turing_bias():
    """Proof step 1 of Corollary 3: 0 <= E[GT] - E[M] <= 1/N for every nu up to the size."""
    assert_proved("good_turing_bias")


@pytest.mark.result("Corollary 3", kind=PROOF, functions=["smt.prove"])
def test_smt_proves_good_turing_bias_halved_from_two_samples():
    """For N >= 2 even E[GT] - E[M] <= 1/(2N) holds (support <= 3, N <= 4)."""
    result = smt.prove("good_turing_bias", 1, 3, max_samples=4, min_samples=2, scale=F(1, 2))
    assert (result.proved, result.cases) == (True, 9)


# --- refutations: Theorem 1 and Corollary 1 --------------------------------------------------------


def theorem1_violated(inst, factor=2, ratio_coefficient=1, delta_coefficient=1):
    ratio = F(inst.max_valid, inst.min_errors)
    bound = (factor * hp.iiv_error(inst) - ratio_coefficient * ratio
             - delta_coefficient * hp.calibration_gap(inst))
    return hp.generative_error(inst) < bound


def check_theorem1_refutation(statement, max_prompts, max_responses, **variant):
    result = refuted(statement, max_prompts, max_responses, **variant)
    inst = revalidated(result.counterexample)
    assert theorem1_violated(inst, **variant)
    # the paper's claim holds on the same instance: the counterexample is one of the stronger claim
    assert hp.generative_error(inst) >= hp.theorem1_bound(inst)
    assert not theorem1_violated(inst)
    return result


@pytest.mark.result("Theorem 1", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_theorem1_factor_above_2():
    """err >= 2.01 err_iiv - k/K - delta fails on an instance z3 finds."""
    result = check_theorem1_refutation("theorem1", 2, 3, factor=F(201, 100))
    assert result.pattern == ((1, 1),)


@pytest.mark.result("Theorem 1", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_theorem1_shrunk_ratio():
    """err >= 2 err_iiv - 0.99 k/K - delta fails."""
    check_theorem1_refutation("theorem1", 2, 3, ratio_coefficient=F(99, 100))


@pytest.mark.result("Theorem 1", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_theorem1_shrunk_delta():
    """err >= 2 err_iiv - k/K - 0.99 delta fails already with one valid and two error responses."""
    result = check_theorem1_refutation("theorem1", 2, 3, delta_coefficient=F(99, 100))
    assert result.pattern == ((1, 2),)
    assert hp.calibration_gap(result.counterexample) > 0


@pytest.mark.result("Theorem 1", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_theorem1_dropped_terms():
    """Without k/K, or without delta, the bound fails."""
    check_theorem1_refutation("theorem1", 2, 3, ratio_coefficient=0)
    check_theorem1_refutation("theorem1", 2, 3, delta_coefficient=0)


@pytest.mark.result("Theorem 1", kind="falsification", functions=["smt.decide"])
def test_smt_refutes_theorem1_shrunk_ratio_with_several_valid_responses():
    """k/K is exactly tight for k >= 2 too: with k valid and k error responses, 0.99 k/K fails."""
    for k in (2, 3):
        result = smt.decide("theorem1", ((k, k),), ratio_coefficient=F(99, 100))
        inst = revalidated(result.counterexample)
        assert inst.max_valid == k and theorem1_violated(inst, ratio_coefficient=F(99, 100))
        assert (result.cases, result.pattern, result.size) == (1, ((k, k),), (1, 2 * k))
    assert smt.decide("theorem1", ((2, 1),), ratio_coefficient=F(99, 100)).proved


@pytest.mark.result("Corollary 1", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_corollary1_factor_above_2():
    """Without prompts, err >= 2.01 err_iiv - |V|/|E| - delta fails."""
    check_theorem1_refutation("corollary1", 1, 4, factor=F(201, 100))


@pytest.mark.result("Corollary 1", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_corollary1_shrunk_ratio():
    """Without prompts, err >= 2 err_iiv - 0.99 |V|/|E| - delta fails."""
    check_theorem1_refutation("corollary1", 1, 4, ratio_coefficient=F(99, 100))


@pytest.mark.result("Corollary 1", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_corollary1_shrunk_delta():
    """Without prompts, err >= 2 err_iiv - |V|/|E| - 0.99 delta fails."""
    check_theorem1_refutation("corollary1", 1, 4, delta_coefficient=F(99, 100))


# --- refutations: poor models, Theorems 3 and 4 -----------------------------------------------------


def family_error(inst, labels):
    """err_iiv of a classifier given as labels, from the library's D."""
    d = hp.iiv_distribution(inst)
    plausible = np.ones_like(inst.valid) if inst.plausible is None else inst.plausible
    return sum(d[plausible & (labels != inst.valid)], F(0))


@pytest.mark.result("Poor-model inequality", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_poor_model_without_the_base_model():
    """Dropping the hypothesis that the base model's classifier is in G breaks the bound."""
    result = refuted("poor_model", 1, 3, contains_base_model=False)
    inst = revalidated(result.counterexample)
    opt = min(family_error(inst, labels) for labels in result.witness["family"])
    assert result.witness["opt"] == opt
    assert hp.generative_error(inst) < hp.poor_model_bound(inst, opt)
    assert opt > hp.iiv_error(inst)  # the family is worse than the base model's own classifier


@pytest.mark.result("Poor-model inequality", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_poor_model_factor_above_2():
    """err >= 2.01 opt(G) - k/K - delta fails for a family containing f_hat."""
    result = refuted("poor_model", 1, 3, factor=F(201, 100))
    inst = revalidated(result.counterexample)
    family = result.witness["family"]
    assert np.array_equal(family[0], hp.classify(inst))
    opt = min(family_error(inst, labels) for labels in family)
    bound = hp.poor_model_bound(inst, opt) + F(1, 100) * opt
    assert hp.generative_error(inst) < bound


def check_multiple_choice_counterexample(result, scale):
    inst = revalidated(result.counterexample)
    c = hp.n_choices(inst)
    thresholds, values = hp.iiv_error_steps(inst)
    assert thresholds[0] == 0 and thresholds[-1] == 1
    for value in values:  # every threshold t in [0, 1] falls on one of these steps
        assert hp.generative_error(inst) < scale * hp.theorem3_bound(value, c)
    assert hp.generative_error(inst) >= hp.theorem3_bound(hp.best_threshold(inst).iiv_error, c)
    return inst


@pytest.mark.result("Theorem 3", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_theorem3_larger_constant():
    """err >= 1.01 * 2 (1 - 1/C) opt(G) fails: the constant of Theorem 3 cannot grow."""
    result = refuted("theorem3", 1, 3, scale=F(101, 100))
    inst = check_multiple_choice_counterexample(result, F(101, 100))
    opt = min([hp.best_threshold(inst).iiv_error]
              + [family_error(inst, labels) for labels in result.witness["family"]])
    assert hp.generative_error(inst) < F(101, 100) * hp.theorem3_bound(opt, hp.n_choices(inst))


@pytest.mark.result("Theorem 3", kind="falsification", functions=["smt.decide"])
def test_smt_refutes_theorem3_larger_constant_for_every_c():
    """For each C = 2..5, one prompt with C choices refutes the constant times 1.01."""
    for choices in range(2, 6):
        result = smt.decide("theorem3", ((1, choices - 1),), scale=F(101, 100))
        inst = revalidated(result.counterexample)
        assert hp.n_choices(inst) == choices
        assert hp.generative_error(inst) < F(101, 100) * hp.theorem3_bound(
            hp.best_threshold(inst).iiv_error, choices)


@pytest.mark.result("Theorem 4", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_theorem4_larger_constant():
    """No threshold t satisfies err >= 1.01 * 2 (1 - 1/C) err_iiv(f_t) on the instance z3 finds."""
    result = refuted("theorem4", 2, 3, scale=F(101, 100))
    check_multiple_choice_counterexample(result, F(101, 100))


# --- refutations: evaluations and Good-Turing --------------------------------------------------------


@pytest.mark.result("Observation 1", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_observation1_with_a_penalty():
    """If wrong answers cost 1 point (not binary grading), abstaining can be optimal."""
    result = refuted("observation1", 1, 4, penalty=1)
    w = result.counterexample
    best = hp.optimal_responses(w.problem, w.graders, w.beliefs, binary=False)
    assert best & w.problem.abstentions
    # the graders are the library's confidence-target graders for t = 1/2 (penalty 1)
    correct = [{r for r, s in g.items() if s == 1} for g in w.graders]
    assert list(w.graders) == [w.problem.target_grader(c, F(1, 2)) for c in correct]


@pytest.mark.result("Observation 1", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_observation1_with_abstention_credit():
    """If abstentions earn 1/3 point, abstaining can be among the best responses."""
    result = refuted("observation1", 1, 4, abstention_score=F(1, 3))
    w = result.counterexample
    scores = hp.expected_scores(w.problem, w.graders, w.beliefs, binary=False)
    assert max(scores.values()) == F(1, 3)
    assert hp.optimal_responses(w.problem, w.graders, w.beliefs, binary=False) & w.problem.abstentions


@pytest.mark.result("Confidence targets", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_confidence_target_printed_penalty():
    """The printed 't = 0.75 (penalty 2)': with penalty 2 answering beats IDK at some q <= 3/4."""
    result = refuted("confidence_target", 1, 2, target=F(3, 4), penalty=2)
    w = result.counterexample
    (q,), = w.confidences
    assert (w.target, w.penalty) == (F(3, 4), 2)
    assert q <= F(3, 4) and not hp.answer_policy([q], F(3, 4))[0]
    assert hp.expected_score(q, F(2, 3)) > 0  # penalty 2 is the target 2/3
    assert w.better_policy == (0,) and w.sign_violation == (0, 0)  # answering beats the rule's IDK
    assert result.witness["policy_total"] == hp.expected_score(q, F(2, 3)) > result.witness[
        "rule_total"] == 0


@pytest.mark.result("Confidence targets", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_confidence_target_with_a_wrong_rule():
    """Answering iff q > t is wrong when the penalty is not t/(1 - t) (here 1 at t = 3/4)."""
    result = refuted("confidence_target", 2, 3, target=F(3, 4), penalty=1)
    w = result.counterexample
    assert w.sign_violation is not None
    c, r = w.sign_violation
    q = w.confidences[c][r]
    assert (hp.expected_score(q, F(1, 2)) > 0) != (q > F(3, 4))


@pytest.mark.result("Corollary 3", kind="falsification", functions=["smt.prove"])
def test_smt_refutes_good_turing_bias_halved():
    """E[GT] - E[M] <= 1/(2N) fails at N = 1 (a point mass: the gap is 1)."""
    result = refuted("good_turing_bias", 1, 2, max_samples=2, scale=F(1, 2))
    nu = list(result.counterexample)
    n = result.witness["samples"]
    assert n == 1
    gap = hp.expected_good_turing(nu, n) - hp.expected_missing_mass(nu, n)
    gt, m = hp.enumerate_expectations(nu, n)
    assert gap == gt - m > F(1, 2 * n)


# --- the encoding is not vacuous ------------------------------------------------------------------


@pytest.mark.result("Theorem 1", kind="validation", functions=["smt.prove"])
def test_smt_wrong_encoding_is_caught(monkeypatch):
    """A deliberately wrong formula (err halved) yields a 'counterexample' the library rejects."""
    original = smt._Table.err
    monkeypatch.setattr(smt._Table, "err", lambda self: original(self) / 2)
    with pytest.raises(smt.EncodingError, match="library does not confirm"):
        smt.prove("theorem1", 1, 3)


@pytest.mark.result("Theorem 1", kind="validation", functions=["smt.prove"])
def test_smt_contradictory_constraints_are_caught(monkeypatch):
    """If a pattern's instance constraints were unsatisfiable every proof would be empty: refused."""
    monkeypatch.setattr(smt._Table, "_sorted", lambda self: [self.mu[0] > 1])
    with pytest.raises(smt.EncodingError, match="unsatisfiable"):
        smt.prove("theorem1", 1, 2)


@pytest.mark.result("Theorem 1", kind="validation", functions=["smt.prove"])
def test_smt_a_false_claim_gives_a_valid_instance():
    """A false claim (factor 3) gives an exact counterexample that passes Instance validation."""
    result = refuted("theorem1", 3, 4, factor=3)
    inst = revalidated(result.counterexample)
    assert theorem1_violated(inst, factor=3)
    assert result.witness["err"] == hp.generative_error(inst)


@pytest.mark.result("Theorem 1", kind="validation", functions=["smt.prove"])
def test_smt_counterexample_with_unequal_rows_and_a_weightless_prompt():
    """Counterexamples pad short rows with implausible slots; a prompt with mu = 0 gets uniform rows."""
    table = smt._Table(((1, 1), (2, 2)))
    import z3

    solver = z3.Solver()
    solver.add(*table.constraints, table.mu[0] == 0)
    assert solver.check() == z3.sat
    inst = table.instance(solver.model())
    assert inst.plausible.tolist() == [[True, True, False, False], [True] * 4]
    assert inst.mu[0] == 0 and inst.p[0, 0] == 1 and inst.p_hat[0].tolist() == [F(1, 2)] * 2 + [0, 0]


@pytest.mark.result("Theorem 1", kind="validation", functions=["smt.prove"])
def test_smt_undecided_patterns_are_not_proofs(monkeypatch):
    """A pattern z3 cannot decide in time counts as unknown, and the result is not a proof."""
    monkeypatch.setattr(smt, "TIMEOUT_SECONDS", 0.001)
    result = smt.prove("good_turing_bias", 1, 4, max_samples=4, min_samples=4)
    assert result.unknown >= 1 and not result.proved and result.counterexample is None


# --- bad input --------------------------------------------------------------------------------------


@pytest.mark.result("Theorem 1", kind="validation", functions=["smt.prove"])
def test_smt_prove_refuses_bad_statements_and_sizes():
    """Bad statement names and sizes raise ValueError or TypeError naming the argument."""
    with pytest.raises(ValueError, match="statement must be one of"):
        smt.prove("theorem5", 1, 2)
    with pytest.raises(TypeError, match="statement must be a str"):
        smt.prove(1, 1, 2)
    with pytest.raises(ValueError, match="max_prompts must be >= 1, got 0"):
        smt.prove("theorem1", 0, 2)
    with pytest.raises(TypeError, match="max_prompts must be an int"):
        smt.prove("theorem1", True, 2)
    with pytest.raises(TypeError, match="max_responses must be an int"):
        smt.prove("theorem1", 1, 2.0)
    with pytest.raises(ValueError, match="max_responses must be >= 2, got 1"):
        smt.prove("theorem1", 1, 1)
    with pytest.raises(ValueError, match="max_responses must be >= 1, got 0"):
        smt.prove("good_turing_bias", 1, 0)
    for statement in ("corollary1", "observation1", "good_turing_bias"):
        with pytest.raises(ValueError, match=f"max_prompts must be 1 for '{statement}'"):
            smt.prove(statement, 2, 3)
    with pytest.raises(ValueError, match="max_prompts must be >= 1"):
        smt.patterns("theorem1", 0, 3)


@pytest.mark.result("Theorem 1", kind="validation", functions=["smt.prove"])
def test_smt_prove_refuses_bad_variants():
    """Floats, unknown variants and out-of-range values are refused by name."""
    for name in ("factor", "ratio_coefficient", "delta_coefficient"):
        with pytest.raises(TypeError, match=f"{name} must be an int or a Fraction, got 0.99"):
            smt.prove("theorem1", 1, 2, **{name: 0.99})
    with pytest.raises(TypeError, match="factor must be an int or a Fraction, got True"):
        smt.prove("theorem1", 1, 2, factor=True)
    with pytest.raises(TypeError, match="scale must be an int or a Fraction"):
        smt.prove("theorem4", 1, 2, scale=np.float64(1))
    with pytest.raises(TypeError, match="'scale' is not a variant of 'theorem1'"):
        smt.prove("theorem1", 1, 2, scale=1)
    with pytest.raises(ValueError, match="factor must be >= 0, got -1"):
        smt.prove("theorem1", 1, 2, factor=-1)
    with pytest.raises(ValueError, match="scale must be >= 0"):
        smt.prove("theorem3", 1, 2, scale=F(-1, 2))
    with pytest.raises(TypeError, match="contains_base_model must be a bool"):
        smt.prove("poor_model", 1, 2, contains_base_model=1)
    with pytest.raises(ValueError, match="family_size must be >= 1, got 0"):
        smt.prove("poor_model", 1, 2, family_size=0)
    with pytest.raises(TypeError, match="max_samples must be an int"):
        smt.prove("good_turing_bias", 1, 2, max_samples=F(3))
    with pytest.raises(ValueError, match="min_samples must be <= max_samples, got 4 > 3"):
        smt.prove("good_turing_bias", 1, 2, max_samples=3, min_samples=4)
    with pytest.raises(ValueError, match="target must be in \\[0, 1\\), got 1"):
        smt.prove("confidence_target", 1, 2, target=1)
    with pytest.raises(ValueError, match="penalty must be >= 0, got -1"):
        smt.prove("observation1", 1, 2, penalty=-1)
    with pytest.raises(TypeError, match="abstention_score must be an int or a Fraction"):
        smt.prove("observation1", 1, 2, abstention_score=0.5)


def test_smt_is_reachable_from_the_package():
    """hp.smt is the module, so `import hallu_proofs as hp; hp.smt.prove(...)` works."""
    assert hp.smt is smt
    assert hp.smt.prove("corollary1", 1, 2).proved


@pytest.mark.result("Theorem 1", kind="validation", functions=["smt.decide"])
def test_smt_decide_refuses_bad_patterns():
    """decide() takes only patterns shaped as patterns() lists them for the statement."""
    for statement, pattern in (("theorem1", ((0, 2),)), ("theorem1", (1, 2)), ("theorem4", ((2, 1),)),
                               ("corollary1", ((1, 1), (1, 1))), ("observation1", (1,)),
                               ("confidence_target", ()), ("good_turing_bias", (1, True))):
        with pytest.raises(ValueError, match="is not a pattern of"):
            smt.decide(statement, pattern)
    assert smt.decide("observation1", (2, 1)).proved
    assert smt.decide("good_turing_bias", (2, 2), scale=F(1, 2)).proved
    assert smt.decide("confidence_target", (2,)).proved


@pytest.mark.result("Theorem 1", "Observation 1", kind="validation", functions=["smt.decide"])
def test_decide_reports_what_it_decided():
    """Every field of decide()'s result: the statement, the size the pattern needs (one prompt
    for observation1 and good_turing_bias), the options, the verdict, one case, the time, the
    counterexample and its pattern, the witness, no undecided pattern."""
    refuted = smt.decide("theorem1", ((2, 2),), ratio_coefficient=F(99, 100))
    assert (refuted.statement, refuted.size, refuted.proved, refuted.cases) == (
        "theorem1", (1, 4), False, 1)
    assert refuted.variant == {"factor": 2, "ratio_coefficient": F(99, 100),
                               "delta_coefficient": 1}
    assert refuted.pattern == ((2, 2),) and refuted.unknown == 0
    assert 0 < refuted.seconds < 60 and refuted.timings == ((((2, 2),), refuted.seconds),)
    inst = refuted.counterexample
    assert isinstance(inst, hp.Instance) and inst.max_valid == 2
    assert refuted.witness["err"] == hp.generative_error(inst)
    assert refuted.witness["err"] < refuted.witness["claimed_bound"]
    proved = smt.decide("theorem1", ((1, 2), (2, 3)))
    assert (proved.size, proved.proved, proved.cases, proved.unknown) == ((2, 5), True, 1, 0)
    assert proved.counterexample is None and proved.pattern is None and proved.witness == {}
    assert proved.seconds > 0 and proved.timings == ((((1, 2), (2, 3)), proved.seconds),)
    for statement, pattern, size in (("observation1", (2, 1), (1, 3)),
                                     ("good_turing_bias", (2, 3), (1, 3)),
                                     ("confidence_target", (2, 3), (2, 4))):
        result = smt.decide(statement, pattern)
        assert result.size == size and result.statement == statement, statement


@pytest.mark.result("Theorem 3", kind="falsification", functions=["smt.decide"])
def test_poor_model_counterexample_is_confirmed_by_the_library():
    """A factor 3 in place of 2 fails on one prompt with one valid and two errors; the witness
    holds the family, its best IIV error (the minimum over the family) and the two sides."""
    result = smt.decide("poor_model", ((1, 2),), factor=F(3))
    inst, witness = result.counterexample, result.witness
    assert not result.proved and set(witness) == {"family", "opt", "err", "claimed_bound"}
    assert witness["err"] == hp.generative_error(inst) < witness["claimed_bound"]
    d = hp.iiv_distribution(inst)
    assert witness["opt"] == min(sum(d[np.asarray(g) != inst.valid], F(0))
                                 for g in witness["family"])
    assert witness["claimed_bound"] == hp.poor_model_bound(inst, witness["opt"]) + witness["opt"]
