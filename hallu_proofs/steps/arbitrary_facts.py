"""Proof steps of the chapter book/arbitrary_facts.md (see `hallu_proofs.steps`)."""

from . import Step  # noqa: F401

STEPS = {}
