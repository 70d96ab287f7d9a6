"""One evaluation of one candidate: what was run and what came out."""

from __future__ import annotations

import time
import warnings
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field

import numpy as np
from sklearn import config_context
from sklearn.base import clone
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _check_method_params
from threadpoolctl import threadpool_limits

from ..portfolio import Config
from ._budget import CandidateTimeout, time_limit
from ._ram import memory_limit

__all__ = ["STATUSES", "VALIDATED", "Trial", "candidate_limits", "evaluate_candidate"]

#: Every status a trial can end with, in the leaderboard's order (see :class:`Trial`).
STATUSES = ("ok", "pruned", "timeout", "failed", "skipped")
#: The statuses of a trial that has a validation score (a pruned one finished, or was stopped
#: after some folds with an estimate).
VALIDATED = ("ok", "pruned")
#: With K folds, the first fold may take this many times ``1 / K`` of the time share.
FIRST_FOLD_SLACK = 1.5


@dataclass(eq=False)
class Trial:
    """Result of cross-validating one configuration on ``n_samples`` rows.

    ``status`` is ``"ok"``, ``"failed"`` (raised, or produced a non-finite
    score; ``error`` says why), ``"timeout"`` (stopped when its time share ran
    out), ``"skipped"`` (the budget was spent before it could start, or its
    model cannot take the sample weights the search was given) or
    ``"pruned"`` (it finished and a better candidate advanced, or it was
    stopped after some of its folds because it trailed the best candidate on
    them: see :func:`evaluate_candidate`'s ``race``).

    ``n_folds`` is the number of folds it was to be validated on (0: unknown,
    taken as complete); a trial with fewer scores was stopped early, and
    ``estimate`` then holds its estimated score over every fold.
    """

    candidate_id: int
    config: Config
    rung: int
    n_samples: int
    status: str = "ok"
    scores: list = field(default_factory=list)
    fit_time: float = float("nan")
    score_time: float = float("nan")
    duration: float = 0.0
    error: str = ""
    predicted_score: float = float("nan")
    predicted_time: float = float("nan")
    n_folds: int = 0
    estimate: float = float("nan")
    #: Out-of-fold predictions on the rung's rows (class probabilities or values), when collected.
    oof: np.ndarray | None = field(default=None, repr=False)
    #: ``(iterations, training rows)`` of each fold's model where it stopped early on a validation
    #: split of its own (scikit-learn's histogram boosting on more than 10,000 rows); else empty.
    iterations: list = field(default_factory=list)

    @property
    def mean_score(self) -> float:
        return float(np.mean(self.scores)) if self.scores and self.status != "failed" else float("nan")

    @property
    def complete(self) -> bool:
        """Whether every fold it was to be validated on was scored."""
        return len(self.scores) >= self.n_folds

    @property
    def validated(self) -> bool:
        """Whether it has a validation score (its status is in :data:`VALIDATED`)."""
        return self.status in VALIDATED

    @property
    def rank_score(self) -> float:
        """The score it competes with: the mean over its folds, or, stopped after some of them,
        the estimate over all of them (NaN when it has neither)."""
        if self.complete or not self.validated:
            return self.mean_score
        return self.estimate

    @property
    def std_score(self) -> float:
        return float(np.std(self.scores)) if self.scores and self.status != "failed" else float("nan")


@contextmanager
def candidate_limits(seconds: float | None, memory_mb: float | None, n_threads: int | None) -> Iterator[bool]:
    """Everything one candidate's fit runs under: a time limit (``None``: none), a memory cap,
    an OpenMP/BLAS thread cap, and its warnings silenced. Yields whether the time limit is armed.

    Metadata routing is off inside: candidates are the search's own pipelines, given their
    fit parameters as ``step__param`` whatever the caller's ``enable_metadata_routing``
    (joblib's process workers start with scikit-learn's default configuration anyway)."""
    with ExitStack() as stack:
        stack.enter_context(config_context(enable_metadata_routing=False))
        armed = stack.enter_context(time_limit(seconds)) if seconds is not None else False
        stack.enter_context(memory_limit(memory_mb))
        stack.enter_context(threadpool_limits(limits=n_threads))
        stack.enter_context(warnings.catch_warnings())
        warnings.simplefilter("ignore")
        yield armed


def _oof_block(model, X_test, n_classes: int | None) -> np.ndarray:
    """Class probabilities (one-hot of ``predict`` if the model has none) or predicted values."""
    if n_classes is None:
        return np.asarray(model.predict(X_test), dtype=float)[:, None]
    if hasattr(model, "predict_proba"):
        proba = np.zeros((X_test.shape[0], n_classes))
        proba[:, model.classes_.astype(int)] = model.predict_proba(X_test)
        return proba
    return np.eye(n_classes)[np.asarray(model.predict(X_test), dtype=int)]


def stopped_iterations(model) -> int | None:
    """The iterations a fitted ``model`` (or its pipeline's last step) kept when it stopped early
    on a validation split of its own; ``None`` when it did not stop early."""
    final = model[-1] if hasattr(model, "steps") else model
    if getattr(final, "do_early_stopping_", False):
        return int(final.n_iter_)
    return None


def _stop_if_projected_past(trial, n_splits: int, elapsed: float, limit: float) -> None:
    """Stop after a fold when the folds done say the rest cannot finish within ``limit``: the
    time left would be spent on a result that cannot count (its measured seconds per fold
    still tell the time model what the candidate costs)."""
    done = len(trial.scores)
    if done < n_splits and elapsed / done * n_splits > limit:
        raise CandidateTimeout(f"projected {elapsed / done * n_splits:.1f}s for {n_splits} folds "
                               f"past the time share of {limit:.1f}s")


class _Raced(Exception):
    """Raised inside a candidate's evaluation when it trails the best candidate on the folds so far."""


def _race(trial, incumbent) -> None:
    """Stop the candidate when, on the folds scored so far, its mean trails the incumbent's (the
    best complete candidate, scored on the same folds) by more than one standard error of the
    incumbent's fold scores: a candidate that far behind rarely catches up, and its remaining
    folds would be spent on a result that cannot win ("early stopping cross-validation",
    Bergman, Purucker and Hutter, AutoML 2024, made forgiving by the margin). Its estimated
    score over every fold is the incumbent's mean plus the gap on the folds done."""
    done = len(trial.scores)
    if incumbent is None or done >= len(incumbent):
        return
    own, theirs = float(np.mean(trial.scores)), float(np.mean(incumbent[:done]))
    margin = float(np.std(incumbent)) / np.sqrt(done)
    if own < theirs - margin:
        trial.estimate = float(np.mean(incumbent)) + own - theirs
        raise _Raced(f"stopped after {done} of {len(incumbent)} folds: {own:.4f} against the best "
                     f"candidate's {theirs:.4f} on the same folds (estimated {trial.estimate:.4f} on all)")


def _score(scorer, model, X_test, y_test, params: dict) -> float:
    """``scorer(model, X_test, y_test, **params)``. Scorers take ``sample_weight`` as it is;
    other metadata reaches a scikit-learn scorer only with metadata routing enabled (it
    was routed there by the selector's ``fit``, which had routing on)."""
    with config_context(enable_metadata_routing=bool(set(params) - {"sample_weight"})):
        return float(scorer(model, X_test, y_test, **params))


def evaluate_candidate(trial, estimator, X, y, splits, scorer, time_share, deadline, oof_classes=False,
                       n_threads=None, memory_mb=None, *, fit_params=None, score_params=None,
                       race=None) -> Trial:
    """Cross-validate ``estimator`` fold by fold inside ``time_share`` seconds.

    Runs in a joblib worker. Never raises: errors, non-finite scores and time
    outs are recorded on the returned trial. ``deadline`` is a ``time.time()``
    value past which no new fold starts. ``oof_classes`` (``False``: off;
    ``None``: regression; an int: the number of classes, labels being
    positions) asks for out-of-fold predictions, indexed by row of ``X``.
    ``n_threads`` caps the OpenMP/BLAS threads of the fit (``None``: no cap);
    ``memory_mb`` caps the memory it may allocate (see :func:`memory_limit`).
    ``fit_params`` (for the pipeline's ``fit``, e.g. ``model__sample_weight``) and
    ``score_params`` (for the scorer, e.g. ``sample_weight``) hold arrays over the rows
    of ``X``: each fold gets its training rows' and its validation rows' share.
    ``race``, the per-fold scores of the best candidate so far on the same ``splits``, stops
    the candidate (status ``"pruned"``) once it trails them clearly (:func:`_race`).
    """
    start = time.time()
    trial.n_folds = len(splits)
    if deadline - start <= 0:
        trial.status, trial.error = "skipped", "the budget was spent before it could start"
        return trial
    fit_times, score_times = [], []
    oof = None
    limit = min(time_share, deadline - start)
    fit_params, score_params = fit_params or {}, score_params or {}
    try:
        for first, folds in ((True, splits[:1]), (False, splits[1:])):
            # The first fold may take its part of the share (with FIRST_FOLD_SLACK): past that the
            # rest cannot finish, and the candidate is stopped having spent a fraction of the share.
            seconds = FIRST_FOLD_SLACK * limit / len(splits) if first else limit - (time.time() - start)
            if not folds:
                continue
            with candidate_limits(min(seconds, limit), memory_mb, n_threads) as armed:
                for train, test in folds:
                    if not armed and time.time() > min(deadline, start + time_share):
                        raise CandidateTimeout("time share exceeded between folds")
                    model = clone(estimator)
                    t0 = time.perf_counter()
                    model.fit(_safe_indexing(X, train), y[train], **_check_method_params(X, fit_params, train))
                    t1 = time.perf_counter()
                    stopped = stopped_iterations(model)
                    if stopped is not None:
                        trial.iterations.append((stopped, len(train)))
                    X_test = _safe_indexing(X, test)
                    score = _score(scorer, model, X_test, y[test], _check_method_params(X, score_params, test))
                    score_times.append(time.perf_counter() - t1)
                    if oof_classes is not False:
                        block = _oof_block(model, X_test, oof_classes)
                        if oof is None:
                            oof = np.full((y.shape[0], block.shape[1]), np.nan)
                        oof[test] = block
                    fit_times.append(t1 - t0)
                    if not np.isfinite(score):
                        raise ValueError(f"the scorer returned a non-finite score ({score}) on a "
                                         f"validation fold of {len(test)} sample(s)")
                    trial.scores.append(score)
                    _race(trial, race)
                    _stop_if_projected_past(trial, len(splits), time.time() - start, limit)
    except CandidateTimeout as exc:
        trial.status, trial.error = "timeout", str(exc)
    except _Raced as exc:
        trial.status, trial.error = "pruned", str(exc)
    except MemoryError as exc:
        cap = f"over the {memory_mb:.0f} MiB per candidate" if memory_mb else "out of memory"
        trial.status, trial.error = "failed", f"MemoryError ({cap}): {exc}"[:500]
    except Exception as exc:  # a failing candidate must never take the search down
        trial.status, trial.error = "failed", f"{type(exc).__name__}: {exc}"[:500]
    if trial.status == "ok" and oof is not None:
        trial.oof = oof
    if fit_times:
        trial.fit_time = float(np.mean(fit_times))
        trial.score_time = float(np.mean(score_times))
    trial.duration = time.time() - start
    return trial
