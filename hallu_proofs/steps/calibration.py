"""Proof steps of the chapter book/calibration.md (see `hallu_proofs.steps`).

>>> [step.number for step in STEPS["Rescaling identity"]]
['1', '2', '3', '4', '5']
"""

from . import Step

_T = "tests/test_steps_calibration.py::"

STEPS = {
    "Rescaling identity": (
        Step("1", "log p_hat_s(r|c) = log p_hat(r|c) + [r in A_c] log s - log Z_c(s)", "symbolic",
             tests=(_T + "test_rescaling_step1_log_of_the_rescaled_model",)),
        Step("2", "L(p_hat_s) = L(p_hat) - p(A) log s + sum_c mu(c) log Z_c(s), on prompted "
                  "tables built from the definition of p_hat_s", "symbolic",
             tests=(_T + "test_rescaling_step2_loss_decomposition_with_prompts",)),
        Step("3", "Z_c(s) = 1 + (s - 1) p_hat(A_c|c) and the closed form of dL/ds at every s; the "
                  "library's closed form equals sympy.diff of the loss on random exact instances",
             "symbolic", tests=(_T + "test_rescaling_step3_normaliser_and_its_derivative",
                                _T + "test_rescaling_closed_form_is_the_derivative_of_the_loss")),
        Step("4", "at s = 1 the derivative is p_hat(A) - p(A), whose absolute value is delta "
                  "(symbolic tables; sympy.diff of the loss of random exact instances)",
             "symbolic", tests=(_T + "test_rescaling_step4_value_at_one",
                                _T + "test_rescaling_derivative_at_one_is_the_signed_gap")),
        Step("5", "a differentiable function whose derivative at an interior point is not 0 has "
                  "no local minimum there", "cited",
             citation="Fermat's interior-extremum theorem, e.g. Rudin, Principles of "
                      "Mathematical Analysis (3rd ed., 1976), Theorem 5.8",
             tests=(_T + "test_rescaling_step5_a_nonzero_slope_lowers_the_loss",)),
    ),
    "Uniform model is calibrated": (
        Step("1", "within a prompt the uniform model's responses share one probability, so "
                  "R_c lies wholly in A_t or outside it", "exact_random",
             tests=(_T + "test_uniform_step1_all_or_nothing",)),
        Step("2", "p_hat(A_t) = p(A_t) = sum of mu(c) over the prompts whose R_c lies in A_t",
             "exact_random", tests=(_T + "test_uniform_step2_both_masses_are_mu_of_s",)),
        Step("3", "delta_t = 0 for every t; at t = 1/min_c|E_c| the set A is empty",
             "exact_random",
             tests=(_T + "test_uniform_step3_delta_zero_and_empty_at_the_paper_threshold",)),
    ),
    "One threshold against all levels": (
        Step("1", "the level gaps g_v = p_hat(S_v) - p(S_v) sum to 0", "exact_random",
             tests=(_T + "test_levels_step1_gaps_sum_to_zero",)),
        Step("2", "delta_t <= sum_{v > t} |g_v| and delta_t <= sum_{v <= t} |g_v|, so "
                  "2 delta_t <= sum_v |g_v|", "exact_random",
             tests=(_T + "test_levels_step2_each_side_bounds_delta",)),
        Step("3", "equality when the gaps change sign at t: 2 delta = 4/5 = level-set error on "
                  "the witness (the only instance the claim is about)", "exhaustive",
             tests=(_T + "test_levels_step3_equality_on_the_witness",)),
        Step("4", "no converse: delta = 0 with a positive level-set error, on the stated "
                  "instance", "exhaustive", tests=(_T + "test_levels_step4_no_converse",)),
    ),
    "Models that never err": (
        Step("1", "err = 0 in Theorem 1 gives delta >= 2 err_iiv - k/K", "exact_random",
             tests=(_T + "test_never_errs_step1_theorem1_with_err_zero",)),
        Step("2", "the database model puts mass 1 on one valid response per prompt, above 1/K: "
                  "p_hat(A) = 1 and no error in A", "exact_random",
             tests=(_T + "test_never_errs_steps_2_to_5_database_model",)),
        Step("3", "err_iiv = D(B ∩ V) = p(B)/2 and delta = 1 - p(A) = p(B)", "exact_random",
             tests=(_T + "test_never_errs_steps_2_to_5_database_model",)),
        Step("4", "p(B) = sum_known mu(c)(1 - alpha_c) + sum_unknown mu(c) alpha_c",
             "exact_random", tests=(_T + "test_never_errs_steps_2_to_5_database_model",)),
        Step("5", "the bound of Theorem 1 is -k/K <= 0 = err", "exact_random",
             tests=(_T + "test_never_errs_steps_2_to_5_database_model",)),
    ),
}
