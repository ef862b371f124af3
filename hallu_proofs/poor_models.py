"""Poor models: opt(G), the poor-model bound, Theorems 3-4 and Corollary 2 (paper Section 3.3, Appendix C).

A classifier built from a model p_hat by a threshold t says '+' at (c, r) iff p_hat(r|c) > t. As t
moves through [0, 1], the Is-It-Valid error err_iiv(f_t) is a step function of t that changes only
where t crosses a value of p_hat, so its minimum and its average over t ~ U[0, 1] are computed
exactly from finitely many thresholds (no sampling).

The second half of the module is a real n-gram language model (counts from a corpus, add-alpha
smoothing) for the paper's "her mind / his mind" example, and a toy tokenizer for letter counting.

>>> from fractions import Fraction as F
>>> from hallu_proofs import Instance, generative_error
>>> inst = Instance([1, 0], [F(3, 4), F(1, 4)], [True, False])
>>> expected_iiv_error(inst), best_threshold(inst).iiv_error
(Fraction(1, 4), Fraction(0, 1))
>>> theorem3_bound(expected_iiv_error(inst), n_choices(inst)) <= generative_error(inst)
True
"""

from __future__ import annotations

import re
from collections import Counter
from fractions import Fraction
from numbers import Integral
from typing import NamedTuple

import numpy as np

from ._lazy import sympy as sp
from .instances import Instance, _row_sums_over
from .reduction import _total, calibration_gap, iiv_distribution, iiv_error
from .validation import as_list, check_instance, check_positive_int, check_probability, check_real

__all__ = [
    "BestClassifier",
    "HER_RESPONSE",
    "HE_PROMPT",
    "HIS_RESPONSE",
    "NGramModel",
    "SHE_PROMPT",
    "SMALL_CORPUS",
    "ThresholdChoice",
    "TOY_TOKEN_VOCABULARY",
    "best_threshold",
    "best_thresholded_classifier",
    "corollary2_instance",
    "count_letter",
    "expected_iiv_error",
    "iiv_error_steps",
    "language_model_instance",
    "letter_question",
    "n_choices",
    "opt_over_models",
    "poor_model_bound",
    "random_multiple_choice_instance",
    "theorem3_bound",
    "theorem4_average_bound",
    "theorem4_derivation",
    "theorem4_proof_terms",
    "tokenize",
    "tokenize_word",
]


# --- thresholded classifiers -------------------------------------------------------------------


def iiv_error_steps(inst: Instance):
    """The step function t -> err_iiv(f_t) on [0, 1], as thresholds and values, by one sort.

    Returns ``(thresholds, values)`` with ``0 = thresholds[0] < ... < thresholds[-1] = 1``: every
    distinct value of p_hat, plus 0 and 1. For t in ``[thresholds[i], thresholds[i + 1])`` the
    classifier f_t, hence err_iiv(f_t), is constant and equal to ``values[i]``; ``values[-1]`` is
    err_iiv(f_1), the classifier that says '-' everywhere (but on a float p_hat that rounding put
    a hair above 1). Each value is ``iiv_error(inst, t)`` (exactly with Fractions; in floats up to
    rounding, as the sums run in another order).

    The values come from cumulative sums over the slots sorted by p_hat: err_iiv(f_t) is the
    D-mass of valid slots with p_hat <= t plus that of errors with p_hat > t, so the whole step
    function costs one sort, O(n log n) in the number n of slots.

    >>> from fractions import Fraction as F
    >>> inst = Instance([1, 0], [F(3, 4), F(1, 4)], [True, False])
    >>> ts, vs = iiv_error_steps(inst)
    >>> [str(t) for t in ts], [str(v) for v in vs]
    (['0', '1/4', '3/4', '1'], ['1/2', '0', '1/2', '1/2'])
    """
    thresholds, values = _steps(inst)
    return thresholds.tolist(), values.tolist()


def _steps(inst: Instance):
    """`iiv_error_steps` as two arrays, from one stable sort of every slot by p_hat."""
    check_instance(inst)
    zero, one = inst.number(0), inst.number(1)
    d = iiv_distribution(inst)
    # err_iiv(f_t) = D(errors) + sum over slots with p_hat <= t of (D on valid, -D on errors).
    signed = np.where(inst.error, -d, d).ravel()  # implausible slots carry D = 0
    keys = inst.p_hat.ravel()
    order = np.argsort(keys, kind="stable")
    keys, signed = keys[order], signed[order]
    below = np.concatenate([np.array([zero], dtype=signed.dtype), np.cumsum(signed)])
    # the thresholds: 0, the distinct values of p_hat in (0, 1), and 1
    last_of_run = np.flatnonzero(np.append(keys[1:] != keys[:-1], True))  # last slot of each value
    inside = (keys[last_of_run] > zero) & (keys[last_of_run] < one)
    runs = last_of_run[inside]
    at_zero = np.searchsorted(keys, zero, side="right")
    at_one = np.searchsorted(keys, one, side="right")
    thresholds = np.concatenate([np.array([zero], dtype=keys.dtype), keys[runs],
                                 np.array([one], dtype=keys.dtype)])
    ends = np.concatenate([[at_zero], runs + 1, [at_one]])
    errors_total = _total(d, inst.error, inst.exact)  # D(E), the D-mass of the errors
    values = errors_total + below[ends]
    if not inst.exact:
        values = np.clip(values, 0.0, 1.0)  # sums of masses in [0, 1], up to rounding
    return thresholds, values


def expected_iiv_error(inst: Instance):
    """E_{t ~ U[0,1]} err_iiv(f_t), integrated exactly over the steps of `iiv_error_steps`.

    >>> inst = Instance([1.0, 0.0], [0.75, 0.25], [True, False])
    >>> expected_iiv_error(inst)
    0.25
    """
    thresholds, values = _steps(inst)
    total = np.dot(np.diff(thresholds), values[:-1])  # at least one step: 0 < 1
    if inst.exact:
        return Fraction(total)
    # An average of values in [0, 1]: in floats, rounding can leave it a hair above 1.
    return min(float(total), 1.0)


class ThresholdChoice(NamedTuple):
    """A threshold t and the Is-It-Valid error of the classifier f_t."""

    threshold: object
    iiv_error: object


def best_threshold(inst: Instance) -> ThresholdChoice:
    """The smallest t in [0, 1] that minimises err_iiv(f_t), and that minimum.

    Since a minimum is at most the average, this t satisfies Theorem 4 whenever its hypothesis
    holds: err >= 2 (1 - 1/C) err_iiv(f_t).

    >>> from fractions import Fraction as F
    >>> best_threshold(Instance([1, 0], [F(3, 4), F(1, 4)], [True, False]))
    ThresholdChoice(threshold=Fraction(1, 4), iiv_error=Fraction(0, 1))
    """
    thresholds, values = _steps(inst)
    i = int(np.argmin(values))  # the first minimum: the smallest t
    value = values[i] if inst.exact else float(values[i])
    threshold = thresholds[i] if inst.exact else float(thresholds[i])
    return ThresholdChoice(threshold, value)


def n_choices(inst: Instance) -> int:
    """C = min_c |E_c| + 1, the number of choices of a pure multiple-choice instance.

    Raises ValueError unless every prompt has exactly one valid response (|V_c| = 1), the
    hypothesis of Theorems 3 and 4.

    >>> n_choices(Instance([1.0, 0.0, 0.0], [0.5, 0.25, 0.25], [True, False, False]))
    3
    >>> n_choices(Instance([0.5, 0.5, 0.0], [0.5, 0.25, 0.25], [True, True, False]))
    Traceback (most recent call last):
    ...
    ValueError: inst: prompt 0 has 2 valid responses; Theorems 3-4 need exactly one (|V_c| = 1)
    """
    check_instance(inst)
    several = np.flatnonzero(inst.n_valid != 1)
    if several.size:
        c = several[0]
        raise ValueError(
            f"inst: prompt {c} has {inst.n_valid[c]} valid responses; Theorems 3-4 need exactly "
            "one (|V_c| = 1)"
        )
    return inst.min_errors + 1


def theorem3_bound(opt, n_choices):
    """Theorem 3's lower bound on err: 2 (1 - 1/C) opt, for C choices (C >= 2).

    >>> from fractions import Fraction as F
    >>> theorem3_bound(F(1, 2), 2)
    Fraction(1, 2)
    >>> theorem3_bound(0.25, 4)
    0.375
    >>> theorem3_bound(0.25, 1)
    Traceback (most recent call last):
    ...
    ValueError: n_choices must be >= 2, got 1
    """
    check_probability(opt, "opt")
    c = check_positive_int(n_choices, "n_choices", minimum=2)
    if isinstance(opt, (Fraction, Integral)):
        return 2 * (1 - Fraction(1, c)) * Fraction(opt)
    return 2 * (1 - 1 / c) * float(opt)


def theorem4_average_bound(inst: Instance):
    """Eq. (11): 2 (1 - 1/C) E_{t ~ U[0,1]} err_iiv(f_t), a lower bound on err when |V_c| = 1.

    >>> from hallu_proofs import generative_error
    >>> inst = Instance([1.0, 0.0], [0.75, 0.25], [True, False])
    >>> theorem4_average_bound(inst), generative_error(inst)
    (0.25, 0.25)
    """
    return theorem3_bound(expected_iiv_error(inst), n_choices(inst))


def theorem4_proof_terms(inst: Instance) -> dict:
    """The two halves of E_t err_iiv(f_t) in the proof of Theorem 4 (Appendix C), in closed form.

    Because Pr_{t ~ U[0,1]}[p_hat(r|c) > t] = p_hat(r|c):

    * ``false_positive`` = (1/2) sum_c mu(c) sum_{r in E_c} p_hat(r|c) / |E_c|, which the proof
      bounds by err / (2 (C - 1));
    * ``false_negative`` = (1/2) sum_c mu(c) sum_{r in V_c} p(r|c) (1 - p_hat(r|c)), which is
      err / 2 when |V_c| = 1.

    >>> from fractions import Fraction as F
    >>> terms = theorem4_proof_terms(Instance([1, 0, 0], [F(1, 2), F(1, 4), F(1, 4)],
    ...                                       [True, False, False]))
    >>> terms["false_positive"], terms["false_negative"]
    (Fraction(1, 8), Fraction(1, 4))
    """
    check_instance(inst)
    exact = inst.exact
    if exact:
        per_error = np.array([Fraction(1, int(k)) for k in inst.n_errors])
    else:
        per_error = 1.0 / inst.n_errors
    fp_rows = _row_sums_over(inst.p_hat, inst.error, exact) * per_error
    fn_rows = _row_sums_over(inst.p * (1 - inst.p_hat), inst.valid, exact)

    def total(rows):
        value = sum(m * x for m, x in zip(inst.mu, rows))
        return Fraction(value) / 2 if exact else float(value) / 2

    return {"false_positive": total(fp_rows), "false_negative": total(fn_rows)}


def theorem4_derivation() -> dict:
    """The algebra of Appendix C with sympy: Pr_t[q > t] = q, the constant, and its inversion.

    Returns sympy objects ``probability_above`` = Pr_{t~U[0,1]}[q > t] for q >= 0 (sympy gives
    Min(1, q)), ``constant`` = 1/(2(C-1)) + 1/2 in lowest terms and ``inverse`` = 1 / constant,
    and the booleans ``probability_is_q`` (Min(1, q) = q for every q = u/(1 + u), u >= 0, which
    is every q in [0, 1), and at q = 1), ``constant_is_c_over_2c_minus_2``,
    ``inverse_is_paper_factor`` (inverse = 2 (1 - 1/C)) and ``corollary2_value_is_half``
    (2 (1 - 1/2) * 1/2 = 1/2).

    >>> d = theorem4_derivation()
    >>> d["constant"], d["inverse_is_paper_factor"]
    (C/(2*(C - 1)), True)
    """
    c, t = sp.symbols("C t", positive=True)
    q, u = sp.symbols("q u", nonnegative=True)
    probability_above = sp.integrate(sp.Piecewise((1, t < q), (0, True)), (t, 0, 1))
    inside = u / (1 + u)  # u >= 0 gives every q in [0, 1); q = 1 is checked on its own
    constant = sp.factor(sp.together(1 / (2 * (c - 1)) + sp.Rational(1, 2)))
    inverse = sp.simplify(1 / constant)
    paper_factor = 2 * (1 - 1 / c)
    return {
        "probability_above": probability_above,
        "probability_is_q": (sp.simplify(probability_above.subs(q, inside) - inside) == 0
                             and probability_above.subs(q, 1) == 1),
        "constant": constant,
        "constant_is_c_over_2c_minus_2": sp.simplify(constant - c / (2 * (c - 1))) == 0,
        "inverse": inverse,
        "inverse_is_paper_factor": sp.simplify(inverse - paper_factor) == 0,
        "corollary2_value_is_half": paper_factor.subs(c, 2) * sp.Rational(1, 2) == sp.Rational(1, 2),
    }


# --- opt over a finite family of models --------------------------------------------------------


class BestClassifier(NamedTuple):
    """The best thresholded classifier of a family: which model, which threshold, its err_iiv."""

    model_index: int
    threshold: object
    iiv_error: object


def best_thresholded_classifier(models, thresholds=None) -> BestClassifier:
    """The classifier g_{theta,t} with the least err_iiv over models theta and thresholds t.

    Parameters
    ----------
    models : sequence of Instance
        The family's models p_hat_theta on one common task: all share p, valid, plausible and mu
        (so they define the same Is-It-Valid distribution D and target f).
    thresholds : iterable of numbers in [0, 1], optional
        A finite set of thresholds. By default every t in [0, 1]: the minimum over the interval
        is attained at one of the thresholds of `iiv_error_steps`, so it is exact.

    >>> from fractions import Fraction as F
    >>> a = Instance([1, 0], [F(1, 4), F(3, 4)], [True, False])
    >>> b = Instance([1, 0], [F(3, 5), F(2, 5)], [True, False])
    >>> best_thresholded_classifier([a, b])
    BestClassifier(model_index=1, threshold=Fraction(2, 5), iiv_error=Fraction(0, 1))
    """
    models = _check_family(models)
    if thresholds is not None:
        thresholds = list(thresholds)  # once: an iterator serves every model
        if not thresholds:
            raise ValueError("thresholds is empty")
    best = None
    for index, model in enumerate(models):
        if thresholds is None:
            ts, vs = iiv_error_steps(model)
        else:
            ts, vs = thresholds, [iiv_error(model, threshold=t) for t in thresholds]
        for t, v in zip(ts, vs):
            if best is None or v < best.iiv_error:
                best = BestClassifier(index, t, v)
    return best


def opt_over_models(models, thresholds=None):
    """opt(G) = min over the thresholded classifiers of the family of err_iiv (see
    `best_thresholded_classifier`).

    >>> a = Instance([1.0, 0.0], [0.25, 0.75], [True, False])
    >>> opt_over_models([a]), opt_over_models([a], thresholds=[0.5])
    (0.5, 1.0)
    """
    return best_thresholded_classifier(models, thresholds).iiv_error


def _check_family(models):
    if isinstance(models, Instance):
        raise TypeError("models must be a sequence of Instance, got a single Instance")
    models = as_list(models, "models")
    if not models:
        raise ValueError("models is empty")
    for i, model in enumerate(models):
        check_instance(model, f"models[{i}]")
    first = models[0]
    for i, model in enumerate(models[1:], start=1):
        for name in ("p", "valid", "mu", "plausible"):
            a, b = getattr(first, name), getattr(model, name)
            same = (a is None and b is None) or (
                a is not None and b is not None and a.shape == b.shape and bool(np.all(a == b))
            )
            if not same:
                raise ValueError(
                    f"models[{i}] has a different {name} from models[0]: a family's models must "
                    "share the task (p, valid, plausible, mu)"
                )
    return models


def poor_model_bound(inst: Instance, opt):
    """The poor-model inequality's right side: 2 opt(G) - max_c|V_c| / min_c|E_c| - delta.

    It bounds err(inst) from below when inst's model belongs to the family G (then
    opt(G) <= err_iiv(inst)).

    >>> from hallu_proofs import generative_error
    >>> inst = Instance([1.0, 0.0, 0.0], [0.5, 0.25, 0.25], [True, False, False])
    >>> poor_model_bound(inst, opt_over_models([inst])) <= generative_error(inst)
    True
    """
    check_instance(inst)
    check_probability(opt, "opt")
    ratio = Fraction(inst.max_valid, inst.min_errors) if inst.exact else inst.max_valid / inst.min_errors
    return 2 * inst.number(opt) - ratio - calibration_gap(inst)


def random_multiple_choice_instance(rng, n_prompts=3, max_choices=4, exact=True, equal_choices=False):
    """A random pure multiple-choice Instance (|V_c| = 1), for chapters and benchmarks.

    Prompt c gets C_c choices (2 <= C_c <= max_choices; all equal to max_choices when
    ``equal_choices``), one of them valid; p puts all its mass on the valid one; p_hat and mu
    are random (integer weights 0..6 turned into Fractions when ``exact``).

    >>> inst = random_multiple_choice_instance(np.random.default_rng(0))
    >>> inst.max_valid, inst.exact
    (1, True)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    m = check_positive_int(n_prompts, "n_prompts")
    width = check_positive_int(max_choices, "max_choices", minimum=2)
    choices = np.full(m, width) if equal_choices else rng.integers(2, width + 1, size=m)
    plausible = np.arange(width)[None, :] < choices[:, None]
    valid = np.zeros((m, width), dtype=bool)
    valid[np.arange(m), rng.integers(0, choices)] = True
    p = _random_rows(rng, valid, exact)
    p_hat = _random_rows(rng, plausible, exact)
    mu = _random_rows(rng, np.ones((1, m), dtype=bool), exact)[0]
    return Instance(p, p_hat, valid, mu=mu, plausible=None if plausible.all() else plausible)


def _random_rows(rng, support, exact):
    """Rows of random integer weights 0..6 on ``support`` (uniform if all drawn 0), normalised."""
    weights = rng.integers(0, 7, size=support.shape) * support
    empty = weights.sum(axis=1) == 0
    weights[empty] = support[empty]
    totals = weights.sum(axis=1)
    if not exact:
        return weights / totals[:, None]
    return np.array([[Fraction(int(w), int(total)) for w in row] for row, total in zip(weights, totals)])


# --- n-gram language models: Corollary 2 -------------------------------------------------------

#: The two prompts and responses of the paper's trigram example (Section 3.3).
SHE_PROMPT = "She lost it and was completely out of"
HE_PROMPT = "He lost it and was completely out of"
HER_RESPONSE = "her mind."
HIS_RESPONSE = "his mind."

#: A small hand-written training corpus (this project's own sentences) for the n-gram examples.
SMALL_CORPUS = (
    "She lost it and was completely out of her mind.",
    "He lost it and was completely out of his mind.",
    "She lost it and was completely out of her mind.",
    "He lost it and was completely out of his mind.",
    "She was out of her depth at the new job.",
    "He ran out of his house in the rain.",
    "She took the keys out of her bag.",
    "He took a coin out of his pocket.",
    "They were completely out of time.",
    "He was out of his mind with worry.",
    "She lost her keys and was late.",
    "He lost it when the train was late.",
    "She said it was out of her hands.",
    "We were out of milk and bread.",
    "He put it out of his mind.",
)

START, END, UNKNOWN = "<s>", "</s>", "<unk>"
_TOKEN = re.compile(r"[a-z0-9']+|[^\sa-z0-9']")


def tokenize(text):
    """Lower-case word tokens; each punctuation mark is a token of its own.

    >>> tokenize("She lost it, out of her mind.")
    ['she', 'lost', 'it', ',', 'out', 'of', 'her', 'mind', '.']
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    return _TOKEN.findall(text.lower())


class NGramModel:
    """An n-gram language model over word tokens with add-alpha (Lidstone) smoothing.

    p_hat(w | h) = (N(h, w) + alpha) / (N(h) + alpha |W|) for the previous n - 1 tokens h (padded
    with ``<s>`` at a sentence start), where N counts the corpus's n-grams and W is the
    vocabulary: the corpus's tokens, ``</s>`` and ``<unk>`` (which stands for every unseen token).
    An integer or Fraction alpha gives exact Fraction probabilities.

    Parameters
    ----------
    corpus : sequence of str
        Training sentences.
    n : int
        Order of the model (n = 3: a trigram model, which sees the previous two tokens).
    smoothing : int, Fraction or float, > 0
        The pseudo-count alpha.

    >>> model = NGramModel(SMALL_CORPUS, n=3)
    >>> model.next_word_probability("completely out of", "her") == model.next_word_probability(
    ...     "he lost it and was completely out of", "her")
    True
    """

    def __init__(self, corpus, n, smoothing=1):
        try:
            corpus = None if isinstance(corpus, str) else list(corpus)
        except TypeError:
            corpus = None
        if corpus is None or not all(isinstance(s, str) for s in corpus):
            raise TypeError("corpus must be a sequence of str sentences")
        sentences = [tokenize(s) for s in corpus]
        if not any(sentences):
            raise ValueError("corpus is empty: it needs at least one token")
        self.n = check_positive_int(n, "n")
        check_real(smoothing, "smoothing")
        if not smoothing > 0:
            raise ValueError(f"smoothing must be > 0, got {smoothing!r}")
        self.exact = isinstance(smoothing, (Fraction, Integral))
        self.smoothing = Fraction(smoothing) if self.exact else float(smoothing)
        self.vocabulary = frozenset(w for s in sentences for w in s) | {END, UNKNOWN}
        self._counts = Counter()
        self._context_counts = Counter()
        for words in sentences:
            padded = [START] * (self.n - 1) + words + [END]
            for i in range(self.n - 1, len(padded)):
                context = tuple(padded[i - self.n + 1:i])
                self._counts[context, padded[i]] += 1
                self._context_counts[context] += 1

    def _known(self, word):
        return word if word in self.vocabulary or word == START else UNKNOWN

    def _context(self, tokens):
        padded = [START] * (self.n - 1) + [self._known(w) for w in tokens]
        return tuple(padded[len(padded) - (self.n - 1):]) if self.n > 1 else ()

    def next_word_probability(self, context, word):
        """p_hat(word | the last n - 1 tokens of ``context``), a str or a list of tokens."""
        tokens = tokenize(context) if isinstance(context, str) else list(context)
        h = self._context(tokens)
        w = self._known(word)
        numerator = self._counts[h, w] + self.smoothing
        denominator = self._context_counts[h] + self.smoothing * len(self.vocabulary)
        return numerator / denominator

    def sequence_probability(self, prompt, response):
        """p_hat(response | prompt): the product of the next-token probabilities of the response.

        >>> model = NGramModel(["a b"], n=2)
        >>> model.sequence_probability("a", "b")
        Fraction(2, 5)
        """
        history = tokenize(prompt)
        prob = Fraction(1) if self.exact else 1.0
        for word in tokenize(response):
            prob *= self.next_word_probability(history, word)
            history.append(word)
        return prob

    def response_distribution(self, prompt, responses):
        """p_hat(r | prompt) restricted to the plausible ``responses`` and renormalised."""
        probs = [self.sequence_probability(prompt, r) for r in responses]
        total = sum(probs)
        return [q / total for q in probs]

    def __repr__(self):
        return f"NGramModel(n={self.n}, {len(self.vocabulary)} word types, smoothing={self.smoothing})"


def language_model_instance(model, prompts, responses, correct, mu=None):
    """The multiple-choice Instance of a language model on given prompts.

    Every prompt shares the plausible response set ``responses``; ``correct[i]`` (one of them)
    is the only valid response to ``prompts[i]``, and p puts its mass there. p_hat(.|c) is the
    model's probability of each whole response, renormalised over ``responses`` (the paper's
    plausible set). ``model`` needs a ``response_distribution(prompt, responses)`` method.

    >>> inst = language_model_instance(NGramModel(SMALL_CORPUS, 9), [SHE_PROMPT], ["her mind.",
    ...                                "his mind."], ["her mind."])
    >>> inst.p_hat[0, 0] > inst.p_hat[0, 1]
    True
    """
    if not hasattr(model, "response_distribution"):
        raise TypeError("model must have a response_distribution(prompt, responses) method")
    prompts, responses, correct = list(prompts), list(responses), list(correct)
    if len(correct) != len(prompts) or not prompts:
        raise ValueError(f"correct must give one response per prompt: {len(prompts)} prompts, "
                         f"{len(correct)} correct responses")
    if len(set(responses)) != len(responses) or len(responses) < 2:
        raise ValueError("responses must hold at least two distinct responses")
    for i, r in enumerate(correct):
        if r not in responses:
            raise ValueError(f"correct[{i}] = {r!r} is not one of the responses")
    # Fractions give an object array (an exact Instance); numbers give a float Instance.
    p_hat = np.array([model.response_distribution(c, responses) for c in prompts])
    valid = np.array([[r == a for r in responses] for a in correct])
    if p_hat.dtype == object:
        p = np.array([[Fraction(int(v)) for v in row] for row in valid])
    else:
        p = valid.astype(float)
    return Instance(p, p_hat, valid, mu=mu)


def corollary2_instance(model, mu=None):
    """The paper's trigram example for any model: "She/He lost it and was completely out of"
    followed by "her mind." or "his mind."; mu uniform over the two prompts by default.

    >>> from hallu_proofs import generative_error
    >>> inst = corollary2_instance(NGramModel(SMALL_CORPUS, n=3))
    >>> generative_error(inst)
    Fraction(1, 2)
    """
    return language_model_instance(model, [SHE_PROMPT, HE_PROMPT], [HER_RESPONSE, HIS_RESPONSE],
                                   [HER_RESPONSE, HIS_RESPONSE], mu=mu)


# --- letter counting ---------------------------------------------------------------------------

#: A toy sub-word vocabulary (plus every single letter), chosen so that DEEPSEEK -> D/EEP/SEE/K.
TOY_TOKEN_VOCABULARY = ("EEP", "SEE", "DD", "EE", "ER", "PE")


def tokenize_word(word, vocabulary=TOY_TOKEN_VOCABULARY):
    """Greedy longest-match tokenization of an upper-case word; single letters are always tokens.

    >>> tokenize_word("DEEPSEEK"), tokenize_word("LADDER")
    (['D', 'EEP', 'SEE', 'K'], ['L', 'A', 'DD', 'ER'])
    """
    if not isinstance(word, str):
        raise TypeError(f"word must be a str, got {type(word).__name__}")
    if not word.isalpha() or not word.isupper():
        raise ValueError(f"word must be upper-case letters A-Z, got {word!r}")
    pieces = sorted(set(vocabulary), key=len, reverse=True)
    tokens, i = [], 0
    while i < len(word):
        piece = next((v for v in pieces if word.startswith(v, i)), word[i])
        tokens.append(piece)
        i += len(piece)
    return tokens


def count_letter(word, letter):
    """The character-level procedure: spell the word out and count the letter, one character
    at a time.

    >>> count_letter("DEEPSEEK", "D"), count_letter("LADDER", "D")
    (1, 2)
    """
    if not isinstance(word, str) or not isinstance(letter, str):
        raise TypeError("word and letter must be str")
    if len(letter) != 1:
        raise ValueError(f"letter must be a single character, got {letter!r}")
    return sum(1 for ch in word if ch == letter)


def letter_question(word, letter="D", vocabulary=TOY_TOKEN_VOCABULARY):
    """The question as a token-level model sees it, tokens separated by spaces.

    >>> letter_question("DEEPSEEK")
    'how many ds are in d eep see k ?'
    """
    if not isinstance(letter, str) or len(letter) != 1 or not letter.isalpha():
        raise ValueError(f"letter must be a single letter, got {letter!r}")
    tokens = tokenize_word(word, vocabulary)
    return f"how many {letter.lower()}s are in {' '.join(tokens).lower()} ?"
