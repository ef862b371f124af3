"""Benchmark: the ``hallu-proofs score`` command on a file of 10^6 graded rows (with confidences),
as a ratio to reading the same file with the standard library in the same process: the csv
module for the CSV file, one json.loads per line for the JSONL file.
Run: ``python bench/bench_cli.py``. Target: ratio <= 3 for each format (reading, checking every
field, the scores at two targets with their intervals, the best thresholds and the calibration).
"""

import contextlib
import csv
import io
import json
import tempfile
from pathlib import Path

import numpy as np
from timing import best_time

from hallu_proofs import cli

ROWS, REPEATS = 10**6, 5


def write_files(folder):
    rng = np.random.default_rng(0)
    q = np.round(rng.random(ROWS), 3)
    right = rng.random(ROWS) < q
    grades = np.where(q < 0.1, "not_attempted", np.where(right, "correct", "incorrect"))
    csv_path, jsonl_path = folder / "results.csv", folder / "results.jsonl"
    with open(csv_path, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "grade", "confidence"])
        out.writerows(zip(range(ROWS), grades.tolist(), q.tolist()))
    with open(jsonl_path, "w", encoding="utf-8") as f:
        f.writelines(json.dumps({"id": i, "grade": g, "confidence": c}) + "\n"
                     for i, g, c in zip(range(ROWS), grades.tolist(), q.tolist()))
    return csv_path, jsonl_path


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.reader(f))


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f]


def score(path):
    with contextlib.redirect_stdout(io.StringIO()):
        status = cli.main(["score", str(path), "--target", "0", "--target", "0.75", "--json"])
    assert status == 0


def main():
    with tempfile.TemporaryDirectory() as folder:
        csv_path, jsonl_path = write_files(Path(folder))
        score(csv_path)  # imports scipy once, outside the timings
        print(f"hallu-proofs score FILE --target 0 --target 0.75 --json, {ROWS:.0e} rows")
        for name, path, baseline in (("CSV", csv_path, read_csv), ("JSONL", jsonl_path, read_jsonl)):
            # interleaved, so that a change in the machine's load hits both alike
            base, work = float("inf"), float("inf")
            for _ in range(REPEATS):
                base = min(base, best_time(1, baseline, path))
                work = min(work, best_time(1, score, path))
            reader = "csv.reader" if name == "CSV" else "json.loads per line"
            print(f"{name:5}: read with {reader} (baseline) {base:6.2f} s, score command {work:6.2f} s,"
                  f" ratio {work / base:.2f} (target <= 3)")


if __name__ == "__main__":
    main()
