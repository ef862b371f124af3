"""The `Instance` type: prompts, responses, the training distribution p and the model p_hat.

An instance is a finite table. Row c is a prompt, column r a response slot, and

* ``p[c, r]`` is p(r | c), the training distribution (it must put no mass on errors),
* ``p_hat[c, r]`` is p_hat(r | c), the base model,
* ``valid[c, r]`` says whether r is in V_c,
* ``plausible[c, r]`` says whether r is in R_c (a slot outside R_c is neither valid nor an
  error and must carry zero probability; it lets prompts have response sets of different sizes),
* ``mu[c]`` is the prompt distribution.

One-dimensional inputs describe a single prompt (the no-prompt setting of Corollary 1).

Entries are floats (vectorized numpy) or, for exact arithmetic, ``fractions.Fraction`` or
``int`` (object arrays): then every derived quantity is an exact ``Fraction``.
"""

from __future__ import annotations

from fractions import Fraction
from numbers import Integral, Real

import numpy as np

#: Largest accepted gap between a float row sum and 1 (exact inputs must sum to exactly 1).
ROW_SUM_TOLERANCE = 1e-9

#: With ``normalize=True``: largest gap between a float row sum and 1 that is taken for rounding
#: (float32 softmax rows over many responses are off by up to about n * 6e-8) and divided away.
NORMALIZE_TOLERANCE = 1e-3


class Instance:
    """A validated finite instance of the paper's setting (Sections 3.1-3.2).

    Parameters
    ----------
    p, p_hat : array_like, shape (n,) or (m, n)
        Training distribution p(r|c) and base model p_hat(r|c); one row per prompt.
    valid : array_like of bool, same shape
        ``True`` where r is a valid response to c (r in V_c).
    mu : array_like, shape (m,), optional
        Prompt distribution; uniform over the m prompts by default.
    plausible : array_like of bool, same shape, optional
        ``True`` where r is a plausible response to c (r in R_c); all ``True`` by default.
    normalize : bool, optional
        Divide each float row of p and p_hat, and mu, by its sum, when the sum is within
        `NORMALIZE_TOLERANCE` of 1 (rows that are distributions up to float32 rounding); without
        it a float row must sum to 1 within `ROW_SUM_TOLERANCE`. Exact rows must sum to 1.

    The instance keeps its own read-only copies of the arrays: the caller's arrays are never
    modified or frozen, and a result cached on the instance cannot go stale. Prompts with
    different numbers of candidate responses: see `Instance.from_rows`.

    Raises
    ------
    ValueError
        Naming the argument and the prompt/response at fault.
    TypeError
        For non-numeric entries, a non-boolean mask, or floats mixed with Fractions.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> inst = Instance(p=[1, 0, 0], p_hat=[F(1, 2), F(1, 4), F(1, 4)],
    ...                 valid=[True, False, False])
    >>> inst.n_prompts, inst.min_errors, inst.max_valid, inst.exact
    (1, 2, 1, True)
    >>> Instance(p=[0.5, 0.5], p_hat=[0.5, 0.5], valid=[True, False])
    Traceback (most recent call last):
    ...
    ValueError: p puts mass 0.5 on error response 1 of prompt 0 (the theorem assumes p(V) = 1)
    """

    def __init__(self, p, p_hat, valid, mu=None, plausible=None, normalize=False):
        if not isinstance(normalize, (bool, np.bool_)):
            raise TypeError(f"normalize must be True or False, got {type(normalize).__name__}")
        raw = {"p": _as_array(p, "p"), "p_hat": _as_array(p_hat, "p_hat")}
        if mu is not None:
            raw["mu"] = _as_array(mu, "mu")
        self.exact = any(a.dtype == object for a in raw.values())
        arrays = {name: _to_number_type(a, name, self.exact) for name, a in raw.items()}
        if normalize and not self.exact:
            for name, arr in arrays.items():
                arrays[name] = _normalized_rows(arr, name)

        self.single_prompt = arrays["p"].ndim == 1
        p2, ph2 = (_as_2d(arrays[name], name) for name in ("p", "p_hat"))
        if ph2.shape != p2.shape:
            raise ValueError(f"p_hat has shape {ph2.shape}, but p has shape {p2.shape}")
        valid2 = _as_2d(_as_mask(valid, "valid"), "valid")
        if valid2.shape != p2.shape:
            raise ValueError(f"valid has shape {valid2.shape}, but p has shape {p2.shape}")
        if plausible is None:
            plaus2 = None
        else:
            plaus2 = _as_2d(_as_mask(plausible, "plausible"), "plausible")
            if plaus2.shape != p2.shape:
                raise ValueError(
                    f"plausible has shape {plaus2.shape}, but p has shape {p2.shape}"
                )
        for name, arr in (("p", p2), ("p_hat", ph2)):
            _check_rows_are_distributions(arr, name, self.exact)
        m = p2.shape[0]
        if "mu" in arrays:
            mu1 = arrays["mu"]
            if mu1.shape != (m,):
                raise ValueError(f"mu has shape {mu1.shape}, expected ({m},): one entry per prompt")
        else:
            mu1 = np.full(m, Fraction(1, m) if self.exact else 1.0 / m, dtype=object if self.exact else float)
        _check_rows_are_distributions(mu1[None, :], "mu", self.exact)

        if plaus2 is not None:
            stray = valid2 & ~plaus2
            if stray.any():
                c, r = np.argwhere(stray)[0]
                raise ValueError(
                    f"valid marks response {r} of prompt {c} as valid, but plausible says it is not "
                    "plausible"
                )
            outside_sums = _row_sums_of_each((p2, ph2), ~plaus2, self.exact)
            for name, arr, outside in zip(("p", "p_hat"), (p2, ph2), outside_sums):
                bad = np.flatnonzero(outside != 0)
                if bad.size:
                    c = bad[0]
                    r = np.flatnonzero(~plaus2[c] & (arr[c] != 0))[0]
                    raise ValueError(
                        f"{name} puts mass {arr[c, r]} outside the plausible set, on response {r} "
                        f"of prompt {c}"
                    )
            error2 = plaus2 & ~valid2
        else:
            error2 = ~valid2

        self.n_valid = count_per_row(valid2)
        self.n_errors = (
            count_per_row(error2) if plaus2 is not None else valid2.shape[1] - self.n_valid
        )
        for counts, what in ((self.n_valid, "valid"), (self.n_errors, "error")):
            empty = np.flatnonzero(counts == 0)
            if empty.size:
                raise ValueError(
                    f"valid: prompt {empty[0]} has no {what} response (every prompt needs at "
                    "least one valid and one error response)"
                )

        p_on_errors = _row_sums_over(p2, error2, self.exact)
        bad = np.flatnonzero(p_on_errors != 0)
        if bad.size:
            c = bad[0]
            r = np.flatnonzero(error2[c] & (p2[c] != 0))[0]
            raise ValueError(
                f"p puts mass {p2[c, r]} on error response {r} of prompt {c} "
                "(the theorem assumes p(V) = 1)"
            )

        self.p, self.p_hat, self.valid, self.error, self.mu = p2, ph2, valid2, error2, mu1
        #: The plausible mask, or None when every slot is plausible (the default).
        self.plausible = plaus2
        for arr in (self.p, self.p_hat, self.valid, self.error, self.mu, plaus2):
            if arr is not None:
                arr.flags.writeable = False
        self._cache = {}

    @property
    def n_prompts(self) -> int:
        """Number of prompts m (1 for a single prompt)."""
        return self.p.shape[0]

    @property
    def max_valid(self) -> int:
        """k = max_c |V_c|."""
        return int(self.n_valid.max())

    @property
    def min_errors(self) -> int:
        """K = min_c |E_c|."""
        return int(self.n_errors.min())

    @property
    def default_threshold(self):
        """The threshold 1 / min_c |E_c| of the classifier in Eq. (2) and Theorem 1."""
        return Fraction(1, self.min_errors) if self.exact else 1.0 / self.min_errors

    def number(self, value):
        """Convert a Python number to the instance's arithmetic (Fraction or float)."""
        return Fraction(value) if self.exact else float(value)

    @classmethod
    def from_rows(cls, p, p_hat, valid, mu=None, normalize=False):
        """An instance from per-prompt lists of different lengths (one candidate list per prompt).

        Row c of ``p``, ``p_hat`` and ``valid`` lists prompt c's candidates; rows may differ in
        length. The rows are padded to the longest with slots that are not plausible (zero
        probability, neither valid nor an error), so R_c is exactly prompt c's candidates.

        >>> inst = Instance.from_rows([[1.0, 0.0], [0.5, 0.5, 0.0]],
        ...                           [[0.9, 0.1], [0.2, 0.2, 0.6]],
        ...                           [[True, False], [True, True, False]])
        >>> inst.n_valid.tolist(), inst.n_errors.tolist(), inst.p.shape
        ([1, 2], [1, 1], (2, 3))
        """
        rows = {name: _rows(values, name) for name, values in (("p", p), ("p_hat", p_hat),
                                                                 ("valid", valid))}
        lengths = [len(row) for row in rows["p"]]
        for name in ("p_hat", "valid"):
            other = [len(row) for row in rows[name]]
            if len(other) != len(lengths):
                raise ValueError(f"{name} has {len(other)} rows, but p has {len(lengths)}")
            for c, (a, b) in enumerate(zip(other, lengths)):
                if a != b:
                    raise ValueError(f"{name}: row {c} has {a} entries, but p's row {c} has {b}")
        plausible = np.arange(max(lengths)) < np.array(lengths)[:, None]
        return cls(*(_padded(rows[name], plausible, name) for name in ("p", "p_hat", "valid")),
                   mu=mu, plausible=plausible, normalize=normalize)

    def __repr__(self):
        kind = "exact" if self.exact else "float"
        return (
            f"Instance({self.n_prompts} prompt(s) x {self.p.shape[1]} response slots, {kind}, "
            f"max|V_c| = {self.max_valid}, min|E_c| = {self.min_errors})"
        )


def check_threshold(threshold, inst: Instance):
    """Validate a classification threshold and convert it to the instance's arithmetic.

    ``None`` means the paper's default 1 / min_c |E_c|.

    >>> inst = Instance([1.0, 0.0], [0.5, 0.5], [True, False])
    >>> check_threshold(None, inst)
    1.0
    >>> check_threshold(float("nan"), inst)
    Traceback (most recent call last):
    ...
    ValueError: threshold must be a number in [0, 1], got nan

    An exact instance needs an exact threshold: a float such as 0.3 is a binary fraction a hair
    below 3/10, which would silently classify an exact p_hat = 3/10 as '+'.

    >>> from fractions import Fraction as F
    >>> check_threshold(0.3, Instance([1, 0], [F(3, 10), F(7, 10)], [True, False]))
    Traceback (most recent call last):
    ...
    TypeError: threshold must be an int or a Fraction for an exact instance, got 0.3 (float)
    """
    if threshold is None:
        return inst.default_threshold
    if isinstance(threshold, bool) or not isinstance(threshold, Real):
        raise TypeError(f"threshold must be a real number, got {type(threshold).__name__}")
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be a number in [0, 1], got {threshold!r}")
    if inst.exact and not isinstance(threshold, (Integral, Fraction)):
        raise TypeError(f"threshold must be an int or a Fraction for an exact instance, got "
                        f"{threshold!r} ({type(threshold).__name__})")
    return inst.number(threshold)


def _as_array(x, name):
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged nested lists, for instance
        raise ValueError(f"{name} is not a rectangular array: {exc}") from None
    if arr.dtype == object:
        return arr
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number) or np.iscomplexobj(arr):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    return arr


def _rows(values, name):
    """The rows of a per-prompt list, each a list (a string or a scalar is refused by name)."""
    if isinstance(values, (str, bytes)) or not hasattr(values, "__iter__"):
        raise TypeError(f"{name} must be a list of per-prompt rows, got {type(values).__name__}")
    rows = []
    for c, row in enumerate(values):
        if isinstance(row, (str, bytes)) or not hasattr(row, "__iter__"):
            raise TypeError(f"{name}: row {c} must be a sequence, got {type(row).__name__}")
        rows.append(list(row))
    if not rows:
        raise ValueError(f"{name} is empty")
    return rows


def _padded(rows, plausible, name):
    """Rows of different lengths as one 2-D array, zero (or False) outside ``plausible`` (an
    exact array is padded with int 0, which the Instance turns into a Fraction)."""
    entries = _as_array([x for row in rows for x in row], name) if name != "valid" else \
        np.asarray([x for row in rows for x in row])
    out = np.zeros(plausible.shape, dtype=entries.dtype)
    out[plausible] = entries
    return out


def _normalized_rows(arr, name):
    """Float rows (and mu) divided by their sums, when each sum is within NORMALIZE_TOLERANCE of 1."""
    rows = arr if arr.ndim == 2 else arr[None, :]
    if rows.size == 0 or not np.isfinite(rows).all() or (rows < 0).any():
        return arr  # the entry checks that follow name the bad entry
    sums = rows.sum(axis=1)
    off = ~(np.abs(sums - 1) <= NORMALIZE_TOLERANCE)
    if off.any():
        c = np.flatnonzero(off)[0]
        where = "" if name == "mu" else f" for prompt {c}"
        raise ValueError(f"{name} sums to {sums[c]}{where}: more than NORMALIZE_TOLERANCE = "
                         f"{NORMALIZE_TOLERANCE} from 1, too far to be rounding")
    return (rows / sums[:, None]).reshape(arr.shape)


def _to_number_type(arr, name, exact):
    if not exact:
        return np.array(arr, dtype=float)  # a copy: the caller's array is never frozen
    flat = arr.ravel()
    out = np.empty(flat.shape, dtype=object)
    for i, x in enumerate(flat):
        if isinstance(x, Fraction):
            out[i] = Fraction(int(x.numerator), int(x.denominator))
        elif isinstance(x, Integral) and not isinstance(x, (bool, np.bool_)):
            out[i] = Fraction(int(x))
        else:
            raise TypeError(
                f"{name}: entry {tuple(int(j) for j in np.unravel_index(i, arr.shape))} is {x}; "
                "exact instances need int or fractions.Fraction entries throughout: do not mix "
                "floats with Fractions"
            )
    return out.reshape(arr.shape)


def _as_mask(x, name):
    arr = np.array(x)  # a copy: the caller's array is never frozen
    if arr.dtype != bool:
        raise TypeError(f"{name} must be a boolean array, got dtype {arr.dtype}")
    return arr


def _as_2d(arr, name):
    if arr.ndim == 1:
        return arr[None, :]
    if arr.ndim == 2:
        return arr
    raise ValueError(f"{name} must be 1-D (one prompt) or 2-D (prompts x responses), got {arr.ndim}-D")


def _check_rows_are_distributions(arr, name, exact):
    """Entries finite and non-negative, every row summing to 1 (exactly for Fractions)."""
    if arr.size == 0 or arr.shape[-1] == 0:
        raise ValueError(f"{name} is empty")
    lowest = arr.min()
    sums = arr.sum(axis=1)
    finite = exact or bool(np.isfinite(sums).all())
    if not (finite and lowest >= 0):  # NaN fails both comparisons
        bad = arr < 0 if exact else ~np.isfinite(arr) | (arr < 0)
        c, r = np.argwhere(bad)[0]
        where = f"entry {r}" if name == "mu" else f"prompt {c}, response {r}"
        raise ValueError(f"{name}: {where} is {arr[c, r]}; entries must be finite and >= 0")
    off = sums != 1 if exact else ~(np.abs(sums - 1) <= ROW_SUM_TOLERANCE)
    if off.any():
        c = np.flatnonzero(off)[0]
        where = "" if name == "mu" else f" for prompt {c}"
        raise ValueError(f"{name} sums to {sums[c]}{where}, not 1")


def count_per_row(mask):
    """Number of True entries in each row of a 2-D boolean mask."""
    return mask.sum(axis=1, dtype=np.int64)


#: Float row sums over a mask run on blocks of about this many entries, so that the mask's block,
#: cast to floats once for all the arrays summed over it, stays in the processor's cache.
_BLOCK_ENTRIES = 1 << 17


def _row_sums_over(arr, mask, exact):
    """Sum of ``arr`` over the True entries of ``mask``, row by row."""
    return _row_sums_of_each((arr,), mask, exact)[0]


def _row_sums_of_each(arrays, mask, exact):
    """`_row_sums_over` for several arrays of the mask's shape, reading the mask once."""
    if exact:
        return [np.where(mask, arr, Fraction(0)).sum(axis=1) for arr in arrays]
    m, n = mask.shape
    sums = [np.empty(m) for _ in arrays]
    rows = max(1, _BLOCK_ENTRIES // max(1, n))
    weights = np.empty((min(rows, m), n))
    for start in range(0, m, rows):
        block = slice(start, start + rows)
        w = weights[: min(rows, m - start)]
        np.copyto(w, mask[block])
        for arr, out in zip(arrays, sums):
            np.vecdot(arr[block], w, out=out[block])
    return sums


def random_instance(rng, n_prompts, n_responses, exact=False, denominator=12, sharpness=1.0):
    """A random valid Instance, for demonstrations and benchmarks (tests use `strategies`).

    Each prompt gets at least one valid and one error slot; p is spread over the valid slots,
    p_hat over all slots (raised to ``sharpness`` to make it peakier). With ``exact=True`` the
    probabilities are Fractions whose denominators divide a multiple of ``denominator``.

    >>> import numpy as np
    >>> inst = random_instance(np.random.default_rng(0), 3, 4, exact=True)
    >>> inst.n_prompts, inst.exact
    (3, True)
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    if n_responses < 2:
        raise ValueError(f"n_responses must be >= 2, got {n_responses}")
    if n_prompts < 1:
        raise ValueError(f"n_prompts must be >= 1, got {n_prompts}")
    valid = rng.random((n_prompts, n_responses)) < 0.5
    valid[:, 0], valid[:, 1] = True, False
    valid = rng.permuted(valid, axis=1)
    p_weights = np.where(valid, rng.integers(1, denominator + 1, valid.shape), 0)
    q_weights = np.ceil(rng.random(valid.shape) ** sharpness * denominator).astype(int)
    mu_weights = rng.integers(1, denominator + 1, n_prompts)
    if exact:
        def normalise(w):
            w = np.atleast_2d(w)
            return np.array([[Fraction(int(x), int(row.sum())) for x in row] for row in w], dtype=object)
        p, p_hat, mu = normalise(p_weights), normalise(q_weights), normalise(mu_weights)[0]
    else:
        p = p_weights / p_weights.sum(axis=1, keepdims=True)
        p_hat = q_weights / q_weights.sum(axis=1, keepdims=True)
        mu = mu_weights / mu_weights.sum()
    return Instance(p, p_hat, valid, mu=mu)
