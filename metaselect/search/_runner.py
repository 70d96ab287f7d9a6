"""The runner: evaluation, pruning, budget accounting and result collection, in one place.

A search strategy decides *what* to evaluate (see ``_strategy.py``); the runner
decides *how*: it builds each candidate's pipeline, takes a rung's rows
(``_rows.py``), dispatches evaluations through joblib (so any joblib backend
works), gives each candidate a time share, records every :class:`Trial` in the
:class:`TrialHistory` that strategies read, and fits a configuration on all rows
for the refitter (``_refit.py``).
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool

import numpy as np
from joblib import Parallel, delayed
from joblib.externals.loky.process_executor import TerminatedWorkerError
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _check_method_params
from threadpoolctl import threadpool_info

from ..portfolio import Config, Portfolio
from ..preprocessing import InputSchema, make_candidate_pipeline, target_encoded_columns
from ._budget import Budget
from ._history import TrialHistory
from ._ram import available_memory_mb
from ._ranker import Predictions, Ranker, RankingContext, StaticPriorRanker
from ._rows import RungRows
from ._timemodel import TIME_REFERENCE_ROWS, TimeModel
from ._trial import Trial, _score, candidate_limits, evaluate_candidate
from ._weights import UnweightedCandidate, weighted_fit_params

__all__ = ["Runner", "resolve_cv"]

logger = logging.getLogger(__name__)

#: Seconds kept aside at the end of the budget for bookkeeping after the refit.
SAFETY_MARGIN = 0.25
#: Rows the refit winner's training score is checked on (:meth:`Runner.training_score`).
TRAINING_CHECK_ROWS = 2000
#: Share of the budget reserved for the refit before any candidate has finished.
INITIAL_RESERVE = 0.2
#: Racing needs validation folds of at least this many rows. A fold score on fewer is too noisy to
#: stop a candidate on (an accuracy near 0.8 on 200 rows has a standard error of 0.03, about the gap
#: between good candidates); such folds are cheap anyway, and on them the extra evaluations racing
#: buys mostly feed the winner's curse (measured: docs/search_guide.md, "What was tried").
RACE_MIN_FOLD_ROWS = 200
#: ``cv="auto"``: cross-validate with this many folds, unless the data is large for the budget.
AUTO_FOLDS = 5
#: ``cv="auto"`` holds out instead above this many cells (rows x columns) per second of budget
#: (FLAML's ``eval_method="auto"`` switches to a holdout at the same number) ...
HOLDOUT_CELLS_PER_SECOND = 2500
#: ... and only from this many rows, so the held-out fifth has at least 1,000 of them.
HOLDOUT_MIN_ROWS = 5000


def resolve_cv(cv, n_samples: int, n_features: int, time_budget: float):
    """The validation ``cv="auto"`` stands for; any other ``cv`` is returned as given.

    ``"auto"`` is ``AUTO_FOLDS``-fold cross-validation, or ``"holdout"`` when the data
    is large for the budget: at least ``HOLDOUT_MIN_ROWS`` rows and more than
    ``HOLDOUT_CELLS_PER_SECOND * time_budget`` cells. There a holdout evaluates
    about five times as many candidates in the same time, on a validation fold of
    at least a thousand rows.
    """
    if not (isinstance(cv, str) and cv == "auto"):
        return cv
    large = n_samples >= HOLDOUT_MIN_ROWS and n_samples * n_features > HOLDOUT_CELLS_PER_SECOND * time_budget
    return "holdout" if large else AUTO_FOLDS


class Runner:
    """Evaluate what a strategy asks for inside a budget, and remember every trial.

    The runner owns the mutable state of a search: the :attr:`history` of trials
    and predictions, the refit reserve, pruning. A strategy asks (:meth:`rank`,
    :meth:`evaluate`, :meth:`prune`) and reads (:attr:`history`, :attr:`time`,
    :meth:`time_left`); it never writes.

    Parameters
    ----------
    X, y : validated training data (``X`` a DataFrame, array or sparse matrix).
    portfolio : Portfolio
    schema : InputSchema
    scorer : callable ``scorer(estimator, X, y)``
    cv : int, "holdout", cross-validation generator or iterable
        See :class:`~metaselect.search.RungRows`.
    classifier : bool
    budget : Budget
    ranker : Ranker, default=None
        Orders candidates and predicts their scores and times (:meth:`rank`);
        ``None``: :class:`StaticPriorRanker`.
    context : RankingContext, default=None
        What the ranker knows of the dataset; ``None``: its task and shape only.
        ``context.extra["time_reference_rows"]`` sets the rows the ranker's time
        predictions refer to.
    n_jobs : int or None
    random_state : int
        Base seed: candidate ``i`` is built with ``random_state + i``.
    max_evals : int or None
        Stop after this many candidate evaluations (deterministic runs).
    memory_limit : float, "auto" or None
        MiB one candidate's evaluation or refit may allocate (past it: a failed
        trial, not a dead fit). ``"auto"``: three quarters of the memory the
        machine has available at the start, shared between parallel workers.
        ``None``: no cap.
    collect_oof : bool, default=False
        Keep out-of-fold predictions of candidates run on all rows (for ensembles).
    callbacks : sequence of callables, default=()
        Called as ``callback(runner, trials)`` after each batch of evaluations
        (progress bars).
    sample_weight : array of shape (n_samples,) or None
        Row weights for every candidate's fit (its final step's ``sample_weight``),
        its validation scores and the refit. A candidate whose model takes no
        weights is not evaluated (a ``"skipped"`` trial that says so) nor refit.
    split_params : dict of per-row arrays or None
        Metadata for the splitter's ``split`` (``groups``): see :class:`RungRows`.
    score_params : dict of per-row arrays or None
        Metadata for the scorer (``sample_weight``), indexed along with each validation fold.
    """

    def __init__(self, X, y, *, portfolio: Portfolio, schema: InputSchema, scorer, cv, classifier: bool,
                 budget: Budget, ranker: Ranker | None = None, context: RankingContext | None = None,
                 n_jobs=None, random_state: int = 0, max_evals=None, memory_limit="auto",
                 collect_oof: bool = False, callbacks=(), sample_weight=None, split_params=None,
                 score_params=None):
        self.X, self.y = X, y
        self.sample_weight = sample_weight
        self.score_params = dict(score_params or {})
        self.portfolio, self.schema, self.scorer = portfolio, schema, scorer
        self.classifier = classifier
        self.budget, self.n_jobs = budget, n_jobs
        self.random_state, self.max_evals = int(random_state), max_evals
        self.ranker = ranker if ranker is not None else StaticPriorRanker()
        self.context = context if context is not None else RankingContext(
            portfolio.task, y.shape[0], X.shape[1])
        self.collect_oof, self.callbacks = collect_oof, tuple(callbacks)
        self.n_samples = y.shape[0]
        self.rows = RungRows(y, cv, classifier, self.random_state, split_params)
        self.history = TrialHistory()
        self.time = TimeModel(self.history, portfolio, self.rows,
                              self.context.extra.get("time_reference_rows", TIME_REFERENCE_ROWS),
                              n_classes=len(np.unique(y)) if classifier else None, n_features=X.shape[1])
        #: Seconds kept for the final refit: a fifth of the budget until a first result
        #: gives a prediction (the best candidate's extrapolated refit time).
        self.reserve = INITIAL_RESERVE * self.budget.seconds
        self.memory_mb = self._memory_share(memory_limit)
        #: Whether every candidate evaluated from now on gets target encoding (set by
        #: :meth:`use_target_encoding`; see ``Config.target_encoding``).
        self.target_encoding = False
        self._target_encoded = None
        pools = [pool["num_threads"] for pool in threadpool_info() if pool.get("num_threads")]
        self._thread_ceiling = min(pools) if pools else os.cpu_count() or 1

    # -- resources -----------------------------------------------------------
    @property
    def evals_left(self) -> float:
        return math.inf if self.max_evals is None else self.max_evals - len(self.history)

    def can_continue(self) -> bool:
        return self.evals_left > 0 and self.time_left() > 0

    def n_threads(self) -> int:
        """OpenMP/BLAS threads per evaluation: half the cores per worker, at least one.

        Gradient boosting's OpenMP loops degrade badly when threads outnumber free
        cores (measured here: a histogram gradient boosting fit 4x slower with 2
        threads than with 1 on a loaded 2-core machine), so evaluations leave
        head-room rather than claim every core. Never more than the thread pools
        allow when the search starts (``OMP_NUM_THREADS=1`` or an enclosing
        ``threadpool_limits`` is respected: several fits may share the machine).
        """
        return max(1, min(self._thread_ceiling, (os.cpu_count() or 1) // (2 * self.n_workers())))

    def _memory_share(self, memory_limit) -> float | None:
        if memory_limit != "auto":
            return memory_limit
        available = available_memory_mb()
        return None if available is None else 0.75 * available / self.n_workers()

    def n_workers(self) -> int:
        from joblib import effective_n_jobs

        return max(1, effective_n_jobs(self.n_jobs))

    @property
    def validated_share(self) -> float:
        return self.rows.validated_share

    def elapsed(self) -> float:
        """Seconds of the budget spent so far."""
        return self.budget.elapsed()

    def learned_start(self):
        """The ranker's learned start for this fit (``ranker.learned_start(portfolio, context)``:
        the learned portfolio's members, its zero-shot pick, the in-run adaptation), or ``None``
        when the ranker has none."""
        hook = getattr(self.ranker, "learned_start", None)
        return None if hook is None else hook(self.portfolio, self.context)

    def time_left(self, reserve: float | None = None) -> float:
        """Seconds the search may still spend: the budget left less ``reserve`` (default: the
        current reserve for the refit) and the safety margin."""
        return self.budget.remaining((self.reserve if reserve is None else reserve) + SAFETY_MARGIN)

    def time_share(self, n_configs: int, reserve: float | None = None) -> float:
        """Seconds each of ``n_configs`` evaluated together may take: twice the time left per
        wave (a configuration per worker), at least a second, at most the time left
        (:meth:`time_left` with ``reserve``)."""
        remaining = self.time_left(reserve)
        waves = math.ceil(n_configs / self.n_workers())
        return min(remaining, max(1.0, 2.0 * remaining / max(waves, 1)))

    # -- what strategies ask for ----------------------------------------------
    def rank(self, configs: Sequence[Config]) -> Predictions:
        """The ranker's :class:`Predictions` for ``configs`` (one call), remembered in the history."""
        predictions = self.ranker.predictions(list(configs), self.portfolio, self.context)
        self.history.remember(predictions.configs, predictions.score, predictions.seconds)
        return predictions

    def prune(self, trial: Trial, reason: str = "") -> None:
        """Mark ``trial`` pruned: it finished, and the strategy chose not to take it further."""
        self.history.prune(trial, reason)

    @property
    def target_encoded(self) -> tuple:
        """The columns target encoding takes on this data (:func:`target_encoded_columns`;
        found on first use)."""
        if self._target_encoded is None:
            self._target_encoded = target_encoded_columns(self.X, self.schema)
        return self._target_encoded

    def use_target_encoding(self) -> None:
        """Evaluate every candidate from now on with target encoding (``Config.target_encoding``)."""
        self.target_encoding = True

    def twin(self, config: Config, origin: Config) -> None:
        """Evaluate ``config`` (new) as ``origin``'s twin: with its candidate id and seed
        (:meth:`TrialHistory.twin`)."""
        self.history.twin(config, origin)

    def keep_unless_beaten(self, trial: Trial) -> None:
        """Make ``trial`` the history's reference: the refit takes it over the best candidate
        unless that beats it beyond noise (:meth:`TrialHistory.beats`)."""
        self.history.set_reference(trial)

    def evaluate(self, configs: Sequence[Config], n_samples: int, rung: int,
                 share: float | None = None, reserve: float | None = None, race: bool = False) -> list[Trial]:
        """Cross-validate ``configs`` on ``n_samples`` rows; returns their trials in order.

        Each gets ``share`` seconds (default: :meth:`time_share`), never more than the time
        left once ``reserve`` seconds (default: the current reserve for the refit) are kept
        aside. A rung run in several calls passes the reserve of its start, as one call would
        keep it: the reserve follows the best candidate so far, and the first of a rung
        (often the slowest to refit) must not shorten the rest of the rung.

        ``race``: on all rows, with several folds of at least ``RACE_MIN_FOLD_ROWS`` rows each,
        a candidate that clearly trails the best complete candidate so far on the folds it has
        done is stopped there and pruned (:func:`~metaselect.search.evaluate_candidate`). Not
        while out-of-fold predictions are collected for an ensemble, which needs every fold of
        its members.
        """
        configs = [c.with_target_encoding() if self.target_encoding else c for c in configs]
        configs = configs[: int(min(len(configs), self.evals_left))]
        remaining = self.time_left(reserve)
        if not configs or remaining <= 0:
            return []
        _, splits = self.rows(n_samples)
        share = self.time_share(len(configs), reserve) if share is None else min(share, remaining)
        deadline = time.time() + remaining
        jobs, started, trials = [], [], []
        oof_classes = False
        if self.collect_oof and n_samples == self.n_samples:
            oof_classes = int(self.y.max()) + 1 if self.classifier else None
        incumbent = None
        if (race and n_samples == self.n_samples and oof_classes is False and len(splits) > 1
                and min(len(test) for _, test in splits) >= RACE_MIN_FOLD_ROWS):
            best = self.history.incumbent(n_samples, len(splits))
            incumbent = None if best is None else list(best.scores)
        for config in configs:
            trial = Trial(self.history.candidate_id(config), config, rung, n_samples)
            trial.predicted_score, trial.predicted_time = self.history.prediction(config)
            try:
                estimator = self.build(config, n_rows=max(len(train) for train, _ in splits))
                fit_params = self.fit_params(estimator)
            except UnweightedCandidate as exc:
                trial.status, trial.error = "skipped", str(exc)
                trials.append(trial)
                continue
            except Exception as exc:
                trial.status, trial.error = "failed", f"{type(exc).__name__}: {exc}"
                trials.append(trial)
                continue
            jobs.append(delayed(evaluate_candidate)(trial, estimator, self.X, self.y, splits,
                                                    self.scorer, share, deadline, oof_classes,
                                                    self.n_threads(), self.memory_mb,
                                                    fit_params=fit_params, score_params=self.score_params,
                                                    race=incumbent))
            started.append(trial)
        trials.extend(self._dispatch(jobs, started))
        trials.sort(key=lambda t: configs.index(t.config))
        for trial in trials:
            logger.debug("candidate %d, rung %d, %d rows: %s %s -> %s, score %.4f, %.2fs%s",
                         trial.candidate_id, rung, n_samples, trial.config.family, dict(trial.config.params),
                         trial.status, trial.mean_score, trial.duration,
                         f" ({trial.error})" if trial.error else "")
        self.history.record(trials)
        self.update_reserve()
        for callback in self.callbacks:
            callback(self, trials)
        return trials

    def _dispatch(self, jobs: list, started: list[Trial]) -> list[Trial]:
        """Run ``jobs`` (the evaluations of ``started``) through joblib.

        A candidate that kills its worker process (a segfault, ``os._exit``, the
        kernel's out-of-memory killer) breaks the whole batch in joblib. The batch
        then runs again one job at a time, so the culprit fails alone, with a
        leaderboard row saying its process died, and the others are evaluated.
        With ``n_jobs=1`` candidates run in this process, and such a crash ends it.
        """
        try:
            return list(Parallel(n_jobs=self.n_jobs)(jobs))
        except (TerminatedWorkerError, BrokenProcessPool) as exc:
            logger.warning("a candidate's worker process died (%s); running the batch one at a time",
                           type(exc).__name__)
        trials = []
        for job, trial in zip(jobs, started, strict=True):
            try:
                trials += Parallel(n_jobs=self.n_jobs)([job])
            except (TerminatedWorkerError, BrokenProcessPool) as exc:
                trial.status = "failed"
                trial.error = f"the worker process running it died ({type(exc).__name__}: {exc})"[:500]
                trials.append(trial)
        return trials

    def update_reserve(self) -> None:
        """Keep time for the refit of the best candidate whose predicted refit still fits the
        budget left plus the allowance (the one the refitter would fit: :meth:`Refitter.order
        <metaselect.search.Refitter.order>`); the best one's when none does. Time kept for a refit
        that cannot fit anyway is lost: on nursery a multi-layer perceptron validated on a third
        of the rows held 6.9 s for a 5.5 s refit with 4.0 s left, the search stopped, and the
        decision tree that won was refit in 0.1 s at 16 of 20 s. :meth:`evaluate` calls it after
        every wave; call it after recording trials into the history yourself."""
        best = self.history.preferred()
        if best:
            kept_for = next((t for t in best if self.refit_fits(t)), best[0])
            self.reserve = min(1.25 * self.time.refit_seconds(kept_for), 0.5 * self.budget.seconds)

    def validated_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """``(rows, y[rows])``: the rows validated on the all-rows rung (every row with K-fold, the
        held-out fifth with a holdout), where out-of-fold predictions exist."""
        rows = np.sort(np.concatenate([test for _, test in self.rows(self.n_samples)[1]]))
        return rows, self.y[rows]

    # -- fitting on all rows ----------------------------------------------------
    def build(self, config: Config, n_rows: int | None = None):
        """``config``'s unfitted pipeline, to be fitted on ``n_rows`` rows if given; with
        :attr:`target_encoded` columns target-encoded if ``config.target_encoding``."""
        family = self.portfolio[config.family]
        return make_candidate_pipeline(family, config.params, self.schema,
                                       random_state=self.random_state + self.history.candidate_id(config),
                                       n_rows=n_rows,
                                       target_encoded=self.target_encoded if config.target_encoding else ())

    @property
    def allowance(self) -> float:
        """Half of the allowed overrun (10% of the budget): the refit's last resort."""
        return 0.05 * self.budget.seconds

    def refit_fits(self, trial: Trial, n_samples: int | None = None) -> bool:
        """Whether ``trial``'s predicted refit on ``n_samples`` rows (default: all) fits the budget
        left plus the allowance."""
        return self.time.refit_seconds(trial, n_samples) <= self.budget.remaining() + self.allowance

    def refit(self, config: Config, *, seconds: float | None = None, n_samples: int | None = None,
              iterations: int | None = None):
        """``config``'s pipeline fitted on all rows without cross-validation: the one place a
        configuration is fitted after the search.

        Stopped after ``seconds`` (default: the budget left plus the allowance, at least
        half a second). With ``n_samples``, fitted on the rows of the rung of that size
        instead (the rows a candidate validated there was cross-validated on). With
        ``iterations``, a model that stops early by itself fits that many iterations, at
        most its ``max_iter``, without stopping early (what its validation chose:
        :meth:`Refitter.iterations`).
        """
        if seconds is None:
            seconds = max(self.budget.remaining() + self.allowance, 0.5)
        X, y, rows = self.X, self.y, None
        if n_samples is not None and n_samples < self.n_samples:
            rows = self.rows(n_samples)[0]
            X, y = _safe_indexing(self.X, rows), self.y[rows]
        estimator = self.build(config, n_rows=len(y))
        if iterations is not None:
            cap = estimator.get_params()["model__max_iter"]
            estimator.set_params(model__max_iter=min(int(iterations), cap), model__early_stopping=False)
        fit_params = self.fit_params(estimator)
        if rows is not None:
            fit_params = _check_method_params(self.X, fit_params, rows)
        with candidate_limits(seconds, self.memory_mb, self.n_threads()):
            return estimator.fit(X, y, **fit_params)

    def training_score(self, estimator, max_rows: int = TRAINING_CHECK_ROWS) -> float:
        """The scorer on (a seeded sample of at most ``max_rows`` of) the rows a refit ``estimator``
        was fitted on; NaN when the scorer cannot score them (one class in the sample, say)."""
        rows = np.arange(self.n_samples)
        if self.n_samples > max_rows:
            rows = np.sort(np.random.default_rng(self.random_state).choice(self.n_samples, max_rows, replace=False))
        try:
            with candidate_limits(None, None, self.n_threads()):
                return _score(self.scorer, estimator, _safe_indexing(self.X, rows), self.y[rows],
                              _check_method_params(self.X, self.score_params, rows))
        except Exception:  # a check that cannot be made says nothing
            return float("nan")

    def fit_params(self, pipeline) -> dict:
        """Per-row fit parameters for a candidate ``pipeline`` (all rows; folds index them).

        Raises
        ------
        UnweightedCandidate
            With ``sample_weight`` set, when the pipeline's model takes no weights.
        """
        return weighted_fit_params(pipeline, self.sample_weight)
