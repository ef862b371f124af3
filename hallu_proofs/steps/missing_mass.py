"""Proof steps of the chapter book/missing_mass.md (see `hallu_proofs.steps`)."""

from . import Step  # noqa: F401

STEPS = {}
