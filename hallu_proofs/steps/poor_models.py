"""Proof steps of the chapter book/poor_models.md (see `hallu_proofs.steps`).

The symbolic steps build the Is-It-Valid weights, the row sums of p_hat and Pr_t[f_t = +] from
the definitions, for a list of table shapes, and tie the symbolic terms to the library at exact
random points (tests/test_steps_poor_models.py). A step that concludes the whole inequality also
names the SMT proof of it for every real instance up to a size (tests/test_smt.py).
"""

from . import Step

_T = "tests/test_steps_poor_models.py::"
_S = "tests/test_smt.py::"  # the SMT proofs of whole inequalities, for the concluding steps

STEPS = {
    "Poor-model inequality": (
        Step("1", "Theorem 1's classifier is g_{theta,t} with t = 1/min_c|E_c|, a member of G",
             "exact_random", tests=(_T + "test_poor_model_step1_theorem1_classifier_is_a_member",)),
        Step("2", "a minimum is at most any member: err_iiv >= opt(G)", "exact_random",
             tests=(_T + "test_poor_model_step2_opt_is_at_most_err_iiv",)),
        Step("3", "Theorem 1's bound, with err_iiv replaced by the smaller opt(G)", "smt",
             tests=(_S + "test_smt_proves_poor_model",
                    _T + "test_poor_model_step3_replace_err_iiv_by_opt")),
    ),
    "Theorem 4": (
        Step("1", "some t has err_iiv(f_t) at most the average over t ~ U[0,1], so Eq. (11) "
             "suffices", "smt",
             tests=(_S + "test_smt_proves_theorem4",
                    _T + "test_theorem4_step1_some_threshold_is_at_most_the_average")),
        Step("2", "Pr_t[f_t(c, r) = +] = Pr_t[t < p_hat(r|c)] = p_hat(r|c)", "symbolic",
             tests=(_T + "test_theorem4_step2_probability_above_threshold_is_q",
                    _T + "test_theorem4_step2_on_instances")),
        Step("3", "expected false positives = (1/2) sum_c mu(c) sum_{E_c} p_hat/|E_c| "
             "<= err / (2(C - 1))", "symbolic",
             tests=(_T + "test_theorem4_step3_false_positives",)),
        Step("4", "expected false negatives = (1/2) sum_c mu(c) (1 - p_hat(a_c|c)) = err / 2",
             "symbolic", tests=(_T + "test_theorem4_step4_false_negatives",)),
        Step("5", "adding: E_t err_iiv <= C/(2(C - 1)) err, i.e. Eq. (11) with 2(1 - 1/C)",
             "symbolic", tests=(_T + "test_theorem4_step5_sum_and_rearrangement",)),
    ),
    "Theorem 3": (
        Step("1", "f_t of Theorem 4 is g_{theta,t} in G, so err_iiv(f_t) >= opt(G)",
             "exact_random", tests=(_T + "test_theorem3_step1_f_t_is_in_the_family",)),
        Step("2", "err >= 2(1 - 1/C) err_iiv(f_t) >= 2(1 - 1/C) opt(G)", "smt",
             tests=(_S + "test_smt_proves_theorem3", _T + "test_theorem3_step2_chain")),
    ),
    "Corollary 2": (
        Step("1", "an n-gram model with n <= 8 never sees the pronoun: p_hat(.|c_1) = "
             "p_hat(.|c_2)", "exact_random",
             tests=(_T + "test_corollary2_step1_trigram_rows_are_equal",)),
        Step("2", "every threshold misclassifies exactly half the D-mass: opt(G) = 1/2",
             "exhaustive", tests=(_T + "test_corollary2_step2_every_threshold_misclassifies_half",)),
        Step("3", "Theorem 3 with C = 2: err >= 2(1 - 1/2)(1/2) = 1/2; directly err = 1/2",
             "symbolic", tests=(_T + "test_corollary2_step3_value_one_half",)),
    ),
}
