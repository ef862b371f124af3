"""Helpers shared by the benchmarks: the best wall-clock time of repeated calls, and random inputs."""

import time

import numpy as np


def best_time(repeats, func, *args):
    """Smallest time, in seconds, of ``repeats`` calls of ``func(*args)``."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func(*args)
        best = min(best, time.perf_counter() - start)
    return best


def random_inputs(n_prompts, n_responses, seed=0, p_hat_floor=0.0):
    """p, p_hat, valid for an Instance: about 1% of the slots valid (slot 0 always, slot 1 never),
    p spread over the valid slots, p_hat skewed (uniform to the 4th power, plus ``p_hat_floor``)."""
    rng = np.random.default_rng(seed)
    valid = rng.random((n_prompts, n_responses)) < 0.01
    valid[:, 0], valid[:, 1] = True, False
    p = np.where(valid, rng.random((n_prompts, n_responses)), 0.0)
    p /= p.sum(axis=1, keepdims=True)
    p_hat = rng.random((n_prompts, n_responses)) ** 4 + p_hat_floor
    p_hat /= p_hat.sum(axis=1, keepdims=True)
    return p, p_hat, valid
