"""Argument checks shared by every module: each raises a ValueError (or TypeError) naming the argument.

>>> check_probability(0.25, "q")
0.25
>>> check_probability(1.5, "q")
Traceback (most recent call last):
...
ValueError: q must be in [0, 1], got 1.5
>>> check_distribution([0.5, 0.6], "nu")
Traceback (most recent call last):
...
ValueError: nu must sum to 1, got 1.1
"""

from __future__ import annotations

import math
from collections import Counter
from fractions import Fraction
from numbers import Integral, Rational, Real

import numpy as np

from .instances import ROW_SUM_TOLERANCE, Instance


def as_array(values, name):
    """``np.asarray(values)``, refusing a ragged nested sequence with a ValueError naming it."""
    try:
        return np.asarray(values)
    except ValueError as exc:  # "setting an array element with a sequence ..."
        raise ValueError(f"{name} is not a rectangular array: {exc}") from None


def as_list(values, name):
    """The items of an iterable (not a string) as a list; anything else is refused by name."""
    if isinstance(values, (str, bytes)):
        raise TypeError(f"{name} must be a sequence, got {type(values).__name__}")
    try:
        return list(values)
    except TypeError:
        raise TypeError(f"{name} must be a sequence, got {type(values).__name__}") from None


def check_instance(inst, name="inst"):
    """An `Instance`; anything else is refused with a TypeError naming the argument."""
    if not isinstance(inst, Instance):
        raise TypeError(f"{name} must be a hallu_proofs.Instance, got {type(inst).__name__}")
    return inst


def check_real(x, name):
    """A finite real number (int, float, Fraction, numpy scalar); bools are refused."""
    if isinstance(x, bool) or not isinstance(x, Real):  # numpy's bool_ is not a Real
        raise TypeError(f"{name} must be a real number, got {type(x).__name__}")
    if isinstance(x, (float, np.floating)) and not math.isfinite(x):
        raise ValueError(f"{name} must be finite, got {x!r}")
    return x


def check_probability(x, name):
    """A number in [0, 1]."""
    check_real(x, name)
    if not 0 <= x <= 1:
        raise ValueError(f"{name} must be in [0, 1], got {x!r}")
    return x


def check_confidence_level(gamma, name="gamma"):
    """A failure probability gamma in (0, 1]."""
    check_real(gamma, name)
    if not 0 < gamma <= 1:
        raise ValueError(f"{name} must be in (0, 1], got {gamma!r}")
    return gamma


def check_positive_int(n, name, minimum=1):
    """An integer >= ``minimum`` (numpy integers accepted, bools and floats refused)."""
    if isinstance(n, bool) or not isinstance(n, Integral):  # numpy's bool_ is not Integral
        raise TypeError(f"{name} must be an integer, got {type(n).__name__}")
    if n < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {n}")
    return int(n)


def check_real_vector(values, name):
    """A non-empty 1-D array of finite reals.

    Returns an object array of Fractions when the input is an object array of ints and
    Fractions (exact arithmetic), and a float array otherwise.

    >>> check_real_vector([1, Fraction(1, 2)], "x").tolist()
    [Fraction(1, 1), Fraction(1, 2)]
    >>> check_real_vector([1, 2], "x").tolist()
    [1.0, 2.0]
    """
    arr = as_array(values, name)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"{name} must be a non-empty 1-D array, got shape {arr.shape}")
    if arr.dtype == object:
        for i, x in enumerate(arr):
            if isinstance(x, bool) or not isinstance(x, Rational):
                raise TypeError(f"{name}: entry {i} is {type(x).__name__}; exact arrays need int "
                                "or Fraction entries")
        return np.array([Fraction(int(x.numerator), int(x.denominator)) for x in arr], dtype=object)
    if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number):
        raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    arr = arr.astype(float)
    bad = np.flatnonzero(~np.isfinite(arr))
    if bad.size:
        raise ValueError(f"{name}: entry {bad[0]} is {float(arr[bad[0]])!r}; entries must be finite")
    return arr


def check_distribution(values, name):
    """A 1-D probability vector: finite, non-negative, summing to 1 (exactly for Fractions).

    Returns a float array, or an object array of Fractions when the input holds Fractions.
    """
    arr = check_real_vector(values, name)
    exact = arr.dtype == object
    negative = np.flatnonzero(arr < 0)
    if negative.size:
        value = arr[negative[0]] if exact else float(arr[negative[0]])
        raise ValueError(f"{name}: entry {negative[0]} is {value!r}; entries must be >= 0")
    total = arr.sum()
    if (total != 1) if exact else not abs(total - 1) <= ROW_SUM_TOLERANCE:
        raise ValueError(f"{name} must sum to 1, got {total!r}" if exact else
                         f"{name} must sum to 1, got {float(total):.6g}")
    return arr


#: Integer ids below this many per entry are counted in place (np.bincount on the ids themselves);
#: larger or sparser ids are first coded 0..d-1 by a sort, so memory stays linear in the entries.
_DIRECT_IDS_PER_ENTRY = 8


def as_id_array(values, name):
    """A 1-D array of hashable ids: a numpy array, a pandas column, or any sequence of ints,
    strings, tuples or other hashable values (kept as Python objects when numpy would reshape or
    convert them, e.g. tuples, mixed types, or ints beyond 64 bits). Booleans and NaN are refused.

    >>> as_id_array([("a", 1), ("b", 2)], "ids").dtype, as_id_array([3, 5], "ids").dtype.kind
    (dtype('O'), 'i')
    """
    if not isinstance(values, np.ndarray) and hasattr(values, "to_numpy"):  # pandas, polars
        values = values.to_numpy()
    if isinstance(values, np.ndarray):
        arr = values
    else:
        items = as_list(values, name)
        kinds = {type(x) for x in items}
        if kinds and kinds <= {bool, np.bool_}:
            raise TypeError(f"{name} must hold ids (ints, strings, tuples, ...), got booleans")
        integers = all(issubclass(k, (int, np.integer)) and not issubclass(k, (bool, np.bool_))
                       for k in kinds)
        arr = np.asarray(items) if integers or kinds <= {float} else None  # floats, ints
        if arr is None or (integers and arr.dtype.kind not in "iu"):
            # strings are coded faster as Python objects; ints that fit no one integer dtype
            # (beyond 64 bits, or 2^63 and above with negatives or small ints, which numpy
            # would turn into floats that merge neighbouring ids) stay Python ints
            arr = np.fromiter(items, dtype=object, count=len(items))
    if arr.ndim != 1:
        raise ValueError(f"{name} must be a 1-D array, got shape {arr.shape}")
    if arr.dtype == bool:
        raise TypeError(f"{name} must hold ids (ints, strings, tuples, ...), got booleans")
    if arr.dtype.kind == "f":
        bad = np.flatnonzero(np.isnan(arr))
        if bad.size:
            raise ValueError(f"{name}: entry {bad[0]} is nan; an id must equal itself")
    return arr


def id_counts(values, name):
    """How many times each distinct id occurs (in no particular order), for hashable ids: time
    O(N log N) and memory O(N) for N ids, whatever their values (no table indexed by id value).

    >>> sorted(id_counts(["b", "a", "b"], "ids").tolist())
    [1, 2]
    >>> sorted(id_counts([2**40, 5, 2**40], "ids").tolist())
    [1, 2]
    """
    arr = as_id_array(values, name)
    if arr.size == 0:
        return np.zeros(0, dtype=np.intp)
    if arr.dtype.kind in "iu":
        if arr.min() >= 0 and arr.max() < _DIRECT_IDS_PER_ENTRY * arr.size:
            counts = np.bincount(arr)
            return counts[counts > 0]
        return np.unique(arr, return_counts=True)[1]
    if arr.dtype.kind not in "OUS":
        return np.unique(arr, return_counts=True)[1]
    try:
        counts = Counter(arr.tolist())  # hashing beats sorting for Python objects and strings
    except TypeError:
        i = next(i for i, x in enumerate(arr) if not _hashable(x))
        raise TypeError(f"{name}: entry {i} is a {type(arr[i]).__name__}, which is not hashable; "
                        "ids must be hashable") from None
    return np.fromiter(counts.values(), dtype=np.intp, count=len(counts))


def _hashable(x):
    try:
        hash(x)
    except TypeError:
        return False
    return True
