"""Proof steps of the chapter book/arbitrary_facts.md (see `hallu_proofs.steps`).

>>> [step.number for step in STEPS["Birthday symmetrisation"]]
['1', '2', '3']
"""

from . import Step

_T = "tests/test_steps_arbitrary_facts.py::"
_MM = "tests/test_steps_missing_mass.py::"

STEPS = {
    "Birthday symmetrisation": (
        Step("1", "averaged over a uniform date, the missed valid answer I[f(c, a_c) = -] is "
                  "n_-/|R_c|", "symbolic",
             tests=(_T + "test_symmetrisation_symbolic",
                    _T + "test_symmetrisation_every_labelling_with_the_library")),
        Step("2", "averaged over a uniform date, the false alarms sum_{r != a_c} I[+]/(|R_c| - 1) "
                  "are n_+/|R_c|", "symbolic",
             tests=(_T + "test_symmetrisation_symbolic",
                    _T + "test_symmetrisation_every_labelling_with_the_library")),
        Step("3", "the average IIV error of the prompt is alpha/2 + (1 - alpha)((1 - y) + "
                  "n_+/|R_c|)/2 >= alpha/2", "symbolic",
             tests=(_T + "test_symmetrisation_symbolic",
                    _T + "test_symmetrisation_every_labelling_with_the_library")),
    ),
    "Lemma 2": (
        Step("1a", "Lemma 1 at gamma/2: ln(5/(gamma/2)) = ln(10/gamma)", "symbolic",
             tests=(_T + "test_lemma2_step1_constants",)),
        Step("1b", "N = 1: the right side is negative, as 6 ln(3/gamma) > 1", "symbolic",
             tests=(_T + "test_lemma2_step1_constants",)),
        Step("1c", "sqrt(ln(10/gamma)) <= ln(3N/gamma) for N >= 2", "symbolic",
             tests=(_T + "test_lemma2_step1_constants",)),
        Step("1d", "sqrt 2 + 4.42 <= 6", "symbolic", tests=(_T + "test_lemma2_step1_constants",)),
        Step("2a", "at most 1/zeta prompts have mu'(c) >= zeta", "smt",
             tests=(_T + "test_lemma2_heavy_prompts_at_most_one_over_zeta_smt",)),
        Step("2b", "a prompt is unanswered with probability (1 - mu'(c))^N <= e^(-zeta N) when "
                  "mu'(c) >= zeta", "exhaustive",
             tests=(_T + "test_lemma2_key_trick_conditional_law_every_training_set",
                    _MM + "test_one_minus_x_to_the_n_at_most_exp")),
        Step("2c", "union bound: (1/zeta) e^(-zeta N) = gamma/(3 ln(3N/gamma)) <= gamma/3",
             "symbolic", tests=(_T + "test_lemma2_zeta_hoeffding_and_budget",)),
        Step("3", "err_iiv >= sum_{c in U} mu'(c) g_c (answered prompts, the IDK term and "
                  "(mu - mu') times the false alarms dropped)", "exact_random",
             tests=(_T + "test_lemma2_step3_err_iiv_at_least_unseen_terms",)),
        Step("4a", "given the training set, the unseen facts (a_c), c in U, are independent and "
                   "uniform on R_c", "exhaustive",
             tests=(_T + "test_lemma2_key_trick_conditional_law_every_training_set",)),
        Step("4b", "for every labelling of R_c, the average of g_c over a_c is 1/2",
             "symbolic", tests=(_T + "test_lemma2_gamma_average_symbolic",
                                _T + "test_lemma2_key_trick_conditional_law_every_training_set")),
        Step("4c", "E[sum_U mu'(c) g_c | training set] = MM/2", "exhaustive",
             tests=(_T + "test_lemma2_key_trick_conditional_law_every_training_set",)),
        Step("5a", "Hoeffding's inequality for independent terms in [0, mu'(c)], applied given "
                   "the training set", "cited",
             citation="Hoeffding (1963), Theorem 2 [hoeffding1963]"),
        Step("5b", "on Eq. (8), sum_U mu'(c)^2 <= zeta sum_U mu'(c) <= zeta", "smt",
             tests=(_T + "test_lemma2_sum_of_squares_smt",)),
        Step("5c", "Hoeffding's exponent: exp(-2 t^2/zeta) = gamma/6 at "
                   "t = sqrt(zeta ln(6/gamma)/2)", "symbolic",
             tests=(_T + "test_lemma2_zeta_hoeffding_and_budget",)),
        Step("6", "sqrt(2 zeta ln(6/gamma)) <= ln(3N/gamma) sqrt(2/N) for N >= 2", "symbolic",
             tests=(_T + "test_lemma2_zeta_hoeffding_and_budget",)),
        Step("7", "failure budget gamma/3 + gamma/6 + gamma/2 = gamma, after averaging over the "
                  "training set", "symbolic", tests=(_T + "test_lemma2_zeta_hoeffding_and_budget",)),
    ),
    "Theorem 2": (
        Step("1", "max_c |V_c| = 2 and |E_c| = |R_c| - 1 in the Arbitrary Facts model",
             "exhaustive", tests=(_T + "test_theorem2_valid_sets_have_two_elements",)),
        Step("2", "Theorem 1 holds for every p_hat, so Lemma 2's event gives the lower bound",
             "exact_random", tests=(_T + "test_theorem2_theorem1_holds_on_facts_instances",)),
        Step("3", "6 ln(300 N) = 6 ln 300 + 6 ln N <= 35 + 6 ln N", "symbolic",
             tests=(_T + "test_theorem2_constants",)),
        Step("4", "the learner: p on answered prompts; on U, IDK w.p. 1 - alpha_c and "
                  "alpha_c/|R_c| on each response", "exhaustive",
             tests=(_T + "test_theorem2_learner_error_and_calibration_every_training_set",)),
        Step("5a", "its error is sum_U mu(c) alpha_c (|R_c| - 1)/|R_c|", "exhaustive",
             tests=(_T + "test_theorem2_learner_error_and_calibration_every_training_set",)),
        Step("5b", "(|R_c| - 1)/|R_c| <= L/(L + 1) when |R_c| <= L + 1", "symbolic",
             tests=(_T + "test_theorem2_constants",)),
        Step("6", "Lemma 1 with 5 >= 4.42: L/(L+1)(sr + e) <= sr - sr/(L+1) + e", "symbolic",
             tests=(_T + "test_theorem2_constants",)),
        Step("7", "5 sqrt(ln 500) <= 13", "symbolic", tests=(_T + "test_theorem2_constants",)),
        Step("8", "delta_z = 0 at every threshold z", "exhaustive",
             tests=(_T + "test_theorem2_learner_error_and_calibration_every_training_set",)),
    ),
}
