"""Benchmark: on an Instance with 2 * 10^6 response slots, compute the rescaled model, the
cross-entropy, the closed-form derivative at s = 1 and the level-set calibration error, as ratios
to two baselines in the same process: one read of the inputs (summing p, p_hat and valid), and one
``np.argsort`` of the 2 * 10^6 values of p_hat, the sort the level-set error cannot do without.
Run: ``python bench/bench_calibration.py``. Target: at most 2 argsorts (everything but the sort
costs less than a second sort).
"""

import numpy as np
from timing import best_time, random_inputs

import hallu_proofs as hp

PROMPTS, RESPONSES, REPEATS = 1000, 2000, 5


def make_instance(seed=0):
    return hp.Instance(*random_inputs(PROMPTS, RESPONSES, seed, p_hat_floor=1e-12))


def read_inputs(inst):
    return inst.p.sum() + inst.p_hat.sum() + inst.valid.sum()


def sort_values(inst):
    return np.argsort(inst.p_hat.ravel())


def calibration_quantities(inst):
    return (hp.rescaled_model(inst, 1.5), hp.cross_entropy(inst),
            hp.rescaled_loss_derivative(inst), hp.level_set_calibration_error(inst))


def main():
    inst = make_instance()
    baseline = best_time(REPEATS, read_inputs, inst)
    sort = best_time(REPEATS, sort_values, inst)
    work = best_time(REPEATS, calibration_quantities, inst)
    print(f"{PROMPTS} prompts x {RESPONSES} responses = {PROMPTS * RESPONSES:.0e} slots")
    print(f"read inputs (baseline):      {baseline * 1e3:8.1f} ms")
    print(f"one argsort of p_hat:         {sort * 1e3:8.1f} ms")
    print(f"rescale + loss + slope + ECE: {work * 1e3:8.1f} ms")
    print(f"ratio to the read: {work / baseline:.1f}")
    print(f"ratio to the argsort: {work / sort:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
