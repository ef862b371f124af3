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
from .missing_mass import (
    collapse_abstentions,
    collapsed_distribution,
    corollary3_radius,
    corollary3_symbolic,
    draw_samples,
    enumerate_expectations,
    expected_good_turing,
    expected_missing_mass,
    geometric_distribution,
    good_turing,
    good_turing_bias_symbolic,
    good_turing_max_change,
    held_out_unseen_rate,
    lemma1_radius,
    lemma1_symbolic,
    missing_mass,
    sample_training_pairs,
    simulate_good_turing,
    unanswered_mass,
    uniform_distribution,
    word_codes,
    zipf_distribution,
)

__version__ = "0.1.0"
