"""Benchmark: on an Instance with 2 * 10^6 response slots, compute the rescaled model, the
cross-entropy, the closed-form derivative at s = 1 and the ECE, as a ratio to one read of the
inputs (summing p, p_hat and valid) in the same process. Run: ``python bench/bench_calibration.py``.
Target: ratio <= 150: ECE must argsort the 2 * 10^6 values (n log n, about two thirds of the
time), and the rescaled model is a full validated Instance.
"""


from timing import best_time, random_inputs

import hallu_proofs as hp

PROMPTS, RESPONSES, REPEATS = 1000, 2000, 5


def make_instance(seed=0):
    return hp.Instance(*random_inputs(PROMPTS, RESPONSES, seed, p_hat_floor=1e-12))


def read_inputs(inst):
    return inst.p.sum() + inst.p_hat.sum() + inst.valid.sum()


def calibration_quantities(inst):
    return (hp.rescaled_model(inst, 1.5), hp.cross_entropy(inst),
            hp.rescaled_loss_derivative(inst), hp.level_set_calibration_error(inst))


def main():
    inst = make_instance()
    baseline = best_time(REPEATS, read_inputs, inst)
    work = best_time(REPEATS, calibration_quantities, inst)
    print(f"{PROMPTS} prompts x {RESPONSES} responses = {PROMPTS * RESPONSES:.0e} slots")
    print(f"read inputs (baseline):      {baseline * 1e3:8.1f} ms")
    print(f"rescale + loss + slope + ECE: {work * 1e3:8.1f} ms")
    print(f"ratio: {work / baseline:.2f} (target <= 150)")


if __name__ == "__main__":
    main()
