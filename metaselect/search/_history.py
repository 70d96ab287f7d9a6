"""The trial history: what has been evaluated and what the ranker predicted, for strategies to read."""

from __future__ import annotations

import numpy as np

from ..portfolio import Config
from ._trial import Trial

__all__ = ["TrialHistory"]

#: A candidate competes for the refit if it ran on at least this share of the most rows.
COMPARABLE_FRACTION = 1 / 3


class TrialHistory:
    """Every trial of one search, in the order they ran, and the ranker's predictions.

    Strategies read it (as Optuna's samplers read a study); the
    :class:`~metaselect.search.Runner` that owns it records trials, predictions
    and prunings through the recording methods below (which tests and replays
    may use to fill a history by hand). A stored trial changes only here.
    """

    def __init__(self) -> None:
        self._trials: list[Trial] = []
        self._ids: dict[Config, int] = {}
        self._next_id = 0
        self._predictions: dict[Config, tuple[float, float]] = {}
        self._last: dict[Config, Trial] = {}
        self._reference: Trial | None = None

    # -- reading ---------------------------------------------------------------
    @property
    def trials(self) -> tuple[Trial, ...]:
        return tuple(self._trials)

    def __len__(self) -> int:
        return len(self._trials)

    def seen(self, config: Config) -> bool:
        """Whether ``config`` has been evaluated (or was given an id to be), with or without
        target encoding (``Config.target_encoding``)."""
        return config.with_target_encoding(False) in self._ids

    def last(self, config: Config) -> Trial | None:
        """``config``'s most recent trial."""
        return self._last.get(config)

    def prediction(self, config: Config) -> tuple[float, float]:
        """The ranker's ``(normalised score, seconds per fold)`` for ``config``; NaN when none. The
        ranker sees hyperparameters only: a configuration with target encoding has the prediction
        of the one without."""
        return self._predictions.get(config.with_target_encoding(False), (np.nan, np.nan))

    def best(self, k: int | None = None) -> list[Trial]:
        """Successful trials, best first: each configuration's trial on the most rows it reached,
        among those run on at least ``COMPARABLE_FRACTION`` of the most rows any candidate reached.

        A candidate that was not promoted to the last rung (out of time, say) still
        competes with one score from a third of the rows: a learning curve rarely
        falls with more rows, so that comparison favours the candidates on more
        rows, but a much better one is not lost to a poor one that happened to
        run on all rows. One that was promoted and then timed out or failed does
        not compete, unless nothing else is left: it showed it cannot be fitted on
        more rows in time. One stopped after some of its folds competes with its
        estimate over all of them (:attr:`Trial.rank_score`), below the one it trailed.
        """
        ok = [t for t in self._trials if t.validated and np.isfinite(t.rank_score)]
        if not ok:
            return []
        top = max(t.n_samples for t in ok)
        latest: dict[Config, Trial] = {}
        for trial in ok:
            if trial.n_samples >= COMPARABLE_FRACTION * top - 1:
                if trial.config not in latest or trial.n_samples >= latest[trial.config].n_samples:
                    latest[trial.config] = trial
        ranked = sorted(latest.values(), key=lambda t: (-t.rank_score, -t.n_samples, not t.complete))
        # Configurations that timed out or failed on more rows come only when nothing else is left.
        stopped = {t.config: t.n_samples for t in self._trials if t.status in ("timeout", "failed")}
        ranked = [t for t in ranked if stopped.get(t.config, 0) <= t.n_samples] or ranked
        return ranked if k is None else ranked[:k]

    @property
    def reference(self) -> Trial | None:
        """The trial the winner must beat beyond noise to be chosen over it (see :meth:`beats`),
        when the strategy set one (the boosting default on all rows); ``None`` otherwise."""
        return self._reference

    @staticmethod
    def beats(trial: Trial, other: Trial, standard_errors: float = 1.0) -> bool:
        """Whether ``trial`` scores above ``other`` by more than the noise of their comparison: on
        the same folds (the same rows, every fold scored), its mean fold-by-fold lead must
        exceed ``standard_errors`` times its standard error; otherwise its score only has to be
        higher.

        After a hundred candidates the best cross-validated score is partly luck (the winner's
        curse): on stevedata gss_wages at 300 s a random forest led the boosting default by
        0.0008 validated and scored 0.025 below it on held-out rows (issue 23).
        """
        same_folds = (trial.n_samples == other.n_samples and trial.complete and other.complete
                      and len(trial.scores) == len(other.scores) > 1)
        if not same_folds:
            return trial.rank_score > other.rank_score
        lead = np.asarray(trial.scores, dtype=float) - np.asarray(other.scores, dtype=float)
        rounding = 1e-9 * max(1.0, abs(other.mean_score))  # the same model, fitted twice
        return bool(lead.mean() > max(standard_errors * lead.std(ddof=1) / np.sqrt(lead.size), rounding))

    def preferred(self) -> list[Trial]:
        """:meth:`best`, with the :attr:`reference` moved first when the best does not beat it
        beyond noise (:meth:`beats`): the order the refit follows, and the refit's time reserve."""
        ranked, reference = self.best(), self._reference
        at = next((i for i, trial in enumerate(ranked) if trial is reference), None)
        if at and not self.beats(ranked[0], reference):
            ranked.insert(0, ranked.pop(at))
        return ranked

    def incumbent(self, n_samples: int, n_folds: int) -> Trial | None:
        """The best trial scored on every one of ``n_folds`` folds of a rung of ``n_samples`` rows
        (the same folds for every candidate of that size); ``None`` when there is none."""
        complete = [t for t in self._trials if t.validated and t.n_samples == n_samples
                    and len(t.scores) == n_folds and np.isfinite(t.mean_score)]
        return max(complete, key=lambda t: t.mean_score, default=None)

    def failure_summary(self) -> str:
        lines = [f"  - {t.config.family} {t.config.params}: {t.status}: {t.error}" for t in self._trials]
        return "\n".join(lines[:30]) or "  (no candidate could be evaluated within the budget)"

    def common_failure(self) -> str | None:
        """Why no candidate could succeed, when the trials say so; ``None`` otherwise.

        Two cases, neither of which a budget could change: every trial failed, or no
        trial succeeded and at least two failed, all with the same error (a scorer
        that cannot score this task, say), while the others ran out of time (a time-out
        says nothing of the cause).
        """
        if any(t.validated for t in self._trials):
            return None
        failed = [t for t in self._trials if t.status == "failed"]
        errors = {t.error for t in failed}
        if len(failed) >= 2 and len(errors) == 1:
            return f"all {len(failed)} failed candidates raised the same error: {errors.pop()}"
        if failed and len(failed) == len(self._trials):
            return "every candidate failed"
        return None

    # -- recording (the runner's) ----------------------------------------------
    def candidate_id(self, config: Config) -> int:
        """The id of ``config``'s candidate: the same configuration keeps its id across rungs, and
        shares it with its target-encoded variant (``Config.target_encoding``). The id seeds the
        candidate's model, so the two variants differ only in the encoding (their comparison is
        paired on the model's own randomness too), and the candidates after them are seeded as
        they would be without the comparison."""
        key = config.with_target_encoding(False)
        if key not in self._ids:
            self._ids[key], self._next_id = self._next_id, self._next_id + 1
        return self._ids[key]

    def twin(self, config: Config, origin: Config) -> None:
        """Give ``config``, not seen yet, the candidate id of ``origin`` (and so its seed): a twin
        that differs from it in a choice or two is compared with it on the same randomness (a
        boosting's early-stopping split), and the candidates after it are seeded as they would
        be without it, as a target-encoded variant is."""
        if self.seen(config):
            raise ValueError(f"{config} has a candidate id already; a twin must be new.")
        self._ids[config.with_target_encoding(False)] = self.candidate_id(origin)

    def record(self, trials: list[Trial]) -> None:
        """Add finished ``trials``, in the order they ran."""
        self._trials.extend(trials)
        self._last.update((t.config, t) for t in trials)

    def set_reference(self, trial: Trial) -> None:
        """Make a recorded, validated ``trial`` the :attr:`reference`."""
        if not trial.validated:
            raise ValueError(f"The reference must be a validated trial; this one is {trial.status!r}.")
        self._reference = trial

    def prune(self, trial: Trial, reason: str = "") -> None:
        """Mark a recorded ``trial`` pruned: it finished, and the search chose not to take it further."""
        trial.status = "pruned"
        if reason:
            trial.error = reason

    def remember(self, configs, scores, seconds) -> None:
        """Keep the ranker's predicted scores and seconds of ``configs`` (for trials and the leaderboard)."""
        self._predictions.update(
            {c.with_target_encoding(False): (float(s), float(t))
             for c, s, t in zip(configs, scores, seconds, strict=True)}
        )
