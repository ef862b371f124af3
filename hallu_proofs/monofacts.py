"""Monofacts, hallucination and miscalibration in n-gram fact generators (after Miao and Kearns, 2025).

A setting in the spirit of Miao and Kearns (arXiv 2502.08666), rebuilt with this library:

* **Facts.** F people, each with one true attribute a_i among R values (a birthday, say): the
  true statement "person i has attribute a_i". How often a statement is made follows a Pareto
  law: person i has frequency p_i proportional to a Pareto(shape) draw (`pareto_frequencies`);
  a small shape gives a heavy tail.
* **Corpus.** N statements drawn iid from p (`draw_corpus`); a fact stated exactly once is a
  *monofact*, and the monofact rate is the singleton rate of Definition 2 (every person has one
  fact, so it is also the Good-Turing estimate of the unseen facts' mass).
* **Model.** A bigram model of the two-token statement "person attribute" over the well-formed
  statements, with the Good-Turing estimate for the first token and add-s smoothing for the
  second (`bigram_fact_model`). It *generates* statements; a generated statement that is not a
  true fact is a hallucination.
* **Upweighting.** Repeat a random fraction of the training statements (`upweight`); the monofact
  rate of the original sample is unchanged, the model's distribution is not.

`generation_instance` writes the generator as an `Instance` with a single (empty) prompt, so that
err (the hallucination rate), delta and the paper's other quantities apply unchanged.
`hallucination_decomposition` gives the exact identity behind the monofact bound:

    err = p(V \\ A) - p_hat(V \\ A) + p_hat(E & A) - (p_hat(A) - p(A)),

with A = {p_hat > 1/|E|}: the mass of the facts the model barely knows (about the unseen mass,
hence about the monofact rate), minus what the model still gives them, plus errors above the
threshold, minus the signed calibration gap. A model can hallucinate less than the monofact rate
only by making p_hat(A) exceed p(A), that is, by being miscalibrated.

>>> rng = np.random.default_rng(0)
>>> freq = pareto_frequencies(200, 2.0, rng)
>>> answers = rng.integers(0, 10, 200)
>>> persons = draw_corpus(freq, 300, rng)
>>> inst = generation_instance(freq, answers, bigram_fact_model(persons, answers, 10, 0.1))
>>> parts = hallucination_decomposition(inst)
>>> bool(abs(parts["err"] - parts["identity"]) < 1e-12)
True
"""

from __future__ import annotations

import math

import numpy as np

from .instances import Instance
from .reduction import calibration_gap, classify, generative_error
from .unseen_mass import good_turing
from .validation import as_array, check_distribution, check_positive_int, check_real

__all__ = [
    "bigram_fact_model",
    "binned_kl",
    "draw_corpus",
    "generation_instance",
    "hallucination_decomposition",
    "monofact_experiment",
    "pareto_frequencies",
    "prompted_accuracy",
    "upweight",
]


def pareto_frequencies(n_facts, shape, rng) -> np.ndarray:
    """Frequencies of F facts proportional to independent Pareto(shape) draws (scale 1).

    The Pareto law with shape k has P(W > w) = w^-k for w >= 1: the smaller k, the heavier the
    tail, the more the frequencies concentrate on a few facts.

    >>> pareto_frequencies(3, 1.0, np.random.default_rng(0)).round(3).tolist()
    [0.342, 0.481, 0.177]
    """
    n_facts = check_positive_int(n_facts, "n_facts")
    check_real(shape, "shape")
    if not shape > 0:
        raise ValueError(f"shape must be > 0, got {shape!r}")
    rng = _check_rng(rng)
    weights = rng.pareto(float(shape), n_facts) + 1.0
    return weights / weights.sum()


def draw_corpus(frequencies, n, rng) -> np.ndarray:
    """N iid training statements, coded by their person: i with probability p_i.

    >>> draw_corpus([0.5, 0.5], 6, np.random.default_rng(0)).tolist()
    [1, 0, 0, 0, 1, 1]
    """
    p = check_distribution(frequencies, "frequencies").astype(float)
    n = check_positive_int(n, "n")
    rng = _check_rng(rng)
    return rng.choice(p.size, size=n, p=p)


def upweight(persons, fraction, repeats, rng) -> np.ndarray:
    """Selective upweighting: a random ``fraction`` of the statements, each repeated so that it
    occurs ``repeats`` times in all (the other statements once).

    >>> upweight([0, 1, 2, 3], 0.25, 3, np.random.default_rng(0)).tolist()
    [0, 1, 2, 3, 3, 3]
    """
    c = _check_ids(persons, "persons")
    check_real(fraction, "fraction")
    if not 0 <= fraction <= 1:
        raise ValueError(f"fraction must be in [0, 1], got {fraction!r}")
    repeats = check_positive_int(repeats, "repeats")
    rng = _check_rng(rng)
    chosen = rng.choice(c.size, size=int(round(fraction * c.size)), replace=False)
    return np.concatenate([c, np.repeat(c[np.sort(chosen)], repeats - 1)])


def bigram_fact_model(persons, answers, n_responses, smoothing) -> np.ndarray:
    """The generator fitted to a corpus: p_hat(i, d) = p_hat(i) p_hat(d | i), shape (F, R).

    The first token (the person) uses the Good-Turing estimate (`unseen_mass.good_turing`):
    the persons absent from the corpus share the mass GT = N_1 / N, the fraction of monofacts,
    equally, and a seen person i gets (1 - GT) N_i / N (all mass to the seen ones if every person
    is seen). The second token uses add-s smoothing over the R attributes,
    p_hat(d | i) = (N_{i,d} + s) / (N_i + R s), the next-token estimate of a bigram
    `poor_models.NGramModel` renormalised over the attribute tokens (N_{i,d} = N_i [d = a_i]:
    the corpus only states true facts).

    >>> bigram_fact_model([0, 0, 1], [1, 0, 1], 2, 1.0).round(4).tolist()
    [[0.1111, 0.3333], [0.1481, 0.0741], [0.1667, 0.1667]]
    """
    a = _check_ids(answers, "answers")
    n_facts = a.size
    n_responses = check_positive_int(n_responses, "n_responses", minimum=2)
    if a.max() >= n_responses:
        i = int(np.argmax(a >= n_responses))
        raise ValueError(f"answers: entry {i} is {a[i]}, outside 0..{n_responses - 1}")
    c = _check_ids(persons, "persons")
    if c.max() >= n_facts:
        i = int(np.argmax(c >= n_facts))
        raise ValueError(f"persons: entry {i} is {c[i]}, but there are only {n_facts} facts")
    check_real(smoothing, "smoothing")
    if not smoothing > 0:
        raise ValueError(f"smoothing must be > 0, got {smoothing!r}")
    s = float(smoothing)
    counts = np.bincount(c, minlength=n_facts).astype(float)
    unseen = counts == 0
    reserve = good_turing(c) if unseen.any() else 0.0
    start = np.where(unseen, reserve / max(int(unseen.sum()), 1), (1 - reserve) * counts / c.size)
    conditional = np.full((n_facts, n_responses), s)
    conditional[np.arange(n_facts), a] += counts
    conditional /= (counts + n_responses * s)[:, None]
    return start[:, None] * conditional


def generation_instance(frequencies, answers, p_hat) -> Instance:
    """The generator as an `Instance` with one prompt: the F x R statements are the responses,
    the true facts (i, a_i) are valid (p gives them the frequencies), the rest are errors.

    >>> inst = generation_instance([0.5, 0.5], [1, 0], [[0.1, 0.4], [0.3, 0.2]])
    >>> round(float(inst.p_hat[0, 1] + inst.p_hat[0, 2]), 3), inst.n_prompts
    (0.7, 1)
    """
    p_facts = check_distribution(frequencies, "frequencies").astype(float)
    a = _check_ids(answers, "answers")
    q = as_array(p_hat, "p_hat")
    if q.ndim != 2 or q.shape[0] != p_facts.size or a.size != p_facts.size:
        raise ValueError(f"p_hat has shape {q.shape}, answers {a.shape}, but there are "
                         f"{p_facts.size} facts: expected (F, R) and (F,)")
    if a.max() >= q.shape[1]:
        raise ValueError(f"answers: entry {int(np.argmax(a >= q.shape[1]))} is outside 0..{q.shape[1] - 1}")
    n_facts, n_responses = q.shape
    p = np.zeros((n_facts, n_responses))
    p[np.arange(n_facts), a] = p_facts
    valid = np.zeros((n_facts, n_responses), dtype=bool)
    valid[np.arange(n_facts), a] = True
    return Instance(p.reshape(1, -1), q.astype(float).reshape(1, -1), valid.reshape(1, -1))


def hallucination_decomposition(inst: Instance) -> dict:
    """The terms of err = p(V \\ A) - p_hat(V \\ A) + p_hat(E & A) - (p_hat(A) - p(A)).

    A = {p_hat > 1/min|E|} (the paper's threshold, `reduction.classify`). Returns the four terms,
    ``err`` (`generative_error`), ``delta`` (`calibration_gap`, the absolute value of the last
    term) and ``identity``, the right-hand side. Exact for Fraction instances.

    >>> from fractions import Fraction as F
    >>> inst = Instance([[F(1, 2), F(1, 2), 0, 0]], [[F(3, 5), F(1, 10), F(1, 5), F(1, 10)]],
    ...                 [[True, True, False, False]])
    >>> parts = hallucination_decomposition(inst)
    >>> parts["err"], parts["identity"], parts["signed_delta"]
    (Fraction(3, 10), Fraction(3, 10), Fraction(1, 10))
    """
    if not isinstance(inst, Instance):
        raise TypeError(f"inst must be a hallu_proofs.Instance, got {type(inst).__name__}")
    above = classify(inst)
    plausible = _plausible(inst)
    valid = inst.valid & plausible
    errors = ~inst.valid & plausible
    weight = inst.mu[:, None]

    def mass(values, mask):
        return (weight * values)[mask].sum()

    parts = {
        "facts_below": mass(inst.p, valid & ~above),
        "model_facts_below": mass(inst.p_hat, valid & ~above),
        "errors_above": mass(inst.p_hat, errors & above),
        "signed_delta": mass(inst.p_hat, above) - mass(inst.p, above),
    }
    if not inst.exact:
        parts = {k: float(v) for k, v in parts.items()}
    parts["identity"] = (parts["facts_below"] - parts["model_facts_below"] + parts["errors_above"]
                         - parts["signed_delta"])
    parts["err"] = generative_error(inst)
    parts["delta"] = calibration_gap(inst)
    return parts


def binned_kl(inst: Instance, bins=20) -> float:
    """A bin-wise KL proxy of miscalibration: KL(p_B || p_hat_B) over level sets of p_hat.

    The plausible slots with p_hat > 0 are grouped into ``bins`` bins equally spaced in
    log p_hat (between the smallest and largest positive value); p_B and p_hat_B are the masses
    p and p_hat give each bin. Zero iff the two agree on every bin (a binned calibration).
    Bins where p puts mass and p_hat none make it infinite (cannot happen when p_hat > 0 on
    every plausible slot).

    >>> inst = Instance([[0.5, 0.5, 0.0]], [[0.25, 0.25, 0.5]], [[True, True, False]])
    >>> round(binned_kl(inst, bins=2), 4)
    0.6931
    """
    if not isinstance(inst, Instance):
        raise TypeError(f"inst must be a hallu_proofs.Instance, got {type(inst).__name__}")
    bins = check_positive_int(bins, "bins")
    mask = _plausible(inst) & (np.asarray(inst.p_hat, dtype=float) > 0)
    weight = np.broadcast_to(np.asarray(inst.mu, dtype=float)[:, None], inst.p.shape)[mask]
    q = np.asarray(inst.p_hat, dtype=float)[mask]
    p = np.asarray(inst.p, dtype=float)[mask]
    logs = np.log(q)
    lo, hi = logs.min(), logs.max()
    level = np.zeros(q.size, dtype=int) if hi == lo else np.minimum(
        ((logs - lo) / (hi - lo) * bins).astype(int), bins - 1)
    p_bin = np.bincount(level, weights=weight * p, minlength=bins)
    q_bin = np.bincount(level, weights=weight * q, minlength=bins)
    used = p_bin > 0
    if np.any(q_bin[used] == 0):
        return math.inf
    return float(np.sum(p_bin[used] * np.log(p_bin[used] / q_bin[used])))


def prompted_accuracy(frequencies, answers, p_hat) -> float:
    """Accuracy when asked: sum_i p_i p_hat(a_i | i), the probability that the model, asked about
    a person drawn from p, samples the true attribute.

    >>> prompted_accuracy([0.5, 0.5], [1, 0], [[0.1, 0.4], [0.3, 0.2]])
    0.7
    """
    p_facts = check_distribution(frequencies, "frequencies").astype(float)
    a = _check_ids(answers, "answers")
    q = as_array(p_hat, "p_hat").astype(float)
    if q.ndim != 2 or q.shape[0] != p_facts.size or a.size != p_facts.size:
        raise ValueError(f"p_hat has shape {q.shape}, expected ({p_facts.size}, R)")
    conditional = q[np.arange(a.size), a] / q.sum(axis=1)
    return float(p_facts @ conditional)


def monofact_experiment(shape, seed, n_facts=2000, n_responses=20, n=5000, smoothing=0.001,
                        fraction=0.05, repeats=10) -> dict:
    """One run: draw frequencies, facts and a corpus; fit the bigram generator to the corpus and
    to its upweighted version; measure both.

    Returns ``{"monofact_rate": sr, "plain": {...}, "upweighted": {...}}``, each inner dict with
    ``hallucination`` (err), ``delta``, ``kl`` (`binned_kl`), ``accuracy`` (`prompted_accuracy`)
    and the terms ``facts_below``, ``model_facts_below``, ``errors_above``, ``signed_delta`` of
    `hallucination_decomposition`. The seed fixes everything.

    >>> run = monofact_experiment(1.0, 0, n_facts=300, n=500)
    >>> bool(run["upweighted"]["hallucination"] < run["plain"]["hallucination"])
    True
    """
    from .arbitrary_facts import singleton_rate_of_counts

    seed = check_positive_int(seed, "seed", minimum=0)
    rng = np.random.default_rng(seed)
    freq = pareto_frequencies(n_facts, shape, rng)
    answers = rng.integers(0, check_positive_int(n_responses, "n_responses", minimum=2), n_facts)
    persons = draw_corpus(freq, n, rng)
    out = {"monofact_rate": singleton_rate_of_counts(np.bincount(persons, minlength=n_facts), n)}
    corpora = {"plain": persons, "upweighted": upweight(persons, fraction, repeats, rng)}
    for name, corpus in corpora.items():
        p_hat = bigram_fact_model(corpus, answers, n_responses, smoothing)
        inst = generation_instance(freq, answers, p_hat)
        parts = hallucination_decomposition(inst)
        out[name] = {
            "hallucination": parts["err"],
            "delta": parts["delta"],
            "signed_delta": parts["signed_delta"],
            "facts_below": parts["facts_below"],
            "model_facts_below": parts["model_facts_below"],
            "errors_above": parts["errors_above"],
            "kl": binned_kl(inst),
            "accuracy": prompted_accuracy(freq, answers, p_hat),
        }
    return out


# --------------------------------------------------------------------------- checks

def _plausible(inst):
    return np.ones(inst.p.shape, dtype=bool) if inst.plausible is None else inst.plausible


def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    return rng


def _check_ids(values, name):
    """A non-empty 1-D array of non-negative integer ids (persons or answers)."""
    ids = as_array(values, name)
    if ids.dtype == bool or not np.issubdtype(ids.dtype, np.integer) or ids.ndim != 1 \
            or ids.size == 0:
        raise TypeError(f"{name} must be a non-empty 1-D integer array, got dtype {ids.dtype}, "
                        f"shape {ids.shape}")
    if ids.min() < 0:
        raise ValueError(f"{name}: entry {int(np.argmax(ids < 0))} is negative")
    return ids

