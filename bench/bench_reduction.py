"""Benchmark: build an Instance with 10^7 response slots and compute err, err_iiv, delta and the
Theorem 1 bound, as a ratio to one read of the inputs (summing p, p_hat and valid) in the same
process. Run: ``python bench/bench_reduction.py``. Target (issue 14): ratio <= 3, not met.

An `Instance` keeps its own copies of p, p_hat and valid (so that the caller's arrays are never
frozen and no cached result goes stale) and checks them (entries finite and >= 0, rows summing to
1, p zero on the errors, a valid and an error response per prompt). The bench also prints, as
ratios to the same baseline, what building the Instance costs and what the copies alone cost.
"""


from timing import best_time, random_inputs

import hallu_proofs as hp

PROMPTS, RESPONSES, REPEATS = 1000, 10_000, 7


def read_inputs(p, p_hat, valid):
    return p.sum() + p_hat.sum() + valid.sum()


def build_and_compute(p, p_hat, valid):
    inst = hp.Instance(p, p_hat, valid)
    return (hp.generative_error(inst), hp.iiv_error(inst), hp.calibration_gap(inst),
            hp.theorem1_bound(inst))


def build(p, p_hat, valid):
    return hp.Instance(p, p_hat, valid)


def copy_inputs(p, p_hat, valid):
    return p.copy(), p_hat.copy(), valid.copy()


def main():
    inputs = random_inputs(PROMPTS, RESPONSES)
    baseline = best_time(REPEATS, read_inputs, *inputs)
    work = best_time(REPEATS, build_and_compute, *inputs)
    construction = best_time(REPEATS, build, *inputs)
    copies = best_time(REPEATS, copy_inputs, *inputs)
    print(f"{PROMPTS} prompts x {RESPONSES} responses = {PROMPTS * RESPONSES:.0e} slots")
    print(f"read inputs (baseline): {baseline * 1e3:8.1f} ms")
    print(f"Instance + 4 quantities: {work * 1e3:8.1f} ms")
    print(f"ratio: {work / baseline:.2f} (target <= 3)")
    print(f"of which building the Instance: {construction / baseline:.2f}")
    print(f"of which the copies of p, p_hat and valid alone: {copies / baseline:.2f}")


if __name__ == "__main__":
    main()
