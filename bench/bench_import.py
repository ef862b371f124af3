"""Benchmark: the cost of ``import hallu_proofs`` in a fresh interpreter, as a ratio to
``import numpy`` alone (the one dependency every import needs), both timed in fresh processes
started by this one. SymPy is imported only when a symbolic derivation runs, so the ratio stays
small. Run: ``python bench/bench_import.py``. Target: ratio <= 2.
"""

import subprocess
import sys

REPEATS = 5


def import_seconds(module):
    """Smallest in-process time of ``import module`` over REPEATS fresh interpreters."""
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return min(float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                    check=True).stdout) for _ in range(REPEATS))


def main():
    baseline = import_seconds("numpy")
    work = import_seconds("hallu_proofs")
    print(f"import numpy (baseline): {baseline * 1e3:7.1f} ms")
    print(f"import hallu_proofs:     {work * 1e3:7.1f} ms")
    print(f"ratio: {work / baseline:.2f} (target <= 2)")


if __name__ == "__main__":
    main()
