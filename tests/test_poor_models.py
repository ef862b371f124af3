"""Poor models: the poor-model inequality, Theorems 3-4 and Corollary 2 (paper Section 3.3, Appendix C).

Each result is checked exactly (Fractions) on random instances, for tightness, and against a
stronger claim that must fail somewhere.
"""

import re
from fractions import Fraction as F

import numpy as np
import pytest
from hypothesis import find, given
from hypothesis import strategies as st
from tolerance import FLOAT_TOLERANCE

import hallu_proofs as hp
from hallu_proofs.poor_models import (
    HE_PROMPT,
    HER_RESPONSE,
    HIS_RESPONSE,
    SHE_PROMPT,
    SMALL_CORPUS,
    TOY_TOKEN_VOCABULARY,
    tokenize,
)
from hallu_proofs.strategies import distributions, instances

# --- strategies -----------------------------------------------------------------------------


@st.composite
def families(draw, one_valid=False, exact=True):
    """An instance and 0-3 other models on the same task: a finite family G containing it."""
    inst = draw(instances(exact=exact, one_valid=one_valid))
    others = []
    for _ in range(draw(st.integers(0, 3))):
        support = np.ones_like(inst.valid) if inst.plausible is None else inst.plausible
        p_hat = np.stack([draw(distributions(support.shape[1], exact, row)) for row in support])
        others.append(hp.Instance(inst.p, p_hat, inst.valid, mu=inst.mu, plausible=inst.plausible))
    return inst, [inst] + others


WORDS = ["she", "he", "her", "his", "mind", "out", "of", "lost", "it", "and", "was", "completely",
         "time", "."]
LONG_SENTENCES = [f"{SHE_PROMPT} {HER_RESPONSE}", f"{HE_PROMPT} {HIS_RESPONSE}",
                  f"{SHE_PROMPT} {HIS_RESPONSE}", f"{HE_PROMPT} {HER_RESPONSE}"]
sentences = st.one_of(
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join),
    st.sampled_from(LONG_SENTENCES),
)
corpora = st.lists(sentences, min_size=1, max_size=12)
smoothings = st.one_of(st.integers(1, 3), st.fractions(F(1, 100), 2))


def step_value_at(inst, t):
    """The value of `iiv_error_steps` on the step containing t."""
    thresholds, values = hp.iiv_error_steps(inst)
    if t == 1:
        return values[-1]
    i = max(j for j, b in enumerate(thresholds) if b <= t)
    return values[i]


# --- thresholded classifiers ------------------------------------------------------------------


@pytest.mark.result("Theorem 3", "Theorem 4", kind="helper", functions=["iiv_error_steps"])
@given(instances(exact=True), st.fractions(0, 1))
def test_steps_give_iiv_error_at_every_threshold(inst, t):
    """err_iiv(f_t) is constant between consecutive values of p_hat: the step value is exact."""
    assert step_value_at(inst, t) == hp.iiv_error(inst, threshold=t)


@pytest.mark.result("Theorem 4", kind="exact", functions=["expected_iiv_error", "theorem4_proof_terms"])
@given(instances(exact=True))
def test_expected_iiv_error_equals_the_proof_closed_form(inst):
    """E_t err_iiv(f_t) = (1/2) sum_c mu(c) [sum_{E_c} p_hat/|E_c| + sum_{V_c} p (1 - p_hat)] (exact)."""
    terms = hp.theorem4_proof_terms(inst)
    assert hp.expected_iiv_error(inst) == terms["false_positive"] + terms["false_negative"]


@pytest.mark.result("Theorem 3", "Theorem 4", kind="helper",
                    functions=["best_threshold", "iiv_error_steps", "expected_iiv_error"])
@given(instances(exact=True))
def test_best_threshold_is_no_worse_than_any_threshold(inst):
    """min_t err_iiv(f_t) over [0, 1] is attained by `best_threshold` and is <= the average."""
    best = hp.best_threshold(inst)
    assert 0 <= best.threshold <= 1 and best.iiv_error == hp.iiv_error(inst, best.threshold)
    thresholds, values = hp.iiv_error_steps(inst)
    midpoints = [(a + b) / 2 for a, b in zip(thresholds[:-1], thresholds[1:])]
    assert all(best.iiv_error <= hp.iiv_error(inst, t) for t in midpoints + thresholds)
    assert best.iiv_error <= hp.expected_iiv_error(inst)


# --- Theorem 4 and Theorem 3 ------------------------------------------------------------------


@pytest.mark.result("Theorem 4", kind="symbolic", functions=["theorem4_derivation"])
def test_theorem4_algebra():
    """Appendix C: Pr_t[q > t] = q; 1/(2(C-1)) + 1/2 = C/(2(C-1)); its inverse is 2 (1 - 1/C)."""
    derivation = hp.theorem4_derivation()
    assert all(derivation[key] for key in ("probability_is_q", "constant_is_c_over_2c_minus_2",
                                           "inverse_is_paper_factor", "corollary2_value_is_half"))


@pytest.mark.result("Theorem 4", kind="exact", functions=["theorem4_proof_terms", "n_choices"])
@given(instances(exact=True, one_valid=True))
def test_theorem4_proof_steps(inst):
    """Appendix C steps 3-4: expected false positives <= err/(2(C-1)); false negatives = err/2."""
    terms, err, c = hp.theorem4_proof_terms(inst), hp.generative_error(inst), hp.n_choices(inst)
    assert terms["false_positive"] <= err / (2 * (c - 1))
    assert terms["false_negative"] == err / 2


@pytest.mark.result("Theorem 4", kind="exact",
                    functions=["theorem4_average_bound", "theorem3_bound", "best_threshold"])
@given(instances(exact=True, one_valid=True))
def test_theorem4_exact(inst):
    """Theorem 4: if |V_c| = 1, err >= 2 (1 - 1/C) E_t err_iiv(f_t) >= 2 (1 - 1/C) err_iiv(f_t*)."""
    err, c = hp.generative_error(inst), hp.n_choices(inst)
    assert err >= hp.theorem4_average_bound(inst)
    assert err >= hp.theorem3_bound(hp.best_threshold(inst).iiv_error, c)


@pytest.mark.result("Theorem 4", kind="property", functions=["theorem4_average_bound"])
@given(instances(exact=False, one_valid=True))
def test_theorem4_float(inst):
    """Theorem 4 in floats: err >= 2 (1 - 1/C) E_t err_iiv(f_t) - FLOAT_TOLERANCE."""
    assert hp.generative_error(inst) >= hp.theorem4_average_bound(inst) - FLOAT_TOLERANCE


def test_expected_iiv_error_stays_a_probability_in_floats():
    """A float average of err_iiv values can round above 1 (found by the thorough profile, where
    a sum step by step gave 1.0000000000000002): here err_iiv(f_t) = 1 for every t < 1, and the
    average is 1.0, not more."""
    inst = hp.Instance(
        p=[[0.0, 1.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]],
        p_hat=[[1.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 0.0]],
        valid=[[False, True], [True, False], [True, False], [False, True]],
        mu=[9.411755847759202e-07, 0.0, 0.9411755847759203, 0.05882347404849502],
    )
    thresholds, values = hp.iiv_error_steps(inst)
    assert all(0 <= v <= 1 for v in values) and values[:-1] == [1.0] * (len(values) - 1)
    assert hp.expected_iiv_error(inst) == 1.0
    assert hp.generative_error(inst) >= hp.theorem4_average_bound(inst) - FLOAT_TOLERANCE


@pytest.mark.result("Theorem 3", kind="exact", functions=["opt_over_models", "theorem3_bound"])
@given(families(one_valid=True))
def test_theorem3_with_opt_over_a_finite_family(family):
    """Theorem 3: if |V_c| = 1 and p_hat is in G, err >= 2 (1 - 1/C) opt(G), opt over the family."""
    inst, models = family
    opt = hp.opt_over_models(models)
    assert opt <= hp.best_threshold(inst).iiv_error
    assert hp.generative_error(inst) >= hp.theorem3_bound(opt, hp.n_choices(inst))


@pytest.mark.result("Theorem 3", "Poor-model inequality", kind="helper",
                    functions=["best_thresholded_classifier", "opt_over_models"])
@given(families(), st.lists(st.fractions(0, 1), min_size=1, max_size=5))
def test_opt_over_all_thresholds_is_below_any_finite_set(family, thresholds):
    """opt over t in [0, 1] (computed exactly) <= opt over any finite set of thresholds."""
    _, models = family
    best = hp.best_thresholded_classifier(models)
    assert best.iiv_error == hp.iiv_error(models[best.model_index], best.threshold)
    assert best.iiv_error <= hp.opt_over_models(models, thresholds)


@pytest.mark.result("Poor-model inequality", kind="exact", functions=["poor_model_bound", "opt_over_models"])
@given(families())
def test_poor_model_inequality(family):
    """Poor-model bound: err >= 2 opt(G) - max_c|V_c| / min_c|E_c| - delta, when p_hat is in G."""
    inst, models = family
    assert hp.generative_error(inst) >= hp.poor_model_bound(inst, hp.opt_over_models(models))


# --- tightness --------------------------------------------------------------------------------


@pytest.mark.result("Theorem 4", kind="tightness", functions=["theorem4_average_bound"])
@given(instances(exact=True, one_valid=True, with_plausible=False))
def test_eq11_is_tight_when_every_prompt_has_c_choices(inst):
    """With |E_c| = C - 1 for every c, err = 2 (1 - 1/C) E_t err_iiv(f_t) exactly."""
    assert hp.generative_error(inst) == hp.theorem4_average_bound(inst)


@pytest.mark.result("Theorem 3", "Corollary 2", kind="tightness",
                    functions=["theorem3_bound", "opt_over_models", "corollary2_instance", "NGramModel"])
def test_theorem3_is_tight_on_the_trigram_example():
    """The trigram instance has err = 2 (1 - 1/2) opt(G) = 1/2: Theorem 3 holds with equality."""
    inst = hp.corollary2_instance(hp.NGramModel(SMALL_CORPUS, n=3))
    assert hp.generative_error(inst) == hp.theorem3_bound(hp.opt_over_models([inst]), 2) == F(1, 2)


def uniform_guesser(n_errors):
    """One prompt, one valid answer and K errors; p_hat uniform over all K + 1 answers."""
    k = n_errors
    return hp.Instance([1] + [0] * k, [F(1, k + 1)] * (k + 1), [True] + [False] * k)


@pytest.mark.result("Poor-model inequality", kind="tightness",
                    functions=["poor_model_bound", "opt_over_models"])
def test_poor_model_inequality_slack_tends_to_zero():
    """Uniform guesser: opt(G) = 1/2 at every t, delta = 0, err = K/(K+1) and bound 1 - 1/K, so the
    slack 1/(K(K+1)) tends to 0."""
    slacks = []
    for k in (1, 2, 5, 20, 100):
        inst = uniform_guesser(k)
        opt = hp.opt_over_models([inst])
        assert opt == F(1, 2) and hp.calibration_gap(inst) == 0
        slacks.append(hp.generative_error(inst) - hp.poor_model_bound(inst, opt))
    assert all(s == F(1, k * (k + 1)) for s, k in zip(slacks, (1, 2, 5, 20, 100)))
    assert all(a > b > 0 for a, b in zip(slacks, slacks[1:]))


# --- stronger claims that fail ----------------------------------------------------------------


@pytest.mark.result("Poor-model inequality", kind="falsification", functions=["opt_over_models"])
def test_poor_model_inequality_without_delta_is_false():
    """err >= 2 opt(G) - max|V_c|/min|E_c| (no delta) fails: all mass on an unused valid answer."""
    inst = hp.Instance([F(1), 0, 0, 0, 0], [0, F(1), 0, 0, 0], [True, True, False, False, False])
    opt = hp.opt_over_models([inst])
    assert hp.generative_error(inst) == 0 and opt == F(1, 2) and hp.calibration_gap(inst) == 1
    assert hp.generative_error(inst) < 2 * opt - F(2, 3)


@pytest.mark.result("Poor-model inequality", kind="falsification", functions=["opt_over_models"])
def test_poor_model_inequality_without_the_ratio_is_false():
    """err >= 2 opt(G) - delta (no max|V_c|/min|E_c|) fails on the uniform guesser: K/(K+1) < 1."""
    inst = uniform_guesser(4)
    assert hp.generative_error(inst) < 2 * hp.opt_over_models([inst]) - hp.calibration_gap(inst)




@pytest.mark.result("Theorem 3", kind="falsification", functions=["opt_over_models", "corollary2_instance"])
def test_dropping_the_factor_one_minus_one_over_c_is_false():
    """err >= 2 opt(G) (no factor 1 - 1/C) fails: the trigram example has err = 1/2 < 1."""
    inst = hp.corollary2_instance(hp.NGramModel(SMALL_CORPUS, n=3))
    assert hp.generative_error(inst) < 2 * hp.opt_over_models([inst])


@pytest.mark.result("Theorem 4", kind="falsification",
                    functions=["theorem4_average_bound", "random_multiple_choice_instance"])
@pytest.mark.parametrize("factor", [F(101, 100), F(3, 2)])
def test_a_larger_constant_is_false(factor):
    """err >= c * 2 (1 - 1/C) E_t err_iiv fails for c > 1 (on an equal-choices instance)."""
    inst = hp.random_multiple_choice_instance(np.random.default_rng(1), equal_choices=True)
    assert hp.generative_error(inst) > 0
    assert hp.generative_error(inst) < factor * hp.theorem4_average_bound(inst)


@pytest.mark.result("Theorem 4", kind="falsification", functions=["theorem3_bound", "theorem4_average_bound"])
def test_the_default_threshold_does_not_always_satisfy_theorem4():
    """Theorem 4 needs 'some t': at t = 1/min|E_c| the inequality fails on some instance."""
    inst = find(
        instances(exact=True, one_valid=True),
        lambda i: hp.generative_error(i) < hp.theorem3_bound(hp.iiv_error(i), hp.n_choices(i)),
    )
    assert hp.generative_error(inst) >= hp.theorem4_average_bound(inst)


@pytest.mark.result("Theorem 3", "Theorem 4", kind="falsification",
                    functions=["best_threshold", "theorem3_bound"])
def test_one_valid_response_is_needed():
    """With |V_c| = 2 Theorem 4 fails: err = 0 although err_iiv(f_t) = 1/2 for every t."""
    inst = hp.Instance([0, 1, 0], [1, 0, 0], [True, True, False])
    assert hp.generative_error(inst) == 0
    assert hp.best_threshold(inst).iiv_error == F(1, 2)
    assert hp.generative_error(inst) < hp.theorem3_bound(F(1, 2), inst.min_errors + 1)


@pytest.mark.result("Corollary 2", kind="falsification",
                    functions=["corollary2_instance", "NGramModel", "opt_over_models", "theorem3_bound"])
def test_corollary2_needs_uniform_mu():
    """With mu non-uniform a trigram model can err less than 1/2 (Theorem 3 still holds)."""
    model = hp.NGramModel(SMALL_CORPUS, n=3)
    prefers_her = hp.corollary2_instance(model).p_hat[0, 0] > F(1, 2)
    mu = [F(9, 10), F(1, 10)] if prefers_her else [F(1, 10), F(9, 10)]  # weight where it is right
    inst = hp.corollary2_instance(model, mu=mu)
    assert hp.generative_error(inst) < F(1, 2)
    assert hp.generative_error(inst) >= hp.theorem3_bound(hp.opt_over_models([inst]), 2)


# --- Corollary 2: a trigram model trained on a corpus -----------------------------------------


@pytest.mark.result("Corollary 2", kind="exact",
                    functions=["corollary2_instance", "NGramModel", "opt_over_models", "theorem3_bound"])
@given(corpora, smoothings, st.integers(1, 8))
def test_corollary2_any_corpus(corpus, smoothing, n):
    """Corollary 2: for uniform mu every n-gram model with n <= 8 (trigram included) has
    opt(G) = 1/2 and err >= 2 (1 - 1/2) opt(G) = 1/2; in fact err = 1/2 exactly."""
    inst = hp.corollary2_instance(hp.NGramModel(corpus, n=n, smoothing=smoothing))
    opt = hp.opt_over_models([inst])
    assert opt == F(1, 2)
    assert hp.generative_error(inst) == hp.theorem3_bound(opt, 2) == F(1, 2)


@pytest.mark.result("Corollary 2", kind="exact",
                    functions=["corollary2_instance", "NGramModel", "opt_over_models"])
@given(st.lists(corpora, min_size=1, max_size=3))
def test_trigram_family_opt_is_one_half(corpus_list):
    """opt over a family of trigram models trained on different corpora is 1/2."""
    models = [hp.corollary2_instance(hp.NGramModel(c, n=3)) for c in corpus_list]
    assert hp.opt_over_models(models) == F(1, 2)


short_sentences = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)


@pytest.mark.result("Corollary 2", kind="falsification",
                    functions=["corollary2_instance", "NGramModel", "opt_over_models"])
@given(st.lists(short_sentences, max_size=8), st.integers(1, 3), smoothings, st.integers(9, 11))
def test_a_model_that_sees_the_pronoun_gets_it_right(noise, copies, smoothing, n):
    """An n-gram model with n >= 9, trained on the two true sentences (each ``copies`` times) and
    short sentences (which hold none of the long contexts), prefers the right response for both
    prompts: err < 1/2 and opt(G) = 0."""
    corpus = noise + LONG_SENTENCES[:2] * copies
    inst = hp.corollary2_instance(hp.NGramModel(corpus, n=n, smoothing=smoothing))
    assert inst.p_hat[0, 0] > inst.p_hat[0, 1] and inst.p_hat[1, 1] > inst.p_hat[1, 0]
    assert hp.generative_error(inst) < F(1, 2) and hp.opt_over_models([inst]) == 0


@given(corpora, smoothings, st.integers(1, 5), st.lists(st.sampled_from(WORDS + ["zebra"]), max_size=6))
def test_ngram_next_word_probabilities_sum_to_one(corpus, smoothing, n, context):
    """p_hat(. | h) is a distribution over the vocabulary, exactly, for any context h."""
    model = hp.NGramModel(corpus, n=n, smoothing=smoothing)
    assert sum(model.next_word_probability(context, w) for w in model.vocabulary) == 1


def test_ngram_counts_by_hand():
    """Bigram on 'a b . a c .': p_hat(b | a) = (1 + 1)/(2 + 1 * |{a, b, c, ., </s>, <unk>}|) = 1/4."""
    model = hp.NGramModel(["a b.", "a c."], n=2)
    assert len(model.vocabulary) == 6
    assert model.next_word_probability(["a"], "b") == F(2, 8)
    assert model.next_word_probability(["a"], "zebra") == F(1, 8)  # an unseen word is <unk>
    assert model.sequence_probability("a", "b.") == F(2, 8) * F(1 + 1, 1 + 6)


def test_float_smoothing_gives_floats():
    """A float alpha gives float probabilities equal to the exact ones up to FLOAT_TOLERANCE."""
    exact = hp.corollary2_instance(hp.NGramModel(SMALL_CORPUS, n=9, smoothing=F(1, 4)))
    approx = hp.corollary2_instance(hp.NGramModel(SMALL_CORPUS, n=9, smoothing=0.25))
    assert not approx.exact
    assert abs(float(hp.generative_error(exact)) - hp.generative_error(approx)) <= FLOAT_TOLERANCE


# --- letter counting --------------------------------------------------------------------------

letters_words = st.text(alphabet="DEPSKLAR", min_size=1, max_size=12)


@given(letters_words)
def test_tokenization_keeps_the_letters_but_hides_them(word):
    """Tokens spell the word; the D count is the sum over tokens of each token's D count."""
    tokens = hp.tokenize_word(word)
    assert "".join(tokens) == word
    assert hp.count_letter(word, "D") == sum(hp.count_letter(t, "D") for t in tokens)


@given(st.lists(st.tuples(letters_words, st.integers(0, 3)), min_size=1, max_size=10),
       st.integers(2, 3))
def test_token_ngram_cannot_tell_deepseek_from_seek(qa_pairs, n):
    """A token-level bigram or trigram answering 'How many Ds are in D/EEP/SEE/K?' sees only
    'k ?' (as for SEE/K), so on these two prompts (answers 1 and 0) err = 1/2 for any corpus."""
    corpus = [f"{hp.letter_question(w)} {a}" for w, a in qa_pairs]
    model = hp.NGramModel(corpus, n=n)
    prompts = [hp.letter_question("DEEPSEEK"), hp.letter_question("SEEK")]
    answers = [str(hp.count_letter(w, "D")) for w in ("DEEPSEEK", "SEEK")]
    inst = hp.language_model_instance(model, prompts, answers, answers)
    assert hp.opt_over_models([inst]) == F(1, 2)
    assert hp.generative_error(inst) == F(1, 2)


def test_character_procedure_is_not_a_poor_model():
    """The character-level procedure puts all its mass on the right count: err = opt = 0."""
    words = ["DEEPSEEK", "SEEK", "LADDER", "DEEDS"]
    counts = [hp.count_letter(w, "D") for w in words]
    assert counts == [w.count("D") for w in words]
    answers = sorted(set(counts))
    valid = np.array([[a == c for a in answers] for c in counts])
    inst = hp.Instance(valid.astype(int), valid.astype(int), valid)
    assert hp.generative_error(inst) == 0 and hp.opt_over_models([inst]) == 0


# --- bad inputs -------------------------------------------------------------------------------


@pytest.mark.result("Theorem 3", "Theorem 4", "Poor-model inequality", "Corollary 2", kind="validation",
                    functions=["theorem3_bound", "n_choices", "theorem4_average_bound", "expected_iiv_error",
                               "best_threshold", "opt_over_models", "poor_model_bound", "NGramModel",
                               "random_multiple_choice_instance"])
def test_bad_inputs_are_refused():
    """Every public function refuses bad input with an error naming the argument."""
    inst = hp.Instance([1, 0], [F(1, 2), F(1, 2)], [True, False])
    other = hp.Instance([1, 0, 0], [F(1, 2), F(1, 4), F(1, 4)], [True, False, False])
    two_valid = hp.Instance([F(1, 2), F(1, 2), 0], [F(1, 3)] * 3, [True, True, False])
    cases = [
        (ValueError, "opt", lambda: hp.theorem3_bound(F(3, 2), 2)),
        (ValueError, "opt", lambda: hp.theorem3_bound(float("nan"), 2)),
        (TypeError, "opt", lambda: hp.theorem3_bound(True, 2)),
        (ValueError, "n_choices", lambda: hp.theorem3_bound(F(1, 2), 1)),
        (TypeError, "n_choices", lambda: hp.theorem3_bound(F(1, 2), 2.0)),
        (ValueError, "inst", lambda: hp.n_choices(two_valid)),
        (ValueError, "inst", lambda: hp.theorem4_average_bound(two_valid)),
        (TypeError, "inst", lambda: hp.expected_iiv_error([1, 0])),
        (TypeError, "inst", lambda: hp.best_threshold(None)),
        (ValueError, "models", lambda: hp.opt_over_models([])),
        (TypeError, "models", lambda: hp.opt_over_models(inst)),
        (TypeError, "models[1]", lambda: hp.opt_over_models([inst, "x"])),
        (ValueError, "models[1]", lambda: hp.opt_over_models([inst, other])),
        (ValueError, "thresholds", lambda: hp.opt_over_models([inst], thresholds=[])),
        (ValueError, "threshold", lambda: hp.opt_over_models([inst], thresholds=[2])),
        (ValueError, "opt", lambda: hp.poor_model_bound(inst, -0.1)),
        (ValueError, "n", lambda: hp.NGramModel(SMALL_CORPUS, n=0)),
        (TypeError, "n", lambda: hp.NGramModel(SMALL_CORPUS, n=2.5)),
        (ValueError, "smoothing", lambda: hp.NGramModel(SMALL_CORPUS, n=3, smoothing=0)),
        (ValueError, "smoothing", lambda: hp.NGramModel(SMALL_CORPUS, n=3, smoothing=float("inf"))),
        (TypeError, "corpus", lambda: hp.NGramModel("one string", n=3)),
        (TypeError, "corpus", lambda: hp.NGramModel(None, n=3)),
        (TypeError, "corpus", lambda: hp.NGramModel(["a", 3], n=3)),
        (ValueError, "letter", lambda: hp.letter_question("DEEPSEEK", "DD")),
        (ValueError, "corpus", lambda: hp.NGramModel(["", "  "], n=3)),
        (TypeError, "model", lambda: hp.language_model_instance(None, ["a"], ["x", "y"], ["x"])),
        (ValueError, "correct", lambda: hp.language_model_instance(
            hp.NGramModel(SMALL_CORPUS, 3), ["a"], ["x", "y"], ["z"])),
        (ValueError, "correct", lambda: hp.language_model_instance(
            hp.NGramModel(SMALL_CORPUS, 3), ["a", "b"], ["x", "y"], ["x"])),
        (ValueError, "responses", lambda: hp.language_model_instance(
            hp.NGramModel(SMALL_CORPUS, 3), ["a"], ["x", "x"], ["x"])),
        (ValueError, "word", lambda: hp.tokenize_word("deepseek")),
        (TypeError, "word", lambda: hp.tokenize_word(7)),
        (ValueError, "letter", lambda: hp.count_letter("DEEPSEEK", "DE")),
        (TypeError, "text", lambda: tokenize(None)),
        (TypeError, "rng", lambda: hp.random_multiple_choice_instance(0)),
        (ValueError, "max_choices", lambda: hp.random_multiple_choice_instance(
            np.random.default_rng(0), max_choices=1)),
    ]
    for error, name, call in cases:
        with pytest.raises(error, match=re.escape(name)):
            call()


# --- exact and float paths, random instances, messages ------------------------------------------


def lowest_weights(row):
    """The smallest non-negative integers proportional to an exact row."""
    scale = np.lcm.reduce([q.denominator for q in row])
    return [int(q * scale) for q in row]


def as_float(inst):
    """The same instance with float probabilities."""
    return hp.Instance(inst.p.astype(float), inst.p_hat.astype(float), inst.valid,
                       mu=inst.mu.astype(float), plausible=inst.plausible)


def test_random_multiple_choice_instance_draws_what_it_says():
    """Prompt c has C_c plausible slots, 2 <= C_c <= max_choices (every value occurs), one valid
    slot among them (every position occurs), p on it; p_hat and mu are random distributions of
    integer weights 0..6 (all weights occur) on their supports; exact=False gives the same
    instance in floats; equal_choices gives max_choices choices everywhere (plausible None)."""
    default = hp.random_multiple_choice_instance(np.random.default_rng(0))
    assert default.valid.shape == (3, 4) and default.exact
    n_prompts, width = 4, 5
    seen_choices, seen_valid, weights, mus = set(), set(), set(), set()
    for seed in range(60):
        inst = hp.random_multiple_choice_instance(np.random.default_rng(seed), n_prompts, width)
        plausible = np.ones_like(inst.valid) if inst.plausible is None else inst.plausible
        choices = plausible.sum(axis=1)
        assert np.all(plausible == (np.arange(width)[None, :] < choices[:, None]))
        assert np.all(inst.valid.sum(axis=1) == 1) and not np.any(inst.valid & ~plausible)
        assert inst.p.tolist() == inst.valid.astype(int).tolist()
        assert all(sum(row) == 1 for row in inst.p_hat) and sum(inst.mu) == 1
        assert np.all(inst.p_hat[~plausible] == 0)
        seen_choices.update(choices.tolist())
        seen_valid.update(np.argmax(inst.valid, axis=1).tolist())
        for row, support in zip(inst.p_hat, plausible):
            weights.update(lowest_weights(row[support]))
        weights.update(lowest_weights(inst.mu))
        mus.add(tuple(inst.mu))
        approx = hp.random_multiple_choice_instance(np.random.default_rng(seed), n_prompts, width,
                                                    exact=False)
        assert not approx.exact
        for name in ("p", "p_hat", "mu"):
            assert np.all(np.abs(getattr(approx, name) - getattr(inst, name).astype(float))
                          <= FLOAT_TOLERANCE)
    assert seen_choices == set(range(2, width + 1)) and seen_valid == set(range(width))
    assert weights == set(range(7)) and len(mus) > 1
    equal = hp.random_multiple_choice_instance(np.random.default_rng(3), 3, 2, equal_choices=True)
    assert equal.plausible is None and equal.valid.shape == (3, 2)


def test_float_instances_give_floats():
    """expected_iiv_error, theorem3_bound, theorem4_proof_terms and poor_model_bound on a float
    instance are floats equal to the exact values of the same instance."""
    for seed in range(5):
        exact = hp.random_multiple_choice_instance(np.random.default_rng(seed), 3, 4)
        approx = as_float(exact)
        pairs = [(hp.expected_iiv_error(exact), hp.expected_iiv_error(approx)),
                 (hp.theorem4_average_bound(exact), hp.theorem4_average_bound(approx)),
                 (hp.poor_model_bound(exact, F(1, 3)), hp.poor_model_bound(approx, 1 / 3))]
        terms, float_terms = hp.theorem4_proof_terms(exact), hp.theorem4_proof_terms(approx)
        pairs += [(terms[k], float_terms[k]) for k in ("false_positive", "false_negative")]
        for value, float_value in pairs:
            assert isinstance(value, F) and isinstance(float_value, float)
            assert abs(float(value) - float_value) <= FLOAT_TOLERANCE
    for c in (2, 3, 7):
        assert hp.theorem3_bound(0.3, c) == pytest.approx(float(2 * (1 - F(1, c)) * F(3, 10)))


def test_theorem4_derivation_expressions():
    """The sympy objects equal the ones written here: Pr_t[q > t] = Min(1, q) for q >= 0, the
    constant C/(2(C - 1)) and its inverse 2(1 - 1/C), with the same symbols."""
    import sympy as sp

    d = hp.theorem4_derivation()
    c = sp.Symbol("C", positive=True)
    q = sp.Symbol("q", nonnegative=True)
    assert d["probability_above"] == sp.Min(1, q)
    assert sp.simplify(d["constant"] - c / (2 * (c - 1))) == 0 and d["constant"].free_symbols == {c}
    assert sp.simplify(d["inverse"] - 2 * (1 - 1 / c)) == 0
    assert all(d[k] is True for k in ("probability_is_q", "constant_is_c_over_2c_minus_2",
                                     "inverse_is_paper_factor", "corollary2_value_is_half"))


def test_ngram_sentence_starts_and_unigrams():
    """A bigram sees <s> before the first word; a unigram counts every token and </s> once; a
    str context is tokenized; an explicit <s> token is the same as no context."""
    bigram = hp.NGramModel(["she lost it", "she ran"], n=2)  # |W| = {she, lost, it, ran, </s>, <unk>}
    assert bigram.next_word_probability([], "she") == F(2 + 1, 2 + 6)
    assert bigram.next_word_probability(["<s>"], "she") == bigram.next_word_probability([], "she")
    assert bigram.next_word_probability("she", "lost") == bigram.next_word_probability(["she"], "lost")
    assert bigram.next_word_probability("she", "lost") == F(1 + 1, 2 + 6)
    unigram = hp.NGramModel(["a b."], n=1)  # tokens a, b, ., </s>; |W| = 5
    assert unigram.next_word_probability([], "a") == F(1 + 1, 4 + 5)
    assert unigram.next_word_probability(["b"], "</s>") == F(1 + 1, 4 + 5)
    floats = hp.NGramModel(["a b."], n=2, smoothing=0.5)
    exact = hp.NGramModel(["a b."], n=2, smoothing=F(1, 2))
    assert isinstance(floats.smoothing, float) and "smoothing=0.5" in repr(floats)
    value = floats.sequence_probability("a", "b.")
    assert isinstance(value, float)
    assert abs(value - float(exact.sequence_probability("a", "b."))) <= FLOAT_TOLERANCE


class _IntegerModel:
    """A keyless model without an ``exact`` attribute whose probabilities are Python ints."""

    def response_distribution(self, prompt, responses):
        return [1] + [0] * (len(responses) - 1)


def test_language_model_instance_of_a_plain_model_is_float():
    """A model with no ``exact`` attribute gives a float instance, even from integer outputs."""
    inst = hp.language_model_instance(_IntegerModel(), ["a", "b"], ["x", "y"], ["x", "y"])
    assert inst.p_hat.dtype == np.float64 and inst.p.dtype == np.float64 and not inst.exact
    assert hp.generative_error(inst) == 0.5
    exact = hp.corollary2_instance(hp.NGramModel(SMALL_CORPUS, n=3))
    assert exact.p.tolist() == [[F(1), F(0)], [F(0), F(1)]]


def reference_greedy_tokens(word, vocabulary):
    """Longest match first, written independently: try every piece length from the longest."""
    tokens, i = [], 0
    while i < len(word):
        for length in range(len(word) - i, 0, -1):
            if length == 1 or word[i:i + length] in vocabulary:
                tokens.append(word[i:i + length])
                i += length
                break
    return tokens


@given(letters_words)
def test_tokenize_word_is_greedy_longest_match(word):
    """tokenize_word agrees with an independent longest-match tokenizer, and letter_question
    writes the lower-cased letter and tokens with the given vocabulary."""
    vocabulary = ("DE", "EP", "SK", "LA", "EEP", "RD")
    assert hp.tokenize_word(word) == reference_greedy_tokens(word, TOY_TOKEN_VOCABULARY)
    assert hp.tokenize_word(word, vocabulary) == reference_greedy_tokens(word, vocabulary)
    tokens = " ".join(reference_greedy_tokens(word, vocabulary)).lower()
    assert hp.letter_question(word, "E", vocabulary) == f"how many es are in {tokens} ?"
    assert hp.letter_question("DEEPSEEK", "E", ("DEEPSEEK",)) == "how many es are in deepseek ?"


def test_tokenize_word_prefers_the_longest_piece():
    """Among pieces that all match at one position the longest wins."""
    for word in ("DEEPSEEK", "LADDER", "SEEPED", "DEEPER", "PEER", "DEEDS"):
        assert hp.tokenize_word(word) == reference_greedy_tokens(word, TOY_TOKEN_VOCABULARY)
    assert hp.tokenize_word("DEEPDEED", ("DE", "DEE", "DEEP")) == ["DEEP", "DEE", "D"]


def test_error_messages_in_full():
    """The messages of refused inputs, in full."""
    two_valid = hp.Instance([[1, 0, 0], [F(1, 2), F(1, 2), 0]], [[F(1, 3)] * 3] * 2,
                            [[True, False, False], [True, True, False]])
    rng = np.random.default_rng(0)
    cases = [
        ("inst: prompt 1 has 2 valid responses; Theorems 3-4 need exactly one (|V_c| = 1)",
         lambda: hp.n_choices(two_valid)),
        ("opt must be in [0, 1], got 1.5", lambda: hp.theorem3_bound(1.5, 2)),
        ("n_choices must be >= 2, got 1", lambda: hp.theorem3_bound(0.5, 1)),
        ("opt must be in [0, 1], got -0.1", lambda: hp.poor_model_bound(two_valid, -0.1)),
        ("rng must be a numpy.random.Generator, got int", lambda: hp.random_multiple_choice_instance(0)),
        ("n_prompts must be >= 1, got 0", lambda: hp.random_multiple_choice_instance(rng, 0)),
        ("max_choices must be >= 2, got 1", lambda: hp.random_multiple_choice_instance(rng, 2, 1)),
        ("text must be a str, got int", lambda: tokenize(3)),
        ("corpus must be a sequence of str sentences", lambda: hp.NGramModel("one string", n=3)),
        ("corpus is empty: it needs at least one token", lambda: hp.NGramModel([""], n=3)),
        ("n must be >= 1, got 0", lambda: hp.NGramModel(SMALL_CORPUS, n=0)),
        ("smoothing must be a real number, got str", lambda: hp.NGramModel(SMALL_CORPUS, 3, "1")),
        ("model must have a response_distribution(prompt, responses) method",
         lambda: hp.language_model_instance(None, ["a"], ["x", "y"], ["x"])),
        ("responses must hold at least two distinct responses",
         lambda: hp.language_model_instance(_IntegerModel(), ["a"], ["x"], ["x"])),
        ("word must be a str, got int", lambda: hp.tokenize_word(7)),
        ("word and letter must be str", lambda: hp.count_letter(7, "D")),
        ("word and letter must be str", lambda: hp.count_letter("DD", 7)),
    ]
    for message, call in cases:
        with pytest.raises((ValueError, TypeError), match="^" + re.escape(message) + "$"):
            call()
    assert hp.random_multiple_choice_instance(rng, 1, 2).valid.shape == (1, 2)


def test_float_steps():
    """In floats the steps are 0, the distinct values of p_hat in (0, 1) and 1, strictly
    increasing, each with its err_iiv."""
    rng = np.random.default_rng(5)
    for _ in range(20):
        inst = hp.random_instance(rng, 3, 4, sharpness=3.0)
        thresholds, values = hp.iiv_error_steps(inst)
        inner = sorted({float(x) for x in inst.p_hat.ravel() if 0 < x < 1})
        assert thresholds == [0.0] + inner + [1.0]
        expected = [hp.iiv_error(inst, threshold=t) for t in thresholds]
        assert values == pytest.approx(expected, abs=FLOAT_TOLERANCE)


def test_steps_ignore_a_rounding_error_above_one():
    """A float p_hat of 1 + 1e-15 (accepted by Instance) gives no threshold above 1."""
    inst = hp.Instance([1.0, 0.0], [1 + 1e-15, 0.0], [True, False])
    thresholds, values = hp.iiv_error_steps(inst)
    assert thresholds == [0.0, 1.0]
    assert values == pytest.approx([hp.iiv_error(inst, 0.0), hp.iiv_error(inst, 1.0)], abs=FLOAT_TOLERANCE)


def test_families_must_share_the_task():
    """Models of a family must have the same p, valid, mu and plausible (None and an explicit
    mask differ); the message names the model and the attribute; ties keep the first model and
    the smallest threshold."""
    def model(p=(1, 0, 0, 0), p_hat=(F(1, 2), F(1, 2), 0, 0), valid=(True, True, False, False),
              mu=None, plausible=((True, True, True, False),) * 2):
        return hp.Instance([list(p)] * 2, [list(p_hat)] * 2, [list(valid)] * 2, mu=mu,
                           plausible=plausible)

    base = model()
    variants = {
        "p": model(p=(F(1, 2), F(1, 2), 0, 0)),
        "valid": model(valid=(True, False, True, False)),
        "mu": model(mu=[F(1, 4), F(3, 4)]),
        "plausible": model(plausible=None),
    }
    same_task = model(p_hat=(F(1, 4), F(3, 4), 0, 0))
    for name, other in variants.items():
        for models, i in (([base, other], 1), ([base, same_task, other], 2)):
            message = (f"models[{i}] has a different {name} from models[0]: a family's models must "
                       "share the task (p, valid, plausible, mu)")
            with pytest.raises(ValueError, match="^" + re.escape(message) + "$"):
                hp.opt_over_models(models)
    wider = hp.Instance([[1, 0, 0, 0, 0]] * 2, [[F(1, 2), F(1, 2), 0, 0, 0]] * 2,
                        [[True, True, False, False, False]] * 2)
    with pytest.raises(ValueError, match=r"^models\[1\] has a different p from models\[0\]"):
        hp.opt_over_models([base, wider])
    unmasked = model(plausible=None)
    assert hp.opt_over_models([unmasked, model(p_hat=(0, 0, 1, 0), plausible=None)]) == 0
    assert hp.best_thresholded_classifier([base, base]) == hp.best_thresholded_classifier([base])
    tie = hp.best_thresholded_classifier([base, same_task], thresholds=iter([F(4, 5), F(5, 6)]))
    assert tie.model_index == 0 and tie.threshold == F(4, 5)
    cases = [
        ("models must be a sequence of Instance, got a single Instance", lambda: hp.opt_over_models(base)),
        ("models is empty", lambda: hp.opt_over_models([])),
        ("models[1] must be a hallu_proofs.Instance, got str", lambda: hp.opt_over_models([base, "x"])),
        ("inst must be a hallu_proofs.Instance, got list", lambda: hp.iiv_error_steps([1, 0])),
        ("thresholds is empty", lambda: hp.opt_over_models([base], thresholds=[])),
    ]
    for message, call in cases:
        with pytest.raises((ValueError, TypeError), match="^" + re.escape(message) + "$"):
            call()
