"""Greedy ensemble selection with replacement (Caruana et al., 2004)."""

from __future__ import annotations

import logging
from numbers import Integral

import numpy as np

from .._tasks import TASKS

__all__ = ["ensemble_selection"]

logger = logging.getLogger(__name__)


def ensemble_selection(predictions, y, score_func, *, size=20, task, n_init=1):
    """Choose ensemble weights by greedy forward selection with replacement.

    Starting from the ``n_init`` best single candidates, each of the remaining
    steps adds (again, if it is already in) the candidate whose addition
    maximises ``score_func(y, average)``, where ``average`` is the unweighted
    mean of the predictions selected so far. Ties go to the lowest candidate
    index, so the result is deterministic and needs no ``random_state``.

    Parameters
    ----------
    predictions : sequence of array-like
        Out-of-fold predictions, one per candidate, all of the same shape:
        ``(n_samples, n_classes)`` class probabilities for classification,
        ``(n_samples,)`` values for regression. Candidates whose predictions
        contain NaN (for instance failed folds) are never selected.
    y : array-like of shape (n_samples,)
        The true targets the predictions are scored against.
    score_func : callable
        ``score_func(y_true, prediction) -> float``, greater is better; see
        :func:`make_score_func`. A NaN score counts as the worst score.
    size : int, default=20
        Number of selection steps (ensemble members counted with repetition).
    task : {"classification", "regression"}
        The learning task; fixes the expected shape of the predictions.
    n_init : int, default=1
        Start from the ``n_init`` best single candidates, each once ("sorted
        ensemble initialisation"); at most ``size``, and capped at the number
        of usable candidates. ``1`` is the plain greedy algorithm.

    Returns
    -------
    weights : ndarray of shape (n_candidates,)
        How often each candidate was selected divided by ``size``; sums to 1.

    Raises
    ------
    ValueError
        If a parameter is invalid, the predictions disagree in shape or with
        ``y``, or every candidate contains NaN.

    References
    ----------
    R. Caruana, A. Niculescu-Mizil, G. Crew and A. Ksikes, "Ensemble Selection
    from Libraries of Models", ICML 2004.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.metrics import r2_score
    >>> y = np.array([0.0, 1.0, 2.0, 3.0])
    >>> predictions = [y + 1.0, y - 1.0, np.zeros(4)]
    >>> ensemble_selection(predictions, y, r2_score, size=2, task="regression")
    array([0.5, 0.5, 0. ])
    """
    y = np.asarray(y)
    stack = _check_predictions(predictions, y, task)
    _check_int("size", size, 1)
    _check_int("n_init", n_init, 1, size)
    usable = ~np.isnan(stack.reshape(len(stack), -1)).any(axis=1)
    if not usable.any():
        raise ValueError("Every candidate's predictions contain NaN; nothing to select.")
    if not usable.all():
        logger.debug("ensemble selection skips %d candidates with NaN predictions", (~usable).sum())

    counts = np.zeros(len(stack), dtype=int)
    single = _scores(stack, np.zeros_like(stack[0]), 0, y, score_func, usable)
    for index in np.argsort(-single, kind="stable")[: min(n_init, usable.sum())]:
        counts[index] += 1
    total = np.tensordot(counts[usable], stack[usable], axes=1)  # 0 * NaN would be NaN
    for _ in range(size - counts.sum()):
        scores = _scores(stack, total, counts.sum(), y, score_func, usable)
        best = int(np.argmax(scores))  # first maximum: ties go to the lowest index
        counts[best] += 1
        total += stack[best]
        logger.debug(
            "ensemble selection step %d: candidate %d, score %.6g", counts.sum(), best, scores[best]
        )
    return counts / size


def _scores(stack, total, n_selected, y, score_func, usable):
    """Score of adding each candidate to the current sum; -inf where not usable."""
    scores = np.full(len(stack), -np.inf)
    for index in np.flatnonzero(usable):
        score = float(score_func(y, (total + stack[index]) / (n_selected + 1)))
        scores[index] = score if not np.isnan(score) else -np.inf
    return scores


def _check_predictions(predictions, y, task):
    if task not in TASKS:
        raise ValueError(
            f"The 'task' parameter must be 'classification' or 'regression'. Got {task!r} instead."
        )
    if len(predictions) == 0:
        raise ValueError("ensemble_selection needs at least one candidate's predictions.")
    arrays = [np.asarray(p, dtype=float) for p in predictions]
    if task == "regression":
        arrays = [a.ravel() if a.ndim == 2 and a.shape[1] == 1 else a for a in arrays]
    ndim = 2 if task == "classification" else 1
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1 or arrays[0].ndim != ndim:
        raise ValueError(
            f"For {task}, predictions must all have the same {ndim}-d shape; got shapes {sorted(shapes)}."
        )
    if arrays[0].shape[0] != len(y):
        raise ValueError(f"Predictions have {arrays[0].shape[0]} rows but y has {len(y)}.")
    return np.stack(arrays)


def _check_int(name, value, low, high=None):
    valid = isinstance(value, Integral) and not isinstance(value, bool)
    if not valid or value < low or (high is not None and value > high):
        bound = f"in the range [{low}, {high}]" if high is not None else f">= {low}"
        raise ValueError(
            f"The '{name}' parameter of ensemble_selection must be an int {bound}. Got {value!r} instead."
        )
