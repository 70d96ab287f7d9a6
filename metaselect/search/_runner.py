"""The runner: evaluation, budget accounting and result collection, in one place.

A search strategy decides *what* to evaluate (see ``_halving.py``); the runner
decides *how*: it builds each candidate's pipeline, subsamples rows for a rung,
dispatches evaluations through joblib (so any joblib backend works), gives each
candidate a time share, keeps every :class:`Trial`, and refits the winner.
"""

from __future__ import annotations

import itertools
import logging
import math
import os
import time
import warnings
from collections.abc import Sequence

import numpy as np
from joblib import Parallel, delayed
from sklearn.model_selection import KFold, StratifiedKFold, check_cv
from sklearn.utils import resample
from sklearn.utils.validation import _check_method_params, has_fit_parameter
from threadpoolctl import threadpool_info

from ..portfolio import Config, Portfolio
from ..preprocessing import InputSchema, make_candidate_pipeline
from ._budget import Budget, CandidateTimeout
from ._memory import available_memory_mb
from ._trial import Trial, candidate_limits, evaluate_candidate

__all__ = ["Runner", "SearchFailedError", "UnweightedCandidate", "accepts_sample_weight", "resolve_cv"]

logger = logging.getLogger(__name__)

#: Seconds kept aside at the end of the budget for bookkeeping after the refit.
SAFETY_MARGIN = 0.25
#: Share of the budget reserved for the refit before any candidate has finished.
INITIAL_RESERVE = 0.2
#: A candidate competes for the refit if it ran on at least this share of the most rows.
COMPARABLE_FRACTION = 1 / 3
#: Evaluations' worth of weight the median time correction has against a family's own.
TIME_SHRINKAGE = 0.5
#: ``cv="holdout"`` validates on one fold of a shuffled K-fold of this many folds (a fifth).
HOLDOUT_FOLDS = 5
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


class SearchFailedError(RuntimeError):
    """Every candidate failed; the message lists why."""


class Runner:
    """Evaluate candidates inside a budget and remember every trial.

    Parameters
    ----------
    X, y : validated training data (``X`` a DataFrame, array or sparse matrix).
    portfolio : Portfolio
    schema : InputSchema
    scorer : callable ``scorer(estimator, X, y)``
    cv : int, "holdout", cross-validation generator or iterable
        ``"holdout"``: one split per rung, a shuffled (stratified for classifiers)
        fifth of the rung's rows held out (one fold of a ``HOLDOUT_FOLDS``-fold).
    classifier : bool
    budget : Budget
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
    sample_weight : array of shape (n_samples,) or None
        Row weights for every candidate's fit (its final step's ``sample_weight``),
        its validation scores and the refit. A candidate whose model takes no
        weights is not evaluated (a ``"skipped"`` trial that says so) nor refit.
    split_params, score_params : dict of per-row arrays or None
        Metadata for the splitter's ``split`` (``groups``) and the scorer, each
        array indexed along with the rows of a rung, a fold or a test fold.
    """

    def __init__(self, X, y, *, portfolio: Portfolio, schema: InputSchema, scorer, cv, classifier: bool,
                 budget: Budget, n_jobs=None, random_state: int = 0, max_evals=None,
                 memory_limit="auto", sample_weight=None, split_params=None, score_params=None):
        self.X, self.y = X, y
        self.sample_weight = sample_weight
        self.split_params, self.score_params = dict(split_params or {}), dict(score_params or {})
        self.portfolio, self.schema, self.scorer = portfolio, schema, scorer
        self.cv, self.classifier = cv, classifier
        self.budget, self.n_jobs = budget, n_jobs
        self.random_state, self.max_evals = int(random_state), max_evals
        self.n_samples = y.shape[0]
        self.trials: list[Trial] = []
        #: Seconds kept for the final refit: a fifth of the budget until a first result
        #: gives a prediction (the best candidate's extrapolated refit time).
        self.reserve = INITIAL_RESERVE * self.budget.seconds
        self._ids: dict[Config, int] = {}
        #: Ranker predictions per configuration: (normalised score, seconds per fold).
        self.predictions: dict[Config, tuple[float, float]] = {}
        self.time_reference_rows = 1000.0
        #: Keep out-of-fold predictions of candidates run on all rows (for ensembles).
        self.collect_oof = False
        self._row_cache: dict[int, tuple] = {}
        #: (number of trials, per-family time corrections, correction for other families).
        self._time_corrections: tuple[int, dict, float] | None = None
        self.memory_mb = self._memory_share(memory_limit)
        pools = [pool["num_threads"] for pool in threadpool_info() if pool.get("num_threads")]
        self._thread_ceiling = min(pools) if pools else os.cpu_count() or 1
        #: Called as ``callback(runner, trials)`` after each batch of evaluations (progress bars).
        self.callbacks: list = []

    # -- bookkeeping ---------------------------------------------------------
    def candidate_id(self, config: Config) -> int:
        """A stable id per distinct configuration (its seed offset)."""
        return self._ids.setdefault(config, len(self._ids))

    def seen(self, config: Config) -> bool:
        return config in self._ids

    @property
    def evals_left(self) -> float:
        return math.inf if self.max_evals is None else self.max_evals - len(self.trials)

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

    # -- data for a rung -----------------------------------------------------
    def rows(self, n_samples: int):
        """Row indices (a fixed subsample per size, stratified for classifiers) and CV splits."""
        if n_samples not in self._row_cache:
            idx = np.arange(self.n_samples)
            if n_samples < self.n_samples:
                idx = np.sort(resample(idx, n_samples=n_samples, replace=False,
                                       stratify=self.y if self.classifier else None,
                                       random_state=self.random_state + n_samples))
            y_sub = self.y[idx]
            cv = HOLDOUT_FOLDS if self.holdout else self.cv
            if isinstance(cv, int | np.integer):  # no more folds than the rows (or largest class) allow
                limit = np.bincount(y_sub).max() if self.classifier else len(idx) // 2
                cv = max(2, min(int(cv), len(idx), int(limit)))
            if self.holdout:  # the first fold of a shuffled K-fold
                kind = StratifiedKFold if self.classifier else KFold
                cv = kind(cv, shuffle=True, random_state=self.random_state + n_samples)
            split_params = _check_method_params(self.y, self.split_params, idx)  # groups follow the rows
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                splitter = check_cv(cv, y_sub, classifier=self.classifier)
                folds = splitter.split(np.zeros(len(idx)), y_sub, **split_params)
                folds = itertools.islice(folds, 1 if self.holdout else None)
                splits = [(idx[tr], idx[te]) for tr, te in folds]
            self._row_cache[n_samples] = (idx, splits)
        return self._row_cache[n_samples]

    @property
    def holdout(self) -> bool:
        """Whether candidates are validated on one held-out fold instead of cross-validated."""
        return isinstance(self.cv, str) and self.cv == "holdout"

    @property
    def validated_share(self) -> float:
        """Share of a rung's rows a candidate is scored on: all of them with K-fold
        cross-validation (each row once), a ``1 / HOLDOUT_FOLDS`` with the holdout."""
        return 1 / HOLDOUT_FOLDS if self.holdout else 1.0

    def train_rows(self, n_samples: int) -> int:
        """Rows a model is trained on in one fold of a rung of ``n_samples`` rows."""
        return len(self.rows(n_samples)[1][0][0])

    # -- evaluation ----------------------------------------------------------
    def build(self, config: Config):
        family = self.portfolio[config.family]
        return make_candidate_pipeline(family, config.params, self.schema,
                                       random_state=self.random_state + self.candidate_id(config))

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

    def evaluate(self, configs: Sequence[Config], n_samples: int, rung: int,
                 share: float | None = None, reserve: float | None = None) -> list[Trial]:
        """Cross-validate ``configs`` on ``n_samples`` rows; returns their trials in order.

        Each gets ``share`` seconds (default: :meth:`time_share`), never more than the time
        left once ``reserve`` seconds (default: the current reserve for the refit) are kept
        aside. A rung run in several calls passes the reserve of its start, as one call would
        keep it: the reserve follows the best candidate so far, and the first of a rung
        (often the slowest to refit) must not shorten the rest of the rung.
        """
        configs = list(configs)[: int(min(len(configs), self.evals_left))]
        remaining = self.time_left(reserve)
        if not configs or remaining <= 0:
            return []
        _, splits = self.rows(n_samples)
        share = self.time_share(len(configs), reserve) if share is None else min(share, remaining)
        deadline = time.time() + remaining
        jobs, trials = [], []
        oof_classes = False
        if self.collect_oof and n_samples == self.n_samples:
            oof_classes = int(self.y.max()) + 1 if self.classifier else None
        for config in configs:
            trial = Trial(self.candidate_id(config), config, rung, n_samples)
            trial.predicted_score, trial.predicted_time = self.predictions.get(config, (np.nan, np.nan))
            try:
                estimator = self.build(config)
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
                                                    fit_params=fit_params, score_params=self.score_params))
        trials.extend(Parallel(n_jobs=self.n_jobs)(jobs))
        trials.sort(key=lambda t: configs.index(t.config))
        for trial in trials:
            logger.debug("candidate %d, rung %d, %d rows: %s %s -> %s, score %.4f, %.2fs%s",
                         trial.candidate_id, rung, n_samples, trial.config.family, dict(trial.config.params),
                         trial.status, trial.mean_score, trial.duration,
                         f" ({trial.error})" if trial.error else "")
        self.trials.extend(trials)
        self._update_reserve()
        for callback in self.callbacks:
            callback(self, trials)
        return trials

    # -- time prediction -----------------------------------------------------
    def predicted_cv_time(self, trial: Trial, n_samples: int) -> float:
        """Seconds to cross-validate ``trial``'s config on ``n_samples`` rows, from its measured time."""
        exponent = self.portfolio[trial.config.family].time_exponent
        per_fold = (trial.fit_time + trial.score_time) * (n_samples / trial.n_samples) ** exponent
        return per_fold * len(self.rows(n_samples)[1])

    def predicted_cv_time_from_ranker(self, config: Config, n_samples: int) -> float:
        """Seconds to cross-validate ``config`` on ``n_samples`` rows, from the ranker's prediction
        (per fold at ``time_reference_rows`` training rows) corrected by :meth:`time_correction`;
        NaN when it made none."""
        per_fold = self.predictions.get(config, (np.nan, np.nan))[1]
        if not np.isfinite(per_fold):
            return float("nan")
        return per_fold * self._scale_to(config, n_samples) * self.time_correction(config.family)

    def _scale_to(self, config: Config, n_samples: int) -> float:
        """Folds x row scaling from one fold at ``time_reference_rows`` to a rung of ``n_samples``."""
        exponent = self.portfolio[config.family].time_exponent
        return len(self.rows(n_samples)[1]) * (self.train_rows(n_samples) / self.time_reference_rows) ** exponent

    def time_correction(self, family: str) -> float:
        """How far the ranker's time predictions are off on this dataset and machine, for ``family``.

        The ranker predicts times measured when its knowledge base was built, on
        other hardware under other load, and scales them to other sizes with a
        power law that fits some families poorly (gradient boosting's early
        stopping on large data). Every evaluation that ran here with a prediction
        gives a log ratio of measured to predicted seconds (a time-out gives a
        lower bound: its duration). A family's own ratio is the mean over its
        evaluations on the most rows it reached, the size closest to those still
        to plan; it is shrunk towards the median over every evaluation as if
        ``TIME_SHRINKAGE`` more evaluations had measured the median. 1.0 before
        anything was measured.
        """
        if self._time_corrections is None or self._time_corrections[0] != len(self.trials):
            self._time_corrections = (len(self.trials), *self._fit_time_corrections())
        _, per_family, overall = self._time_corrections
        return per_family.get(family, overall)

    def _fit_time_corrections(self) -> tuple[dict[str, float], float]:
        """Per-family corrections and the one for families not measured yet (see :meth:`time_correction`)."""
        ratios: dict[str, dict[int, list[float]]] = {}
        for trial in self.trials:
            measured = self._measured_cv_seconds(trial)
            if measured > 0 and np.isfinite(trial.predicted_time) and trial.predicted_time > 0:
                predicted = trial.predicted_time * self._scale_to(trial.config, trial.n_samples)
                by_size = ratios.setdefault(trial.config.family, {})
                by_size.setdefault(trial.n_samples, []).append(math.log(measured / predicted))
        if not ratios:
            return {}, 1.0
        overall = float(np.median([r for by_size in ratios.values() for rs in by_size.values() for r in rs]))
        per_family = {}
        for family, by_size in ratios.items():
            own = by_size[max(by_size)]
            per_family[family] = math.exp((sum(own) + TIME_SHRINKAGE * overall) / (len(own) + TIME_SHRINKAGE))
        return per_family, math.exp(overall)

    @staticmethod
    def _measured_cv_seconds(trial: Trial) -> float:
        """Seconds the trial's cross-validation took (at least), or 0 when it says nothing of speed."""
        return trial.duration if trial.status in ("ok", "pruned", "timeout") else 0.0

    def predicted_refit_time(self, trial: Trial) -> float:
        exponent = self.portfolio[trial.config.family].time_exponent
        return trial.fit_time * (self.n_samples / max(self.train_rows(trial.n_samples), 1)) ** exponent

    def _update_reserve(self) -> None:
        best = self.best_trials(1)
        if best:
            self.reserve = min(1.25 * self.predicted_refit_time(best[0]), 0.5 * self.budget.seconds)

    # -- results -------------------------------------------------------------
    def best_trials(self, k: int | None = None) -> list[Trial]:
        """Successful trials, best first: each configuration's trial on the most rows it reached,
        among those run on at least ``COMPARABLE_FRACTION`` of the most rows any candidate reached.

        A candidate that was not promoted to the last rung (out of time, say) still
        competes with one score from a third of the rows: a learning curve rarely
        falls with more rows, so that comparison favours the candidates on more
        rows, but a much better one is not lost to a poor one that happened to
        run on all rows. One that was promoted and then timed out or failed does
        not compete, unless nothing else is left: it showed it cannot be fitted on
        more rows in time.
        """
        ok = [t for t in self.trials if t.status in ("ok", "pruned") and np.isfinite(t.mean_score)]
        if not ok:
            return []
        top = max(t.n_samples for t in ok)
        latest: dict[Config, Trial] = {}
        for trial in ok:
            if trial.n_samples >= COMPARABLE_FRACTION * top - 1:
                if trial.config not in latest or trial.n_samples >= latest[trial.config].n_samples:
                    latest[trial.config] = trial
        ranked = sorted(latest.values(), key=lambda t: (-t.mean_score, -t.n_samples))
        # Configurations that timed out or failed on more rows come only when nothing else is left.
        stopped = {t.config: t.n_samples for t in self.trials if t.status in ("timeout", "failed")}
        ranked = [t for t in ranked if stopped.get(t.config, 0) <= t.n_samples] or ranked
        return ranked if k is None else ranked[:k]

    def failure_summary(self) -> str:
        lines = [f"  - {t.config.family} {t.config.params}: {t.status}: {t.error}" for t in self.trials]
        return "\n".join(lines[:30]) or "  (no candidate could be evaluated within the budget)"

    def refit_best(self):
        """Refit the best candidate on all rows; fall back to the next one if it fails.

        Returns ``(trial, fitted_pipeline)``.
        """
        errors = []
        for trial in self._refit_order(self.best_trials()):
            try:
                return trial, self.refit(trial.config)
            except CandidateTimeout as exc:
                errors.append(f"{trial.config.family}: refit timeout ({exc})")
            except MemoryError as exc:
                errors.append(f"{trial.config.family}: refit over the memory limit ({exc})")
            except Exception as exc:
                errors.append(f"{trial.config.family}: refit failed ({type(exc).__name__}: {exc})")
            logger.warning("Refit of %s failed (%s); trying the next.", trial.config, errors[-1])
        raise SearchFailedError(
            "No candidate could be fitted. Candidates and why they failed:\n"
            + self.failure_summary() + ("\n" + "\n".join(errors) if errors else "")
        )

    def _refit_order(self, ranked: list[Trial]):
        """``ranked`` best first, each whose refit still fits the time left when its turn
        comes; then, as a last resort, the ones passed over, cheapest first."""
        passed_over = []
        for trial in ranked:
            if self.refit_fits(trial):
                yield trial
            else:
                passed_over.append(trial)
        yield from sorted(passed_over, key=self.predicted_refit_time)

    def refit_fits(self, trial: Trial) -> bool:
        """Whether ``trial``'s predicted refit on all rows fits the budget left plus the allowance."""
        return self.predicted_refit_time(trial) <= self.budget.remaining() + self.allowance

    @property
    def allowance(self) -> float:
        """Half of the allowed overrun (10% of the budget): the refit's last resort."""
        return 0.05 * self.budget.seconds

    def refit(self, config: Config, *, time_limited: bool = True):
        """``config``'s pipeline fitted on all rows without cross-validation.

        Stopped past the budget plus the allowance (``time_limited``), or not at
        all (zero-shot mode, where the budget is 0 by design).
        """
        seconds = max(self.budget.remaining() + self.allowance, 0.5) if time_limited else None
        estimator = self.build(config)
        fit_params = self.fit_params(estimator)
        with candidate_limits(seconds, self.memory_mb, self.n_threads()):
            return estimator.fit(self.X, self.y, **fit_params)

    def fit_params(self, pipeline) -> dict:
        """Per-row fit parameters for a candidate ``pipeline`` (all rows; folds index them).

        Raises
        ------
        UnweightedCandidate
            With ``sample_weight`` set, when the pipeline's model takes no weights.
        """
        if self.sample_weight is None:
            return {}
        name, model = pipeline.steps[-1]
        if not accepts_sample_weight(model):
            raise UnweightedCandidate(
                f"{type(model).__name__} takes no sample_weight; not fitted on weighted data"
            )
        return {f"{name}__sample_weight": self.sample_weight}


class UnweightedCandidate(ValueError):
    """A candidate that cannot take the sample weights the search was given."""


def accepts_sample_weight(model) -> bool:
    """Whether ``model.fit`` takes ``sample_weight`` (a ``TransformedTargetRegressor`` passes it
    on to its regressor)."""
    if has_fit_parameter(model, "sample_weight"):
        return True
    inner = getattr(model, "regressor", None)
    return inner is not None and accepts_sample_weight(inner)
