"""Proof steps of the chapter book/evaluation.md (see `hallu_proofs.steps`)."""

from . import Step  # noqa: F401

STEPS = {}
