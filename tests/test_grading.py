"""Evaluations: Observation 1 (paper Section 4.1, Appendix E) and confidence targets (Section 4.2).

Scores are checked exactly (Fractions) against references written from the definitions, the
results on random problems and beliefs, each with a tightness case and a stronger claim that
must fail, then the published data files and every refusal of bad input.
"""

from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, find, given
from hypothesis import strategies as st
from scipy.stats import binomtest
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
from hallu_proofs import grading

targets = st.fractions(0, 1).filter(lambda t: t < 1)
confidences = st.fractions(0, 1)
counts = st.integers(0, 50)


def rational(x):
    """A Fraction as a sympy Rational."""
    return sp.Rational(x.numerator, x.denominator)


def sign(x):
    return (x > 0) - (x < 0)


@st.composite
def problems_with_beliefs(draw, binary=True, single_correct=False, t=None):
    """A problem with 1-5 answers and 0-2 abstentions, graders and exact beliefs over them."""
    n_answers = draw(st.integers(1, 5))
    n_abstentions = draw(st.integers(0, 2))
    answers = tuple(f"answer {i}" for i in range(n_answers))
    abstentions = tuple(f"IDK {i}" for i in range(n_abstentions))
    order = draw(st.permutations(answers + abstentions))
    problem = hp.Problem("prompt", tuple(order), set(abstentions))
    n_graders = draw(st.integers(1, 5))
    graders = []
    for _ in range(n_graders):
        if single_correct:
            correct = {draw(st.sampled_from(answers))}
        else:
            correct = set(draw(st.lists(st.sampled_from(answers), min_size=1, unique=True)))
        graders.append(problem.binary_grader(correct) if binary
                       else problem.target_grader(correct, t))
    weights = draw(st.lists(st.integers(0, 6), min_size=n_graders, max_size=n_graders))
    assume(sum(weights) > 0)
    beliefs = [F(w, sum(weights)) for w in weights]
    return problem, graders, beliefs


@st.composite
def evaluations(draw, min_size=1, max_size=12):
    """Exact per-question confidences with correctness flags and an arbitrary answered mask."""
    n = draw(st.integers(min_size, max_size))
    q = draw(st.lists(confidences, min_size=n, max_size=n))
    correct = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    answered = np.array(draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)
    return np.array(q, dtype=object), correct, answered


# --- penalty and expected score -------------------------------------------------------------


def test_penalty_values():
    """penalty(t) = t/(1-t): 0 -> 0, 1/2 -> 1, 3/4 -> 3, 9/10 -> 9, exactly."""
    for t, want in ((0, 0), (F(1, 2), 1), (F(3, 4), 3), (F(9, 10), 9)):
        got = hp.penalty(t)
        assert isinstance(got, F) and got == want


def test_printed_penalty_two_at_three_quarters_is_a_slip():
    """The paper prints 't = 0.75 (penalty 2)'; the formula gives 3, and penalty 2 is t = 2/3.

    With penalty 2 the break-even confidence is 2/3, so an answer with q = 7/10 < 3/4 would
    still beat IDK, contradicting the instruction 'answer only if > 0.75 confident'.
    """
    assert hp.penalty(F(3, 4)) != 2
    assert hp.penalty(F(2, 3)) == 2
    q = F(7, 10)
    assert q < F(3, 4) and q * 1 - (1 - q) * 2 > 0


@given(targets)
def test_confidence_for_penalty_inverts_penalty(t):
    """t = k/(k+1) solves t/(1-t) = k: the sympy inverse undoes penalty(t) exactly."""
    k, (t_of_k,) = grading.confidence_for_penalty()
    assert t_of_k.subs(k, rational(hp.penalty(t))) == rational(t)


def test_sympy_derivations():
    """E[score] = q - (1-q) t/(1-t) = (q-t)/(1-t); it is 0 only at q = t; its sign is that of
    q - t; the penalty k belongs to t = k/(k+1)."""
    assert grading.expected_score_closed_form_holds()
    _, t, _ = grading.expected_score_expression()
    assert grading.break_even_confidence() == [t]
    assert grading.expected_score_sign_rule_holds()
    k, solutions = grading.confidence_for_penalty()
    assert len(solutions) == 1 and sp.simplify(solutions[0] - k / (k + 1)) == 0


def test_sympy_derivation_is_not_vacuous():
    """A wrong closed form (missing the 1/(1-t)) is refused by the same simplification."""
    q, t, score = grading.expected_score_expression()
    assert sp.simplify(score - (q - t)) != 0


@given(confidences, targets)
def test_expected_score_closed_form_exact(q, t):
    """expected_score(q, t) = q - (1-q) t/(1-t) = (q-t)/(1-t), exactly, and equals the sympy
    expression at (q, t)."""
    got = hp.expected_score(q, t)
    assert isinstance(got, F)
    assert got == q - (1 - q) * t / (1 - t) == (q - t) / (1 - t)
    sq, st_, expr = grading.expected_score_expression()
    assert rational(got) == expr.subs({sq: rational(q), st_: rational(t)})


@given(st.floats(0, 1), st.floats(0, 0.999))
def test_expected_score_floats(q, t):
    """Float inputs give (q-t)/(1-t) up to FLOAT_TOLERANCE (times the size of the penalty)."""
    got = hp.expected_score(q, t)
    assert isinstance(got, float)
    assert abs(got - (q - t) / (1 - t)) <= FLOAT_TOLERANCE * (1 + hp.penalty(t))


def test_expected_score_with_one_float_is_exactly_0_at_the_tie():
    """One float among q and t is enough for the (q - t) / (1 - t) form: at q = t = 0.176 (a
    float q, an exact t) rescoring the rates would leave -2.8e-17."""
    q = 0.176
    assert hp.expected_score(q, F(q)) == 0.0 == hp.expected_score(F(q), q)
    assert grading.rescore(q, 1 - q, 0, F(q)) != 0


@given(confidences, targets)
def test_answering_beats_idk_iff_confidence_above_target(q, t):
    """expected_score(q, t) > 0 (IDK scores 0) iff q > t; = 0 iff q = t; < 0 iff q < t."""
    score = hp.expected_score(q, t)
    assert (score > 0) == (q > t) and (score == 0) == (q == t) and (score < 0) == (q < t)


def test_answering_beats_idk_on_a_grid():
    """The sign rule on the grid q, t in {0, 1/40, ..., 1} (t < 1), exactly."""
    grid = [F(i, 40) for i in range(41)]
    for t in grid[:-1]:
        for q in grid:
            assert sign(hp.expected_score(q, t)) == sign(q - t)


def test_binary_grading_is_target_zero():
    """t = 0 is binary grading: no penalty, any q > 0 beats IDK, and the score is q."""
    assert hp.penalty(0) == 0
    for q in (F(1, 1000), F(1, 2), 1):
        assert hp.expected_score(q, 0) == q
        assert hp.expected_score(q, 0) > 0


def test_stronger_rule_answer_iff_q_at_least_t_strictly_better_fails():
    """'Answering with q = t strictly beats IDK' is false: at q = t the two tie."""
    witness = find(st.tuples(confidences, targets),
                   lambda qt: qt[0] >= qt[1] and not hp.expected_score(*qt) > 0)
    assert witness[0] == witness[1]


# --- Observation 1 ---------------------------------------------------------------------------


@pytest.mark.result("Observation 1", kind="exact", functions=["optimal_responses"])
@given(problems_with_beliefs())
def test_observation1_exact(case):
    """Observation 1: for beliefs rho over binary graders, A_c ∩ argmax_r E[g(r)] = ∅."""
    problem, graders, beliefs = case
    best = hp.optimal_responses(problem, graders, beliefs)
    assert best and not best & problem.abstentions


@pytest.mark.result("Observation 1", kind="exact", functions=["expected_scores"])
@given(problems_with_beliefs())
def test_observation1_union_bound_step(case):
    """Appendix E's step: sum_{r not in A_c} E[g(r)] >= 1 and abstentions score 0, hence the
    best answer scores >= 1 / |R_c minus A_c| > 0."""
    problem, graders, beliefs = case
    scores = hp.expected_scores(problem, graders, beliefs)
    assert all(scores[a] == 0 for a in problem.abstentions)
    assert sum(scores[r] for r in problem.answers) >= 1
    assert max(scores.values()) >= F(1, len(problem.answers))


@pytest.mark.result("Observation 1", kind="tightness", functions=["expected_scores"])
@pytest.mark.parametrize("n_answers", [1, 2, 5, 20])
def test_observation1_margin_is_tight(n_answers):
    """Tightness: uniform beliefs over the single-answer graders give every answer exactly
    1 / |R_c minus A_c|, so the margin over abstaining tends to 0 as the answers multiply."""
    answers = tuple(str(i) for i in range(n_answers))
    problem = hp.Problem("c", answers + ("IDK",), {"IDK"})
    graders = [problem.binary_grader({a}) for a in answers]
    scores = hp.expected_scores(problem, graders, [F(1, n_answers)] * n_answers)
    assert max(scores.values()) == F(1, n_answers)


@pytest.mark.result("Observation 1", kind="falsification", functions=["expected_scores"])
def test_observation1_stronger_margin_fails():
    """'The best answer scores >= 2 / |R_c minus A_c|' is false somewhere."""
    problem, graders, beliefs = find(
        problems_with_beliefs(),
        lambda c: max(hp.expected_scores(*c).values()) < F(2, len(c[0].answers)))
    assert max(hp.expected_scores(problem, graders, beliefs).values()) < F(2, len(problem.answers))


@pytest.mark.result("Observation 1", kind="falsification", functions=["optimal_responses", "expected_scores"])
def test_observation1_needs_binary_graders():
    """With confidence-target graders (t > 0, not binary), IDK can be the only optimum."""
    case = find(problems_with_beliefs(binary=False, t=F(1, 2)),
                lambda c: c[0].abstentions
                and hp.optimal_responses(*c, binary=False) <= c[0].abstentions)
    problem, graders, beliefs = case
    with pytest.raises(ValueError, match="not binary"):
        hp.expected_scores(problem, graders, beliefs)


@given(targets, st.data())
def test_target_graders_give_expected_score(t, data):
    """Under confidence-target graders with one correct answer each, the expected score of an
    answer r is expected_score(q_r, t), q_r = rho(graders that mark r correct)."""
    problem, graders, beliefs = data.draw(problems_with_beliefs(False, True, t))
    scores = hp.expected_scores(problem, graders, beliefs, binary=False)
    for r in problem.answers:
        q_r = sum((b for b, g in zip(beliefs, graders) if g[r] == 1), F(0))
        assert scores[r] == hp.expected_score(q_r, t)


@pytest.mark.result("Observation 1", kind="exact",
                    functions=["random_binary_beliefs", "check_binary_grader", "optimal_responses"])
def test_random_binary_beliefs_are_valid_and_obey_observation1():
    """The chapter's generator gives binary graders and exact beliefs summing to 1."""
    rng = np.random.default_rng(7)
    problem = hp.Problem("c", ("a", "b", "c", "IDK", "unsure"), {"IDK", "unsure"})
    for _ in range(50):
        graders, beliefs = hp.random_binary_beliefs(problem, rng, 4)
        assert sum(beliefs) == 1 and all(isinstance(b, F) for b in beliefs)
        assert all(hp.check_binary_grader(problem, g) == g for g in graders)
        assert not hp.optimal_responses(problem, graders, beliefs) & problem.abstentions


# --- whole evaluations ------------------------------------------------------------------------


def per_question_scores(n_correct, n_wrong, n_abstained, t):
    """The score list of an evaluation, one entry per question, straight from the rubric."""
    lost = t / (1 - t)
    return [F(1)] * n_correct + [-lost] * n_wrong + [F(0)] * n_abstained


@given(counts, counts, counts, targets)
def test_rescore_is_the_mean_question_score(c, w, a, t):
    """rescore(c, w, a, t) = mean of the per-question scores (1, -t/(1-t), 0), exactly."""
    assume(c + w + a > 0)
    scores = per_question_scores(c, w, a, t)
    assert hp.rescore(c, w, a, t) == sum(scores, F(0)) / len(scores)


@given(counts, counts, counts, st.integers(1, 9))
def test_rescore_counts_and_rates_agree(c, w, a, scale):
    """Only the ratios matter: counts, rates and scaled counts give the same score; at t = 0
    the score is the accuracy c / (c + w + a)."""
    assume(c + w + a > 0)
    n = c + w + a
    for t in (0, F(1, 2), F(9, 10)):
        assert hp.rescore(c, w, a, t) == hp.rescore(scale * c, scale * w, scale * a, t) \
            == hp.rescore(F(c, n), F(w, n), F(a, n), t)
    assert hp.rescore(c, w, a) == F(c, n)


@given(evaluations(), targets)
def test_evaluation_score_matches_definition(case, t):
    """The realized score: mean over questions of 1 (answered, right), -penalty (answered,
    wrong), 0 (abstained)."""
    _, correct, answered = case
    lost = t / (1 - t)
    want = sum(((F(1) if ok else -lost) for ok, ans in zip(correct, answered) if ans), F(0))
    assert hp.evaluation_score(correct, answered, t) == want / len(correct)


@given(evaluations(), targets)
def test_expected_evaluation_score_matches_definition(case, t):
    """Expected score = mean over answered questions of expected_score(q_i, t), 0 elsewhere."""
    q, _, answered = case
    want = sum((hp.expected_score(qi, t) for qi, ans in zip(q, answered) if ans), F(0)) / len(q)
    assert hp.expected_evaluation_score(q, answered, t) == want


@given(evaluations(), st.lists(targets, min_size=1, max_size=6))
def test_policy_is_optimal_for_every_target_at_once(case, ts):
    """Behavioral calibration: 'answer iff q > t' has the largest expected score among all
    answer/abstain patterns, for every t simultaneously."""
    q, _, other = case
    for t in ts:
        best = hp.expected_evaluation_score(q, hp.answer_policy(q, t), t)
        assert best >= hp.expected_evaluation_score(q, other, t)
        assert best >= 0


def test_printed_reverse_rule_is_not_optimal():
    """The rule as printed in reverse ('IDK where confidence is greater than the target',
    i.e. answer iff q <= t) is strictly worse: one question with q = 9/10 at t = 1/2."""
    q, t = [F(9, 10)], F(1, 2)
    reverse = ~hp.answer_policy(q, t)
    assert hp.expected_evaluation_score(q, reverse, t) == 0
    assert hp.expected_evaluation_score(q, hp.answer_policy(q, t), t) == F(4, 5)


@given(evaluations(), st.lists(targets, min_size=1, max_size=6))
def test_threshold_audit_matches_loops(case, ts):
    """threshold_audit counts, for each t, the right, wrong and abstained answers of the
    policy 'answer iff q > t', as a loop over the questions does."""
    q, correct, _ = case
    audit = hp.threshold_audit(q, correct, ts)
    for i, t in enumerate(ts):
        answered = [qi > t for qi in q]
        right = sum(1 for a, ok in zip(answered, correct) if a and ok)
        wrong = sum(1 for a, ok in zip(answered, correct) if a and not ok)
        assert (audit["correct"][i], audit["wrong"][i], audit["abstained"][i]) == (
            right, wrong, len(q) - right - wrong)


@given(st.lists(st.tuples(st.floats(0, 1), st.booleans()), min_size=1, max_size=12),
       st.lists(st.floats(0, 0.999), min_size=1, max_size=6))
def test_threshold_audit_floats_match_loops(questions, ts):
    """The float path of threshold_audit agrees with the loop count exactly."""
    q = np.array([x for x, _ in questions])
    correct = np.array([ok for _, ok in questions], dtype=bool)
    audit = hp.threshold_audit(q, correct, ts)
    for i, t in enumerate(ts):
        right = int(np.count_nonzero((q > t) & correct))
        wrong = int(np.count_nonzero((q > t) & ~correct))
        assert (audit["correct"][i], audit["wrong"][i]) == (right, wrong)


def test_audit_separates_calibrated_from_overconfident():
    """Seeded simulation, 4000 questions, significance 1%: a model whose confidences are its
    true chances has accuracy among answered questions significantly above t at
    t = 0.1, ..., 0.8 (binomial test against t, one-sided), while a model reporting
    chance ** (1/3) is significantly below t at some of those t."""
    rng = np.random.default_rng(2025)
    chance = rng.beta(2, 2, size=4000)
    correct = rng.random(4000) < chance
    ts = [i / 10 for i in range(1, 9)]
    calibrated = hp.threshold_audit(chance, correct, ts)
    over = hp.threshold_audit(chance ** (1 / 3), correct, ts)
    for i, t in enumerate(ts):
        right = int(calibrated["correct"][i])
        answered = right + int(calibrated["wrong"][i])
        assert binomtest(right, answered, t, alternative="greater").pvalue < 0.01
    assert any(
        binomtest(int(over["correct"][i]), int(over["correct"][i] + over["wrong"][i]), t,
                  alternative="less").pvalue < 0.01
        for i, t in enumerate(ts))


@given(st.tuples(counts, counts, counts), st.tuples(counts, counts, counts))
def test_crossover_target_flips_the_ranking(first, second):
    """At t* = crossover_target the two scores are equal, and the sign of their difference
    just below t* is the opposite of the sign just above; None means no flip in [0, 1)."""
    assume(sum(first) > 0 and sum(second) > 0)

    def gap(t):
        return hp.rescore(*first, t) - hp.rescore(*second, t)

    t_star = hp.crossover_target(first, second)
    if t_star is None:
        signs = {sign(gap(F(i, 100))) for i in range(100)}
        assert len(signs - {0}) <= 1
        return
    assert 0 <= t_star < 1 and gap(t_star) == 0
    above = gap((t_star + 1) / 2)
    assert above != 0
    if t_star > 0:
        assert sign(gap(t_star / 2)) == -sign(above)


def test_crossover_matches_sympy():
    """crossover_target agrees with sympy's solution s* = (a1 - a2)/(w1 - w2), t* = s*/(1+s*)."""
    (a1, w1, a2, w2), s = grading.crossover_penalty_expression()
    first, second = (F(24, 100), F(75, 100), F(1, 100)), (F(22, 100), F(26, 100), F(52, 100))
    s_star = s.subs({a1: sp.Rational(24, 100), w1: sp.Rational(75, 100),
                     a2: sp.Rational(22, 100), w2: sp.Rational(26, 100)})
    assert hp.crossover_target(first, second) == F(str(s_star / (1 + s_star)))


# --- published data ---------------------------------------------------------------------------


def test_table2_data():
    """Table 2: ten benchmarks, nine binary, nine with no IDK credit; WildBench (partial credit,
    not binary) is the one exception; every footnote marker is explained."""
    rows = hp.benchmark_table()
    assert len(rows) == 10 and len({r.name for r in rows}) == 10
    assert [r.name for r in rows if not r.binary_grading] == ["WildBench"]
    assert [r.name for r in rows if r.idk_credit != "none"] == ["WildBench"]
    notes = hp.benchmark_footnotes()
    assert {r.footnote for r in rows} - {""} <= set(notes)
    assert "*" in notes and any(r.lm_graded for r in rows)
    assert all(r.source for r in rows)


def test_simpleqa_data():
    """Rates are Fractions in [0, 1] that add up to 1; where the source prints no abstention
    it is 1 - accuracy - hallucination rate; every row names a source."""
    results = hp.simpleqa_results()
    assert len({r.model for r in results}) == len(results) == 7
    for r in results:
        assert all(isinstance(x, F) and 0 <= x <= 1 for x in r.rates)
        assert r.source
        if r.abstention_derived:
            assert r.printed[2] is None and r.abstained == 1 - r.correct - r.wrong
        else:
            assert r.correct + r.wrong + r.abstained == 1
    by_model = {r.model: r for r in results}
    assert by_model["gpt-5-thinking-mini"].printed == ("22%", "26%", "52%")
    assert by_model["GPT-4o"].printed == ("0.38", "0.61", None)


def test_published_ranking_flips():
    """o4-mini leads gpt-5-thinking-mini under binary grading (24% vs 22%) and trails it
    for every t above t* = s*/(1 + s*), s* = (24 - 22)/(75 - 26)."""
    by_model = {r.model: r for r in hp.simpleqa_results()}
    o4, gpt5 = by_model["o4-mini"].rates, by_model["gpt-5-thinking-mini"].rates
    s_star = F(24 - 22, 75 - 26)
    t_star = s_star / (1 + s_star)
    assert hp.crossover_target(o4, gpt5) == t_star
    assert hp.rescore(*o4) > hp.rescore(*gpt5)
    for t in (t_star + F(1, 1000), F(1, 2), F(3, 4), F(9, 10)):
        assert hp.rescore(*o4, t) < hp.rescore(*gpt5, t)


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("t", [-0.1, 1, 1.0, 1.5, F(3, 2), float("nan"), float("inf")])
def test_bad_target_refused(t):
    """t outside [0, 1), NaN or infinite: ValueError naming t."""
    for call in (lambda: hp.penalty(t), lambda: hp.expected_score(F(1, 2), t),
                 lambda: hp.rescore(1, 1, 1, t), lambda: hp.answer_policy([0.5], t)):
        with pytest.raises(ValueError, match=r"^t must"):
            call()


@pytest.mark.parametrize("t", ["0.5", None, True, 0.5j])
def test_target_of_wrong_type_refused(t):
    """A string, None, a bool or a complex number as t: TypeError naming t."""
    with pytest.raises(TypeError, match=r"^t must"):
        hp.penalty(t)


@pytest.mark.parametrize("q", [-0.1, 1.1, F(3, 2), float("nan"), float("inf")])
def test_bad_confidence_refused(q):
    """q outside [0, 1] or NaN: ValueError naming q."""
    with pytest.raises(ValueError, match=r"^q must"):
        hp.expected_score(q, F(1, 2))


def test_bad_counts_refused():
    """Negative or NaN counts, or all zero: ValueError naming the count."""
    with pytest.raises(ValueError, match="^wrong must be >= 0"):
        hp.rescore(1, -1, 0)
    with pytest.raises(ValueError, match="^abstained must be finite"):
        hp.rescore(1, 1, float("nan"))
    with pytest.raises(ValueError, match="must be positive"):
        hp.rescore(0, 0, 0)
    with pytest.raises(TypeError, match="^correct must be a real number"):
        hp.rescore("22%", 1, 1)
    with pytest.raises(ValueError, match="^first must be"):
        hp.crossover_target((1, 2), (1, 2, 3))


def test_bad_per_question_inputs_refused():
    """Confidences outside [0, 1], NaN, empty, 2-D or non-numeric; masks that are not boolean
    or of the wrong length; thresholds outside [0, 1) or none: errors naming the argument."""
    with pytest.raises(ValueError, match="^confidences: entry 1 is 1.5"):
        hp.answer_policy([0.5, 1.5], 0.5)
    with pytest.raises(ValueError, match="^confidences: entry 0 is nan"):
        hp.answer_policy([float("nan")], 0.5)
    with pytest.raises(ValueError, match="^confidences: entry 0 is"):
        hp.answer_policy([F(-1, 2)], 0)
    with pytest.raises(ValueError, match="^confidences must be a non-empty 1-D"):
        hp.answer_policy([], 0.5)
    with pytest.raises(ValueError, match="^confidences must be a non-empty 1-D"):
        hp.answer_policy([[0.5]], 0.5)
    with pytest.raises(TypeError, match="^confidences"):
        hp.answer_policy([True, False], 0.5)
    with pytest.raises(TypeError, match="^confidences: entry 1"):
        hp.answer_policy(np.array([F(1, 2), 0.5], dtype=object), 0.5)
    with pytest.raises(TypeError, match="^answered must be a boolean"):
        hp.expected_evaluation_score([0.5], [1], 0.5)
    with pytest.raises(ValueError, match="^correct has shape"):
        hp.evaluation_score([True], [True, False], 0.5)
    with pytest.raises(ValueError, match="^answered is not a rectangular array"):
        hp.evaluation_score([True, False], [[True], [True, False]], 0.5)
    with pytest.raises(ValueError, match="^thresholds must be in"):
        hp.threshold_audit([0.5], [True], [0.5, 1.0])
    with pytest.raises(ValueError, match="^thresholds must hold"):
        hp.threshold_audit([0.5], [True], [])


@pytest.mark.result("Observation 1", kind="validation",
                    functions=["Problem", "check_binary_grader", "expected_scores", "optimal_responses",
                               "random_binary_beliefs"])
def test_bad_problems_and_graders_refused():
    """Problems without answers, with duplicate responses or stray abstentions; graders that are
    not binary, incomplete or over other responses; beliefs that are not distributions."""
    with pytest.raises(ValueError, match="^responses must contain a response"):
        hp.Problem("c", ("IDK",), {"IDK"})
    with pytest.raises(ValueError, match="^responses must be distinct"):
        hp.Problem("c", ("a", "a"), set())
    with pytest.raises(ValueError, match="^responses must not be empty"):
        hp.Problem("c", (), set())
    with pytest.raises(ValueError, match="^abstentions: 'IDK'"):
        hp.Problem("c", ("a",), {"IDK"})
    problem = hp.Problem("c", ("a", "b", "IDK"), {"IDK"})
    with pytest.raises(ValueError, match="^correct must name"):
        problem.binary_grader(set())
    with pytest.raises(ValueError, match="^correct: 'IDK' is not an answer"):
        problem.binary_grader({"IDK"})
    bad_graders = {
        "scores 2": {"a": 2, "b": 0, "IDK": 0},
        "abstention 'IDK' scores 1": {"a": 1, "b": 0, "IDK": 1},
        "no response scores 1": {"a": 0, "b": 0, "IDK": 0},
        "scores -1": problem.target_grader({"a"}, F(1, 2)),
    }
    for message, grader in bad_graders.items():
        with pytest.raises(ValueError, match=f"^grader is not binary: .*{message}"):
            hp.check_binary_grader(problem, grader)
    with pytest.raises(ValueError, match="^grader gives no score to response 'IDK'"):
        hp.check_binary_grader(problem, {"a": 1, "b": 0})
    with pytest.raises(ValueError, match="^grader scores 'c'"):
        hp.check_binary_grader(problem, {"a": 1, "b": 0, "IDK": 0, "c": 0})
    with pytest.raises(TypeError, match="^grader must be a mapping"):
        hp.check_binary_grader(problem, [1, 0, 0])
    with pytest.raises(ValueError, match=r"^grader\['a'\] must be finite"):
        hp.check_binary_grader(problem, {"a": float("nan"), "b": 0, "IDK": 0})
    good = [problem.binary_grader({"a"}), problem.binary_grader({"b"})]
    with pytest.raises(ValueError, match="^beliefs must sum to 1"):
        hp.expected_scores(problem, good, [F(1, 2), F(1, 3)])
    with pytest.raises(ValueError, match="^beliefs: entry 0"):
        hp.optimal_responses(problem, good, [F(-1, 2), F(3, 2)])
    with pytest.raises(ValueError, match="^beliefs has 1 entries, but there are 2 graders"):
        hp.expected_scores(problem, good, [1])
    with pytest.raises(ValueError, match=r"^graders\[1\] is not binary"):
        hp.expected_scores(problem, [good[0], {"a": 1, "b": 0, "IDK": 1}], [F(1, 2), F(1, 2)])
    with pytest.raises(TypeError, match="^problem must be a Problem"):
        hp.expected_scores("c", good, [F(1, 2), F(1, 2)])
    with pytest.raises(ValueError, match="^n_graders must be"):
        hp.random_binary_beliefs(problem, np.random.default_rng(0), 0)


# --- edge cases of the per-question and published-data paths --------------------------------


def test_answer_policy_abstains_at_the_tie_and_takes_integer_confidences():
    """q = t is a tie and the policy abstains; integer confidences are the floats 0.0 and 1.0."""
    assert hp.answer_policy([F(1, 2), F(3, 4)], F(1, 2)).tolist() == [False, True]
    assert hp.answer_policy([0.5, 0.25], 0.5).tolist() == [False, False]
    assert hp.answer_policy(np.array([0, 1]), 0.5).tolist() == hp.answer_policy([0.0, 1.0], 0.5).tolist()
    with pytest.raises(TypeError, match=r"^confidences must hold real numbers, got dtype <U3$"):
        hp.answer_policy(["0.5"], 0.5)
    with pytest.raises(TypeError, match=r"^confidences: entry 1 is float; exact arrays need "
                                        r"int or Fraction entries$"):
        hp.answer_policy(np.array([F(1, 2), 0.5], dtype=object), 0.5)


def test_mask_errors_name_their_argument():
    """A non-boolean answered (evaluation_score) or correct (threshold_audit) mask is refused by name."""
    with pytest.raises(TypeError, match="^answered must be a boolean array"):
        hp.evaluation_score([True], [1], 0.5)
    with pytest.raises(TypeError, match="^correct must be a boolean array"):
        hp.threshold_audit([0.5], [1], [0.5])


def test_expected_evaluation_score_when_everything_is_abstained():
    """With every question abstained the expected score is 0: a Fraction exactly, a float for floats."""
    exact = hp.expected_evaluation_score([F(1, 2), F(1, 3)], [False, False], F(1, 2))
    assert isinstance(exact, F) and exact == 0
    floats = hp.expected_evaluation_score([0.5], [False], 0.5)
    assert isinstance(floats, float) and floats == 0


def test_threshold_audit_compares_exact_thresholds_exactly():
    """Exact confidences are compared with exact thresholds: q = 1/3 is abstained at t = 1/3
    (the float 1/3 is below 1/3, so a float comparison would answer)."""
    audit = hp.threshold_audit([F(1, 3), F(2, 3)], [True, False], [F(1, 3)])
    assert (audit["correct"].tolist(), audit["wrong"].tolist(), audit["abstained"].tolist()) == (
        [0], [1], [1])
    assert float(F(1, 3)) < F(1, 3)
    assert all(v.dtype.kind == "i" for v in audit.values())
    # float confidences against exact thresholds: the float 0.1 is above 1/10, as in answer_policy
    for q, t in (([0.1, 0.5], F(1, 10)), ([F(1, 3), F(1, 2)], 1 / 3)):
        audit = hp.threshold_audit(q, [True, True], [t])
        assert audit["correct"][0] == np.count_nonzero(hp.answer_policy(q, t)) == 2


def test_crossover_at_binary_grading():
    """Equal accuracies, different error rates: the scores tie at t = 0 exactly, so t* = 0; the
    second result must be a triple too."""
    first, second = (2, 1, 1), (2, 2, 0)
    assert hp.rescore(*first) == hp.rescore(*second)
    assert hp.rescore(*first, F(1, 2)) != hp.rescore(*second, F(1, 2))
    assert hp.crossover_target(first, second) == 0
    with pytest.raises(ValueError, match=r"^second must be \(correct, wrong, abstained\)"):
        hp.crossover_target((1, 2, 3), (1, 2))


def test_random_binary_beliefs_weights_and_graders():
    """Weights are integers in [0, max_weight] (default 10), normalised; all-zero weights become a
    single weight 1; graders mark random non-empty subsets (not always all answers)."""
    problem = hp.Problem("c", ("a", "b", "c", "IDK"), {"IDK"})
    assert hp.random_binary_beliefs(problem, np.random.default_rng(3), 4) == \
        hp.random_binary_beliefs(problem, np.random.default_rng(3), 4, max_weight=10)
    rng = np.random.default_rng(11)
    saw_zero, saw_strict_subset = False, False
    for _ in range(30):
        graders, beliefs = hp.random_binary_beliefs(problem, rng, 3, max_weight=1)
        nonzero = {b for b in beliefs if b}
        assert len(nonzero) == 1 and sum(beliefs) == 1  # weights in {0, 1}: equal nonzero beliefs
        saw_zero |= 0 in beliefs
        saw_strict_subset |= any(sum(g.values()) < len(problem.answers) for g in graders)
        _, one_hot = hp.random_binary_beliefs(problem, rng, 3, max_weight=0)
        assert sorted(one_hot) == [0, 0, 1]
    assert saw_zero and saw_strict_subset
    graders, beliefs = hp.random_binary_beliefs(problem, rng, 1)
    assert len(graders) == 1 and beliefs == [1]
    with pytest.raises(ValueError, match="^n_graders must be a positive integer, got True"):
        hp.random_binary_beliefs(problem, rng, True)
    with pytest.raises(TypeError, match="^problem must be a Problem, got str$"):
        hp.random_binary_beliefs("c", rng, 2)


def test_sympy_symbols_and_solutions():
    """The sympy helpers use the documented symbols: k positive (penalty), a_1, w_1, a_2, w_2 real
    (crossover), and return the solutions derived by hand."""
    k, solutions = grading.confidence_for_penalty()
    assert k == sp.Symbol("k", positive=True)
    assert solutions == [k / (k + 1)]
    symbols, s = grading.crossover_penalty_expression()
    a1, w1, a2, w2 = sp.symbols("a_1 w_1 a_2 w_2", real=True)
    assert symbols == (a1, w1, a2, w2)
    assert sp.simplify(s - (a1 - a2) / (w1 - w2)) == 0
    q, t, score = grading.expected_score_expression()
    assert (q, t) == sp.symbols("q t", real=True)
    assert sp.expand(score - (q - (1 - q) * t / (1 - t))) == 0


def test_printed_rate_parsing():
    """'22%' and '0.22' are both 11/50, with the rounding unit of the last printed digit; a rate
    outside [0, 1] is refused, naming the field; 0 and 1 themselves are rates."""
    assert grading._printed_rate("22%", "f") == (F(11, 50), F(1, 100))
    assert grading._printed_rate(" 0.22 ", "f") == (F(11, 50), F(1, 100))
    assert grading._printed_rate("12.5%", "f") == (F(1, 8), F(1, 1000))
    assert grading._printed_rate("0.5", "f") == (F(1, 2), F(1, 10))
    for text in ("0%", "0", "100%", "1"):
        value, _ = grading._printed_rate(text, "f")
        assert value == (0 if text.startswith("0") else 1)
    for text in ("101%", "1.5"):
        with pytest.raises(ValueError, match=rf"^f must be a rate in \[0, 1\], got '{text}'$"):
            grading._printed_rate(text, "f")


def simpleqa_rows(monkeypatch, *rows):
    """simpleqa_results() read from the given (model, correct, wrong, abstained) rows."""
    data = [{"model": m, "correct": c, "wrong": w, "abstained": a, "source": "s", "quoted_in": "q",
             "note": ""} for m, c, w, a in rows]
    monkeypatch.setattr(grading, "_read_csv", lambda name: data)
    return hp.simpleqa_results()


def test_simpleqa_rounding_tolerance(monkeypatch):
    """Printed rates may miss 1 by half the sum of their rounding units, and no more."""
    (derived,) = simpleqa_rows(monkeypatch, ("m", "51%", "50%", ""))  # 1.01: 1/100 over, allowed
    assert derived.abstained == 0 and derived.abstention_derived is True
    (derived,) = simpleqa_rows(monkeypatch, ("m", "0.51", "0.5", ""))  # units 1/100 and 1/10
    assert derived.abstained == 0
    with pytest.raises(ValueError, match="^m: correct \\+ wrong exceeds 1 beyond rounding$"):
        simpleqa_rows(monkeypatch, ("m", "51%", "51%", ""))
    # units 1/10, 1/100, 1/100: the sum may miss 1 by up to 6/100
    (printed,) = simpleqa_rows(monkeypatch, ("m", "0.5", "0.33", "0.23"))
    assert printed.abstention_derived is False and printed.abstained == F(23, 100)
    (printed,) = simpleqa_rows(monkeypatch, ("m", "0.5", "0.33", "0.17"))
    assert printed.rates == (F(1, 2), F(33, 100), F(17, 100))
    with pytest.raises(ValueError, match="^m: the three rates do not add up to 1 within rounding$"):
        simpleqa_rows(monkeypatch, ("m", "0.5", "0.33", "0.24"))
    for i, field in enumerate(("correct", "wrong", "abstained")):
        row = ["10%", "10%", "80%"]
        row[i] = "150%"
        with pytest.raises(ValueError, match=rf"^m: {field} must be a rate in \[0, 1\], got '150%'$"):
            simpleqa_rows(monkeypatch, ("m", *row))


def test_data_files_match_the_csv():
    """benchmark_table and simpleqa_results carry every field of their CSV files (read here with
    the csv module), with yes/no as booleans and abstention_derived True exactly when blank."""
    import csv
    from importlib import resources

    def rows(name):
        path = resources.files("hallu_proofs") / "data" / name
        with path.open(encoding="utf-8", newline="") as f:
            return list(csv.DictReader(f))

    table = rows("table2_benchmarks.csv")
    assert [(b.name, b.scoring_method, b.lm_graded, b.binary_grading, b.idk_credit, b.footnote,
             b.source) for b in hp.benchmark_table()] == [
        (r["benchmark"], r["scoring_method"], r["lm_graded"] == "yes", r["binary_grading"] == "yes",
         r["idk_credit"], r["footnote"], r["source"]) for r in table]
    results = hp.simpleqa_results()
    for r, raw in zip(results, rows("simpleqa_rates.csv"), strict=True):
        assert r.abstention_derived is (raw["abstained"].strip() == "")
        assert (r.model, r.source, r.quoted_in, r.note) == (raw["model"], raw["source"],
                                                           raw["quoted_in"], raw["note"])


def test_problem_graders_and_expected_scores_by_hand():
    """A target grader scores 1, -t/(1-t), 0; Problem stores a tuple and a frozenset; expected
    scores in floats are the weighted sums, and the binary check is on by default."""
    problem = hp.Problem("capital?", ["Canberra", "Sydney", "IDK"], ["IDK"])
    assert problem.responses == ("Canberra", "Sydney", "IDK") and problem.abstentions == frozenset({"IDK"})
    assert problem.target_grader({"Canberra"}, F(3, 4)) == {"Canberra": 1, "Sydney": -3, "IDK": 0}
    graders = [problem.binary_grader({"Canberra"}), problem.binary_grader({"Sydney"})]
    scores = hp.expected_scores(problem, graders, [0.75, 0.25])
    assert scores == {"Canberra": 0.75, "Sydney": 0.25, "IDK": 0.0}
    assert all(type(v) is float for v in scores.values())
    targets = [problem.target_grader({"Canberra"}, F(1, 2)), problem.target_grader({"Sydney"}, F(1, 2))]
    with pytest.raises(ValueError):
        hp.optimal_responses(problem, targets, [F(3, 4), F(1, 4)])
    assert hp.optimal_responses(problem, targets, [F(3, 4), F(1, 4)], binary=False) == {"Canberra"}
    assert hp.optimal_responses(problem, targets, [F(1, 2), F(1, 2)], binary=False) == set(problem.responses)
