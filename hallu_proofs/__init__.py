"""hallu_proofs: the quantities of *Why Language Models Hallucinate* (Kalai et al., 2025).

>>> import hallu_proofs as hp
>>> inst = hp.Instance(p=[1.0, 0.0, 0.0], p_hat=[0.4, 0.3, 0.3], valid=[True, False, False])
>>> hp.generative_error(inst) >= hp.theorem1_bound(inst)
True
"""

from .instances import ROW_SUM_TOLERANCE, Instance, random_instance
from .reduction import (
    calibration_gap,
    classify,
    generative_error,
    iiv_distribution,
    iiv_error,
    theorem1_bound,
    theorem1_slack_terms,
)
from .calibration import (
    TrainingRun,
    calibration_gap_curve,
    cross_entropy,
    expected_calibration_error,
    finite_difference_derivative,
    grouped_softmax_optimum,
    printed_loss_counterexample,
    printed_prompted_loss,
    printed_prompted_loss_derivative,
    prompted_loss_slip,
    question_answer_database_model,
    rescaled_loss_derivative,
    rescaled_model,
    signed_calibration_gap,
    symbolic_prompted_rescaling,
    symbolic_rescaling_steps,
    threshold_masses,
    train_softmax,
    uniform_model,
)
from .grading import (
    Problem,
    answer_policy,
    benchmark_footnotes,
    benchmark_table,
    check_binary_grader,
    crossover_target,
    evaluation_score,
    expected_evaluation_score,
    expected_score,
    expected_scores,
    optimal_responses,
    penalty,
    random_binary_beliefs,
    rescore,
    simpleqa_results,
    threshold_audit,
)
from .poor_models import (
    NGramModel,
    best_threshold,
    best_thresholded_classifier,
    corollary2_instance,
    count_letter,
    expected_iiv_error,
    iiv_error_steps,
    language_model_instance,
    letter_question,
    n_choices,
    opt_over_models,
    poor_model_bound,
    random_multiple_choice_instance,
    theorem3_bound,
    theorem4_average_bound,
    theorem4_derivation,
    theorem4_proof_terms,
    tokenize_word,
)
from .hardness import (
    best_keyless_classifier,
    breaking_advantage,
    breaks_encryption,
    classifier_model,
    decryption_instance,
    key_instances,
    observation2_bound,
    observation2_derivation,
    permutation_key_space,
    random_keyless_model,
    shift_key_space,
    uniform_decryption_model,
)
__version__ = "0.1.0"
