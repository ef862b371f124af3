"""Proof steps of the chapter book/iiv_reduction.md (see `hallu_proofs.steps`)."""

from . import Step  # noqa: F401

STEPS = {}
