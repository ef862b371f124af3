"""Arbitrary facts and the singleton rate: Definitions 1-2, Lemma 2 and Theorem 2 (Appendix B).

The Arbitrary Facts model (Definition 1) fixes a prompt distribution mu, a response-set size
|R_c| >= 2 and an answer probability alpha_c for every prompt c. The facts are drawn once: a_c
uniform in R_c = {0, ..., |R_c| - 1}. A training example is (c, a_c) with probability
mu(c) alpha_c and (c, IDK) with probability mu(c) (1 - alpha_c); IDK is coded ``IDK = -1``.

In an `Instance` built by `facts_instance`, prompt c's row has the response slots
0 .. max_c |R_c| - 1 followed by one extra slot, the last, for IDK (valid for every prompt).

>>> import numpy as np
>>> facts = ArbitraryFacts(mu=np.full(1000, 1e-3), n_responses=365, alpha=0.5)
>>> answers = facts.draw_answers(rng=0)
>>> prompts, responses = facts.draw_training_set(answers, n=2000, rng=1)
>>> sr = singleton_rate(prompts, responses)
>>> unanswered = unanswered_prompts(prompts, responses, facts.n_prompts)
>>> err = memorising_learner_error(facts, unanswered)  # the calibrated learner
>>> theorem2_lower_bound(sr, facts.min_errors, 2000) <= err <= theorem2_upper_bound(
...     sr, facts.max_errors, 2000)
True
"""

from __future__ import annotations

import math
from fractions import Fraction
from numbers import Integral
from typing import NamedTuple

import numpy as np

from ._lazy import sympy as sp
from .instances import Instance
from .validation import (
    as_array,
    as_id_array,
    check_confidence_level,
    check_distribution,
    check_positive_int,
    check_probability,
    check_real,
    id_counts,
)

__all__ = [
    "IDK",
    "ArbitraryFacts",
    "alias_table",
    "answer_counts",
    "counting_learner",
    "facts_instance",
    "lemma2_gamma",
    "lumped_memorising_instance",
    "memorising_learner",
    "memorising_learner_error",
    "missing_answer_mass",
    "singleton_rate",
    "singleton_rate_of_counts",
    "Theorem2Bounds",
    "theorem2_bounds",
    "theorem2_lower_bound",
    "theorem2_lower_bound_terms",
    "theorem2_sample_size",
    "theorem2_symbolic_checks",
    "theorem2_upper_bound",
    "unanswered_prompts",
    "uniform_singleton_moments",
]

#: The integer code of the IDK ("I don't know") response in training data.
IDK = -1

#: Examples drawn per block: the temporaries of a block stay in the CPU cache.
_DRAW_BLOCK = 1 << 17


# --------------------------------------------------------------------------- Definition 1

class ArbitraryFacts:
    """The fixed parameters of the Arbitrary Facts model (Definition 1).

    Parameters
    ----------
    mu : array_like, shape (m,)
        Prompt distribution (floats, or Fractions for exact arithmetic).
    n_responses : int or array_like of int, shape (m,)
        |R_c| >= 2, the number of possible answers of each prompt (a scalar is shared).
    alpha : number or array_like, shape (m,)
        alpha_c in [0, 1], the probability that a training example of c states its answer.

    The ``rng`` argument of the drawing methods is a seed or a `numpy.random.Generator`.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> facts = ArbitraryFacts([F(1, 2), F(1, 2)], n_responses=[2, 3], alpha=[1, F(1, 3)])
    >>> facts.n_prompts, facts.min_errors, facts.max_errors, facts.exact
    (2, 1, 2, True)
    >>> ArbitraryFacts([1.0], n_responses=1, alpha=0.5)
    Traceback (most recent call last):
    ...
    ValueError: n_responses: prompt 0 has |R_c| = 1; every prompt needs at least 2 responses
    """

    def __init__(self, mu, n_responses, alpha):
        self.mu = check_distribution(mu, "mu").copy()  # the caller's array is never frozen
        self.exact = self.mu.dtype == object
        m = self.mu.size
        self.n_responses = _per_prompt_ints(n_responses, m)
        self.alpha = _per_prompt_probabilities(alpha, m, self.exact)
        for arr in (self.mu, self.n_responses, self.alpha):
            arr.flags.writeable = False
        self._alias = None

    @property
    def n_prompts(self) -> int:
        """m, the number of prompts."""
        return self.mu.size

    @property
    def min_errors(self) -> int:
        """min_c |E_c| = min_c |R_c| - 1."""
        return int(self.n_responses.min()) - 1

    @property
    def max_errors(self) -> int:
        """L = max_c |E_c| = max_c |R_c| - 1."""
        return int(self.n_responses.max()) - 1

    @property
    def answer_mass(self) -> np.ndarray:
        """mu'(c) = mu(c) alpha_c = p(c, a_c), the probability of an answered example of c."""
        return self.mu * self.alpha

    def draw_answers(self, rng=None) -> np.ndarray:
        """The facts: a_c uniform in {0, ..., |R_c| - 1}, independently for each prompt.

        >>> ArbitraryFacts([0.5, 0.5], n_responses=[2, 1000], alpha=1.0).draw_answers(rng=3).tolist()
        [1, 85]
        """
        return np.random.default_rng(rng).integers(0, self.n_responses)

    def draw_training_set(self, answers, n, rng=None):
        """N iid training examples (c, r): c ~ mu, then r = a_c w.p. alpha_c and r = IDK otherwise.

        Vectorized with Walker's alias method over the 2m outcomes (c, a_c) and (c, IDK), in
        blocks; the table is built once per model (see `_alias_table` for the exact law, which
        rounds each keep probability down to a multiple of 2^-32). Returns ``(prompts,
        responses)`` as int32 arrays of length N.

        >>> facts = ArbitraryFacts([0.5, 0.5], n_responses=2, alpha=[1.0, 0.0])
        >>> prompts, responses = facts.draw_training_set([1, 0], n=6, rng=0)
        >>> bool(np.all(np.where(prompts == 0, responses == 1, responses == IDK)))
        True
        """
        answers = self.check_answers(answers)
        n = check_positive_int(n, "n")
        if self.n_responses.max() > np.iinfo(np.int32).max:
            raise ValueError("n_responses: draw_training_set codes responses as 32-bit integers")
        thresholds, slot_outcome = self._alias_table()
        columns = thresholds.size
        # Outcome o is the example (o >> 1, IDK) for even o and (o >> 1, a_{o >> 1}) for odd o.
        # Its code is response << shift | prompt: the prompt in the low `shift` bits (every
        # o >> 1 < columns / 2 = 2^shift, padding included), the response above them, negative
        # for IDK = -1. Then code & (2^shift - 1) is the prompt and the arithmetic shift
        # code >> shift the response. The largest code is max|R_c| 2^shift - 1: the codes are
        # int32 when that fits (the slot table is then half as big), else int64.
        shift = int(self.n_prompts - 1).bit_length()
        fits = int(self.n_responses.max()) << shift <= 1 << 31
        code_type = np.int32 if fits else np.int64
        prompt = np.arange(columns >> 1, dtype=code_type)
        answer = np.full(columns >> 1, IDK, dtype=code_type)
        answer[:self.n_prompts] = answers
        code = np.empty(columns, dtype=code_type)
        code[0::2] = (IDK << shift) | prompt
        code[1::2] = (answer << shift) | prompt
        slot_code = code[slot_outcome]  # the code of the outcome of each slot
        prompt_bits = code_type((1 << shift) - 1)
        column_bits = np.uint32(columns - 1)
        prompts = np.empty(n, dtype=np.int32)
        responses = np.empty(n, dtype=np.int32)
        size = min(n, _DRAW_BLOCK)
        slots = np.empty(size, dtype=np.intp)
        thresholds_drawn = np.empty(size, dtype=np.uint32)
        kept_drawn = np.empty(size, dtype=bool)
        codes = np.empty(size, dtype=code_type)
        bits = np.random.default_rng(rng).bit_generator
        for start in range(0, n, _DRAW_BLOCK):
            stop = min(n, start + _DRAW_BLOCK)
            b = stop - start
            slot, threshold, kept, chosen = slots[:b], thresholds_drawn[:b], kept_drawn[:b], codes[:b]
            # The block's b random 64-bit words are 2b uniform 32-bit integers: example i takes
            # its column j from the low bits of the i-th and u from the (b + i)-th, and is the
            # outcome of slot 2j + [u < thresholds[j]]. The indices are in range: take's
            # mode="wrap" never wraps, it only spares the copy of `out` made by mode="raise".
            halves = bits.random_raw(b).view(np.uint32)
            column, uniform = halves[:b], halves[b:]
            np.bitwise_and(column, column_bits, out=slot, casting="unsafe")
            np.take(thresholds, slot, out=threshold, mode="wrap")
            np.less(uniform, threshold, out=kept)
            np.left_shift(slot, 1, out=slot)
            np.add(slot, kept, out=slot)
            np.take(slot_code, slot, out=chosen, mode="wrap")
            np.bitwise_and(chosen, prompt_bits, out=prompts[start:stop], casting="unsafe")
            np.right_shift(chosen, shift, out=responses[start:stop], casting="unsafe")
        return prompts, responses

    def draw_answer_counts(self, n, rng=None) -> np.ndarray:
        """The answered counts k_c = #{i : c_i = c, r_i != IDK} of N iid training examples.

        Drawn directly, in O(m) time whatever N: (k_1, ..., k_m, #IDK) is multinomial with N
        trials and probabilities (mu(c) alpha_c)_c and sum_c mu(c) (1 - alpha_c), exactly the
        law of ``answer_counts`` of `draw_training_set`. Every quantity of Theorem 2 for the
        memorising learners (sr, U, MM, err) depends on the data only through these counts.

        >>> counts = ArbitraryFacts([0.5, 0.5], n_responses=2, alpha=[1.0, 0.0]).draw_answer_counts(
        ...     10, rng=0)
        >>> counts.tolist()
        [6, 0]
        """
        n = check_positive_int(n, "n")
        answered = self.answer_mass.astype(float)
        total = answered.sum()
        pvals = np.append(answered, max(0.0, 1.0 - total))
        return np.random.default_rng(rng).multinomial(n, pvals / pvals.sum())[:-1]

    def _alias_table(self):
        """Alias table of the outcomes 2c = (c, IDK) and 2c + 1 = (c, a_c), built once.

        Returns ``(thresholds, slot_outcome)``. The table is padded with outcomes of probability
        0 to a power of two of columns, so that a column is a masked random word. Column j keeps
        its own outcome j, slot ``slot_outcome[2j + 1] = j``, when a uniform 32-bit integer is
        below ``thresholds[j]``, and otherwise takes its alias, slot ``slot_outcome[2j]``. The
        thresholds are floor(2^32 keep_j), capped at 2^32 - 1, so outcome o is drawn with
        probability exactly

            (1 / columns) sum_j ([slot_outcome[2j + 1] = o] thresholds[j] / 2^32
                                 + [slot_outcome[2j] = o] (1 - thresholds[j] / 2^32)),

        within 2^-32 of the probability that the float table (keep, alias) gives it: rounding
        moves at most 2^-32 / columns of probability from a column's own outcome to its alias.
        """
        if self._alias is None:
            columns = 1 << int(2 * self.n_prompts - 1).bit_length()
            weights = np.zeros(columns)
            weights[0:2 * self.n_prompts:2] = (self.mu * (1 - self.alpha)).astype(float)
            weights[1:2 * self.n_prompts:2] = self.answer_mass.astype(float)
            keep, alias = alias_table(weights / weights.sum())
            thresholds = np.minimum(np.floor(keep * 2.0**32), 2.0**32 - 1).astype(np.uint32)
            slot_outcome = np.empty(2 * columns, dtype=np.intp)
            slot_outcome[0::2], slot_outcome[1::2] = alias, np.arange(columns)
            for arr in (thresholds, slot_outcome):
                arr.flags.writeable = False
            self._alias = thresholds, slot_outcome
        return self._alias

    def check_answers(self, answers) -> np.ndarray:
        """Validate a vector of facts: one integer a_c in {0, ..., |R_c| - 1} per prompt."""
        arr = as_array(answers, "answers")
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"answers must hold integers, got dtype {arr.dtype}")
        if arr.shape != (self.n_prompts,):
            raise ValueError(f"answers has shape {arr.shape}, expected ({self.n_prompts},)")
        bad = np.flatnonzero((arr < 0) | (arr >= self.n_responses))
        if bad.size:
            c = bad[0]
            raise ValueError(
                f"answers: prompt {c} has answer {arr[c]}, outside R_c = {{0, ..., "
                f"{self.n_responses[c] - 1}}}"
            )
        return arr.astype(np.int64)

    def __repr__(self):
        kind = "exact" if self.exact else "float"
        return (f"ArbitraryFacts({self.n_prompts} prompts, {kind}, |R_c| in "
                f"[{self.min_errors + 1}, {self.max_errors + 1}])")


def alias_table(weights):
    """Walker's alias table of a distribution over k outcomes, built without a Python loop.

    Returns ``(keep, alias)``: draw a column j uniformly in 0..k-1, keep it with probability
    ``keep[j]`` and otherwise take ``alias[j]``. Outcome i then has probability
    (keep[i] + sum_{j: alias[j] = i} (1 - keep[j])) / k = weights[i]; with Fraction weights the
    table is exact. The construction is Vose's sweep: the heavy outcomes (k w >= 1), in order,
    fill the deficits 1 - k w of the light ones, in order; a heavy outcome whose excess runs
    out becomes light and is filled by the next heavy one. Both orders are fixed, so prefix sums
    and a binary search give every pairing at once.

    >>> from fractions import Fraction as F
    >>> keep, alias = alias_table([F(1, 2), F(1, 4), F(1, 4)])
    >>> keep.tolist(), alias.tolist()
    ([Fraction(1, 1), Fraction(3, 4), Fraction(3, 4)], [0, 0, 0])
    """
    w = check_distribution(weights, "weights")
    k = w.size
    scaled = w * k
    light = np.flatnonzero(scaled < 1)
    heavy = np.flatnonzero(scaled >= 1)
    keep = scaled.copy()
    alias = np.arange(k)
    one = Fraction(1) if w.dtype == object else 1.0
    if light.size == 0:
        keep[:] = one
        return keep, alias
    deficit_end = np.cumsum(1 - scaled[light])  # D_i: deficits of the first i light outcomes
    deficit_start = deficit_end - (1 - scaled[light])
    excess_end = np.cumsum(scaled[heavy] - 1)  # E_t: excess of the first t heavy outcomes
    # Light outcome i is filled by the first heavy t with E_t >= D_{i-1} (rounding can push
    # past the last one: then the deficit is rounding noise and the outcome keeps itself).
    filler = np.searchsorted(excess_end, deficit_start, side="left")
    filled = filler < heavy.size
    alias[light[filled]] = heavy[filler[filled]]
    keep[light[~filled]] = one
    # Heavy t runs out at the first D_i > E_t and keeps 1 + E_t - D_i; the next heavy fills it.
    runs_out = np.searchsorted(deficit_end, excess_end, side="right")
    ends = runs_out < light.size
    t = np.flatnonzero(ends & (np.arange(heavy.size) + 1 < heavy.size))
    keep[heavy[t]] = 1 + excess_end[t] - deficit_end[runs_out[t]]
    alias[heavy[t]] = heavy[t + 1]
    keep[heavy[~np.isin(np.arange(heavy.size), t)]] = one
    if w.dtype != object:
        keep = np.clip(keep, 0.0, 1.0)
    return keep, alias


# --------------------------------------------------------------------------- Definition 2

def answer_counts(prompts, responses, n_prompts=None) -> np.ndarray:
    """For each prompt c, the number of training examples (c, r) with r != IDK.

    ``n_prompts`` (default: 1 + the largest prompt) fixes the length of the result.

    >>> answer_counts([0, 0, 1, 2, 2], [4, IDK, IDK, 7, 7], n_prompts=4).tolist()
    [1, 0, 2, 0]
    """
    c, r = _check_training_set(prompts, responses)
    if n_prompts is not None:
        n_prompts = check_positive_int(n_prompts, "n_prompts")
        if c.max() >= n_prompts:
            i = int(np.argmax(c >= n_prompts))
            raise ValueError(f"prompts: entry {i} is {c[i]}, but there are only {n_prompts} prompts")
    return np.bincount(c[r != IDK], minlength=n_prompts or 0)


def singleton_rate(prompts, responses, idk=IDK) -> float:
    """sr = |S| / N (Definition 2): S holds the prompts with exactly one non-IDK example.

    N = len(prompts) counts every example, IDK rows included; a prompt seen once with its
    answer and any number of times with IDK is a singleton. Prompts and responses may be any
    hashable ids (ints of any size, strings, tuples, a pandas column); ``idk`` is the response
    that means "I don't know". Time O(N log N) and memory O(N), whatever the ids' values.

    >>> singleton_rate([0, 0, 0, 1, 1, 2], [5, IDK, IDK, 3, 3, IDK])
    0.16666666666666666
    >>> singleton_rate(["Ada", "Ada", "Alan"], ["Dec 10", "IDK", "Jun 23"], idk="IDK")
    0.6666666666666666
    """
    asked = as_id_array(prompts, "prompts")
    answers = as_id_array(responses, "responses")
    if asked.size == 0:
        raise ValueError("prompts is empty: a training set needs N >= 1 examples")
    if answers.size != asked.size:
        raise ValueError(f"responses has length {answers.size}, but prompts has length {asked.size}")
    answered = np.asarray(answers != idk, dtype=bool)
    counts = id_counts(asked[answered], "prompts")
    return int(np.count_nonzero(counts == 1)) / asked.size


def singleton_rate_of_counts(counts, n) -> float:
    """sr from the answered counts k_c of a training set of N examples: #{c : k_c = 1} / N.

    >>> singleton_rate_of_counts([1, 0, 2, 1], n=10)
    0.2
    """
    k = as_array(counts, "counts")
    if k.dtype == bool or not np.issubdtype(k.dtype, np.integer) or k.ndim != 1:
        raise TypeError(f"counts must be a 1-D integer array, got dtype {k.dtype}, shape {k.shape}")
    n = check_positive_int(n, "n")
    if k.size and k.min() < 0:
        raise ValueError(f"counts: entry {int(np.argmax(k < 0))} is negative")
    if k.sum() > n:
        raise ValueError(f"counts sum to {k.sum()}, more than the n = {n} examples")
    return int(np.count_nonzero(k == 1)) / n


def unanswered_prompts(prompts, responses, n_prompts) -> np.ndarray:
    """The set U as a boolean mask: True for the prompts with no non-IDK training example.

    >>> unanswered_prompts([0, 1, 1], [IDK, 2, IDK], n_prompts=3).tolist()
    [True, False, True]
    """
    return answer_counts(prompts, responses, n_prompts) == 0


def missing_answer_mass(facts: ArbitraryFacts, unanswered):
    """MM = Pr_{(c, r) ~ p}[c in U and r != IDK] = sum_{c in U} mu(c) alpha_c (Appendix B).

    >>> facts = ArbitraryFacts([0.5, 0.25, 0.25], n_responses=2, alpha=[1.0, 0.5, 0.0])
    >>> missing_answer_mass(facts, [True, True, False])
    0.625
    """
    _check_facts(facts)
    u = _check_unanswered(unanswered, facts)
    return _total(facts.answer_mass[u], facts.exact)


# --------------------------------------------------------------------------- learners

def memorising_learner(facts: ArbitraryFacts, prompts, responses, guess_rate=None) -> np.ndarray:
    """The learner of Theorem 2's upper bound and its relatives, fitted to a training set.

    On a prompt answered in the data it memorises the answer and agrees with p: a_c with
    probability alpha_c, IDK otherwise. On an unanswered prompt it answers with probability
    ``guess_rate`` (uniformly over R_c) and says IDK otherwise. ``guess_rate=None`` means
    alpha_c: the paper's calibrated learner. ``1`` always guesses, ``0`` always abstains.

    Returns p_hat(r | c) as an (m, max_c |R_c| + 1) array whose last column is IDK.

    >>> facts = ArbitraryFacts([0.5, 0.5], n_responses=2, alpha=[1.0, 0.5])
    >>> memorising_learner(facts, [0], [1]).tolist()
    [[0.0, 1.0, 0.0], [0.25, 0.25, 0.5]]
    """
    _check_facts(facts)
    g = _guess_rates(facts, guess_rate)
    counts, memo = _memorised_answers(facts, prompts, responses)
    m, width = facts.n_prompts, facts.max_errors + 2
    zero = Fraction(0) if facts.exact else 0.0
    p_hat = np.full((m, width), zero, dtype=object if facts.exact else float)
    seen = counts > 0
    rows = np.flatnonzero(seen)
    p_hat[rows, memo[rows]] = facts.alpha[rows]
    p_hat[rows, -1] = 1 - facts.alpha[rows]
    in_r = np.arange(width - 1)[None, :] < facts.n_responses[:, None]
    share = _divide(g, facts.n_responses, facts.exact)
    guess = np.where(in_r, share[:, None], zero)
    p_hat[~seen, :-1] = guess[~seen]
    p_hat[~seen, -1] = 1 - g[~seen]
    return p_hat


def memorising_learner_error(facts: ArbitraryFacts, unanswered, guess_rate=None):
    """err of `memorising_learner` in closed form: sum_{c in U} mu(c) g_c (|R_c| - 1) / |R_c|.

    With g_c = alpha_c (the default) this is the calibrated learner's error of Appendix B.

    >>> from fractions import Fraction as F
    >>> facts = ArbitraryFacts([F(1, 2), F(1, 2)], n_responses=[2, 4], alpha=[1, F(1, 2)])
    >>> memorising_learner_error(facts, [True, True])
    Fraction(7, 16)
    """
    _check_facts(facts)
    u = _check_unanswered(unanswered, facts)
    g = _guess_rates(facts, guess_rate)
    wrong = _divide(facts.n_responses - 1, facts.n_responses, facts.exact)
    return _total((facts.mu * g * wrong)[u], facts.exact)


def counting_learner(facts: ArbitraryFacts, prompts, responses, smoothing=1.0) -> np.ndarray:
    """A model fitted by counting, which is told neither alpha nor the answers.

    p_hat(r | c) = (n_{c,r} + s q_c(r)) / (n_c + s), where n_{c,r} counts the examples (c, r),
    n_c those of c, s = ``smoothing`` > 0, and q_c is the corpus-wide frequency of each
    response (add-one smoothed) restricted to R_c and IDK: a conditional count model that backs
    off to the pooled unigram distribution, as smoothed n-gram models do.

    Returns an (m, max_c |R_c| + 1) array whose last column is IDK.

    >>> facts = ArbitraryFacts([0.5, 0.5], n_responses=2, alpha=1.0)
    >>> counting_learner(facts, [0, 0, 0], [1, 1, 1], smoothing=1.0).round(3).tolist()
    [[0.042, 0.917, 0.042], [0.167, 0.667, 0.167]]
    """
    _check_facts(facts)
    smoothing = check_real(smoothing, "smoothing")
    if not smoothing > 0:
        raise ValueError(f"smoothing must be > 0, got {smoothing!r}")
    counts, _ = _memorised_answers(facts, prompts, responses)
    c, r = _check_training_set(prompts, responses)
    m, width = facts.n_prompts, facts.max_errors + 2
    slot = np.where(r == IDK, width - 1, r)
    table = np.bincount(c.astype(np.int64) * width + slot, minlength=m * width).reshape(m, width)
    table = table.astype(float)
    pooled = table.sum(axis=0) + 1.0
    plausible = np.arange(width)[None, :] < facts.n_responses[:, None]
    plausible[:, -1] = True
    prior = np.where(plausible, pooled[None, :], 0.0)
    prior /= prior.sum(axis=1, keepdims=True)
    return (table + smoothing * prior) / (table.sum(axis=1, keepdims=True) + smoothing)


def facts_instance(facts: ArbitraryFacts, answers, p_hat) -> Instance:
    """The `Instance` of an Arbitrary Facts model, its facts and a model p_hat.

    Row c: p puts alpha_c on slot a_c and 1 - alpha_c on the last slot (IDK); V_c = {a_c, IDK},
    E_c = R_c without a_c. When the |R_c| differ, the slots beyond |R_c| are marked not
    plausible. So `generative_error`, `iiv_error` and `calibration_gap` apply unchanged.

    >>> facts = ArbitraryFacts([0.5, 0.5], n_responses=2, alpha=[1.0, 0.5])
    >>> p_hat = memorising_learner(facts, [0], [1])
    >>> from hallu_proofs import calibration_gap, generative_error
    >>> inst = facts_instance(facts, [1, 0], p_hat)
    >>> generative_error(inst), calibration_gap(inst)
    (0.125, 0.0)
    """
    _check_facts(facts)
    answers = facts.check_answers(answers)
    m, width = facts.n_prompts, facts.max_errors + 2
    p_hat = as_array(p_hat, "p_hat")
    if p_hat.shape != (m, width):
        raise ValueError(f"p_hat has shape {p_hat.shape}, expected ({m}, {width}): one row per "
                         "prompt, the response slots and a last column for IDK")
    zero = Fraction(0) if facts.exact else 0.0
    p = np.full((m, width), zero, dtype=object if facts.exact else float)
    rows = np.arange(m)
    p[rows, answers] = facts.alpha
    p[:, -1] = 1 - facts.alpha
    valid = np.zeros((m, width), dtype=bool)
    valid[rows, answers] = True
    valid[:, -1] = True
    plausible = None
    if facts.min_errors != facts.max_errors:
        plausible = np.arange(width)[None, :] < facts.n_responses[:, None]
        plausible[:, -1] = True
    return Instance(p, p_hat, valid, mu=facts.mu, plausible=plausible)


def lumped_memorising_instance(facts: ArbitraryFacts, unanswered, guess_rate=None) -> Instance:
    """A small `Instance` with the same err, err_iiv and delta as `memorising_learner`'s.

    For a memorising learner, a prompt's row depends only on (answered or not, alpha_c, |R_c|,
    g_c), up to relabelling the responses so that a_c comes first, and err, err_iiv and delta
    at every threshold are sums of mu(c) times a function of the row. So the prompts of one
    kind can be merged into a single prompt carrying their total mu, with answer 0 and the
    same threshold 1/min_c |E_c| (every |R_c| is kept, so min and max are unchanged). This
    lets the Theorem 1 functions run on simulations with millions of prompts.

    >>> facts = ArbitraryFacts([0.25] * 4, n_responses=3, alpha=0.5)
    >>> lumped_memorising_instance(facts, np.array([True, False, True, True])).n_prompts
    2
    """
    _check_facts(facts)
    u = _check_unanswered(unanswered, facts)
    g = _guess_rates(facts, guess_rate)
    key = u.astype(np.int64)
    for values in (facts.alpha, facts.n_responses, g):
        levels, code = np.unique(values, return_inverse=True)
        key = key * levels.size + code.ravel()
    _, first, kind = np.unique(key, return_index=True, return_inverse=True)
    kind = kind.ravel()
    mu = np.zeros(first.size, dtype=facts.mu.dtype)
    if facts.exact:
        mu[:] = Fraction(0)
        for c, j in enumerate(kind):
            mu[j] += facts.mu[c]
    else:
        mu = np.bincount(kind, weights=facts.mu, minlength=first.size)
    lumped = ArbitraryFacts(mu, facts.n_responses[first], facts.alpha[first])
    # One answered example (answer 0) of each seen kind, which the learner memorises, and one
    # IDK example, which answers nothing (so the training set is never empty).
    seen = np.flatnonzero(~u[first])
    prompts = np.append(seen, 0)
    responses = np.append(np.zeros(seen.size, dtype=np.int64), IDK)
    p_hat = memorising_learner(lumped, prompts, responses, g[first])
    return facts_instance(lumped, np.zeros(first.size, dtype=np.int64), p_hat)


def lemma2_gamma(positive, answer):
    """gamma_c of Lemma 2's proof, for an unanswered prompt: an exact Fraction in [0, 1].

    gamma_c = (I[f(c, a_c) = -] + sum_{r in R_c, r != a_c} I[f(c, r) = +] / (|R_c| - 1)) / 2,
    where ``positive[r]`` is the classifier's label (True = '+') of response r in R_c.
    Averaged over a uniform answer it is exactly 1/2, whatever the labels (step 6).

    >>> labels = [True, False, False, True]
    >>> sum(lemma2_gamma(labels, a) for a in range(4)) / 4
    Fraction(1, 2)
    """
    labels = as_array(positive, "positive")
    if labels.dtype != bool or labels.ndim != 1:
        raise TypeError("positive must be a 1-D boolean array (the labels of R_c)")
    size = labels.size
    if size < 2:
        raise ValueError(f"positive: |R_c| = {size}; every prompt needs at least 2 responses")
    a = check_positive_int(answer, "answer", minimum=0)
    if a >= size:
        raise ValueError(f"answer must be in 0..{size - 1}, got {a}")
    false_positives = int(labels.sum()) - int(labels[a])
    return (int(not labels[a]) + Fraction(false_positives, size - 1)) / 2


# --------------------------------------------------------------------------- Theorem 2

def theorem2_lower_bound_terms(min_errors, n, gamma=None) -> dict:
    """The two correction terms of Theorem 2's lower bound.

    ``errors``: 2 / min_c |E_c| (Theorem 1 with max_c |V_c| = 2). ``sampling``:
    (35 + 6 ln N) / sqrt(N), the paper's 99% form, or 6 ln(3N / gamma) / sqrt(N) for a given
    failure probability gamma (Lemma 2). The terms are floats: for N beyond the float range
    (about 10^308) ``math.sqrt`` raises OverflowError.

    >>> terms = theorem2_lower_bound_terms(364, 10**6)
    >>> round(terms["errors"], 5), round(terms["sampling"], 5)
    (0.00549, 0.11789)
    """
    k = check_positive_int(min_errors, "min_errors")
    n = check_positive_int(n, "n")
    if gamma is None:
        sampling = (35 + 6 * math.log(n)) / math.sqrt(n)
    else:
        gamma = check_confidence_level(gamma)
        sampling = 6 * math.log(3 * n / float(gamma)) / math.sqrt(n)
    return {"errors": 2 / k, "sampling": sampling}


def theorem2_lower_bound(sr, min_errors, n, delta=0, gamma=None) -> float:
    """Theorem 2, lower bound: with probability >= 99% (or >= 1 - gamma), err >= this value.

    gamma None: sr - 2/min_errors - (35 + 6 ln n)/sqrt(n) - delta;
    gamma given: sr - 2/min_errors - 6 ln(3n/gamma)/sqrt(n) - delta.

    >>> round(theorem2_lower_bound(0.2, 364, 10**7), 4)
    0.1529
    >>> theorem2_lower_bound(0.2, 364, 10**7, gamma=0)
    Traceback (most recent call last):
    ...
    ValueError: gamma must be in (0, 1], got 0
    """
    sr = float(check_probability(sr, "sr"))
    delta = float(check_probability(delta, "delta"))
    terms = theorem2_lower_bound_terms(min_errors, n, gamma)
    return sr - terms["errors"] - terms["sampling"] - delta


def theorem2_upper_bound(sr, max_errors, n, gamma=None) -> float:
    """Theorem 2, upper bound for the calibrated learner: with probability >= 99% (or 1 - gamma),
    err <= sr - sr/(max_errors + 1) + 13/sqrt(n)  (gamma given: + 5 sqrt(ln(5/gamma)/n)).

    >>> round(theorem2_upper_bound(0.2, 364, 10**6), 5)
    0.21245
    """
    sr = float(check_probability(sr, "sr"))
    big_l = check_positive_int(max_errors, "max_errors")
    n = check_positive_int(n, "n")
    if gamma is None:
        sampling = 13 / math.sqrt(n)
    else:
        gamma = check_confidence_level(gamma)
        sampling = 5 * math.sqrt(math.log(5 / float(gamma)) / n)
    return sr - sr / (big_l + 1) + sampling


def theorem2_sample_size(sr, min_errors, target=0.0, gamma=None) -> int:
    """The smallest N at which Theorem 2's lower bound (delta = 0) exceeds ``target``.

    The sampling term decreases in N for N >= 3, so a doubling search and a bisection find it.
    Raises ValueError when no N works (target >= sr - 2/min_errors).

    >>> n = theorem2_sample_size(0.2, 364)
    >>> theorem2_lower_bound(0.2, 364, n) > 0 >= theorem2_lower_bound(0.2, 364, n - 1)
    True
    """
    sr = float(check_probability(sr, "sr"))
    target = float(check_real(target, "target"))
    k = check_positive_int(min_errors, "min_errors")
    limit = sr - 2 / k
    if not target < limit:
        raise ValueError(f"target must be below sr - 2/min_errors = {limit:.6g}, got {target!r}")

    def works(n):
        return theorem2_lower_bound(sr, k, n, gamma=gamma) > target

    for n in (1, 2):
        if works(n):
            return n
    hi = 4
    while not works(hi):
        hi *= 2
    lo = hi // 2  # works(lo) is False for lo >= 2 (checked or the previous doubling step)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if works(mid) else (mid, hi)
    return hi


class Theorem2Bounds(NamedTuple):
    """Theorem 2's two bounds on err for one training set, and whether each says anything."""

    lower: float
    upper: float
    #: The lower bound is below 0 (it says nothing: err >= 0 always).
    lower_vacuous: bool
    #: The upper bound is at least 1 (it says nothing: err <= 1 always).
    upper_vacuous: bool
    #: The smallest N at which the lower bound exceeds 0 (None: no N does, sr - 2/min_errors - delta <= 0).
    n_lower_informative: int | None
    #: The smallest N at which the upper bound is below 1.
    n_upper_informative: int


def theorem2_bounds(sr, min_errors, max_errors, n, delta=0, gamma=None) -> Theorem2Bounds:
    """Both bounds of Theorem 2 with what they are worth: whether each is vacuous (a lower bound
    below 0, an upper bound of 1 or more) and the N at which it stops being so.

    >>> b = theorem2_bounds(0.2, 364, 364, 10**4)
    >>> round(b.lower, 4), b.lower_vacuous, b.n_lower_informative
    (-0.7081, True, 326740)
    >>> round(b.upper, 4), b.upper_vacuous, b.n_upper_informative
    (0.3295, False, 264)
    """
    sr = float(check_probability(sr, "sr"))
    delta = float(check_probability(delta, "delta"))
    k = check_positive_int(min_errors, "min_errors")
    big_l = check_positive_int(max_errors, "max_errors")
    lower = theorem2_lower_bound(sr, k, n, delta=delta, gamma=gamma)
    upper = theorem2_upper_bound(sr, big_l, n, gamma=gamma)
    try:
        n_lower = theorem2_sample_size(sr, k, target=delta, gamma=gamma)
    except ValueError:  # sr - 2/min_errors <= delta: no N makes the lower bound positive
        n_lower = None
    return Theorem2Bounds(lower, upper, not lower > 0, not upper < 1, n_lower,
                          _upper_informative_size(sr, big_l, gamma))


def _upper_informative_size(sr, max_errors, gamma):
    """The smallest N with theorem2_upper_bound(sr, max_errors, N, gamma) < 1."""
    room = 1 - (sr - sr / (max_errors + 1))  # in [1/(max_errors + 1), 1]
    scale = 13.0**2 if gamma is None else 25 * math.log(5 / float(gamma))  # >= 25 ln 5 > 40
    # The bound is sr - sr/(L + 1) + sqrt(scale / N): below 1 iff N > scale / room^2 (>= 40).
    n = math.floor(scale / room**2)
    while theorem2_upper_bound(sr, max_errors, n - 1, gamma) < 1:
        n -= 1  # float rounding at the boundary, either way
    while not theorem2_upper_bound(sr, max_errors, n, gamma) < 1:
        n += 1
    return n


def uniform_singleton_moments(n, m):
    """Exact mean and variance of the number S of singletons of N uniform draws over m values.

    In the Arbitrary Facts model with mu uniform over m prompts and every alpha_c = 1, S is the
    number of singleton prompts, so sr = S / N. With q_j = (1 - j/m) (the chance that a draw
    avoids j given values), E[S] = N q_1^(N-1) and E[S(S-1)] = (1 - 1/m) N (N-1) q_2^(N-2).
    Returns two Fractions; the cost is that of the two powers (exact, large numbers for large N).

    >>> uniform_singleton_moments(2, 2)
    (Fraction(1, 1), Fraction(1, 1))
    >>> uniform_singleton_moments(3, 1)
    Traceback (most recent call last):
    ...
    ValueError: m must be >= 2, got 1
    """
    n = check_positive_int(n, "n")
    m = check_positive_int(m, "m", minimum=2)
    mean = n * Fraction(m - 1, m) ** (n - 1)
    pairs = Fraction(m - 1, m) * n * (n - 1) * Fraction(m - 2, m) ** max(n - 2, 0)
    return mean, pairs + mean - mean**2


def theorem2_symbolic_checks() -> list:
    """Every constant and algebraic step of Lemma 2 and Theorem 2's proof, checked by SymPy.

    Returns (name, sympy statement, verdict) triples. The statement is the unevaluated relation
    checked; the verdict is a Python bool computed by SymPy from it (a sound comparison of real
    numbers, or exact simplification of lhs - rhs), or by the named substitution.

    >>> all(ok for _, _, ok in theorem2_symbolic_checks())
    True
    """
    n, g, z, big_l, t = sp.symbols("N gamma zeta L t", positive=True)
    log = sp.log
    checks = []

    def add(name, statement, verdict=None):
        if verdict is None:
            verdict = statement.func(sp.simplify(statement.lhs - statement.rhs), 0)
        checks.append((name, statement, verdict == sp.true))

    def rel(kind, lhs, rhs):
        return kind(lhs, rhs, evaluate=False)

    # Theorem 2, 99% forms at gamma = 1/100.
    add("6 ln 300 <= 35", rel(sp.Le, 6 * log(300), 35))
    add("6 ln(3N/0.01) = 6 ln 300 + 6 ln N",
        rel(sp.Eq, 6 * log(3 * n / sp.Rational(1, 100)), 6 * log(300) + 6 * log(n)))
    add("5 sqrt(ln 500) <= 13", rel(sp.Le, 5 * sp.sqrt(log(500)), 13))
    add("ln(5/gamma) at gamma = 0.01 is ln 500",
        rel(sp.Eq, log(5 / sp.Rational(1, 100)), log(500)))
    # Lemma 1's constant and the ones Lemma 2 adds.
    add("4.42 = 2 + 2.42", rel(sp.Eq, sp.Rational(442, 100), 2 + sp.Rational(242, 100)))
    add("1 + sqrt 2 <= 2.42", rel(sp.Le, 1 + sp.sqrt(2), sp.Rational(242, 100)))
    add("sqrt 2 + 4.42 <= 6", rel(sp.Le, sp.sqrt(2) + sp.Rational(442, 100), 6))
    add("Lemma 1 at gamma/2: ln(5/(gamma/2)) = ln(10/gamma)",
        rel(sp.Eq, log(5 / (g / 2)), log(10 / g)))
    # sqrt(ln(10/gamma)) <= ln(3N/gamma) for N >= 2: write L = ln(3N/gamma) >= ln 6; then
    # ln(10/gamma) = L + ln(10/(3N)) <= L + ln(5/3), and L^2 - L - ln(5/3) >= 0 for L >= ln 6.
    quad = big_l**2 - big_l - log(sp.Rational(5, 3))
    root = sp.Max(*sp.solve(sp.Eq(quad, 0), big_l))
    add("sqrt(ln(10/gamma)) <= ln(3N/gamma), N >= 2: larger root of L^2 - L - ln(5/3) <= ln 6",
        rel(sp.Le, root, log(6)))
    gap = log(10 / g) - log(3 * (2 + t) / g)
    add("ln(10/gamma) = ln(3N/gamma) + ln(5/3) - ln(1 + t/2) at N = 2 + t, t >= 0",
        rel(sp.Eq, gap, log(sp.Rational(5, 3)) - log(1 + t / 2)))
    add("ln(6/gamma) <= ln(3N/gamma) for N = 2 + t, t >= 0",
        rel(sp.Ge, log(3 * (2 + t) / g) - log(6 / g), 0))
    # Eq. (8): at most 1/zeta prompts have mu' >= zeta; union bound with (1 - zeta)^N <= e^{-zeta N}.
    zeta = log(3 * n / g) / n
    add("Eq. (8): (1/zeta) exp(-zeta N) = gamma / (3 ln(3N/gamma))",
        rel(sp.Eq, 1 / zeta * sp.exp(-zeta * n), g / (3 * log(3 * n / g))))
    add("Eq. (8): ln(3N/gamma) >= ln 3 > 1, so the union bound is <= gamma/3",
        rel(sp.Gt, log(3), 1))
    # Step 7: Hoeffding's exponent with deviation sqrt(zeta ln(6/gamma)/2), sum of ranges <= zeta.
    dev = sp.sqrt(z * log(6 / g) / 2)
    add("Hoeffding: exp(-2 t^2 / zeta) = gamma/6 at t = sqrt(zeta ln(6/gamma)/2)",
        rel(sp.Eq, sp.exp(-2 * dev**2 / z), g / 6))
    add("failure budget: gamma/3 + gamma/6 + gamma/2 = gamma",
        rel(sp.Eq, sp.Add(g / 3, g / 6, g / 2, evaluate=False), g))
    # Lemma 2, step 6: the squared ratio is ln(6/gamma)/ln(3N/gamma) <= 1 (by the check above).
    add("step 6: 2 zeta ln(6/gamma) / (ln(3N/gamma) sqrt(2/N))^2 = ln(6/gamma) / ln(3N/gamma)",
        rel(sp.Eq, 2 * zeta * log(6 / g) / (log(3 * n / g) * sp.sqrt(2 / n)) ** 2,
            log(6 / g) / log(3 * n / g)))
    # Upper bound.
    r_c = sp.Symbol("R")
    margin = big_l / (big_l + 1) - (r_c - 1) / r_c
    add("(|R_c| - 1)/|R_c| <= L/(L+1) when |R_c| = L + 1 - t", rel(sp.Ge, margin, 0),
        sp.simplify(margin.subs(r_c, big_l + 1 - t) - t / ((big_l + 1) * (big_l + 1 - t))) == 0)
    add("L/(L+1) sr = sr - sr/(L+1)", rel(sp.Eq, big_l / (big_l + 1), 1 - 1 / (big_l + 1)))
    add("5 >= 4.42 (Lemma 1 inside the upper bound)", rel(sp.Ge, 5, sp.Rational(442, 100)))
    return checks


# --------------------------------------------------------------------------- helpers

def _per_prompt_ints(n_responses, m):
    arr = as_array(n_responses, "n_responses")
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or arr.dtype == object):
        raise TypeError(f"n_responses must hold integers, got dtype {arr.dtype}")
    if arr.dtype == object:
        if not all(isinstance(x, Integral) and not isinstance(x, bool) for x in arr.ravel()):
            raise TypeError("n_responses must hold integers")
        arr = arr.astype(np.int64)
    arr = np.broadcast_to(arr, (m,)).astype(np.int64) if arr.ndim == 0 else arr.astype(np.int64)
    if arr.shape != (m,):
        raise ValueError(f"n_responses has shape {arr.shape}, expected ({m},) or a scalar")
    small = np.flatnonzero(arr < 2)
    if small.size:
        c = small[0]
        raise ValueError(f"n_responses: prompt {c} has |R_c| = {arr[c]}; every prompt needs at "
                         "least 2 responses")
    return arr


def _per_prompt_probabilities(values, m, exact, name="alpha"):
    """One probability per prompt (a scalar is shared): Fractions if exact, else floats."""
    raw = as_array(values, name)
    if raw.ndim == 0:
        check_probability(raw.item(), name)
        raw = np.full(m, raw.item(), dtype=raw.dtype)
    if raw.shape != (m,):
        raise ValueError(f"{name} has shape {raw.shape}, expected ({m},) or a scalar")
    if exact or raw.dtype == object:
        out = np.empty(m, dtype=object if exact else float)
        for c, x in enumerate(raw.tolist()):  # Python numbers, so that a message shows 0.5
            check_probability(x, f"{name}[{c}]")
            if exact and not isinstance(x, (Fraction, Integral)):
                raise TypeError(f"{name}[{c}] is {x!r}; an exact model (Fraction mu) needs int "
                                "or Fraction entries")
            out[c] = Fraction(int(Fraction(x).numerator), int(Fraction(x).denominator)) if exact \
                else float(x)
        return out
    if raw.dtype == bool or not np.issubdtype(raw.dtype, np.number):
        raise TypeError(f"{name} must hold real numbers, got dtype {raw.dtype}")
    out = raw.astype(float)
    bad = np.flatnonzero(~((out >= 0) & (out <= 1)))  # NaN fails both comparisons
    if bad.size:
        c = bad[0]
        raise ValueError(f"{name}[{c}] must be in [0, 1], got {float(out[c])!r}")
    return out


def _check_facts(facts):
    if not isinstance(facts, ArbitraryFacts):
        raise TypeError(f"facts must be a hallu_proofs.ArbitraryFacts, got {type(facts).__name__}")


def _guess_rates(facts, guess_rate):
    if guess_rate is None:
        return facts.alpha
    return _per_prompt_probabilities(guess_rate, facts.n_prompts, facts.exact, "guess_rate")


def _check_training_set(prompts, responses):
    c, r = _check_training_arrays(prompts, responses)
    _check_training_values(c, r)
    return c, r


def _check_training_arrays(prompts, responses):
    """The dtype and shape checks of `_check_training_set`, without reading the entries."""
    c, r = as_array(prompts, "prompts"), as_array(responses, "responses")
    if c.size == 0:
        raise ValueError("prompts is empty: a training set needs N >= 1 examples")
    for name, arr in (("prompts", c), ("responses", r)):
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
        if arr.ndim != 1:
            raise ValueError(f"{name} must be a 1-D array, got shape {arr.shape}")
    if r.shape != c.shape:
        raise ValueError(f"responses has length {r.size}, but prompts has length {c.size}")
    return c, r


def _check_training_values(c, r):
    """Raise on the first negative prompt, else on the first response below IDK."""
    if c.min() < 0:
        i = int(np.argmax(c < 0))
        raise ValueError(f"prompts: entry {i} is {c[i]}; prompts are integers >= 0")
    if r.min() < IDK:
        i = int(np.argmax(r < IDK))
        raise ValueError(f"responses: entry {i} is {r[i]}; responses are integers >= 0 or IDK = -1")


def _memorised_answers(facts, prompts, responses):
    """Per prompt: the number of answered examples, and the answer they state (0 if none)."""
    c, r = _check_training_set(prompts, responses)
    counts = answer_counts(c, r, facts.n_prompts)
    answered = r != IDK
    ca, ra = c[answered], r[answered].astype(np.int64)
    memo = np.zeros(facts.n_prompts, dtype=np.int64)
    memo[ca] = ra
    conflict = np.flatnonzero(memo[ca] != ra)
    if conflict.size:
        i = conflict[0]
        raise ValueError(f"responses: prompt {ca[i]} is answered both {ra[i]} and {memo[ca[i]]}; "
                         "in the Arbitrary Facts model each prompt has a single answer")
    outside = np.flatnonzero(ra >= facts.n_responses[ca])
    if outside.size:
        i = outside[0]
        raise ValueError(f"responses: prompt {ca[i]} is answered {ra[i]}, outside R_c = "
                         f"{{0, ..., {facts.n_responses[ca[i]] - 1}}}")
    return counts, memo


def _check_unanswered(unanswered, facts):
    u = as_array(unanswered, "unanswered")
    if u.dtype != bool:
        raise TypeError(f"unanswered must be a boolean mask, got dtype {u.dtype}")
    if u.shape != (facts.n_prompts,):
        raise ValueError(f"unanswered has shape {u.shape}, expected ({facts.n_prompts},)")
    return u


def _divide(num, den, exact):
    if exact:
        return np.array([Fraction(x) / int(d) for x, d in zip(num, den)], dtype=object)
    return np.asarray(num, dtype=float) / den


def _total(values, exact):
    if exact:
        return Fraction(sum(values, Fraction(0)))
    return float(np.sum(values))

