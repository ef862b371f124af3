"""Post-training against graders: an answer-or-IDK policy trained by policy gradient (beyond the paper).

The paper argues (Section 4) that post-training against binary graders teaches a model to guess
rather than say "I don't know", and that explicit confidence targets teach it to answer exactly
when its confidence exceeds the target (behavioral calibration). This module runs that
argument as a reinforcement-learning experiment.

* **Graders.** A `Grader` is a weighted mixture of confidence targets t_k (t = 0 is binary
  grading): a correct answer earns 1, a wrong one loses ``penalty(t_k)``, IDK earns 0. Its
  expected reward for answering with confidence q is sum_k w_k expected_score(q, t_k)
  = q - (1 - q) P with P = sum_k w_k penalty(t_k), which is positive iff q > t* = P / (1 + P):
  a mixture behaves as one target, its `threshold`.
* **Policy.** On a prompt where the base model's answer is right with probability q, the policy
  answers with probability pi(q) = sigmoid(a + b q) and says IDK otherwise. The two parameters
  are shared by all prompts, so what is learned transfers to prompts never post-trained on. It
  starts at the base model: a = logit(answer_rate), b = 0.
* **Learning.** REINFORCE with a leave-one-out baseline on sampled rewards, preconditioned by the
  policy's Fisher matrix (natural policy gradient); or the exact expected-reward gradient. With
  features (1, q) and a reward linear in q, the exact natural step is the same at every
  parameter: (a, b) += learning_rate (-P, 1 + P) (`exact_natural_step`). So under binary grading
  (P = 0) every answer probability rises at every step, and under a target the logit
  a + b q = logit(answer_rate) + steps lr (1 + P)(q - t*) turns into the rule "answer iff q > t*".

>>> import numpy as np
>>> q = np.random.default_rng(0).uniform(size=500)
>>> run = post_train(q, confidence_target_grader(0.75), steps=200, rng=np.random.default_rng(1))
>>> bool(abs(run.threshold - 0.75) < 0.02)
True
>>> run.answer_probability([0.2, 0.95]).round(3).tolist()
[0.0, 1.0]

The base model of the chapter, `forgetful_learner`, lives in an Arbitrary Facts world
(Definition 1): it keeps each answered training example of a prompt with probability
``retention`` and otherwise forgets it, so its confidence in its answer to a prompt seen k times
is 1 - (1 - retention)^k (1 - 1/|R_c|), calibrated by construction.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from numbers import Integral

import numpy as np

from .arbitrary_facts import ArbitraryFacts
from .grading import _confidences, _target, penalty
from .validation import as_array, as_list, check_positive_int, check_real

__all__ = [
    "ForgetfulModel",
    "Grader",
    "PostTrainingRun",
    "binary_grader",
    "confidence_target_grader",
    "exact_natural_step",
    "forgetful_learner",
    "mixture_grader",
    "policy_rates",
    "post_train",
    "recall_confidence",
]

#: The keys of `PostTrainingRun.history` (and of `policy_rates`).
HISTORY_KEYS = ("abstention", "hallucination", "accuracy", "binary_score", "target_score")


# --------------------------------------------------------------------------- graders

@dataclass(frozen=True)
class Grader:
    """A leaderboard of confidence targets: benchmark k has target ``targets[k]`` and weight
    ``weights[k]`` (the weights sum to 1). t = 0 is binary grading.

    Make one with `binary_grader`, `confidence_target_grader` or `mixture_grader`.
    """

    targets: tuple
    weights: tuple
    name: str

    @property
    def penalty(self):
        """P = sum_k w_k penalty(t_k), the expected cost of a wrong answer (exact if possible)."""
        return sum((w * penalty(t) for t, w in zip(self.targets, self.weights)), Fraction(0))

    @property
    def threshold(self):
        """t* = P / (1 + P): answering beats IDK in expectation iff the confidence exceeds t*."""
        p = self.penalty
        return p / (1 + p)

    def expected_reward(self, confidences) -> np.ndarray:
        """Expected reward of answering, per confidence q: q - (1 - q) P (IDK earns 0).

        >>> mixture_grader([binary_grader(), confidence_target_grader(0.75)], [3, 1]
        ...                ).expected_reward([0.5, 1.0]).tolist()
        [0.125, 1.0]
        """
        q = _confidences(confidences).astype(float)
        return q - (1 - q) * float(self.penalty)

    def sample_rewards(self, confidences, rng) -> np.ndarray:
        """Sampled rewards of answering: a benchmark k ~ weights, then 1 with probability q and
        -penalty(t_k) otherwise, independently per entry.

        >>> binary_grader().sample_rewards([0.0, 1.0], np.random.default_rng(0)).tolist()
        [0.0, 1.0]
        """
        q = _confidences(confidences).astype(float)
        rng = _check_rng(rng)
        return self._sample(q, rng)

    def _sample(self, q, rng):
        correct = rng.random(q.size) < q
        costs = np.array([float(penalty(t)) for t in self.targets])
        if costs.size == 1:
            cost = costs[0]
        else:
            cumulative = np.cumsum([float(w) for w in self.weights])
            cumulative /= cumulative[-1]
            cost = costs[np.searchsorted(cumulative, rng.random(q.size), side="right")]
        return np.where(correct, 1.0, -cost) + 0.0  # + 0.0 turns -0.0 (penalty 0) into 0.0

    def __repr__(self):
        return f"Grader({self.name}, threshold={float(self.threshold):.4g})"


def binary_grader() -> Grader:
    """Binary grading: 1 for a correct answer, 0 for a wrong one or IDK (target t = 0).

    >>> binary_grader().threshold
    Fraction(0, 1)
    """
    return Grader((Fraction(0),), (Fraction(1),), "binary")


def confidence_target_grader(t) -> Grader:
    """The confidence target t in [0, 1): a wrong answer costs penalty(t) = t / (1 - t).

    >>> confidence_target_grader(Fraction(3, 4)).penalty
    Fraction(3, 1)
    >>> confidence_target_grader(1)
    Traceback (most recent call last):
    ...
    ValueError: t must be in [0, 1), got 1
    """
    t = _target(t)
    return Grader((t,), (Fraction(1),), f"t={float(t):g}")


def mixture_grader(graders, weights) -> Grader:
    """A leaderboard: the weighted average of the graders' scores (weights > 0, normalised).

    >>> board = mixture_grader([binary_grader()] * 4 + [confidence_target_grader(Fraction(3, 4))],
    ...                        [1] * 5)
    >>> board.penalty, board.threshold
    (Fraction(3, 5), Fraction(3, 8))
    """
    graders = as_list(graders, "graders")
    weights = as_list(weights, "weights")
    if not graders:
        raise ValueError("graders must hold at least one grader")
    if len(weights) != len(graders):
        raise ValueError(f"weights has {len(weights)} entries, but there are {len(graders)} graders")
    for i, g in enumerate(graders):
        if not isinstance(g, Grader):
            raise TypeError(f"graders: entry {i} is {type(g).__name__}, not a Grader")
    values = []
    for i, w in enumerate(weights):
        check_real(w, f"weights[{i}]")
        if not w > 0:
            raise ValueError(f"weights[{i}] must be > 0, got {w!r}")
        values.append(Fraction(w) if isinstance(w, (Integral, Fraction)) else float(w))
    total = sum(values)
    targets, mixed = [], []
    for g, w in zip(graders, values):
        for t, v in zip(g.targets, g.weights):
            targets.append(t)
            mixed.append(w / total * v)
    name = "mixture(" + ", ".join(g.name for g in graders) + ")"
    return Grader(tuple(targets), tuple(mixed), name)


# --------------------------------------------------------------------------- policy

def _sigmoid(x):
    """1 / (1 + e^-x) to full relative precision on both tails, with no exponential overflowing
    (as SciPy's expit, without importing SciPy with the package)."""
    x = np.asarray(x, dtype=float)
    small = np.exp(-np.abs(x))  # in (0, 1]
    return np.where(x >= 0, 1.0 / (1.0 + small), small / (1.0 + small))


def _sigmoid_weight(x):
    """pi (1 - pi) at logit x, without the cancellation of 1 - pi near pi = 1."""
    return _sigmoid(x) * _sigmoid(-x)


def _features(q):
    return np.stack([np.ones_like(q), q], axis=1)


def policy_rates(answer_probability, confidences, grader) -> dict:
    """Expected rates of a policy answering with probability pi_i where the answer is right
    with probability q_i: abstention mean(1 - pi), hallucination mean(pi (1 - q)), accuracy
    mean(pi q), binary_score (= accuracy) and target_score (the score under ``grader``:
    accuracy - P hallucination).

    >>> rates = policy_rates([1.0, 0.5], [0.8, 0.4], confidence_target_grader(0.5))
    >>> {k: round(v, 3) for k, v in rates.items()}
    {'abstention': 0.25, 'hallucination': 0.25, 'accuracy': 0.5, 'binary_score': 0.5, 'target_score': 0.25}
    """
    q = _confidences(confidences).astype(float)
    pi = _confidences(answer_probability, "answer_probability").astype(float)
    if pi.shape != q.shape:
        raise ValueError(f"answer_probability has shape {pi.shape}, but confidences has {q.shape}")
    _check_grader(grader)
    out = _rates(pi[None, :], q, float(grader.penalty))
    return {k: float(v[0]) for k, v in out.items()}


def _rates(pi, q, p):
    """The five rates for each row of pi (steps x prompts)."""
    hallucination = (pi * (1 - q)).mean(axis=1)
    accuracy = (pi * q).mean(axis=1)
    return {
        "abstention": 1 - pi.mean(axis=1),
        "hallucination": hallucination,
        "accuracy": accuracy,
        "binary_score": accuracy,
        "target_score": accuracy - p * hallucination,
    }


def exact_natural_step(confidences, grader, parameters) -> np.ndarray:
    """The exact natural-gradient direction F^-1 grad J at ``parameters`` = (a, b).

    J(a, b) = mean_i pi(q_i) r(q_i) is the expected reward, grad J = mean_i w_i r_i (1, q_i) and
    F = mean_i w_i (1, q_i)(1, q_i)^T with w_i = pi_i (1 - pi_i). Since r(q) = (1 + P) q - P
    lies in the span of the features, the weighted least-squares fit F^-1 grad J is exactly
    (-P, 1 + P), whatever the parameters (provided two confidences differ).

    >>> exact_natural_step([0.2, 0.6, 0.9], confidence_target_grader(0.75), (0.3, -1.0)).round(9)
    array([-3.,  4.])
    """
    q = _confidences(confidences).astype(float)
    _check_grader(grader)
    theta = _check_parameters(parameters)
    if np.ptp(q) == 0:
        raise ValueError("confidences must hold at least two different values")
    phi = _features(q)
    return _weighted_fit(phi, _sigmoid_weight(phi @ theta), grader.expected_reward(q))


def _weighted_fit(phi, w, reward):
    """F^-1 grad J as the weighted least-squares fit of the reward on the features, solved on
    sqrt(w)-scaled rows (half the condition number's exponent of forming F)."""
    root = np.sqrt(w)
    return np.linalg.lstsq(root[:, None] * phi, root * reward, rcond=None)[0]


@dataclass(frozen=True)
class PostTrainingRun:
    """The record of `post_train`.

    ``parameters``: shape (steps + 1, 2), (a, b) before each step and at the end.
    ``history``: the rates of `policy_rates` on the training confidences, arrays of length
    steps + 1 (exact expectations over actions and correctness, at each recorded parameter).
    ``step_noise``: shape (steps, 2, 2), the estimated covariance of each sampled step's
    deviation from the exact natural step, divided by the learning rate squared (zeros for an
    exact run).
    """

    grader: Grader
    learning_rate: float
    parameters: np.ndarray
    history: dict
    step_noise: np.ndarray

    def answer_probability(self, q) -> np.ndarray:
        """pi(q) = sigmoid(a + b q) at the final parameters, for an array of confidences q."""
        scalar = np.ndim(q) == 0
        values = _confidences(np.atleast_1d(q), "q").astype(float)
        pi = _sigmoid(_features(values) @ self.parameters[-1])
        return pi[0] if scalar else pi

    @property
    def threshold(self):
        """The confidence -a/b at which the final policy answers with probability 1/2 (None if
        b <= 0: then no confidence makes answering likelier than at lower ones)."""
        a, b = self.parameters[-1]
        return None if b <= 0 else float(-a / b)

    def rates(self, confidences, grader=None) -> dict:
        """`policy_rates` of the final policy on other (e.g. held-out) confidences; the target
        score is under ``grader`` (default: the grader trained against)."""
        q = _confidences(confidences).astype(float)
        return policy_rates(self.answer_probability(q), q, self.grader if grader is None else grader)

    def threshold_tolerance(self, z=3.0) -> float:
        """A bound on |threshold - grader.threshold| that holds with the normal probability of
        +-z standard deviations (martingale central limit theorem).

        Writing u = (1, t*), the exact natural step v = (-P, 1 + P) has u . v = 0, so
        a_T + t* b_T = (a_0 + t* b_0) + lr sum_s u . noise_s and
        threshold - t* = -(a_T + t* b_T) / b_T. The tolerance is
        (|a_0 + t* b_0| + z lr sqrt(sum_s u^T C_s u)) / b_T with C_s the recorded `step_noise`.
        """
        check_real(z, "z")
        if not z > 0:
            raise ValueError(f"z must be > 0, got {z!r}")
        a0, b0 = self.parameters[0]
        b_final = self.parameters[-1][1]
        if b_final <= 0:
            raise ValueError("the final policy has b <= 0: it has no threshold")
        t_star = float(self.grader.threshold)
        u = np.array([1.0, t_star])
        variance = float(np.einsum("i,sij,j->", u, self.step_noise, u))
        return (abs(a0 + t_star * b0) + z * self.learning_rate * math.sqrt(variance)) / b_final


def post_train(confidences, grader, steps=300, rng=None, *, learning_rate=0.1, answer_rate=0.5,
               exact=False, natural=True, batch_size=None) -> PostTrainingRun:
    """Post-train the answer-or-IDK policy pi(q) = sigmoid(a + b q) against ``grader``.

    Parameters
    ----------
    confidences : 1-D array of reals in [0, 1]
        A calibrated base model's probability that its answer to each training prompt is right.
    grader : Grader
        What the answers are scored by (`binary_grader`, `confidence_target_grader`,
        `mixture_grader`).
    steps : int >= 1
        Number of policy-gradient steps.
    rng : numpy.random.Generator
        The source of the sampled prompts, actions and rewards; required unless ``exact``.
    learning_rate : float > 0
        Step size.
    answer_rate : float in (0, 1)
        The base model's probability of answering rather than saying IDK: the policy starts at
        a = logit(answer_rate), b = 0.
    exact : bool
        Use the exact expected-reward gradient instead of sampled rewards.
    natural : bool
        Precondition by the inverse Fisher matrix of the policy (natural policy gradient);
        False is plain (vanilla) gradient ascent.
    batch_size : int or None
        Prompts sampled (with replacement) per step; None uses every training prompt once.

    Each sampled step draws, per prompt i of the batch, an action A_i ~ Bernoulli(pi_i) and
    for an answer a reward R_i from `Grader.sample_rewards` (IDK earns 0); the gradient
    estimate is mean_i (R_i - b_i)(A_i - pi_i)(1, q_i), with the leave-one-out baseline
    b_i = mean_{j != i} R_j, which keeps it unbiased. O(steps x n) time.

    >>> run = post_train([0.1, 0.5, 0.9], binary_grader(), steps=50, exact=True)
    >>> bool(run.history["abstention"][-1] < run.history["abstention"][0])
    True
    """
    q = _confidences(confidences).astype(float)
    _check_grader(grader)
    steps = check_positive_int(steps, "steps")
    for name, flag in (("exact", exact), ("natural", natural)):
        if not isinstance(flag, (bool, np.bool_)):
            raise TypeError(f"{name} must be True or False, got {type(flag).__name__}")
    if exact:
        if rng is not None:
            _check_rng(rng)
    else:
        rng = _check_rng(rng)
    check_real(learning_rate, "learning_rate")
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    check_real(answer_rate, "answer_rate")
    if not 0 < answer_rate < 1:
        raise ValueError(f"answer_rate must be in (0, 1), got {answer_rate!r}")
    if batch_size is not None:
        batch_size = check_positive_int(batch_size, "batch_size", minimum=2)
    elif q.size < 2:
        raise ValueError("confidences must hold at least 2 entries (the baseline leaves one out)")
    if natural and np.ptp(q) == 0:
        raise ValueError("confidences must hold at least two different values for the natural "
                         "gradient (otherwise the Fisher matrix is singular)")

    lr = float(learning_rate)
    p = float(grader.penalty)
    reward = grader.expected_reward(q)
    phi_all = _features(q)
    theta = np.array([math.log(answer_rate / (1 - answer_rate)), 0.0])
    parameters = np.empty((steps + 1, 2))
    noise = np.zeros((steps, 2, 2))
    for s in range(steps):
        parameters[s] = theta
        logits = phi_all @ theta
        pi_all, w_all = _sigmoid(logits), _sigmoid_weight(logits)
        if exact:
            direction = (_weighted_fit(phi_all, w_all, reward) if natural
                         else phi_all.T @ (w_all * reward) / q.size)
        else:
            idx = slice(None) if batch_size is None else rng.integers(0, q.size, batch_size)
            phi, pi, qs = phi_all[idx], pi_all[idx], q[idx]
            answered = rng.random(qs.size) < pi
            rewards = np.where(answered, grader._sample(qs, rng), 0.0)
            baseline = (rewards.sum() - rewards) / (rewards.size - 1)
            terms = ((rewards - baseline) * (answered - pi))[:, None] * phi
            direction = terms.mean(axis=0)
            covariance = np.cov(terms, rowvar=False) / terms.shape[0]
            if natural:
                inverse = _inverse(phi_all.T @ (w_all[:, None] * phi_all) / q.size)
                direction = inverse @ direction
                covariance = inverse @ covariance @ inverse
            noise[s] = covariance
        theta = theta + lr * direction
    parameters[steps] = theta
    history = _rates(_sigmoid(parameters @ phi_all.T), q, p)
    return PostTrainingRun(grader, lr, parameters, history, noise)


# --------------------------------------------------------------------------- the base model

def recall_confidence(counts, n_responses, retention) -> np.ndarray:
    """Probability that the forgetful learner's answer is right: 1 - (1 - rho)^k (1 - 1/|R_c|).

    Each of the k answered training examples of the prompt is kept with probability rho; if
    any is kept the learner knows the answer, otherwise it guesses uniformly in R_c.

    >>> recall_confidence([0, 1, 2], [4, 4, 4], 0.5).tolist()
    [0.25, 0.625, 0.8125]
    """
    k = as_array(counts, "counts")
    if k.dtype == bool or not np.issubdtype(k.dtype, np.integer) or k.ndim != 1:
        raise TypeError(f"counts must be a 1-D integer array, got dtype {k.dtype}, shape {k.shape}")
    if k.size and k.min() < 0:
        raise ValueError(f"counts: entry {int(np.argmax(k < 0))} is negative")
    r = as_array(n_responses, "n_responses")
    if r.dtype == bool or not np.issubdtype(r.dtype, np.integer) or r.shape != k.shape:
        raise ValueError(f"n_responses must be integers of shape {k.shape}, got {r.dtype} {r.shape}")
    if r.size and r.min() < 2:
        raise ValueError(f"n_responses: entry {int(np.argmax(r < 2))} is below 2")
    rho = _retention(retention)
    return 1 - (1 - rho) ** k * (1 - 1 / r)


@dataclass(frozen=True)
class ForgetfulModel:
    """A forgetful learner fitted to a training set: per prompt its answer and its confidence.

    ``answers``: the response it gives when it answers; ``confidence``: the probability
    (over what it forgot) that this is the true answer; ``alpha``: the base model's probability
    of answering rather than IDK (it copies the training data's alpha_c).
    """

    facts: ArbitraryFacts
    answers: np.ndarray
    confidence: np.ndarray

    def p_hat(self, answer_probability=None) -> np.ndarray:
        """p_hat(r | c) with the IDK column last: the answer gets pi_c q_c, each other response
        of R_c gets pi_c (1 - q_c)/(|R_c| - 1), IDK gets 1 - pi_c; pi_c defaults to alpha_c
        (the base model). The answer is chosen by the learner's memory, the probabilities by
        its calibrated confidence, so p_hat matches p on every level set in expectation.
        """
        m, width = self.facts.n_prompts, self.facts.max_errors + 2
        if answer_probability is None:
            pi = np.asarray(self.facts.alpha, dtype=float)
        else:
            pi = _confidences(answer_probability, "answer_probability").astype(float)
            if pi.shape != (m,):
                raise ValueError(f"answer_probability has shape {pi.shape}, expected ({m},)")
        q = self.confidence
        sizes = self.facts.n_responses
        in_r = np.arange(width - 1)[None, :] < sizes[:, None]
        p_hat = np.zeros((m, width))
        p_hat[:, :-1] = np.where(in_r, (pi * (1 - q) / (sizes - 1))[:, None], 0.0)
        p_hat[np.arange(m), self.answers] = pi * q
        p_hat[:, -1] = 1 - pi
        return p_hat

    def correct(self, answers) -> np.ndarray:
        """Whether the learner's answer to each prompt is the true answer a_c."""
        return self.answers == self.facts.check_answers(answers)


def forgetful_learner(facts, answers, counts, retention, rng) -> ForgetfulModel:
    """The forgetful learner of a training set with answered counts k_c (`answer_counts`).

    Prompt c is remembered with probability 1 - (1 - rho)^{k_c}; a remembered prompt is answered
    a_c, a forgotten one with a uniform guess in R_c (which may be right). With rho = 1 it is the
    paper's calibrated memorising learner (Theorem 2's upper bound).

    >>> facts = ArbitraryFacts([0.5, 0.5], n_responses=3, alpha=1.0)
    >>> model = forgetful_learner(facts, [2, 0], [1, 0], 1.0, np.random.default_rng(0))
    >>> model.answers[0], model.confidence.round(3).tolist()
    (np.int64(2), [1.0, 0.333])
    """
    if not isinstance(facts, ArbitraryFacts):
        raise TypeError(f"facts must be a hallu_proofs.ArbitraryFacts, got {type(facts).__name__}")
    truth = facts.check_answers(answers)
    k = as_array(counts, "counts")
    if k.shape != (facts.n_prompts,):
        raise ValueError(f"counts has shape {k.shape}, expected ({facts.n_prompts},)")
    confidence = recall_confidence(k, facts.n_responses, retention)
    rho = _retention(retention)
    rng = _check_rng(rng)
    remembered = rng.random(facts.n_prompts) >= (1 - rho) ** k
    guesses = rng.integers(0, facts.n_responses)
    given = np.where(remembered, truth, guesses)
    for arr in (given, confidence):
        arr.flags.writeable = False
    return ForgetfulModel(facts, given, confidence)


def _inverse(fisher):
    """F^-1; a fully saturated policy has a singular Fisher matrix and no gradient, and the
    pseudo-inverse then leaves it where it is."""
    try:
        return np.linalg.inv(fisher)
    except np.linalg.LinAlgError:
        return np.linalg.pinv(fisher, hermitian=True)


# --------------------------------------------------------------------------- checks

def _check_rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator (np.random.default_rng(seed)), "
                        f"got {type(rng).__name__}")
    return rng


def _check_grader(grader):
    if not isinstance(grader, Grader):
        raise TypeError(f"grader must be a hallu_proofs.post_training.Grader, got "
                        f"{type(grader).__name__}")


def _check_parameters(parameters):
    theta = as_array(parameters, "parameters")
    if theta.shape != (2,) or theta.dtype == bool or not np.issubdtype(theta.dtype, np.number):
        raise ValueError(f"parameters must be two real numbers (a, b), got {parameters!r}")
    theta = theta.astype(float)
    if not np.all(np.isfinite(theta)):
        raise ValueError(f"parameters must be finite, got {parameters!r}")
    return theta


def _retention(retention):
    check_real(retention, "retention")
    if not 0 < retention <= 1:
        raise ValueError(f"retention must be in (0, 1], got {retention!r}")
    return float(retention)
