"""hallu_proofs: the quantities of *Why Language Models Hallucinate* (Kalai et al., 2025).

The top level lists what a practitioner calls on their own model's probabilities or benchmark
results (``help(hallu_proofs)``, ``hallu_proofs.__all__``). The proof machinery of the book
(symbolic derivations, the book's counterexamples, sweeps, the ledger) lives in the modules,
one per part of the paper: `reduction`, `calibration`, `unseen_mass`, `arbitrary_facts`,
`poor_models`, `hardness`, `grading`, `smt`, `steps`, `ledger`, `sweeps`; its names are also
reachable as ``hallu_proofs.<name>``, which the chapters use, without being listed.
Importing the package does not import SymPy; the symbolic derivations import it when run.

>>> import hallu_proofs as hp
>>> inst = hp.Instance(p=[1.0, 0.0, 0.0], p_hat=[0.4, 0.3, 0.3], valid=[True, False, False])
>>> hp.generative_error(inst) >= hp.theorem1_bound(inst)
True
>>> "theorem4_derivation" in hp.__all__, callable(hp.theorem4_derivation)
(False, True)
"""

import importlib

from .arbitrary_facts import (
    IDK,
    singleton_rate,
    theorem2_bounds,
    theorem2_lower_bound,
    theorem2_sample_size,
    theorem2_upper_bound,
)
from .calibration import cross_entropy
from .grading import answer_policy, evaluation_score, expected_score, penalty, rescore
from .instances import NORMALIZE_TOLERANCE, ROW_SUM_TOLERANCE, Instance
from .poor_models import (
    best_threshold,
    expected_iiv_error,
    poor_model_bound,
    theorem3_bound,
    theorem4_average_bound,
)
from .post_training import binary_grader, confidence_target_grader, mixture_grader, post_train
from .reduction import calibration_gap, generative_error, iiv_error, theorem1_bound
from .reliability import (
    brier_score,
    calibration_error,
    max_calibration_error,
    reliability_diagram,
    reliability_table,
)
from .results import GradedResults, read_results
from .unseen_mass import good_turing, missing_mass

__version__ = "0.1.0"

#: What a practitioner calls: the paper's measures on their own arrays.
__all__ = [
    "Instance",
    "ROW_SUM_TOLERANCE",
    "NORMALIZE_TOLERANCE",
    "generative_error",
    "iiv_error",
    "calibration_gap",
    "theorem1_bound",
    "cross_entropy",
    "IDK",
    "singleton_rate",
    "theorem2_bounds",
    "theorem2_lower_bound",
    "theorem2_upper_bound",
    "theorem2_sample_size",
    "good_turing",
    "missing_mass",
    "best_threshold",
    "expected_iiv_error",
    "theorem3_bound",
    "theorem4_average_bound",
    "poor_model_bound",
    "penalty",
    "expected_score",
    "answer_policy",
    "evaluation_score",
    "rescore",
    "GradedResults",
    "read_results",
    "calibration_error",
    "max_calibration_error",
    "brier_score",
    "reliability_table",
    "reliability_diagram",
    "post_train",
    "binary_grader",
    "confidence_target_grader",
    "mixture_grader",
]

#: The proof machinery, by module: reachable as hallu_proofs.<name>, not listed in __all__.
_MACHINERY = {
    "arbitrary_facts": (
        "ArbitraryFacts", "answer_counts", "counting_learner", "facts_instance", "lemma2_gamma",
        "lumped_memorising_instance", "memorising_learner", "memorising_learner_error",
        "missing_answer_mass", "singleton_rate_of_counts", "theorem2_lower_bound_terms",
        "theorem2_symbolic_checks", "unanswered_prompts",
    ),
    "calibration": (
        "TrainingRun", "calibration_gap_curve", "level_set_calibration_error",
        "finite_difference_derivative", "grouped_softmax_optimum", "printed_loss_counterexample",
        "printed_prompted_loss", "printed_prompted_loss_derivative", "prompted_loss_slip",
        "question_answer_database_model", "rescaled_loss_derivative", "rescaled_model",
        "signed_calibration_gap", "symbolic_prompted_rescaling", "symbolic_rescaling_steps",
        "threshold_masses", "train_softmax", "uniform_model",
    ),
    "grading": (
        "Problem", "benchmark_footnotes", "benchmark_table", "check_binary_grader",
        "crossover_target", "expected_evaluation_score", "expected_scores", "optimal_responses",
        "random_binary_beliefs", "simpleqa_results", "threshold_audit",
    ),
    "hardness": (
        "best_keyless_classifier", "breaking_advantage", "breaks_encryption", "classifier_model",
        "decryption_instance", "key_instances", "observation2_bound", "observation2_derivation",
        "permutation_key_space", "random_keyless_model", "shift_key_space",
        "uniform_decryption_model",
    ),
    "poor_models": (
        "NGramModel", "best_thresholded_classifier", "corollary2_instance", "count_letter",
        "iiv_error_steps", "language_model_instance", "letter_question", "n_choices",
        "opt_over_models", "random_multiple_choice_instance", "theorem4_derivation",
        "theorem4_proof_terms", "tokenize_word",
    ),
    "reduction": (
        "classify", "iiv_distribution", "theorem1_slack_terms",
    ),
    "unseen_mass": (
        "collapse_abstentions", "collapsed_distribution", "corollary3_radius",
        "corollary3_symbolic", "draw_samples", "enumerate_expectations", "expected_good_turing",
        "expected_missing_mass", "geometric_distribution", "good_turing_bias_symbolic",
        "good_turing_max_change", "held_out_unseen_rate", "lemma1_radius", "lemma1_symbolic",
        "simulate_good_turing", "uniform_distribution", "word_codes", "zipf_distribution",
    ),
    "instances": (
        "random_instance",
    ),
}
_MODULE_OF = {name: module for module, names in _MACHINERY.items() for name in names}
_SUBMODULES = ("arbitrary_facts", "calibration", "grading", "hardness", "instances", "ledger",
               "monofacts", "poor_models", "post_training", "reduction", "smt", "steps",
               "strategies", "sweeps", "unseen_mass", "validation")


def __getattr__(name):
    if name in _MODULE_OF:
        return getattr(importlib.import_module(f".{_MODULE_OF[name]}", __name__), name)
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'hallu_proofs' has no attribute {name!r}")


def __dir__():
    loaded = [name for name in _SUBMODULES if name in globals()]
    return sorted([*__all__, *loaded, "__version__"])
