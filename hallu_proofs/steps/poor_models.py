"""Proof steps of the chapter book/poor_models.md (see `hallu_proofs.steps`)."""

from . import Step  # noqa: F401

STEPS = {}
