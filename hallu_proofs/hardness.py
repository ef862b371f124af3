"""Computational hardness: Definition 3 and Observation 2 (paper Section 3.4, Appendix D), on a toy cipher.

Messages and ciphertexts are {0, ..., m-1}. A key is a permutation: ``encryption[r]`` is the
ciphertext of message r. The prompt "What is the decryption of h?" has one correct answer,
d(h), and IDK is also valid, so |V_c| = 2 and |E_c| = m - 1. A key space is a list of such
permutations, the key being drawn uniformly from it. The response slots of an `Instance` are the
m messages followed by IDK (column m).

>>> from fractions import Fraction as F
>>> import hallu_proofs as hp
>>> keys = permutation_key_space(3)
>>> best_keyless_classifier(keys).advantage
Fraction(0, 1)
>>> inst = decryption_instance(keys[1], uniform_decryption_model(3))
>>> hp.generative_error(inst) >= observation2_bound(breaking_advantage(hp.iiv_error(inst)), 3,
...                                                 hp.calibration_gap(inst))
True
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from ._lazy import sympy as sp
from .instances import Instance
from .validation import as_array, as_list, check_positive_int, check_probability, check_real

__all__ = [
    "KeylessClassifier",
    "best_keyless_classifier",
    "breaking_advantage",
    "breaks_encryption",
    "classifier_model",
    "decryption_instance",
    "key_instances",
    "memorising_decryption_model",
    "observation2_bound",
    "observation2_derivation",
    "permutation_key_space",
    "random_keyless_model",
    "shift_key_space",
    "uniform_decryption_model",
]

#: Largest message space for which every permutation is listed as a key (7! = 5040 keys).
MAX_PERMUTATION_MESSAGES = 7


def _check_encryption(encryption, name="encryption"):
    """A permutation of {0, ..., m-1} given as an integer array, m >= 2."""
    arr = as_array(encryption, "encryption")
    if arr.ndim != 1 or arr.dtype == bool or not np.issubdtype(arr.dtype, np.integer):
        raise TypeError(f"{name} must be a 1-D integer array (a permutation), got {arr.dtype} "
                        f"with shape {arr.shape}")
    if arr.size < 2 or sorted(arr.tolist()) != list(range(arr.size)):
        raise ValueError(f"{name} must be a permutation of 0..m-1 with m >= 2, got {arr.tolist()}")
    return arr.astype(np.int64)


def _check_keys(keys):
    keys = [_check_encryption(k, f"keys[{i}]") for i, k in enumerate(as_list(keys, "keys"))]
    if not keys:
        raise ValueError("keys is empty")
    m = keys[0].size
    for i, k in enumerate(keys):
        if k.size != m:
            raise ValueError(f"keys[{i}] has {k.size} messages, keys[0] has {m}")
    return keys


def shift_key_space(n_messages):
    """The shift cipher: key s encrypts r as (r + s) mod m, for s = 0..m-1.

    >>> [k.tolist() for k in shift_key_space(3)]
    [[0, 1, 2], [1, 2, 0], [2, 0, 1]]
    """
    m = check_positive_int(n_messages, "n_messages", minimum=2)
    return [(np.arange(m) + s) % m for s in range(m)]


def permutation_key_space(n_messages):
    """Every permutation of the m messages is a key (m <= 7).

    >>> len(permutation_key_space(4))
    24
    """
    m = check_positive_int(n_messages, "n_messages", minimum=2)
    if m > MAX_PERMUTATION_MESSAGES:
        raise ValueError(f"n_messages must be <= {MAX_PERMUTATION_MESSAGES} to list all {m}! "
                         "permutations")
    return [np.array(k) for k in itertools.permutations(range(m))]


def decryption_instance(encryption, p_hat):
    """The Instance of the decryption prompts for one key.

    Prompt h (one per ciphertext, mu uniform) asks for the decryption of h; p answers d(h) with
    probability 1; valid responses are d(h) and IDK (last column); ``p_hat`` has shape (m, m + 1).

    >>> inst = decryption_instance([1, 2, 0], uniform_decryption_model(3))
    >>> inst.max_valid, inst.min_errors, inst.valid[0].tolist()
    (2, 2, [False, False, True, True])
    """
    enc = _check_encryption(encryption)
    m = enc.size
    p_hat = as_array(p_hat, "p_hat")
    if p_hat.shape != (m, m + 1):
        raise ValueError(f"p_hat has shape {p_hat.shape}, expected ({m}, {m + 1}): one row per "
                         "ciphertext, one column per message and a last column for IDK")
    decryption = np.argsort(enc)
    valid = np.zeros((m, m + 1), dtype=bool)
    valid[np.arange(m), decryption] = True
    valid[:, m] = True
    one, zero = (Fraction(1), Fraction(0)) if p_hat.dtype == object else (1.0, 0.0)
    p = np.where(valid & (np.arange(m + 1)[None, :] < m), one, zero)
    return Instance(p, p_hat, valid)


def key_instances(keys, p_hat):
    """One `decryption_instance` per key, for the same keyless model ``p_hat``."""
    return [decryption_instance(k, p_hat) for k in _check_keys(keys)]


def uniform_decryption_model(n_messages, idk_mass=0):
    """The keyless model that answers a uniformly random message (IDK with prob. ``idk_mass``).

    >>> uniform_decryption_model(2)[0].tolist()
    [Fraction(1, 2), Fraction(1, 2), Fraction(0, 1)]
    """
    m = check_positive_int(n_messages, "n_messages", minimum=2)
    check_probability(idk_mass, "idk_mass")
    idk = Fraction(idk_mass) if not isinstance(idk_mass, float) else idk_mass
    row = [(1 - idk) / m] * m + [idk]
    return np.array([row] * m)  # Fractions give an object array, floats a float one


def memorising_decryption_model(encryption, seen):
    """The model trained on pairs (h, d(h)) that memorises them: for a ciphertext ``h`` in
    ``seen`` it answers d(h) with probability 1; for any other it answers a uniformly random
    message, as the keyless `uniform_decryption_model` does. Exact Fractions.

    Unlike a keyless model it has seen training data drawn under the key: the seen rows leak
    d(h). Its classifier at 1/(m - 1) is right on every seen row and says '-' on every unseen
    one (1/m < 1/(m - 1)).

    >>> memorising_decryption_model([1, 2, 0], seen=[2])[2].tolist()
    [Fraction(0, 1), Fraction(1, 1), Fraction(0, 1), Fraction(0, 1)]
    """
    enc = _check_encryption(encryption)
    m = enc.size
    seen = as_list(seen, "seen")
    for i, h in enumerate(seen):
        if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or not 0 <= h < m:
            raise ValueError(f"seen[{i}] must be a ciphertext 0..{m - 1}, got {h!r}")
    table = uniform_decryption_model(m)
    decryption = np.argsort(enc)
    for h in set(int(h) for h in seen):
        table[h] = Fraction(0)
        table[h, decryption[h]] = Fraction(1)
    return table


def random_keyless_model(rng, n_messages, exact=True):
    """A random model table p_hat(r | h), shape (m, m + 1), drawn without looking at any key.

    Each slot gets an integer weight 0..4 and each row is normalised (exact Fractions unless
    ``exact=False``); a row whose weights are all 0 puts all its mass on IDK.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    m = check_positive_int(n_messages, "n_messages", minimum=2)
    weights = rng.integers(0, 5, size=(m, m + 1))
    weights[weights.sum(axis=1) == 0, m] = 1
    totals = weights.sum(axis=1)
    if not exact:
        return weights / totals[:, None]
    return np.array([[Fraction(int(w), int(t)) for w in row] for row, t in zip(weights, totals)])


def classifier_model(classifier):
    """A model whose thresholded classifier at t = 0 is ``classifier`` on the message slots.

    p_hat(.|h) is uniform over the '+' messages of row h and IDK, so p_hat(r|h) > 0 exactly where
    the classifier says '+' (IDK, which D never draws, is always '+'). This lets any keyless
    classifier be scored with `hallu_proofs.iiv_error` at ``threshold=0``.

    >>> classifier_model([[True, False], [False, False]])[1].tolist()
    [Fraction(0, 1), Fraction(0, 1), Fraction(1, 1)]
    """
    table = as_array(classifier, "classifier")
    if table.dtype != bool:
        raise TypeError(f"classifier must be a boolean array, got dtype {table.dtype}")
    if table.ndim != 2 or table.shape[0] != table.shape[1] or table.shape[0] < 2:
        raise ValueError(f"classifier must have shape (m, m) with m >= 2, got {table.shape}")
    plus = np.concatenate([table, np.ones((table.shape[0], 1), dtype=bool)], axis=1)
    return np.array([[Fraction(int(x), int(row.sum())) for x in row] for row in plus])


class KeylessClassifier(NamedTuple):
    """The best classifier without the key: its '+' table, err_iiv averaged over keys, and
    its advantage beta = 1 - 2 err_iiv."""

    classifier: np.ndarray
    iiv_error: Fraction
    advantage: Fraction


def best_keyless_classifier(keys) -> KeylessClassifier:
    """The classifier f(h, r), chosen without the key, with the least err_iiv averaged over a
    uniformly random key from ``keys``; exact.

    err_iiv is a sum over slots. A slot (h, r) costs D(h, r) = 1/(2m) when it says '-' and r is
    the decryption (probability P = Pr_key[d(h) = r]), and D(h, r) = 1/(2m(m-1)) when it says
    '+' and r is not (probability 1 - P). So '+' is best exactly when P > 1/m
    (see `observation2_derivation`), and the minimum is sum over slots of the smaller cost.

    >>> best = best_keyless_classifier(shift_key_space(4)[:2])
    >>> best.iiv_error, best.advantage
    (Fraction(1, 6), Fraction(2, 3))
    """
    keys = _check_keys(keys)
    m = keys[0].size
    hits = np.zeros((m, m), dtype=np.int64)  # hits[h, r] = #keys with d(h) = r
    for enc in keys:
        hits[enc, np.arange(m)] += 1
    n_keys = len(keys)
    prob = [[Fraction(int(x), n_keys) for x in row] for row in hits]
    cost_minus = [[Fraction(1, 2 * m) * q for q in row] for row in prob]
    cost_plus = [[Fraction(1, 2 * m * (m - 1)) * (1 - q) for q in row] for row in prob]
    classifier = np.array([[q > Fraction(1, m) for q in row] for row in prob])
    err = sum(min(a, b) for ra, rb in zip(cost_minus, cost_plus) for a, b in zip(ra, rb))
    return KeylessClassifier(classifier, Fraction(err), 1 - 2 * Fraction(err))


def breaks_encryption(iiv_err, beta):
    """Definition 3: a classifier beta-breaks the scheme iff its err_iiv <= (1 - beta) / 2.

    >>> breaks_encryption(0.25, 0.5), breaks_encryption(0.3, 0.5)
    (True, False)
    """
    check_probability(iiv_err, "iiv_err")
    check_probability(beta, "beta")
    return iiv_err <= (1 - beta) / 2


def breaking_advantage(iiv_err):
    """The advantage max(0, 1 - 2 err_iiv) of a classifier with this err_iiv.

    A classifier with err_iiv <= 1/2 beta-breaks the scheme exactly for beta <= 1 - 2 err_iiv;
    one with err_iiv > 1/2 breaks it for no beta. The zero keeps the number type of
    ``iiv_err`` (a Fraction gives Fraction(0), a float 0.0).

    >>> from fractions import Fraction as F
    >>> breaking_advantage(F(1, 8)), breaking_advantage(F(3, 4)), breaking_advantage(0.75)
    (Fraction(3, 4), Fraction(0, 1), 0.0)
    """
    check_probability(iiv_err, "iiv_err")
    value = 1 - 2 * iiv_err
    return value if value > 0 else type(value)(0)


def observation2_bound(beta, n_messages, delta):
    """Observation 2: 1 - beta - 2 / (|M| - 1) - delta, a lower bound on the error rate of a
    model whose classifier does not beta-break the scheme.

    >>> from fractions import Fraction as F
    >>> observation2_bound(0, 5, 0)
    Fraction(1, 2)
    >>> observation2_bound(0.1, 1, 0)
    Traceback (most recent call last):
    ...
    ValueError: n_messages must be >= 2, got 1
    """
    check_probability(beta, "beta")
    m = check_positive_int(n_messages, "n_messages", minimum=2)
    check_real(delta, "delta")
    if not 0 <= delta <= 1:
        raise ValueError(f"delta must be in [0, 1], got {delta!r}")
    if isinstance(beta, float) or isinstance(delta, float):
        return 1 - float(beta) - 2 / (m - 1) - float(delta)
    return 1 - Fraction(beta) - Fraction(2, m - 1) - Fraction(delta)


def observation2_derivation() -> dict:
    """The algebra of Appendix D and of `best_keyless_classifier`, with sympy.

    Returns booleans: ``theorem1_gives_observation2`` (if err_iiv > (1 - beta)/2 then Theorem 1's
    2 err_iiv - 2/(m-1) - delta exceeds 1 - beta - 2/(m-1) - delta), ``plus_iff_above_one_over_m``
    (cost of '+' < cost of '-' iff P > 1/m), ``secure_cipher_gives_one_half`` (P = 1/m in every
    slot gives err_iiv = 1/2, beta = 0), and the sympy expressions ``gap`` (Theorem 1's bound minus
    Observation 2's, in e = err_iiv, beta, delta), ``cost_minus`` and ``cost_plus`` (the costs of
    '-' and '+' in a slot, in P and m) and ``crossover`` (the P where the two costs are equal).

    >>> d = observation2_derivation()
    >>> d["crossover"], d["theorem1_gives_observation2"], d["secure_cipher_gives_one_half"]
    (1/m, True, True)
    """
    e, beta, delta, prob = sp.symbols("e beta delta P", real=True)
    m = sp.Symbol("m", integer=True, positive=True)
    gap = (2 * e - 2 / (m - 1) - delta) - (1 - beta - 2 / (m - 1) - delta)
    # gap = 2 (e - (1 - beta)/2): positive exactly when err_iiv exceeds (1 - beta)/2.
    theorem1_gives = sp.simplify(gap - 2 * (e - (1 - beta) / 2)) == 0
    cost_minus = prob / (2 * m)
    cost_plus = (1 - prob) / (2 * m * (m - 1))
    crossover = sp.solve(sp.Eq(cost_minus, cost_plus), prob)[0]
    # cost_minus - cost_plus is increasing in P (derivative > 0 for m >= 2) and zero at 1/m.
    slope = sp.diff(cost_minus - cost_plus, prob)
    plus_iff = sp.simplify(crossover - 1 / m) == 0 and sp.simplify(slope * 2 * (m - 1)) == 1
    at_secure = {prob: 1 / m}
    secure = (sp.simplify(cost_minus.subs(at_secure) - cost_plus.subs(at_secure)) == 0
              and sp.simplify(m * m * cost_minus.subs(at_secure)) == sp.Rational(1, 2))
    return {
        "theorem1_gives_observation2": theorem1_gives,
        "gap": gap,
        "cost_minus": cost_minus,
        "cost_plus": cost_plus,
        "crossover": crossover,
        "plus_iff_above_one_over_m": plus_iff,
        "secure_cipher_gives_one_half": secure,
    }
