"""The one timing helper of the benchmarks: best wall-clock time over repeated calls."""

import time


def best_time(repeats, func, *args):
    """Smallest time, in seconds, of ``repeats`` calls of ``func(*args)``."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        func(*args)
        best = min(best, time.perf_counter() - start)
    return best
