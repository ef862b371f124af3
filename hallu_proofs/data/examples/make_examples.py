"""Write the example files of this folder (run: ``python hallu_proofs/data/examples/make_examples.py``).

Every file is drawn from a seeded simulation, so that rerunning this script writes the same
results (``tests/test_results.py`` checks that the shipped files hold them):

* ``results.csv``, ``results.jsonl``, ``results.eval``: one simulated model on 200 short-answer
  questions, graded correct / incorrect / not attempted, with its stated confidence: the same
  results as a CSV with a ``grade`` column, a JSONL file with the three booleans, and an inspect-ai
  log written by inspect-ai's own ``write_eval_log``.
* ``lm_eval_samples.jsonl``: an lm-evaluation-harness ``--log_samples`` file of a simulated
  four-choice task (300 documents): loglikelihoods per choice, ``acc`` and ``acc_norm``.
* ``facts.csv``: 1000 (prompt, answer) training examples of an Arbitrary Facts model (500 people,
  365 possible birthdays, the answer stated with probability 0.8, ``IDK`` otherwise).
"""

import csv
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).parent


def simulated_results(n=200, seed=2025):
    """Grades (0 correct, 1 incorrect, 2 not attempted) and confidences of a simulated model.

    Confidences are Beta(4, 2) rounded to 2 decimals; an answer with confidence q is right with
    probability q^1.3 (the model is overconfident); it abstains when q < 0.35.
    """
    rng = np.random.default_rng(seed)
    q = np.round(rng.beta(4, 2, size=n), 2)
    right = rng.random(n) < q**1.3
    grades = np.where(q < 0.35, 2, np.where(right, 0, 1))
    return grades, q


def lm_eval_task(n=300, choices=4, seed=7):
    """Loglikelihoods (n, choices) and the gold choice of a simulated multiple-choice task."""
    rng = np.random.default_rng(seed)
    gold = rng.integers(0, choices, size=n)
    logits = rng.normal(0, 1.5, size=(n, choices))
    logits[np.arange(n), gold] += 1.2
    lls = logits - np.log(np.exp(logits).sum(axis=1, keepdims=True)) - rng.uniform(2, 8, (n, 1))
    return np.round(lls, 4), gold


def facts_examples(seed=11):
    """(prompts, answers) as strings: Arbitrary Facts training examples, IDK as 'IDK'."""
    sys.path.insert(0, str(HERE.parents[2]))
    import hallu_proofs as hp

    facts = hp.ArbitraryFacts(mu=np.full(500, 1 / 500), n_responses=365, alpha=0.8)
    answers = facts.draw_answers(rng=seed)
    prompts, responses = facts.draw_training_set(answers, n=1000, rng=seed + 1)
    return ([f"birthday of person {c:03d}" for c in prompts],
            ["IDK" if r == hp.IDK else f"day {r}" for r in responses])


WORDS = ("correct", "incorrect", "not_attempted")


def write_all(folder=HERE):
    folder = Path(folder)
    grades, q = simulated_results()
    ids = [f"q{i:03d}" for i in range(grades.size)]
    with open(folder / "results.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["id", "grade", "confidence"])
        out.writerows([i, WORDS[g], f"{c:.2f}"] for i, g, c in zip(ids, grades, q))
    with open(folder / "results.jsonl", "w", encoding="utf-8") as f:
        for i, g, c in zip(ids, grades, q):
            f.write(json.dumps({"id": i, "is_correct": bool(g == 0), "is_incorrect": bool(g == 1),
                                "is_not_attempted": bool(g == 2), "confidence": float(c)}) + "\n")
    write_inspect_log(folder / "results.eval", ids, grades, q)
    lls, gold = lm_eval_task()
    with open(folder / "lm_eval_samples.jsonl", "w", encoding="utf-8") as f:
        for doc_id, (row, g) in enumerate(zip(lls, gold)):
            f.write(json.dumps(lm_eval_record(doc_id, row, int(g))) + "\n")
    prompts, answers = facts_examples()
    with open(folder / "facts.csv", "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["prompt", "answer"])
        out.writerows(zip(prompts, answers))


def lm_eval_record(doc_id, lls, gold):
    """One record as the harness logs it for a multiple-choice document."""
    letters = "ABCD"
    context = f"Question {doc_id}: which option is right?\nAnswer:"
    pred = int(np.argmax(lls))
    lengths = np.array([len(f" option {x}") for x in letters[:len(lls)]])
    greedy = [bool(i == pred) for i in range(len(lls))]
    return {
        "doc_id": doc_id,
        "doc": {"question": context, "choices": list(letters[:len(lls)]), "answer": gold},
        "target": gold,
        "arguments": [[context, f" option {x}"] for x in letters[:len(lls)]],
        "resps": [[[float(ll), g]] for ll, g in zip(lls, greedy)],
        "filtered_resps": [[float(ll), g] for ll, g in zip(lls, greedy)],
        "filter": "none",
        "metrics": ["acc", "acc_norm"],
        "acc": float(pred == gold),
        "acc_norm": float(int(np.argmax(lls / lengths)) == gold),
    }


def write_inspect_log(path, ids, grades, q):
    """An inspect-ai log of the results, built from inspect-ai's types, written by inspect-ai."""
    from inspect_ai.log import EvalConfig, EvalDataset, EvalLog, EvalSample, EvalSpec, write_eval_log
    from inspect_ai.model import ModelOutput
    from inspect_ai.scorer import CORRECT, INCORRECT, NOANSWER, Score

    values = (CORRECT, INCORRECT, NOANSWER)
    spec = EvalSpec(created="2025-09-05T00:00:00+00:00", task="example_short_answers",
                    dataset=EvalDataset(name="example", samples=len(ids)), model="mockllm/model",
                    config=EvalConfig())
    samples = [
        EvalSample(id=i, epoch=1, input=f"question {i}", target="answer",
                   output=ModelOutput.from_content("mockllm/model", "answer"),
                   scores={"grader": Score(value=values[g], metadata={"confidence": float(c)})})
        for i, g, c in zip(ids, grades, q)
    ]
    write_eval_log(EvalLog(status="success", eval=spec, samples=samples), str(path))


if __name__ == "__main__":
    write_all()
