"""Proof steps of the chapter book/miao_kearns.md (see `hallu_proofs.steps`).

The chapter goes beyond the paper; its one proof is the supporting result named here
"Hallucination accounting identity": err = p(V \\ A) - p_hat(V \\ A) + p_hat(E & A)
- (p_hat(A) - p(A)), and the inequality err >= p(V \\ A) - |V|/|E| - delta.
"""

from . import Step

_T = "tests/test_monofacts.py::"

STEPS = {
    "Hallucination accounting identity": (
        Step("1", "p(E) = 0, so p(A) = p(V & A) and 1 = p(A) + p(V \\ A)", "exact_random",
             tests=(_T + "test_decomposition_is_exact",)),
        Step("2", "err = 1 - p_hat(V & A) - p_hat(V \\ A)", "exact_random",
             tests=(_T + "test_decomposition_is_exact",)),
        Step("3", "p_hat(V & A) = p_hat(A) - p_hat(E & A)", "exact_random",
             tests=(_T + "test_decomposition_is_exact",)),
        Step("4", "substituting: the identity", "exact_random",
             tests=(_T + "test_decomposition_is_exact",)),
        Step("5", "p_hat(V \\ A) <= |V|/|E|, so err >= p(V \\ A) - |V|/|E| - delta",
             "exact_random", tests=(_T + "test_decomposition_step5_inequality",
                                    _T + "test_decomposition_step5_is_tight")),
    ),
}
