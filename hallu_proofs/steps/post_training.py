"""Proof steps of the chapter book/post_training.md (see `hallu_proofs.steps`).

The chapter goes beyond the paper; its one proof is the supporting result named here
"Natural-gradient step": for the answer-or-IDK policy sigmoid(a + b q), the exact natural
policy-gradient step is (-P, 1 + P) at every parameter.
"""

from . import Step

_T = "tests/test_post_training.py::"

STEPS = {
    "Natural-gradient step": (
        Step("1", "grad J = mean_i w_i r(q_i) (1, q_i), with w = pi (1 - pi)", "float_random",
             tests=(_T + "test_natural_step1_gradient_formula",)),
        Step("2", "F = mean_i w_i (1, q_i)(1, q_i)^T is the Fisher matrix of the policy",
             "float_random", tests=(_T + "test_natural_steps2_3_fisher_and_least_squares",)),
        Step("3", "F^-1 grad J is the w-weighted least-squares fit of r on (1, q)", "float_random",
             tests=(_T + "test_natural_steps2_3_fisher_and_least_squares",)),
        Step("4", "r(q) = (1 + P) q - P lies in the span of (1, q): the fit is (-P, 1 + P)",
             "float_random", tests=(_T + "test_exact_natural_step_is_constant",)),
        Step("5", "after T steps the logit is logit(alpha) + T eta (1 + P)(q - t*)",
             "float_random",
             tests=(_T + "test_target_post_training_converges_to_answer_iff_above_target",
                    _T + "test_binary_post_training_never_increases_abstention")),
    ),
}
