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

__version__ = "0.1.0"
