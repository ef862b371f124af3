"""Proof steps of the chapter book/iiv_reduction.md (see `hallu_proofs.steps`).

The symbolic steps run on tables of SymPy symbols built from the definitions
(`hallu_proofs.reduction.appendix_a_table`), for every valid/error pattern up to 3 prompts of up
to 4 responses (one prompt: up to 7), or, for the inequalities, for every size at once.

>>> [step.number for step in STEPS["Theorem 1"]]
['1', 'delta', '2', '3', '4a', '4b', '5', '6', 'whole']
"""

from . import Step

_T = "tests/test_steps_iiv_reduction.py::"

_TABLES = "on every valid/error pattern up to 3 prompts x 4 responses, symbolic mu, p, p_hat, A/B"

STEPS = {
    "Theorem 1": (
        Step("1", "err = p_hat(A \\ V) + p_hat(B \\ V) and err_iiv = D(A \\ V) + D(B ∩ V), "
                  + _TABLES, "symbolic",
             tests=(_T + "test_step1_split_err_and_err_iiv_by_the_threshold",)),
        Step("delta", "delta = |p_hat(A) - p(A)| = |p(B) - p_hat(B)| once p, p_hat and mu sum "
                      "to 1, " + _TABLES, "symbolic",
             tests=(_T + "test_delta_via_a_or_b",)),
        Step("2", "an error above 1/K has mu p_hat(r|c) - 2 D(c, r) = mu (1/K + eta - 1/(K + j)) "
                  "> 0 (every K, eta > 0, j >= 0), so p_hat(A \\ V) >= 2 D(A \\ V)", "symbolic",
             tests=(_T + "test_step2_errors_above_the_threshold",
                    _T + "test_a_wrong_definition_breaks_the_identities")),
        Step("3", "after step 2 the slack is [p_hat(A \\ V) - 2 D(A \\ V)] plus the slack of "
                  "Eq. (6), " + _TABLES, "symbolic",
             tests=(_T + "test_step3_what_remains",)),
        Step("4a", "2 D(B ∩ V) = p(B ∩ V) = p(B) (p(V) = 1) and sum_c mu(c) k/K = k/K, "
                   + _TABLES, "symbolic",
             tests=(_T + "test_step4_valid_mass_below_the_threshold",)),
        Step("4b", "b <= k valid slots below 1/K, each 1/K - eps_i: k/K - p_hat(B ∩ V_c|c) "
                   "= s/K + sum eps_i >= 0 (every b, s, K)", "symbolic",
             tests=(_T + "test_step4_at_most_k_over_k",)),
        Step("5", "2 D(B ∩ V) - p_hat(B \\ V) = (p(B) - p_hat(B)) + p_hat(B ∩ V) on tables, and "
                  "p(B) - p_hat(B) <= |p(B) - p_hat(B)| = delta (|x| - x >= 0 by the sign of x)",
             "symbolic", tests=(_T + "test_step5_combine",)),
        Step("6", "err - (2 err_iiv - k/K - delta) = the three non-negative slack terms, a "
                  "polynomial identity " + _TABLES + "; it fails for a wrong D, err or "
                  "classifier error", "symbolic",
             tests=(_T + "test_step6_slack_is_the_three_terms",
                    _T + "test_a_wrong_definition_breaks_the_identities",
                    _T + "test_symbolic_table_computes_what_the_library_computes")),
        Step("whole", "the inequality as a whole for every real instance and every valid/error "
                      "pattern up to the sizes of hallu_proofs.smt.SIZES (z3)", "smt",
             tests=("tests/test_smt.py::test_smt_proves_theorem1",)),
    ),
    "Corollary 1": (
        Step("1", "one prompt: D is p/2 on V and 1/(2|E|) on E, the threshold is 1/|E| and "
                  "max_c|V_c|/min_c|E_c| = |V|/|E|, so Corollary 1 is Theorem 1 with m = 1",
             "exact_random", tests=(_T + "test_corollary1_is_theorem1_with_one_prompt",)),
        Step("2", "the identities of Theorem 1's steps 1, 4, 5 and 6 on every one-prompt pattern "
                  "with up to 7 responses", "symbolic",
             tests=(_T + "test_corollary1_steps_on_every_one_prompt_table",)),
        Step("3", "the inequalities of steps 2, 4 and 5 hold for every size (as for Theorem 1)",
             "symbolic", tests=(_T + "test_step2_errors_above_the_threshold",
                                _T + "test_step4_at_most_k_over_k", _T + "test_step5_combine")),
        Step("whole", "the inequality as a whole for every real one-prompt instance up to the "
                      "size of hallu_proofs.smt.SIZES (z3)", "smt",
             tests=("tests/test_smt.py::test_smt_proves_corollary1",)),
    ),
    "Theorem 1 with per-prompt thresholds": (
        Step("1", "steps 1, 4, 5 and 6 with A' = {p_hat(r|c) > 1/|E_c|} and "
                  "sum_c mu(c)|V_c|/|E_c| in place of k/K: the identities hold for any split "
                  "into accepted and rejected slots, " + _TABLES, "symbolic",
             tests=(_T + "test_per_prompt_identities",)),
        Step("2", "steps 2 and 4 at the prompt's own |E_c| (j = 0; b + s = |V_c|)", "symbolic",
             tests=(_T + "test_per_prompt_pointwise_steps",)),
        Step("3", "err >= 2 err_iiv' - sum_c mu(c)|V_c|/|E_c| - delta' on random exact instances",
             "exact_random", tests=(_T + "test_per_prompt_variant_holds",)),
    ),
}
