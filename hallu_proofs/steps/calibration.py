"""Proof steps of the chapter book/calibration.md (see `hallu_proofs.steps`)."""

from . import Step  # noqa: F401

STEPS = {}
