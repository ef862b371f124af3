"""Proof steps of the chapter book/evaluation.md (see `hallu_proofs.steps`).

Besides Observation 1, the chapter proves two supporting results of the paper's Section 4.2,
named here "Confidence targets" (answering beats IDK exactly when q > t) and "Behavioral
calibration" (one rule is optimal for every target).
"""

from . import Step

_T = "tests/test_steps_evaluation.py::"

STEPS = {
    "Observation 1": (
        Step("1", "every binary grader gives 0 to every abstention, so abstentions score 0",
             "exhaustive", tests=(_T + "test_observation1_step1_abstentions_score_nothing",)),
        Step("2", "every binary grader gives 1 to some answer: sum over R_c minus A_c of g >= 1",
             "exhaustive", tests=(_T + "test_observation1_step2_every_binary_grader_accepts_an_answer",)),
        Step("3", "in expectation the sum is >= 1, so some answer scores >= 1/|R_c minus A_c| > 0",
             "exact_random",
             tests=(_T + "test_observation1_step3_some_answer_scores_at_least_one_over_the_answers",)),
        Step("4", "the maximum is positive and abstentions score 0: no abstention is optimal",
             "smt", tests=("tests/test_smt.py::test_smt_proves_observation1",
                           _T + "test_observation1_step4_no_abstention_is_optimal")),
    ),
    "Confidence targets": (
        Step("1", "expected score q - (1 - q) t/(1 - t) from the grader's payoffs", "exhaustive",
             tests=(_T + "test_confidence_step1_expected_score_from_the_payoffs",)),
        Step("2", "common denominator: the expected score is (q - t)/(1 - t)", "symbolic",
             tests=(_T + "test_confidence_step2_common_denominator",)),
        Step("3", "1 - t > 0, so the score has the sign of q - t", "symbolic",
             tests=(_T + "test_confidence_step3_sign_of_q_minus_t",)),
        Step("4", "at t = 0 the penalty vanishes and the score is q (binary grading)", "symbolic",
             tests=(_T + "test_confidence_step4_target_zero_is_binary_grading",)),
    ),
    "Behavioral calibration": (
        Step("1", "answering a set S scores (1/n) sum_{i in S} (q_i - t)/(1 - t)", "exact_random",
             tests=(_T + "test_behavioral_step1_score_of_a_set_is_the_sum_of_its_terms",)),
        Step("2", "the sum is largest when S holds exactly the questions with q_i > t",
             "exhaustive", tests=(_T + "test_behavioral_step2_answering_above_the_target_is_best",)),
        Step("3", "the rule uses t only as stated, so one model is optimal for every target",
             "exact_random", tests=(_T + "test_behavioral_step3_one_rule_for_every_target",)),
    ),
}
