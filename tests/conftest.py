"""Shared test settings: hypothesis profiles, chosen by the HYPOTHESIS_PROFILE variable.

* ``ci`` (the default): derandomized, no deadline; what the README's test command runs.
* ``dev``: random examples, a few more of them.
* ``thorough``: 10,000 examples per property, run by hand (see the README).
"""

import os

from hypothesis import HealthCheck, settings

settings.register_profile(
    "ci", derandomize=True, deadline=None, max_examples=200, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", deadline=None, max_examples=300)
settings.register_profile(
    "thorough", deadline=None, max_examples=10_000, suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
