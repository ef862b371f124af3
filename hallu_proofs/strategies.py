"""Hypothesis strategies that draw whole instances of the paper's setting.

Importable by the tests and by chapters that demonstrate them; hypothesis is needed only here.

>>> from hypothesis import find
>>> inst = find(instances(exact=True), lambda i: i.n_prompts == 2)
>>> inst.n_prompts, inst.exact
(2, True)
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

try:
    from hypothesis import strategies as st
except ImportError as error:  # pragma: no cover - exercised only without the test extra
    raise ImportError("hallu_proofs.strategies needs hypothesis: pip install 'hallu-proofs[test]'") from error

from .instances import Instance

__all__ = ["distributions", "instances"]


@st.composite
def distributions(draw, size, exact=False, support=None, at_least_one_positive=True):
    """A probability vector of length ``size`` (zero outside the boolean ``support``).

    Exact draws are Fractions with small denominators (so ties and point masses are common);
    float draws use arbitrary non-negative weights.
    """
    support = np.ones(size, dtype=bool) if support is None else np.asarray(support, dtype=bool)
    slots = np.flatnonzero(support)
    if exact:
        weights = draw(st.lists(st.integers(0, 6), min_size=len(slots), max_size=len(slots)))
    else:
        weights = draw(
            st.lists(
                st.one_of(st.just(0.0), st.floats(1e-6, 1.0)),
                min_size=len(slots), max_size=len(slots),
            )
        )
    if sum(weights) == 0:
        weights[draw(st.integers(0, len(slots) - 1))] = 1
    total = sum(weights)
    out = np.zeros(size, dtype=object if exact else float)
    if exact:
        out[:] = Fraction(0)
    for slot, w in zip(slots, weights):
        out[slot] = Fraction(w, total) if exact else w / total
    return out


@st.composite
def instances(draw, exact=False, max_prompts=4, max_responses=6, single_prompt=None,
              with_plausible=None, one_valid=False):
    """A random valid `Instance`.

    Parameters
    ----------
    exact : bool
        Fraction entries (exact arithmetic) instead of floats.
    max_prompts, max_responses : int
        Size limits; at least two response slots per prompt are plausible.
    single_prompt : bool or None
        Force one prompt given as 1-D arrays (Corollary 1), several prompts, or either.
    with_plausible : bool or None
        Whether some slots lie outside the plausible set R_c (either when None).
    one_valid : bool
        Exactly one valid response per prompt (the multiple-choice setting of Theorems 3-4).

    Edge cases are drawn on purpose: point masses, p_hat exactly at the threshold
    1 / min_c |E_c|, prompts with zero weight under mu.
    """
    single = draw(st.booleans()) if single_prompt is None else single_prompt
    m = 1 if single else draw(st.integers(2 if single_prompt is False else 1, max_prompts))
    n = draw(st.integers(2, max_responses))
    use_plausible = draw(st.booleans()) if with_plausible is None else with_plausible

    plausible = np.ones((m, n), dtype=bool)
    valid = np.zeros((m, n), dtype=bool)
    for c in range(m):
        if use_plausible and n > 2:
            plausible[c] = draw(st.lists(st.booleans(), min_size=n, max_size=n))
            while plausible[c].sum() < 2:
                plausible[c, draw(st.integers(0, n - 1))] = True
        slots = np.flatnonzero(plausible[c])
        order = draw(st.permutations(list(slots)))
        n_valid = 1 if one_valid else draw(st.integers(1, len(slots) - 1))
        valid[c, order[:n_valid]] = True
    errors = plausible & ~valid
    min_errors = int(errors.sum(axis=1).min())
    threshold = Fraction(1, min_errors) if exact else 1.0 / min_errors

    p = np.stack([draw(distributions(n, exact, valid[c])) for c in range(m)])
    p_hat = np.stack([
        draw(_model_row(n, exact, plausible[c], threshold)) for c in range(m)
    ])
    mu = draw(distributions(m, exact)) if m > 1 else None
    if single:
        return Instance(p[0], p_hat[0], valid[0], plausible=plausible[0] if use_plausible else None)
    return Instance(p, p_hat, valid, mu=mu, plausible=plausible if use_plausible else None)


@st.composite
def _model_row(draw, n, exact, plausible, threshold):
    """A row of p_hat: arbitrary, or with some slots exactly at the threshold."""
    slots = np.flatnonzero(plausible)
    at_threshold = draw(st.integers(0, len(slots) - 1)) if draw(st.booleans()) else 0
    if at_threshold == 0 or at_threshold * threshold > 1:
        return draw(distributions(n, exact, plausible))
    chosen = draw(st.permutations(list(slots)))[:at_threshold]
    rest = plausible.copy()
    rest[chosen] = False
    remaining = 1 - at_threshold * threshold
    row = draw(distributions(n, exact, rest)) * remaining
    row[chosen] = threshold
    return row
