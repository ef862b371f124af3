"""Benchmark: good_turing + missing_mass on N = 10^7 samples of a Zipf law over 10^5 values, as a
ratio to two baselines run in the same process: drawing those samples with hp.draw_samples, and
one np.bincount pass over them. Run: ``python bench/bench_missing_mass.py``.
Targets: ratio to drawing <= 1; ratio to one bincount pass <= 4 (input checks, the counting
pass, and the seen-values pass of missing_mass).
"""


import numpy as np
from timing import best_time

import hallu_proofs as hp

SAMPLES, VALUES, REPEATS = 10**7, 10**5, 5


def estimate(nu, samples):
    return hp.good_turing(samples), hp.missing_mass(nu, samples)


def main():
    nu = hp.zipf_distribution(VALUES)
    samples = hp.draw_samples(nu, SAMPLES, seed=0)
    drawing = best_time(REPEATS, hp.draw_samples, nu, SAMPLES, 1)
    counting = best_time(REPEATS, np.bincount, samples)
    work = best_time(REPEATS, estimate, nu, samples)
    print(f"N = {SAMPLES:.0e} samples of a Zipf law over {VALUES:.0e} values")
    print(f"draw the samples (baseline 1): {drawing * 1e3:8.1f} ms")
    print(f"one np.bincount (baseline 2):  {counting * 1e3:8.1f} ms")
    print(f"good_turing + missing_mass:    {work * 1e3:8.1f} ms")
    print(f"ratio to drawing:  {work / drawing:.2f} (target <= 1)")
    print(f"ratio to bincount: {work / counting:.2f} (target <= 4)")


if __name__ == "__main__":
    main()
