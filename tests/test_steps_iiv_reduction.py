"""Proof steps of book/iiv_reduction.md: Corollary 1, Theorem 1 (Appendix A) and its per-prompt
threshold variant.

Each test checks numbered steps of a proof on the page (see `hallu_proofs.steps.iiv_reduction`
for the step table and each step's kind of check). The symbolic checks run on a table whose
cells are SymPy symbols (mu, p on valid slots only, p_hat, and a 0/1 indicator "above the
threshold" per slot) and whose quantities are built from the definitions, so that a wrong
definition makes them fail (tested below by replacing a definition with a wrong one). The
inequalities are proved by SymPy for every size: the step-2 excess is a positive fraction, the
step-4 room a sum of non-negative symbols, and |x| - x >= 0 by the two signs of x.
"""

import functools
from fractions import Fraction as F

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings

import hallu_proofs as hp
from hallu_proofs import reduction
from hallu_proofs.strategies import instances

#: Every valid/error pattern up to symmetry: up to 3 prompts of up to 4 responses, and one
#: prompt of up to 7 responses (Corollary 1).
PATTERNS = reduction.appendix_a_patterns(3, 4)
ONE_PROMPT_PATTERNS = reduction.appendix_a_patterns(1, 7)


# SymPy substitutes an instance into a table per example: 40 examples in the quick profiles.
SYMPY_EXAMPLES = 40 if settings.default.max_examples < 10_000 else settings.default.max_examples


@functools.cache
def table_steps(pattern, per_prompt):
    return reduction.appendix_a_table_steps([list(row) for row in pattern], per_prompt=per_prompt)


def identities_hold(prefix, patterns, per_prompt=False):
    """Every table identity whose step label starts with ``prefix`` holds on every pattern."""
    checked = 0
    for pattern in patterns:
        key = tuple(tuple(row) for row in pattern)
        for step, expression, holds in table_steps(key, per_prompt):
            if step.startswith(prefix):
                assert holds, (pattern, step, expression)
                checked += 1
    return checked


# --------------------------------------------------------------------------- Theorem 1


@pytest.mark.result("Theorem 1", kind="symbolic", functions=["reduction.appendix_a_table_steps"])
def test_step1_split_err_and_err_iiv_by_the_threshold():
    """Step 1: err = p_hat(A \\ V) + p_hat(B \\ V) and err_iiv = D(A \\ V) + D(B ∩ V), on tables."""
    assert identities_hold("1:", PATTERNS) == 2 * len(PATTERNS)


@pytest.mark.result("Theorem 1", kind="symbolic", functions=["reduction.appendix_a_table_steps"])
def test_delta_via_a_or_b():
    """delta = |p_hat(A) - p(A)| = |p(B) - p_hat(B)|: the two differences are opposite."""
    assert identities_hold("delta:", PATTERNS) == len(PATTERNS)


@pytest.mark.result("Theorem 1", "Corollary 1", kind="symbolic",
                    functions=["reduction.appendix_a_steps"])
def test_step2_errors_above_the_threshold():
    """Step 2: an error with p_hat(r|c) = 1/K + eta and |E_c| = K + j has mu p_hat - 2 D > 0."""
    step, excess, holds = reduction.appendix_a_steps()[0]
    mu, big_k, eta = sp.symbols("mu K eta", positive=True)
    j = sp.Symbol("j", nonnegative=True)
    assert step.startswith("2:") and holds is True
    # the expression is the step's quantity: mu (1/K + eta) minus 2 mu / (2 (K + j))
    assert sp.simplify(excess - (mu * (1 / big_k + eta) - mu / (big_k + j))) == 0
    # and it is what the table's first slack term holds slot by slot
    table = reduction.appendix_a_table([[True, False, False]])
    term = table["terms"]["errors_above_threshold"]
    a = table["above"][0, 1]
    q = table["q"][0, 1]
    slot = sp.expand(term).coeff(a).subs(table["q"][0, 2], 0)
    assert sp.simplify(slot - table["mu"][0] * (q - sp.Rational(1, 2))) == 0


@pytest.mark.result("Theorem 1", kind="symbolic", functions=["reduction.appendix_a_table_steps"])
def test_step3_what_remains():
    """Step 3: with step 1, the slack is [p_hat(A \\ V) - 2 D(A \\ V)] + [p_hat(B \\ V) - (2 D(B ∩ V)
    - k/K - delta)], so step 2 leaves exactly Eq. (6) to prove."""
    for pattern in PATTERNS:
        t = reduction.appendix_a_table(pattern)
        remaining = t["p_hat_B_minus_V"] - (2 * t["D_B_cap_V"] - t["ratio"] - t["delta"])
        split = (t["p_hat_A_minus_V"] - 2 * t["D_A_minus_V"]) + remaining
        assert sp.expand(t["err"] - t["bound"] - split) == 0, pattern


@pytest.mark.result("Theorem 1", kind="symbolic", functions=["reduction.appendix_a_table_steps"])
def test_step4_valid_mass_below_the_threshold():
    """Step 4: 2 D(B ∩ V) = p(B) (from p(V) = 1), and sum_c mu(c) k/K = k/K."""
    assert identities_hold("4:", PATTERNS) == 2 * len(PATTERNS)


@pytest.mark.result("Theorem 1", "Corollary 1", kind="symbolic",
                    functions=["reduction.appendix_a_steps"])
def test_step4_at_most_k_over_k():
    """Step 4: b <= k valid slots below 1/K, each 1/K - eps_i, leave k/K - p_hat(B ∩ V_c|c) >= 0."""
    step, room, holds = reduction.appendix_a_steps()[1]
    big_k = sp.Symbol("K", positive=True)
    b, s, e = sp.symbols("b s E", nonnegative=True)
    assert step.startswith("4:") and holds is True
    assert sp.simplify(room - ((b + s) / big_k - (b / big_k - e))) == 0


@pytest.mark.result("Theorem 1", "Corollary 1", kind="symbolic",
                    functions=["reduction.appendix_a_table_steps", "reduction.appendix_a_steps"])
def test_step5_combine():
    """Step 5: 2 D(B ∩ V) - p_hat(B \\ V) = (p(B) - p_hat(B)) + p_hat(B ∩ V), and |x| - x >= 0."""
    assert identities_hold("5:", PATTERNS) == len(PATTERNS)
    step, cases, holds = reduction.appendix_a_steps()[2]
    assert step.startswith("5:") and holds is True and len(cases) == 2
    # the two cases are |x| - x itself: 0 for x >= 0 and -2x for x < 0
    x_neg = sp.Symbol("x", negative=True)
    assert cases[0] == 0 and sp.simplify(cases[1] - (-2 * x_neg)) == 0


@pytest.mark.result("Theorem 1", kind="symbolic", functions=["reduction.appendix_a_table_steps"])
def test_step6_slack_is_the_three_terms():
    """Step 6: err - (2 err_iiv - k/K - delta) = the three slack terms, a polynomial identity."""
    assert identities_hold("6:", PATTERNS) == len(PATTERNS)


@pytest.mark.result("Theorem 1", kind="symbolic",
                    functions=["reduction.appendix_a_table_steps", "reduction.appendix_a_steps"])
@pytest.mark.parametrize("wrong", [
    {"D": lambda valid, mu, p, n_errors: valid * mu * p + (1 - valid) * mu / (2 * n_errors)},
    {"D": lambda valid, mu, p, n_errors: valid * mu * p / 2 + (1 - valid) * mu / n_errors},
    {"misclassified": lambda above, valid: above * valid + (1 - above) * (1 - valid)},
    {"misclassified": lambda above, valid: above * (1 - valid)},
    {"err": lambda valid, mu, p_hat: mu * p_hat},
])
def test_a_wrong_definition_breaks_the_identities(wrong):
    """The identities are not empty: with a wrong D, classifier error or err, some step fails."""
    pattern = [[True, False, False], [True, True, False]]
    steps = reduction.appendix_a_table_steps(pattern, wrong) + reduction.appendix_a_steps(wrong)
    assert not all(holds for _, _, holds in steps)
    right = reduction.appendix_a_table_steps(pattern) + reduction.appendix_a_steps()
    assert all(holds for _, _, holds in right)


def table_values(table, inst):
    """The substitution that puts an instance without implausible slots into a symbolic table."""
    above = hp.classify(inst)
    values = {mu: sp.Rational(x) for mu, x in zip(table["mu"], inst.mu)}
    for (c, r), q in table["q"].items():
        values[q] = sp.Rational(inst.p_hat[c, r])
        values[table["above"][c, r]] = int(above[c, r])
        if table["p"][c, r] != 0:
            values[table["p"][c, r]] = sp.Rational(inst.p[c, r])
    return values


@pytest.mark.result("Theorem 1", kind="exact", functions=["reduction.appendix_a_table"])
@settings(max_examples=SYMPY_EXAMPLES)
@given(instances(exact=True, with_plausible=False))
def test_symbolic_table_computes_what_the_library_computes(inst):
    """The table's err, err_iiv, delta, bound and slack terms, at an instance, are the library's."""
    table = reduction.appendix_a_table(inst.valid.tolist())
    values = table_values(table, inst)

    def at(expr):
        return F(str(sp.nsimplify(expr.subs(values))))

    assert at(table["err"]) == hp.generative_error(inst)
    assert at(table["err_iiv"]) == hp.iiv_error(inst)
    assert at(table["delta"]) == hp.calibration_gap(inst)
    assert at(table["bound"]) == hp.theorem1_bound(inst)
    terms = hp.theorem1_slack_terms(inst)
    assert {name: at(expr) for name, expr in table["terms"].items()} == terms


# --------------------------------------------------------------------------- Corollary 1


@pytest.mark.result("Corollary 1", kind="exact", functions=["iiv_distribution", "theorem1_bound"])
@given(instances(exact=True, single_prompt=True))
def test_corollary1_is_theorem1_with_one_prompt(inst):
    """One prompt: D(x) = p(x)/2 on V and 1/(2|E|) on E, threshold 1/|E|, ratio |V|/|E|."""
    n_err = int(inst.error.sum())
    d = hp.iiv_distribution(inst)[0]
    for r in range(inst.p.shape[1]):
        want = inst.p[0, r] / 2 if inst.valid[0, r] else F(1, 2 * n_err) if inst.error[0, r] else 0
        assert d[r] == want
    assert inst.default_threshold == F(1, n_err)
    above = [q > F(1, n_err) for q in inst.p_hat[0]]
    plausible = [True] * len(above) if inst.plausible is None else list(inst.plausible[0])
    err_iiv = sum(d[r] for r in range(len(above)) if plausible[r]
                  and above[r] != bool(inst.valid[0, r]))
    delta = abs(sum(inst.p_hat[0, r] - inst.p[0, r] for r in range(len(above))
                    if above[r] and plausible[r]))
    assert hp.theorem1_bound(inst) == 2 * err_iiv - F(int(inst.valid.sum()), n_err) - delta


@pytest.mark.result("Corollary 1", kind="symbolic", functions=["reduction.appendix_a_table_steps"])
def test_corollary1_steps_on_every_one_prompt_table():
    """The six steps' identities on every one-prompt pattern with up to 7 responses."""
    assert identities_hold("", ONE_PROMPT_PATTERNS) == 7 * len(ONE_PROMPT_PATTERNS)


# --------------------------------------------------------------------------- per-prompt thresholds

PER_PROMPT = "Theorem 1 with per-prompt thresholds"


@pytest.mark.result(PER_PROMPT, kind="symbolic", functions=["reduction.appendix_a_table_steps"])
def test_per_prompt_identities():
    """Steps 1, 4 (2 D(B ∩ V) = p(B)), 5 and 6 with sum_c mu(c) |V_c|/|E_c| in place of k/K."""
    assert identities_hold("", PATTERNS, per_prompt=True) == 6 * len(PATTERNS)


@pytest.mark.result(PER_PROMPT, kind="symbolic", functions=["reduction.appendix_a_steps"])
def test_per_prompt_pointwise_steps():
    """Steps 2 and 4 at the prompt's own |E_c|: the excess with j = 0 is positive, the room
    |V_c|/|E_c| - p_hat(B' ∩ V_c|c) with b + s = |V_c| is non-negative."""
    (_, excess, _), (_, room, _), _ = reduction.appendix_a_steps()
    j = sp.Symbol("j", nonnegative=True)
    assert sp.factor(excess.subs(j, 0)).is_positive
    assert room.is_nonnegative


@pytest.mark.result(PER_PROMPT, kind="exact", functions=["reduction.per_prompt_threshold_terms"])
@given(instances(exact=True))
def test_per_prompt_variant_holds(inst):
    """err >= 2 err_iiv' - sum_c mu(c) |V_c|/|E_c| - delta' (thresholds 1/|E_c|), exactly."""
    terms = reduction.per_prompt_threshold_terms(inst)
    assert hp.generative_error(inst) >= terms["bound"]
    assert terms["ratio"] <= F(inst.max_valid, inst.min_errors)


def test_per_prompt_terms_match_the_definitions():
    """Each prompt thresholded at its own 1/|E_c|, by hand on two prompts."""
    inst = hp.Instance([[1, 0, 0], [1, 0, 0]], [[F(2, 5), F(3, 10), F(3, 10)], [F(3, 5), F(2, 5), 0]],
                       [[True, False, False], [True, False, False]], mu=[F(1, 4), F(3, 4)],
                       plausible=[[True] * 3, [True, True, False]])
    # prompt 0: 1/|E_0| = 1/2, nothing above; prompt 1: 1/|E_1| = 1, nothing above
    terms = reduction.per_prompt_threshold_terms(inst)
    assert terms["iiv_error"] == F(1, 2) and terms["calibration_gap"] == 0
    assert terms["ratio"] == F(1, 4) * F(1, 2) + F(3, 4) * 1
    assert terms["bound"] == 1 - terms["ratio"]
    floats = hp.Instance(inst.p.astype(float), inst.p_hat.astype(float), inst.valid,
                         mu=inst.mu.astype(float), plausible=inst.plausible)
    got = reduction.per_prompt_threshold_terms(floats)
    assert np.allclose([got[k] for k in terms], [float(v) for v in terms.values()])
