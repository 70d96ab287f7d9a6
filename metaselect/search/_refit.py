"""The refitter: which candidate is fitted on all rows after the search, and what happens when it cannot be.

One place for the whole policy: the best validated candidate first, the next
best when its refit fails, unvalidated picks (zero-shot), and a cheap default as
the last resort. Every fit on all rows goes through :meth:`Runner.refit`.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from ..portfolio import Config
from ._trial import Trial

__all__ = ["CHEAP_FAMILIES", "Refitter", "SearchFailedError", "Winner"]

logger = logging.getLogger(__name__)

#: Fitted without validation, in this order, when the budget ends before any candidate finished.
CHEAP_FAMILIES = ("gaussian_nb", "ridge", "lda", "logistic_regression", "decision_tree", "elastic_net")
#: Seconds each cheap default gets after the zero-shot picks spent their time (naive Bayes on
#: 50,000 x 20 rows needed more than half a second on a loaded machine).
LAST_RESORT_FLOOR = 2.0


#: A refit counts as broken only when its training score falls at least this far below its
#: validated score (besides the relative rules of :meth:`Refitter.broken`). On a low-signal target
#: (stevedata wvs_justifbribe, R^2 about 0.12 on 250k rows) sound refits scored 0.100 on a
#: 2,000-row sample of their training rows against 0.120 validated: five of them were taken for
#: broken, 8.5 s past the 60 s budget; the collapse the check is for was 0.88 -> 0.27.
BROKEN_MIN_DROP = 0.05


class SearchFailedError(RuntimeError):
    """No candidate could be fitted, or every candidate failed for one cause; the message says why."""


@dataclass
class Winner:
    """The fitted result of a search.

    ``trial`` is the validated trial it was chosen by, ``None`` when it was fitted
    without validation (``score`` is then NaN). An ensemble's ``members`` are
    ``(trial, weight)`` pairs; its ``config`` and ``trial`` are then the best single
    candidate's, its ``score`` the ensemble's out-of-fold score.
    """

    config: Config
    estimator: object
    score: float
    trial: Trial | None = None
    members: tuple = ()

    def description(self) -> dict:
        """``{"algorithm": family, "params": {...}}``, with ``"target_encoding": True`` for a
        configuration that has it; an ensemble's algorithm is ``"ensemble"`` and its params list
        the members (algorithm, params, weight, and target_encoding where set)."""
        if self.members:
            return {"algorithm": "ensemble", "params": {"members": [
                {**_described(t.config), "weight": w} for t, w in self.members]}}
        return _described(self.config)


def _described(config) -> dict:
    """``config.to_dict()`` with its family named ``"algorithm"``."""
    data = config.to_dict()
    return {"algorithm": data.pop("family"), **data}


class Refitter:
    """Fit the search's winner on all rows.

    Parameters
    ----------
    runner : Runner
        Its history gives the candidates; :meth:`Runner.refit` fits them.
    """

    def __init__(self, runner) -> None:
        self.runner = runner

    def winner(self, unvalidated: Sequence[Config] = (), unvalidated_seconds: float | None = None) -> Winner:
        """The best validated candidate refit on all rows; else the first of ``unvalidated`` that
        fits in ``unvalidated_seconds`` in all (``None``: the budget); else a cheap default.

        Raises :class:`SearchFailedError` when every candidate failed for one cause (the scorer
        cannot score, say), whatever else timed out: a model fitted without validation would
        hide it.
        """
        history = self.runner.history
        cause = history.common_failure()
        if cause is not None:
            raise SearchFailedError(
                f"No candidate could be validated ({len(history)} evaluated in "
                f"{self.runner.budget.seconds:g}s): {cause}. Check the scoring and the data. Why:\n"
                + history.failure_summary()
            )
        if history.best():
            found = self._best_validated()
            if found is not None:
                return found
            return self.last_resort("No validated candidate could be refit")
        if unvalidated:
            started = time.time()
            found = self.unvalidated(unvalidated, unvalidated_seconds, "Zero-shot")
            if found is not None:
                return found
            left = None if unvalidated_seconds is None else unvalidated_seconds - (time.time() - started)
            return self.last_resort(f"None of the top {len(unvalidated)} zero-shot picks could be fitted", left)
        return self.last_resort("No candidate finished its cross-validation")

    # -- validated ---------------------------------------------------------------
    def _best_validated(self) -> Winner | None:
        """Refit the best candidate; the next best whose refit fits when it fails or comes out
        broken (:meth:`broken`); warn on a fall back, naming both and why."""
        ranked, errors = self.ranked(), []
        best = ranked[0]
        for trial, n_samples in self.plan(ranked):
            try:
                estimator = self.runner.refit(trial.config, n_samples=n_samples,
                                              iterations=self.iterations(trial, n_samples))
            except Exception as exc:  # CandidateTimeout and MemoryError included
                errors.append(f"{trial.config.family}: refit failed ({type(exc).__name__}: {exc})")
                logger.warning("Refit of %s failed (%s); trying the next.", trial.config, errors[-1])
                continue
            why = self.broken(trial, estimator) if n_samples == self.runner.n_samples else ""
            if why:
                errors.append(f"{trial.config.family}: {why}")
                logger.warning("Refit of %s is broken (%s); trying the next.", trial.config, why)
                continue
            if n_samples < self.runner.n_samples:
                warnings.warn(
                    f"{trial.config.family} (score {trial.rank_score:.4f}) was fitted on the {n_samples} rows "
                    f"it was validated on: its fit on all {self.runner.n_samples} rows was predicted to take "
                    f"{self.runner.time.refit_seconds(trial):.1f}s, past the budget. Give a larger time_budget "
                    "to fit it on every row.", UserWarning, stacklevel=3)
            elif trial is not best:
                warnings.warn(
                    f"The best validated candidate, {best.config.family} (score {best.rank_score:.4f}), "
                    f"could not be used ({errors[0] if errors else 'its refit does not fit the time left'}); "
                    f"fitted {trial.config.family} (score {trial.rank_score:.4f}) instead.",
                    UserWarning, stacklevel=3)
            return Winner(trial.config, estimator, trial.rank_score, trial)
        logger.warning("No candidate could be refit:\n%s", "\n".join(errors))
        return None

    def broken(self, trial: Trial, estimator) -> str:
        """Why ``trial``'s refit on all rows is broken, or ``""``.

        A model scores at least about its validated score on its own training rows; one that
        scores far less diverged or broke on rows its validation did not have (a default
        histogram gradient boosting validated at 0.883 on a third of hypothyroid, refit on all
        of it with a class of 2 rows, scored 0.27 on its own training rows and 0.35 on held-out
        ones). Broken: its score on (a sample of) the rows it was fitted on is both below its
        validated score by more than three standard deviations of its fold scores (with one
        fold, by more than the best validated score stands above the median), and by at least
        5% of it and ``BROKEN_MIN_DROP``, and below the median validated score by more than the
        best stands above it.
        Needs three validated candidates whose scores differ (ties give no scale: a tree
        validated at 1.0 among perfect candidates scores 0.9965 on its training rows when two
        identical rows carry different labels)."""
        scores = [t.rank_score for t in self.runner.history.best()]
        if len(scores) < 3 or max(scores) == min(scores):
            return ""
        median = float(np.median(scores))
        lead = max(scores) - median
        noise = max(3 * trial.std_score if len(trial.scores) > 1 else lead, 0.05 * abs(trial.rank_score),
                    BROKEN_MIN_DROP)
        floor = min(median - lead, trial.rank_score - noise)
        score = self.runner.training_score(estimator)
        if not score < floor:  # NaN: the check could not be made
            return ""
        return (f"refit on all rows it scored {score:.4f} on its own training rows, against {trial.rank_score:.4f} "
                f"validated; its fit diverged or broke")

    def plan(self, ranked: Sequence[Trial] | None = None) -> Iterator[tuple[Trial, int]]:
        """``(trial, rows to fit it on)`` to try in turn: :meth:`order`'s trials (of ``ranked``) on all rows,
        but before the first one whose refit does not fit the time left, the best trial
        validated on fewer rows whose fit on those rows does (a model of exactly what was
        validated, where the last resort would be an unvalidated one: on 1.06 million rows
        of openintro's military at 60 s, the three best refits on all rows ran out of time,
        for 22 s past the budget, and an unvalidated naive Bayes scored 0.275 where the
        boosting default scores 0.310)."""
        n = self.runner.n_samples
        fell_back = False
        for trial in self.order(ranked):
            if not fell_back and not self.fits(trial):
                fell_back = True
                smaller = next((t for t in self.runner.history.best()
                                if t.n_samples < n and self.runner.refit_fits(t, t.n_samples)), None)
                if smaller is not None:
                    yield smaller, smaller.n_samples
            yield trial, n

    def order(self, ranked: Sequence[Trial] | None = None) -> Iterator[Trial]:
        """The best trials (``ranked``, default :meth:`ranked`), best first, each whose refit still
        fits the time left when its turn comes; then, as a last resort, the ones passed over,
        cheapest first."""
        passed_over = []
        for trial in self.ranked() if ranked is None else ranked:
            if self.fits(trial):
                yield trial
            else:
                passed_over.append(trial)
        yield from sorted(passed_over, key=self.runner.time.refit_seconds)

    def ranked(self) -> list[Trial]:
        """The trials in the order to refit them: :meth:`TrialHistory.preferred` (the best first,
        unless it does not beat the reference, the boosting default on all rows, beyond noise)."""
        ranked = self.runner.history.preferred()
        moved = len(ranked) > 1 and ranked[1].rank_score > ranked[0].rank_score  # best() sorts by score
        if moved:
            logger.info("keeping %s (score %.4f): the best, %s (score %.4f), does not beat it beyond noise",
                        ranked[0].config, ranked[0].rank_score, ranked[1].config, ranked[1].rank_score)
        return ranked

    @staticmethod
    def iterations(trial: Trial, n_samples: int) -> int | None:
        """The iterations to refit ``trial``'s model with on ``n_samples`` rows, where every fold
        of it stopped early on a validation split of its own (:attr:`Trial.iterations`) and the
        refit is on the rows it was validated on: the mean over its folds of the iterations each
        kept, in proportion to the rows (all of them against the fold's training rows: more rows
        take more iterations before they overfit; :meth:`Runner.refit` caps it at the
        configuration's own); else ``None`` (refit as validated).

        Refit on all rows as validated, such a model sets aside a tenth of them, drawn by its
        seed, and stops where that draw says. The early-stopped default (``max_iter=512``) on
        six design tables of ``benchmarks/bench_scale.py`` (split 0), refit with five seeds:
        held-out R^2 sd 0.0055 on stevedata's gss_wages and 0.0032 on causaldata's scorecard
        stopping early, 0.0014 and 0.0005 with the folds' iterations so scaled, and higher on
        all six (docs/search_guide.md, "The refit keeps the iterations validation chose")."""
        if n_samples != trial.n_samples or not trial.iterations or len(trial.iterations) != len(trial.scores):
            return None
        scaled = np.mean([kept * n_samples / rows for kept, rows in trial.iterations])
        return max(1, round(float(scaled)))

    def fits(self, trial: Trial) -> bool:
        """Whether ``trial``'s predicted refit on all rows fits the budget left plus the allowance
        (:meth:`Runner.refit_fits`, which the runner's refit reserve follows too)."""
        return self.runner.refit_fits(trial)

    def member(self, trial: Trial):
        """``trial``'s configuration refit on all rows for an ensemble, or ``None`` when its
        predicted refit does not fit the time left, the refit fails or comes out broken."""
        if not self.fits(trial):
            return None
        try:
            estimator = self.runner.refit(trial.config, iterations=self.iterations(trial, self.runner.n_samples))
        except Exception as exc:  # CandidateTimeout included: a member that cannot be refit is left out
            logger.info("Ensemble member %s left out: %s", trial.config, exc)
            return None
        why = self.broken(trial, estimator)
        if why:
            logger.warning("Ensemble member %s left out: %s", trial.config, why)
            return None
        return estimator

    # -- unvalidated ---------------------------------------------------------------
    def unvalidated(self, configs: Sequence[Config], seconds: float | None, what: str = "Unvalidated",
                    floor: float | None = None) -> Winner | None:
        """The first of ``configs`` that fits on all rows without validation, all of them within
        ``seconds`` (``None``: the budget left plus the allowance, half a second at least);
        with a ``floor``, each is tried for at least that many seconds, past ``seconds`` too."""
        started = time.time()
        deadline = None if seconds is None else started + seconds
        for i, config in enumerate(configs):
            if deadline is not None and i > 0 and time.time() >= deadline and not floor:
                logger.warning("%s fits: %.1fs spent; %d not tried.", what, time.time() - started, len(configs) - i)
                break
            limit = None if deadline is None else max(deadline - time.time(), floor or 0.5)
            try:  # CandidateTimeout and MemoryError included: a failing candidate never ends the fit
                return Winner(config, self.runner.refit(config, seconds=limit), float("nan"))
            except Exception as exc:
                logger.warning("%s fit of %s failed (%s: %s); trying the next.", what, config.family,
                               type(exc).__name__, exc)
        return None

    def last_resort(self, reason: str, seconds: float | None = None) -> Winner:
        """A cheap default fitted without validation, with a warning; raises when none can be."""
        portfolio = self.runner.portfolio
        cheap = [name for name in CHEAP_FAMILIES if name in portfolio.families]
        cheap += [name for name in portfolio.families if name not in cheap]
        configs = [portfolio[name].default_config() for name in cheap]
        found = self.unvalidated(configs, seconds, "Last-resort", None if seconds is None else LAST_RESORT_FLOOR)
        if found is None:
            raise SearchFailedError(
                f"no candidate finished within {self.runner.budget.seconds:g}s and no default could be "
                "fitted. Why:\n" + self.runner.history.failure_summary())
        within = f" within {self.runner.budget.seconds:g}s" if self.runner.budget.seconds else ""
        logger.warning("%s%s; fitted the %s default without validation. Give a larger time_budget for a "
                       "real search.", reason, within, found.config.family)
        return found
