"""Proof steps of the chapter book/missing_mass.md (see `hallu_proofs.steps`).

>>> [step.number for step in STEPS["Corollary 3"]]
['1', '2a', '2b', '3a', '3b', '3c', '4', '5']
"""

from . import Step

_T = "tests/test_steps_missing_mass.py::"

STEPS = {
    "Good-Turing bias lemma": (
        Step("1", "E[M_N] = sum nu(1-nu)^N and, leaving one draw out, "
                  "E[GT_N] = E[M_{N-1}] = sum nu(1-nu)^(N-1)", "symbolic",
             tests=(_T + "test_bias_closed_forms_and_leave_one_out_from_all_samples",)),
        Step("2", "E[GT] - E[M] = sum q^2 (1-q)^(N-1) >= 0, term by term", "symbolic",
             tests=(_T + "test_bias_term_by_term",)),
        Step("3", "g(q) = q(1-q)^(N-1) rises up to q = 1/N and falls after (derivative sign); "
                  "g(q) = q at N = 1", "symbolic",
             tests=(_T + "test_bias_maximum_by_derivative_sign",)),
        Step("4", "max g = g(1/N) = (1/N)((N-1)/N)^(N-1) <= 1/N", "symbolic",
             tests=(_T + "test_bias_maximum_by_derivative_sign",)),
        Step("5", "sum_x nu(x) g(nu(x)) <= max g (nu on the simplex)", "smt",
             tests=(_T + "test_bias_sum_at_most_largest_term_smt",)),
        Step("6", "((N-1)/N)^(N-1) <= 1/2 for N >= 2 (derivative sign), so the bias is at most "
                  "1/(2N); equality at N = 2", "symbolic",
             tests=(_T + "test_bias_at_most_half_over_n_for_n_at_least_2",
                    _T + "test_bias_at_most_half_over_n_exact")),
    ),
    "Corollary 3": (
        Step("1", "0 <= E[GT] - E[M] <= 1/N (the bias lemma)", "symbolic",
             tests=(_T + "test_bias_closed_forms_and_leave_one_out_from_all_samples",
                    _T + "test_bias_term_by_term")),
        Step("2a", "each tail of M around E[M] at distance eps has probability <= e^(-N eps^2)",
             "cited", citation="McAllester and Ortiz (2003), Theorems 10 and 16 [mcallester2003]"),
        Step("2b", "at eps = sqrt(ln(4/gamma)/N) each tail is gamma/4", "symbolic",
             tests=(_T + "test_corollary3_tail_exponents",)),
        Step("3a", "changing one draw changes GT by at most 2/N, for every N", "exhaustive",
             tests=(_T + "test_corollary3_bounded_difference_every_n",)),
        Step("3b", "McDiarmid's bounded-difference inequality", "cited",
             citation="McDiarmid (1989), On the method of bounded differences [mcdiarmid1989]"),
        Step("3c", "McDiarmid at eps = sqrt(2 ln(4/gamma)/N) with sum c_i^2 = 4/N gives gamma/2",
             "symbolic", tests=(_T + "test_corollary3_tail_exponents",)),
        Step("4", "union bound gamma/4 + gamma/4 + gamma/2 = gamma and the triangle inequality "
                  "|M - GT| <= 1/N + (1 + sqrt 2) sqrt(ln(4/gamma)/N)", "smt",
             tests=(_T + "test_corollary3_union_and_triangle_smt",)),
        Step("5", "1 + sqrt 2 <= 2.42", "symbolic", tests=(_T + "test_corollary3_constant",)),
    ),
    "Lemma 1": (
        Step("1", "GT - sr in {0, 1/N} (IDK is one extra singleton at most)", "exhaustive",
             tests=(_T + "test_lemma1_steps_1_2_every_training_set",)),
        Step("2a", "M - MM in {0, phi(IDK)}, phi(IDK) exactly when no abstention occurs",
             "exhaustive", tests=(_T + "test_lemma1_steps_1_2_every_training_set",)),
        Step("2b", "(1 - x)^N <= e^(-N x) on [0, 1] (derivative sign of ln(1 - x) + x)",
             "symbolic", tests=(_T + "test_one_minus_x_to_the_n_at_most_exp",)),
        Step("2c", "e^(-L) = gamma/5 for L = ln(5/gamma)", "symbolic",
             tests=(_T + "test_lemma1_logarithm_steps",)),
        Step("3a", "0 <= A <= L/N and 0 <= B <= 1/N <= L/N give |A - B| <= L/N", "smt",
             tests=(_T + "test_lemma1_difference_of_differences_smt",)),
        Step("3b", "L >= ln 5 > 1, so 1/N <= L/N", "symbolic",
             tests=(_T + "test_lemma1_logarithm_steps",)),
        Step("4", "ln(4/(4 gamma/5)) = L: Corollary 3 at 4 gamma/5", "symbolic",
             tests=(_T + "test_lemma1_logarithm_steps",)),
        Step("5", "union bound gamma/5 + 4 gamma/5 = gamma and the triangle inequality", "smt",
             tests=(_T + "test_lemma1_union_and_triangle",)),
        Step("6a", "z = 2L/N >= L/N + 1/N", "symbolic", tests=(_T + "test_lemma1_simplification",)),
        Step("6b", "z <= sqrt z for 0 <= z <= 1", "smt", tests=(_T + "test_lemma1_simplification",)),
        Step("6c", "sqrt z = sqrt 2 sqrt(L/N) <= 2 sqrt(L/N)", "symbolic",
             tests=(_T + "test_lemma1_simplification",)),
        Step("6d", "2 + 2.42 = 4.42", "symbolic", tests=(_T + "test_lemma1_simplification",)),
        Step("6e", "if z > 1 the radius exceeds 4.42/sqrt 2 > 1 >= |MM - sr|", "symbolic",
             tests=(_T + "test_lemma1_simplification",
                    _T + "test_lemma1_steps_1_2_every_training_set")),
    ),
}
