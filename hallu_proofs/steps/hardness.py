"""Proof steps of the chapter book/hardness.md (see `hallu_proofs.steps`)."""

from . import Step  # noqa: F401

STEPS = {}
