"""Benchmark: post-training runs (sampled and exact) scale linearly in the number of prompts.

Times `hp.post_train` with its default 300 steps on n and 8n confidences, in the same process,
and prints the ratio of the times (target: <= 12 for 8 times the prompts, i.e. linear up to
constant overheads), and the time of a default run on 3000 prompts (the chapter's size; the
issue asks for a few seconds at most). Run: ``python bench/bench_post_training.py``.
"""

import numpy as np
from timing import best_time

import hallu_proofs as hp

SMALL, REPEATS = 2000, 3


def run(q, exact):
    grader = hp.confidence_target_grader(0.75)
    if exact:
        return hp.post_train(q, grader, exact=True)
    return hp.post_train(q, grader, rng=np.random.default_rng(0))


def main():
    q = np.random.default_rng(1).uniform(size=8 * SMALL)
    for exact in (False, True):
        small = best_time(REPEATS, run, q[:SMALL], exact)
        large = best_time(REPEATS, run, q, exact)
        kind = "exact" if exact else "sampled"
        print(f"{kind:8s} n = {SMALL:6d}: {small:6.3f} s   n = {8 * SMALL:6d}: {large:6.3f} s   "
              f"ratio {large / small:5.2f} (target <= 12)")
    print(f"default sampled run on 3000 prompts: {best_time(REPEATS, run, q[:3000], False):.3f} s")


if __name__ == "__main__":
    main()
