"""Benchmark: `singleton_rate` and `good_turing` on N = 10^7 examples whose ids are not small
integers: hashed 63-bit ints (a table indexed by id could not hold them), and strings. Each is a
ratio to counting the same ids with ``collections.Counter`` in the same process (the
pure-Python way, linear in N). Run: ``python bench/bench_fact_ids.py``. Target: ratio <= 1.5.
"""

from collections import Counter

import numpy as np
from timing import best_time

import hallu_proofs as hp

EXAMPLES, PROMPTS, REPEATS = 10**7, 10**6, 2


def counter_singletons(ids):
    return sum(1 for k in Counter(ids).values() if k == 1) / len(ids)


def main():
    rng = np.random.default_rng(0)
    dense = rng.integers(0, PROMPTS, EXAMPLES)
    hashed = (dense.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15) >> np.uint64(1)).astype(np.int64)
    answers = rng.integers(-1, 3, EXAMPLES)
    names = [f"person {i}" for i in dense.tolist()]
    print(f"N = {EXAMPLES:.0e} examples over {PROMPTS:.0e} prompts")
    for label, ids in (("hashed 63-bit ints", hashed), ("strings", names)):
        baseline = best_time(REPEATS, counter_singletons, ids if isinstance(ids, list) else ids.tolist())
        rate = best_time(REPEATS, hp.singleton_rate, ids, answers)
        gt = best_time(REPEATS, hp.good_turing, ids)
        print(f"{label}: Counter (baseline) {baseline:6.2f} s; singleton_rate {rate:6.2f} s, ratio "
              f"{rate / baseline:.2f}; good_turing {gt:6.2f} s, ratio {gt / baseline:.2f} (target <= 1.5)")


if __name__ == "__main__":
    main()
