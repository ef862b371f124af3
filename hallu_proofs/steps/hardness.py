"""Proof steps of the chapter book/hardness.md (see `hallu_proofs.steps`)."""

from . import Step

_T = "tests/test_steps_hardness.py::"

STEPS = {
    "Observation 2": (
        Step("1", "not beta-breaking means err_iiv > (1 - beta)/2, i.e. 2 err_iiv > 1 - beta",
             "exhaustive",
             tests=(_T + "test_observation2_step1_not_breaking_means_twice_err_iiv_exceeds_one_"
                    "minus_beta",)),
        Step("2", "Theorem 1 with max_c|V_c| = 2 and min_c|E_c| = |M| - 1: err >= 2 err_iiv - "
             "2/(|M| - 1) - delta", "exact_random",
             tests=(_T + "test_observation2_step2_theorem1_on_the_decryption_prompts",)),
        Step("3", "step 1 in step 2: err > 1 - beta - 2/(|M| - 1) - delta", "symbolic",
             tests=(_T + "test_observation2_step3_substitution_symbolic",
                    _T + "test_observation2_step3_substitution_on_a_grid")),
    ),
}
