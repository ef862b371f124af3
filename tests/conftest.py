"""Shared test settings: hypothesis profiles, chosen by the HYPOTHESIS_PROFILE variable.

* ``ci`` (the default): derandomized, no deadline; what the README's test command runs.
* ``dev``: random examples, a few more of them.
* ``thorough``: 10,000 examples per property, run by hand (see the README).
* ``mutation``: 25 examples per property, for mutation testing (``make mutation``).
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
# For mutation testing (make mutation): few examples per property, so that each of the
# thousands of mutants is tried quickly; a mutant that survives is re-examined by hand.
settings.register_profile(
    "mutation", derandomize=True, deadline=None, max_examples=25, database=None,
    suppress_health_check=list(HealthCheck),
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


# --- the verification ledger -------------------------------------------------------------------
# Tests declare which result of the paper they check with
#     @pytest.mark.result("Theorem 1", kind="property", functions=["theorem1_bound"])
# (kinds: see hallu_proofs.ledger.KINDS; a tuple of kinds when a test gives several). With
# HALLU_LEDGER_OUT=path set, the run writes one record per such test (outcome, number of examples
# tried, notes) to that JSON file; `make ledger` does this, and the ledger chapter is generated
# from the file.

import json  # noqa: E402
import re  # noqa: E402

import pytest  # noqa: E402

_LEDGER_RECORDS = []


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "result(*names, kind, functions=()): the paper's result(s) this test checks"
    )


def _examples_tried(item):
    """Examples hypothesis ran for this test (1 for a plain test)."""
    stats = getattr(item, "hypothesis_statistics", None)
    if not stats:
        return 1
    counts = re.findall(r"(\d+) passing, (\d+) failing", stats)
    return sum(int(a) + int(b) for a, b in counts) or 1


@pytest.fixture
def ledger_note(request):
    """Record a number for the ledger, e.g. ``ledger_note(monte_carlo_runs=2000)``."""
    notes = request.node.stash.setdefault(_NOTES, {})
    return notes.update


_NOTES = pytest.StashKey[dict]()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    marker = item.get_closest_marker("result")
    if marker is None or not os.environ.get("HALLU_LEDGER_OUT"):
        return
    if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
        _LEDGER_RECORDS.append({
            "test": item.nodeid,
            "results": list(marker.args),
            "kinds": [kind] if isinstance(kind := marker.kwargs["kind"], str) else list(kind),
            "functions": list(marker.kwargs.get("functions", ())),
            "outcome": report.outcome,
            "examples": _examples_tried(item),
            "notes": item.stash.get(_NOTES, {}),
            "doc": (item.obj.__doc__ or "").strip().splitlines()[0] if item.obj.__doc__ else "",
        })


def pytest_sessionfinish(session):
    path = os.environ.get("HALLU_LEDGER_OUT")
    if path and _LEDGER_RECORDS:
        profile = os.environ.get("HYPOTHESIS_PROFILE", "ci")
        from hallu_proofs.ledger import source_digest

        # The digest of hallu_proofs/ and tests/ lets the ledger refuse records of other sources.
        with open(path, "w") as handle:
            json.dump({"hypothesis_profile": profile, "sources": source_digest(),
                       "tests": _LEDGER_RECORDS}, handle, indent=1)
