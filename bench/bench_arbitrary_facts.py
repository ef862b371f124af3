"""Benchmark: draw an Arbitrary Facts training set (10^5 prompts, Zipf-like mu, N = 10^7
examples) and count it (its singleton rate), as a ratio to drawing N random integers
(``rng.integers(0, m, N)``) in the same process.
Run: ``python bench/bench_arbitrary_facts.py``. Target: ratio <= 5.

Two ways are timed: the explicit iid sequence of N examples (`draw_training_set` followed by
`singleton_rate`), and the answered counts drawn directly (`draw_answer_counts` followed by
`singleton_rate_of_counts`), which have the same law and cost O(m) whatever N. The alias table
of the model is built once (its time is printed separately).
"""

import time

import numpy as np
from timing import best_time

import hallu_proofs as hp

PROMPTS, EXAMPLES, REPEATS = 10**5, 10**7, 7


def make_model():
    weights = 1.0 / np.arange(1, PROMPTS + 1) ** 1.1
    alpha = np.random.default_rng(0).uniform(0.2, 1.0, PROMPTS)
    return hp.ArbitraryFacts(weights / weights.sum(), n_responses=365, alpha=alpha)


def explicit(facts, answers, rng):
    prompts, responses = facts.draw_training_set(answers, EXAMPLES, rng)
    return hp.singleton_rate(prompts, responses)


def from_counts(facts, rng):
    return hp.singleton_rate_of_counts(facts.draw_answer_counts(EXAMPLES, rng), EXAMPLES)


def main():
    facts = make_model()
    answers = facts.draw_answers(rng=1)
    rng = np.random.default_rng(2)
    start = time.perf_counter()
    facts.draw_training_set(answers, 1, rng)  # builds the alias table
    table = time.perf_counter() - start
    baseline = best_time(REPEATS, lambda: rng.integers(0, PROMPTS, size=EXAMPLES))
    work = best_time(REPEATS, explicit, facts, answers, rng)
    counts = best_time(REPEATS, from_counts, facts, rng)
    print(f"{PROMPTS:.0e} prompts, N = {EXAMPLES:.0e} examples")
    print(f"alias table (once per model):        {table * 1e3:8.1f} ms")
    print(f"N random integers (baseline):        {baseline * 1e3:8.1f} ms")
    print(f"explicit draw + singleton_rate:      {work * 1e3:8.1f} ms")
    print(f"answered counts + singleton rate:    {counts * 1e3:8.1f} ms")
    print(f"ratio, explicit training set: {work / baseline:.2f} (target <= 5)")
    print(f"ratio, counts drawn directly: {counts / baseline:.2f}")


if __name__ == "__main__":
    main()
