"""The winner of a fit: the refitter's single best, or a greedy ensemble selected over the
candidates the search ran on all rows when that scores higher out of fold."""

from __future__ import annotations

import logging

import numpy as np

from ..ensemble import EnsembleClassifier, EnsembleRegressor, ensemble_selection, make_score_func
from ..search import Refitter, Winner

__all__ = ["fit_ensemble", "refit_winner"]

logger = logging.getLogger(__name__)

#: Candidates (best first) whose out-of-fold predictions enter the selection.
MAX_POOL = 20


def refit_winner(runner, unvalidated, unvalidated_seconds, *, scoring, ensemble_size: int) -> Winner:
    """The one refit path of a fit: the :class:`~metaselect.search.Refitter`'s winner, replaced by
    an ensemble of ``ensemble_size`` selection steps when the runner collected out-of-fold
    predictions and the ensemble scores higher out of fold (:func:`fit_ensemble`)."""
    refitter = Refitter(runner)
    winner = refitter.winner(unvalidated, unvalidated_seconds)
    if winner.trial is None or not runner.collect_oof:
        return winner
    found = fit_ensemble(runner, refitter, scoring, runner.portfolio.task, ensemble_size, winner.trial,
                         winner.estimator)
    if found is None:
        logger.info("ensemble: no gain over %s out of fold; keeping it", winner.config.family)
        return winner
    estimator, score, members = found
    logger.info("ensemble of %d members, out-of-fold score %.4f", len(members), score)
    return Winner(winner.config, estimator, score, winner.trial, tuple(members))


def fit_ensemble(runner, refitter, scoring, task: str, size: int, best, best_estimator):
    """Caruana ensemble selection, then refit of the chosen members inside the budget.

    Returns ``(estimator, oof_score, members)`` with ``members`` a list of
    ``(trial, weight)``, or ``None`` when an ensemble does not beat the best
    single candidate out of fold, cannot be scored, or fewer than two members
    could be refit in time. ``best_estimator`` is trial ``best`` already refit; the other
    members are refit through ``refitter`` (a :class:`~metaselect.search.Refitter`).
    """
    pool = [t for t in runner.history.best() if t.oof is not None and t.n_samples == runner.n_samples]
    if task == "classification":  # members are averaged through predict_proba
        pool = [t for t in pool if hasattr(runner.build(t.config), "predict_proba")]
    pool = pool[:MAX_POOL]
    if len(pool) < 2:
        return None
    classification = task == "classification"
    classes = np.arange(pool[0].oof.shape[1]) if classification else None
    rows, y = runner.validated_rows()
    predictions = [t.oof[rows] if classification else t.oof[rows, 0] for t in pool]
    try:
        score_func = make_score_func(scoring, task, classes)
        weights = ensemble_selection(predictions, y, score_func, size=size, task=task)
    except ValueError as exc:
        logger.info("No ensemble: %s", exc)
        return None
    # The ensemble must beat the best single candidate, also when that one could not join.
    reference = (best.oof if best.oof is not None else pool[0].oof)[rows]
    single = score_func(y, reference if classification else reference[:, 0])
    if np.count_nonzero(weights) < 2 or not _score(score_func, y, predictions, weights) > single:
        return None
    members = []
    for i in np.argsort(-weights, kind="stable"):
        if weights[i] == 0:
            break
        trial = pool[i]
        if trial is best:
            members.append((i, weights[i], best_estimator))
            continue
        refit = refitter.member(trial)
        if refit is not None:
            members.append((i, weights[i], refit))
    if len(members) < 2:
        return None
    kept = np.zeros(len(pool))
    for i, weight, _ in members:
        kept[i] = weight
    kept /= kept.sum()
    oof_score = _score(score_func, y, predictions, kept)  # of the members actually refit
    if not oof_score > single:
        return None
    w = np.array([kept[m[0]] for m in members])
    estimators = [m[2] for m in members]
    if classification:
        estimator = EnsembleClassifier(estimators, w, classes=classes)
    else:
        estimator = EnsembleRegressor(estimators, w)
    return estimator, float(oof_score), [(pool[m[0]], float(kept[m[0]])) for m in members]


def _score(score_func, y, predictions, weights) -> float:
    return score_func(y, sum(w * p for w, p in zip(weights, predictions, strict=True) if w))
