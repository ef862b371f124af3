"""Benchmark: `best_threshold`, `expected_iiv_error` and `theorem4_average_bound` on 10^7 response
slots (a pure multiple-choice instance: one valid response per prompt), each as a ratio to one
``np.sort`` of the 10^7 values of p_hat in the same process. All three come from one sort and
cumulative sums. Run: ``python bench/bench_best_threshold.py``. Target: each ratio <= 6.
"""

import numpy as np
from timing import best_time

import hallu_proofs as hp

PROMPTS, RESPONSES, REPEATS = 1000, 10_000, 3


def multiple_choice_instance(seed=0):
    rng = np.random.default_rng(seed)
    valid = np.zeros((PROMPTS, RESPONSES), dtype=bool)
    valid[np.arange(PROMPTS), rng.integers(RESPONSES, size=PROMPTS)] = True
    p_hat = rng.random((PROMPTS, RESPONSES)) ** 4
    p_hat /= p_hat.sum(axis=1, keepdims=True)
    return hp.Instance(valid.astype(float), p_hat, valid)


def main():
    inst = multiple_choice_instance()
    baseline = best_time(REPEATS, np.sort, inst.p_hat.ravel())
    print(f"{PROMPTS} prompts x {RESPONSES} responses = {PROMPTS * RESPONSES:.0e} slots")
    print(f"np.sort of p_hat (baseline): {baseline * 1e3:8.1f} ms")
    for func in (hp.best_threshold, hp.expected_iiv_error, hp.theorem4_average_bound):
        work = best_time(REPEATS, func, inst)
        print(f"{func.__name__:24s}: {work * 1e3:8.1f} ms   ratio {work / baseline:.2f} (target <= 6)")


if __name__ == "__main__":
    main()
