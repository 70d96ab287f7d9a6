"""The time model: what an evaluation or a refit will cost, predicted and corrected by measurement."""

from __future__ import annotations

import math

import numpy as np

from ..portfolio import Config, Portfolio
from ._history import TrialHistory
from ._rows import RungRows
from ._trial import Trial

__all__ = ["TIME_REFERENCE_ROWS", "TimeModel"]

#: Training rows per fold a ranker's time predictions refer to unless it says otherwise
#: (``context.extra["time_reference_rows"]``): the knowledge base's row cap, on which the
#: shipped meta-model's times were measured.
TIME_REFERENCE_ROWS = 1000.0

#: Evaluations' worth of weight the median time correction has against a family's own.
TIME_SHRINKAGE = 0.5


class TimeModel:
    """Seconds an evaluation or a refit will take, read from the history (never written).

    Parameters
    ----------
    history : TrialHistory
    portfolio : Portfolio
        Each family's ``time_exponent`` scales times with rows (a power law).
    rows : RungRows
        Folds and training rows per rung size.
    reference_rows : float, default=TIME_REFERENCE_ROWS
        Training rows the ranker's per-fold time predictions refer to.
    n_classes : int or None, default=None
        Classes of a classification task: the work of families that fit a tree per class
        (:attr:`Family.trees_per_class <metaselect.portfolio.Family>`) grows with it past two.
    n_features : int or None, default=None
        Columns of the data, for work that depends on them (a forest's ``max_features``).
    """

    def __init__(self, history: TrialHistory, portfolio: Portfolio, rows: RungRows,
                 reference_rows: float = TIME_REFERENCE_ROWS, n_classes: int | None = None,
                 n_features: int | None = None) -> None:
        self.history, self.portfolio, self.rows = history, portfolio, rows
        self.reference_rows = float(reference_rows)
        self.n_classes, self.n_features = n_classes, n_features
        #: (number of trials, per-family time corrections, correction for other families).
        self._corrections: tuple[int, dict, float] | None = None

    def _exponent(self, config: Config) -> float:
        return self.portfolio[config.family].time_exponent

    def extrapolated(self, trial: Trial, n_samples: int) -> float:
        """Seconds to cross-validate ``trial``'s config on ``n_samples`` rows, from its measured time."""
        per_fold = (trial.fit_time + trial.score_time) * (n_samples / trial.n_samples) ** self._exponent(trial.config)
        return per_fold * self.rows.n_splits(n_samples)

    def predicted(self, config: Config, n_samples: int, corrected: bool = True) -> float:
        """Seconds to cross-validate ``config`` on ``n_samples`` rows, from the ranker's prediction
        (per fold at ``reference_rows`` training rows) corrected by :meth:`correction` (unless
        ``corrected`` is false: then it depends on the ranker alone, not on the machine); NaN
        when it made none."""
        per_fold = self.history.prediction(config)[1]
        if not np.isfinite(per_fold):
            return float("nan")
        return per_fold * self.scale(config, n_samples) * (self.correction(config.family) if corrected else 1.0)

    def work(self, config: Config) -> float:
        """``config``'s work relative to its family's default (trees, iterations, features a split
        examines, depth: see :meth:`Family.work <metaselect.portfolio.Family.work>`). The ranker's
        time predictions barely follow it (a 17-tree and a 335-tree forest are predicted alike, and
        on arrhythmia's 279 columns a forest examining all of them at every split like one
        examining 17, 0.138 and 0.149 s per fold), so every
        prediction is scaled by it, and corrections measured on one configuration of a family
        carry over to its others. On more than two classes, families that fit a tree per class
        do that many times the work: the ranker's predictions miss it (a default gradient boosting
        0.12 s per fold on digits, 10 classes, against 0.20 s on a binary dataset), and on 400
        rows of digits, one thread, it fits 9 times slower on the 10 classes than on 2."""
        family = self.portfolio[config.family]
        per_class = self.n_classes if family.trees_per_class and (self.n_classes or 0) > 2 else 1
        return family.work(config.params, self.n_features) * per_class

    def scale(self, config: Config, n_samples: int) -> float:
        """Folds x row scaling from one fold at ``reference_rows`` to a rung of ``n_samples``, times
        the configuration's :meth:`work`."""
        return self.rows.n_splits(n_samples) * (self.rows.train_rows(n_samples) / self.reference_rows) ** (
            self._exponent(config)) * self.work(config)

    def refit_seconds(self, trial: Trial, n_samples: int | None = None) -> float:
        """Seconds to fit ``trial``'s config once on ``n_samples`` rows (default: all), from its
        measured fit time."""
        train = max(self.rows.train_rows(trial.n_samples), 1)
        n_samples = self.rows.n_samples if n_samples is None else n_samples
        return trial.fit_time * (n_samples / train) ** self._exponent(trial.config)

    def outrun_by(self, config: Config, n_samples: int) -> Trial | None:
        """A time-out of ``config``'s family on ``n_samples`` rows that did not finish one fold while
        asking for no more work than ``config`` (:meth:`work`), or ``None``. Such a time-out says
        only that the family is slower here than its first fold's allowance, and a configuration
        of at least its work would be a gamble on a larger allowance: on arrhythmia (279 columns,
        13 classes) a second histogram gradient boosting, given 4.7 times the first one's
        allowance from that floor, timed out in its first fold too, after 3.4 of 20 s."""
        work = self.work(config)
        for trial in self.history.trials:
            if (trial.status == "timeout" and trial.config.family == config.family and trial.n_samples == n_samples
                    and not trial.scores and self.work(trial.config) <= work):
                return trial
        return None

    def unvalidated_seconds(self, config: Config) -> float:
        """Seconds to fit ``config`` once on all rows, from the ranker's prediction; NaN when none."""
        per_fold = self.history.prediction(config)[1]
        scaled = (self.rows.n_samples / self.reference_rows) ** self._exponent(config) * self.work(config)
        return per_fold * scaled * self.correction(config.family)

    def correction(self, family: str) -> float:
        """How far the ranker's time predictions are off on this dataset and machine, for ``family``.

        The ranker predicts times measured when its knowledge base was built, on
        other hardware under other load, and scales them to other sizes with a
        power law that fits some families poorly (gradient boosting's early
        stopping on large data). Every evaluation that ran here with a prediction
        gives a log ratio of measured to predicted seconds (a time-out gives a
        lower bound: its duration). A family's own ratio is the mean over its
        evaluations on the most rows it reached, the size closest to those still
        to plan; it is shrunk towards the median over every evaluation as if
        ``TIME_SHRINKAGE`` more evaluations had measured the median, but never
        below what a time-out of the family on those rows showed (a time-out
        stopped after some folds projects its measured seconds per fold to every
        fold). 1.0 before anything was measured.
        """
        if self._corrections is None or self._corrections[0] != len(self.history):
            self._corrections = (len(self.history), *self._fit_corrections())
        _, per_family, overall = self._corrections
        return per_family.get(family, overall)

    def measured_seconds(self, trial: Trial) -> float:
        """Seconds the trial's validation took, or would have taken: one stopped after some folds
        (a time-out, or pruned for trailing) projects its seconds per fold to every fold, one
        stopped in its first fold its duration to every fold (a lower bound); 0 when the trial
        says nothing of speed (a failure)."""
        if trial.validated and trial.complete:
            return trial.duration
        if trial.status not in ("pruned", "timeout"):
            return 0.0
        per_fold = trial.fit_time + trial.score_time
        if not np.isfinite(per_fold):  # stopped in its first fold: every fold takes longer than that
            per_fold = trial.duration
        return max(trial.duration, per_fold * self.rows.n_splits(trial.n_samples))

    def _fit_corrections(self) -> tuple[dict[str, float], float]:
        """Per-family corrections and the one for families not measured yet (see :meth:`correction`)."""
        ratios: dict[str, dict[int, list[float]]] = {}
        timed_out: dict[str, dict[int, float]] = {}  # the largest time-out ratio per family and size
        for trial in self.history.trials:
            measured = self.measured_seconds(trial)
            if measured > 0 and np.isfinite(trial.predicted_time) and trial.predicted_time > 0:
                predicted = trial.predicted_time * self.scale(trial.config, trial.n_samples)
                by_size = ratios.setdefault(trial.config.family, {})
                ratio = math.log(measured / predicted)
                by_size.setdefault(trial.n_samples, []).append(ratio)
                if trial.status == "timeout":
                    bounds = timed_out.setdefault(trial.config.family, {})
                    bounds[trial.n_samples] = max(bounds.get(trial.n_samples, -math.inf), ratio)
        if not ratios:
            return {}, 1.0
        overall = float(np.median([r for by_size in ratios.values() for rs in by_size.values() for r in rs]))
        per_family = {}
        for family, by_size in ratios.items():
            own = by_size[max(by_size)]
            shrunk = (sum(own) + TIME_SHRINKAGE * overall) / (len(own) + TIME_SHRINKAGE)
            # a time-out is a lower bound: shrinking towards faster families must not undercut it
            bound = timed_out.get(family, {}).get(max(by_size), -math.inf)
            per_family[family] = math.exp(max(shrunk, bound))
        return per_family, math.exp(overall)
