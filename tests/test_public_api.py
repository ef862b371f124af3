"""The package's public face: what `import hallu_proofs` lists, what it costs, what stays reachable."""

import subprocess
import sys

import hallu_proofs as hp


def _run(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_import_loads_no_heavy_dependency():
    """`import hallu_proofs` imports none of SciPy, pandas, matplotlib, z3 or inspect-ai: each
    is imported by the function that needs it."""
    heavy = ["scipy", "pandas", "matplotlib", "z3", "inspect_ai", "sympy"]
    code = f"import sys, hallu_proofs; print([m for m in {heavy!r} if m in sys.modules])"
    assert _run(code) == "[]"


def test_import_does_not_load_sympy():
    """`import hallu_proofs` leaves SymPy unimported; a symbolic derivation imports it."""
    assert _run("import sys, hallu_proofs; print('sympy' in sys.modules)") == "False"
    assert _run("import sys, hallu_proofs as hp; hp.theorem4_derivation();"
                " print('sympy' in sys.modules)") == "True"


def test_all_lists_only_names_that_exist():
    """Every name of __all__ is an attribute, and no name is listed twice."""
    assert len(set(hp.__all__)) == len(hp.__all__)
    for name in hp.__all__:
        assert getattr(hp, name) is not None, name


def test_contract_names_are_public():
    """The design's API contract is in the top-level listing."""
    contract = ["Instance", "generative_error", "iiv_error", "calibration_gap", "theorem1_bound", "IDK",
                "singleton_rate", "good_turing", "missing_mass", "theorem2_lower_bound",
                "theorem2_upper_bound", "theorem3_bound", "penalty", "expected_score"]
    assert set(contract) <= set(hp.__all__)


def test_proof_machinery_is_reachable_but_not_listed():
    """A proof helper resolves as hp.<name> (the chapters use it) and is absent from __all__ and dir."""
    from hallu_proofs import poor_models
    assert hp.theorem4_derivation is poor_models.theorem4_derivation
    assert "theorem4_derivation" not in hp.__all__
    assert "theorem4_derivation" not in dir(hp)


def test_unknown_attribute_is_an_attribute_error():
    """A misspelt name raises AttributeError naming it (no silent None)."""
    try:
        hp.generative_eror  # noqa: B018
    except AttributeError as error:
        assert "generative_eror" in str(error)
    else:
        raise AssertionError("no AttributeError")


def test_dir_lists_the_public_names_the_loaded_submodules_and_the_version():
    """dir(hp): __all__, the submodules already imported (as sys.modules knows them) and
    __version__, which is a string."""
    import hallu_proofs.reduction  # noqa: F401  (at least one submodule is loaded)
    loaded = {name for name in hp._SUBMODULES if f"hallu_proofs.{name}" in sys.modules}
    assert "reduction" in loaded
    assert dir(hp) == sorted({*hp.__all__, *loaded, "__version__"})
    assert isinstance(hp.__version__, str) and hp.__version__[0].isdigit()
