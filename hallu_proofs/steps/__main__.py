"""``python -m hallu_proofs.steps [RECORDS.json]``: see `hallu_proofs.steps.main`."""

from . import main

main()
