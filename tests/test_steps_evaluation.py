"""Proof steps of book/evaluation.md: Observation 1, the confidence-target rule and behavioral
calibration (see hallu_proofs/steps/evaluation.py)."""

import itertools
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

import hallu_proofs as hp
from hallu_proofs import grading


@st.composite
def problems_with_beliefs(draw):
    """A random problem (1-6 answers, 1-3 abstentions) and exact random binary beliefs."""
    n_answers, n_abstentions = draw(st.integers(1, 6)), draw(st.integers(1, 3))
    responses = [f"a{i}" for i in range(n_answers)] + [f"IDK{i}" for i in range(n_abstentions)]
    order = draw(st.permutations(responses))
    problem = hp.Problem("c", tuple(order), {r for r in responses if r.startswith("IDK")})
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    graders, beliefs = hp.random_binary_beliefs(problem, rng, draw(st.integers(1, 6)))
    return problem, graders, beliefs


def every_score_map(problem):
    """Every map from the problem's responses to {0, 1}."""
    for bits in itertools.product((0, 1), repeat=len(problem.responses)):
        yield dict(zip(problem.responses, bits))


SMALL_PROBLEMS = [hp.Problem("c", tuple(f"a{i}" for i in range(n)) + tuple(f"IDK{j}" for j in range(k)),
                             {f"IDK{j}" for j in range(k)})
                  for n in range(1, 5) for k in range(1, 3)]


# --- Observation 1 ----------------------------------------------------------------------------


@pytest.mark.result("Observation 1", kind="exhaustive", functions=["check_binary_grader", "expected_scores"])
def test_observation1_step1_abstentions_score_nothing():
    """Step 1: among every 0/1 score map on problems with up to 4 answers and 2 abstentions, the
    library accepts as binary exactly those giving 0 to every abstention (and 1 somewhere), so
    E_rho[g(r)] = 0 for every abstention r under any beliefs over them."""
    for problem in SMALL_PROBLEMS:
        accepted = []
        for scores in every_score_map(problem):
            ok = all(scores[a] == 0 for a in problem.abstentions) and 1 in scores.values()
            try:
                hp.check_binary_grader(problem, scores)
                assert ok
                accepted.append(scores)
            except ValueError:
                assert not ok
        beliefs = [F(1, len(accepted))] * len(accepted)
        expected = hp.expected_scores(problem, accepted, beliefs)
        assert all(expected[a] == 0 for a in problem.abstentions)


@pytest.mark.result("Observation 1", kind="exhaustive", functions=["check_binary_grader"])
def test_observation1_step2_every_binary_grader_accepts_an_answer():
    """Step 2: every binary grader of those problems has sum over the answers R_c minus A_c of
    g(r) >= 1 (it takes the value 1, and not on an abstention)."""
    for problem in SMALL_PROBLEMS:
        for scores in every_score_map(problem):
            try:
                grader = hp.check_binary_grader(problem, scores)
            except ValueError:
                continue
            assert sum(grader[r] for r in problem.answers) >= 1


@pytest.mark.result("Observation 1", kind="exact", functions=["expected_scores"])
@given(problems_with_beliefs())
def test_observation1_step3_some_answer_scores_at_least_one_over_the_answers(case):
    """Step 3: sum over answers of E_rho[g(r)] >= 1, so some answer scores >= 1/|R_c minus A_c|."""
    problem, graders, beliefs = case
    scores = hp.expected_scores(problem, graders, beliefs)
    assert sum(scores[r] for r in problem.answers) >= 1
    assert max(scores[r] for r in problem.answers) >= F(1, len(problem.answers)) > 0


@pytest.mark.result("Observation 1", kind="exact", functions=["optimal_responses"])
@given(problems_with_beliefs())
def test_observation1_step4_no_abstention_is_optimal(case):
    """Step 4: the maximum is positive and abstentions score 0, so the argmax holds none."""
    problem, graders, beliefs = case
    best = hp.optimal_responses(problem, graders, beliefs)
    assert best and not best & problem.abstentions
    assert max(hp.expected_scores(problem, graders, beliefs).values()) > 0


# --- the confidence-target rule -----------------------------------------------------------

TARGETS = [F(k, 40) for k in range(40)]
CONFIDENCES = [F(k, 40) for k in range(41)]


@pytest.mark.result("Confidence targets", kind="exhaustive", functions=["expected_score", "Problem"])
def test_confidence_step1_expected_score_from_the_payoffs():
    """Step 1: the expected score of an answer right with probability q is q * 1 + (1 - q) *
    (-t/(1 - t)), the payoffs of the target grader; the library and the sympy expression agree
    on every (q, t) of a grid of fortieths."""
    q, t, score = grading.expected_score_expression()
    problem = hp.Problem("c", ("right", "wrong", "IDK"), {"IDK"})
    for t_ in TARGETS:
        payoff = problem.target_grader({"right"}, t_)
        for q_ in CONFIDENCES:
            by_payoffs = q_ * payoff["right"] + (1 - q_) * payoff["wrong"]
            assert hp.expected_score(q_, t_) == by_payoffs
            assert sp.Rational(by_payoffs) == score.subs({q: sp.Rational(q_), t: sp.Rational(t_)})


@pytest.mark.result("Confidence targets", kind="symbolic", functions=["expected_score_closed_form_holds"])
def test_confidence_step2_common_denominator():
    """Step 2: q - (1 - q) t/(1 - t) = (q - t)/(1 - t) identically (t != 1), and not
    (q - t)/(1 + t): the check can tell a wrong closed form."""
    q, t, score = grading.expected_score_expression()
    assert grading.expected_score_closed_form_holds()
    assert sp.simplify(score - (q - t) / (1 - t)) == 0
    assert sp.simplify(score - (q - t) / (1 + t)) != 0


@pytest.mark.result("Confidence targets", kind="symbolic", functions=["expected_score_sign_rule_holds",
                                                                      "expected_score"])
def test_confidence_step3_sign_of_q_minus_t():
    """Step 3: with t = 1 - u, u > 0, (1 - t) * score = q - t, so the score has the sign of q - t;
    and the library's expected_score has that sign on the whole grid, zero exactly at q = t."""
    assert grading.expected_score_sign_rule_holds()
    assert grading.break_even_confidence() == [grading.expected_score_expression()[1]]
    for t_ in TARGETS:
        for q_ in CONFIDENCES:
            s = hp.expected_score(q_, t_)
            assert (s > 0) == (q_ > t_) and (s == 0) == (q_ == t_)


@pytest.mark.result("Confidence targets", kind="symbolic", functions=["penalty", "expected_score"])
def test_confidence_step4_target_zero_is_binary_grading():
    """Step 4: at t = 0 the penalty is 0 and the expected score is q (symbolically and in the
    library), so any guess with q > 0 beats IDK."""
    q, t, score = grading.expected_score_expression()
    assert sp.simplify(score.subs(t, 0) - q) == 0
    assert hp.penalty(0) == 0
    assert all(hp.expected_score(q_, 0) == q_ for q_ in CONFIDENCES)


def test_float_expected_score_is_zero_at_the_tie():
    """Floats: expected_score(t, t) is exactly 0 (review f3 D13 found +-1e-17 from the old
    formula), so the float sign agrees with answer_policy, which abstains at q = t."""
    for k in range(1000):
        t = k / 1000
        assert hp.expected_score(t, t) == 0.0
    assert hp.expected_score(0.06, 0.06) == 0.0 and hp.expected_score(0.112, 0.112) == 0.0


# --- behavioral calibration ---------------------------------------------------------------


@st.composite
def question_sets(draw):
    """2-6 questions with exact confidences k/12 and a target k/12 < 1."""
    q = draw(st.lists(st.integers(0, 12), min_size=2, max_size=6))
    return [F(k, 12) for k in q], F(draw(st.integers(0, 11)), 12)


@pytest.mark.result("Behavioral calibration", kind="exact", functions=["expected_evaluation_score"])
@given(question_sets())
def test_behavioral_step1_score_of_a_set_is_the_sum_of_its_terms(case):
    """Step 1: answering a set S scores (1/n) sum_{i in S} (q_i - t)/(1 - t), for every S."""
    q, t = case
    for bits in itertools.product((False, True), repeat=len(q)):
        mine = sum((hp.expected_score(x, t) for x, b in zip(q, bits) if b), F(0)) / len(q)
        assert hp.expected_evaluation_score(q, list(bits), t) == mine


@pytest.mark.result("Behavioral calibration", kind="exhaustive", functions=["answer_policy",
                                                                             "expected_evaluation_score"])
@given(question_sets())
def test_behavioral_step2_answering_above_the_target_is_best(case):
    """Step 2: over every one of the 2^n answer patterns, "answer iff q_i > t" has the largest
    expected score; a pattern that drops a question with q_i > t, or adds one with q_i < t,
    scores strictly less."""
    q, t = case
    rule = hp.answer_policy(q, t)
    best = hp.expected_evaluation_score(q, rule, t)
    for bits in itertools.product((False, True), repeat=len(q)):
        value = hp.expected_evaluation_score(q, list(bits), t)
        assert value <= best
        if any(b != r and x != t for b, r, x in zip(bits, rule, q)):
            assert value < best


@pytest.mark.result("Behavioral calibration", kind="exact", functions=["answer_policy"])
@given(question_sets(), st.lists(st.integers(0, 11), min_size=1, max_size=5))
def test_behavioral_step3_one_rule_for_every_target(case, targets):
    """Step 3: the one rule, applied with each stated target, is optimal at each of them (the
    best pattern depends on t only through the rule)."""
    q, _ = case
    for k in targets:
        t = F(k, 12)
        best = max(hp.expected_evaluation_score(q, list(bits), t)
                   for bits in itertools.product((False, True), repeat=len(q)))
        assert hp.expected_evaluation_score(q, hp.answer_policy(q, t), t) == best
