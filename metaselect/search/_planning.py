"""Time planning for successive halving: which candidates start, in which waves, with what share.

:class:`~metaselect.search.SuccessiveHalving` decides the schedule (rungs, survivors) and
the candidates; a :class:`RungPlanner`, made by its :meth:`~SuccessiveHalving.planner`
for one fit, decides how the time goes: the first rung a wave at a time, cheapest first,
with shares from the :class:`~metaselect.search.TimeModel`'s predictions; later rungs with
extrapolated shares; what a bracket or a later bracket can still afford. It reads the
runner (its time model, history and budget) and asks it to evaluate and prune, like a
strategy; it keeps no state between calls.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable

import numpy as np

from ..portfolio import Config

__all__ = ["RungPlanner"]

logger = logging.getLogger("metaselect.search._halving")

#: A first-rung candidate's time share is at least this many times its predicted seconds: the
#: corrected predictions are off by a factor of 1.9 at the median (bench_time_predictions.py).
SHARE_MARGIN = 2.0
#: With K-fold cross-validation a first-rung share is this many times the even one: a candidate
#: whose first fold says it cannot finish is stopped there (``FIRST_FOLD_SLACK / K`` of its share
#: spent), so a larger share costs little when it is too small and saves a time-out when it fits.
FOLDS_SHARE_FACTOR = 2.0
#: Past its share of the time a first rung still starts the families' defaults not run yet, cheapest
#: first, until it has used this many times its share.
DEFAULTS_SLACK = 1.5
#: A timed-out candidate run again gets this many times the seconds its measured folds project.
RETRY_MARGIN = 1.5


class RungPlanner:
    """The time planning of one successive-halving search.

    Parameters
    ----------
    runner : Runner
    schedule : callable
        ``schedule(n_candidates)``: rows per rung of a bracket of that many
        candidates (:meth:`SuccessiveHalving.resources` for this runner).
    eta : int
        Survivors per rung are ``1/eta`` of the candidates.
    race : bool, default=False
        Passed to every evaluation (see :meth:`Runner.evaluate`).
    """

    def __init__(self, runner, schedule: Callable[[int], list[int]], eta: int, race: bool = False) -> None:
        self.runner, self.schedule, self.eta, self.race = runner, schedule, eta, race

    def first_rung(self, configs: list[Config], sizes: list[int], replan: bool = False, guide=None) -> list:
        """A bracket's first rung, one wave (a configuration per worker) at a time, cheapest
        predicted first (with a ``guide``: in its order, asked again before each wave);
        returns the trials of the configurations it started.

        * **No evaluation that cannot count.** Before each wave the measured times
          correct the predictions (:meth:`TimeModel.correction`; a time-out counts
          as a lower bound). The configurations predicted cheapest run first, so
          the slow families' times are predicted from a calibrated correction by
          the time their turn comes; each gets a share of at least ``SHARE_MARGIN`` times
          its predicted seconds (a default random forest on 426 rows needs 1 to 3
          s where the even share was 1.2 s: half of every small fit timed out), and
          one predicted not to finish in the time left is not started.
        * **Each rung its share of the time.** Successive halving spends about as
          much on each rung (``eta`` times fewer candidates on ``eta`` times more
          rows). Once the first rung has used ``1 / len(sizes)`` of the time that
          was left when it began, only the families' defaults not run yet still
          start (the portfolio's safety net, should the meta-model's favourites be
          slow or poor), cheapest first, until the rung has used ``DEFAULTS_SLACK``
          times its share: on slow machines or large data the first rung would
          otherwise eat the budget and promote nothing (on digits, one thread,
          20 s, the slow defaults took 6 s past the share and the last rung timed out).
        * ``replan`` (later brackets): time predictions for unusual configurations
          can be far off (a slow learning rate makes a network several times
          slower than its family's default). After each wave the slowest predicted
          configurations not started yet are dropped until the rest of the
          bracket is predicted to fit in the time left.

        The rung keeps the reserve for the refit it began with, as one batch would.
        """
        runner = self.runner
        reserve = runner.reserve
        began = runner.elapsed()
        rung_seconds = runner.time_left(reserve) / len(sizes)
        trials, started, capped = [], [], False
        pending = self.cheapest_first(configs, sizes[0]) if guide is None else list(configs)
        while pending:
            if capped and runner.elapsed() - began >= DEFAULTS_SLACK * rung_seconds:
                logger.info("first rung: %.1fs spent; %d defaults not started", runner.elapsed() - began,
                            len(pending))
                break
            if guide is not None and not capped:
                pending = guide.order(pending)
            wave, pending = pending[: runner.n_workers()], pending[runner.n_workers():]
            outrun = [c for c in wave if runner.time.outrun_by(c, sizes[0]) is not None]
            if outrun:
                logger.info("first rung: %d candidates not started: one of their family with no more work "
                            "could not finish a fold on these rows", len(outrun))
                wave = [c for c in wave if c not in outrun]
            predicted = [runner.time.predicted(c, sizes[0]) for c in wave]
            left = runner.time_left(reserve)
            wave = [c for c, p in zip(wave, predicted, strict=True) if not p > left]
            if len(wave) < len(predicted):
                logger.info("first rung: %d candidates predicted not to finish in the %.1fs left, not started",
                            len(predicted) - len(wave), left)
            if not wave:
                continue
            share = runner.time_share(len(wave) + len(pending), reserve)  # more as cheap ones finish early
            if runner.rows.n_splits(sizes[0]) > 1:  # a candidate that cannot finish stops after one fold
                share = min(left, FOLDS_SHARE_FACTOR * share)
            wave_share = max([share] + [SHARE_MARGIN * p for p in predicted if np.isfinite(p) and p <= left])
            done = runner.evaluate(wave, sizes[0], 0, share=wave_share, reserve=reserve, race=self.race)
            if not done:
                break
            trials += done
            started += wave
            spent = runner.elapsed() - began
            if not capped and pending and spent >= rung_seconds:
                capped = True
                defaults = self.cheapest_first([c for c in pending if runner.portfolio.is_default(c)],
                                                sizes[0])
                logger.info("first rung: %.1fs spent, its share of the time; %d candidates dropped, "
                            "%d defaults still to run", spent, len(pending) - len(defaults), len(defaults))
                pending = defaults
            while replan and pending and self.bracket_seconds(
                    started + pending, sizes=sizes, started=len(started)) > runner.time_left(reserve):
                pending.pop()
        if not capped:
            trials += self.retry_timeouts(trials, sizes[0], reserve)
        return trials

    def later_rung(self, configs: list[Config], size: int, rung: int) -> list:
        """A later rung's survivors, a wave at a time in the order given (best first): each gets
        ``SHARE_MARGIN`` times the seconds its previous rung extrapolates to ``size`` rows (at
        least the even share), and one whose extrapolation no longer fits in the time left is
        pruned without starting, keeping its score on fewer rows. (One batch with even shares
        cut the slow survivors: on keel_magic at 20 s, gradient boosting extrapolated to 3.8 s
        was given 3.2 s and a random forest 1.2 s, and both timed out, 33% of the fit.)"""
        runner = self.runner
        trials, pending = [], list(configs)
        while pending and runner.can_continue():
            wave, pending = pending[: runner.n_workers()], pending[runner.n_workers():]
            left = runner.time_left()
            fitting = self.affordable(wave, size, left)
            if not fitting:
                continue
            seconds = [runner.time.extrapolated(runner.history.last(c), size) for c in fitting]
            share = max([runner.time_share(len(fitting) + len(pending))]
                        + [SHARE_MARGIN * p for p in seconds if np.isfinite(p)])
            trials += runner.evaluate(fitting, size, rung, share=min(share, left), race=self.race)
        return trials

    def retry_timeouts(self, trials: list, size: int, reserve: float) -> list:
        """Once every candidate of a rung has started, run again those stopped past their share
        whose measured seconds per fold say they finish in the time left (cheapest first, each
        with ``RETRY_MARGIN`` times its projected seconds): on small data the families that
        usually win (forests, boosting, networks) are the slow ones, and an even share cut
        them all (a 5-fold default random forest needs 1 to 3 s on 426 rows, one thread)."""
        runner = self.runner
        projected = {t.config: runner.time.extrapolated(t, size) for t in trials
                     if t.status == "timeout" and np.isfinite(t.fit_time)}
        retried = []
        for config in sorted(projected, key=projected.get):
            seconds = RETRY_MARGIN * projected[config]
            if seconds > runner.time_left(reserve) or not runner.can_continue():
                break
            retried += runner.evaluate([config], size, 0, share=seconds, reserve=reserve, race=self.race)
        if retried:
            logger.info("first rung: %d of %d timed-out candidates run again, %d finished", len(retried),
                        len(projected), sum(t.status == "ok" for t in retried))
        return retried

    def cheapest_first(self, configs: list[Config], size: int) -> list[Config]:
        """``configs`` by the ranker's predicted seconds on ``size`` rows, cheapest first (ties and
        configurations without a prediction keep their order, the latter last). Uncorrected, so
        the order, and with ``max_evals`` the leaderboard, does not depend on the machine's speed
        or on ``n_jobs``."""
        runner = self.runner
        predicted = [runner.time.predicted(c, size, corrected=False) for c in configs]
        order = sorted(range(len(configs)), key=lambda i: predicted[i] if np.isfinite(predicted[i]) else math.inf)
        return [configs[i] for i in order]

    def bracket_seconds(self, configs: list[Config], sizes=None, started: int = 0) -> float:
        """Predicted seconds for a bracket of ``configs`` on the rungs ``sizes`` (default: its own),
        the first ``started`` of them already run on the first rung: every rung's survivors at the
        mean predicted time on that rung, spread over the workers (NaN when nothing is predicted)."""
        runner = self.runner
        alive, total = len(configs), 0.0
        for rung, size in enumerate(sizes or self.schedule(len(configs))):
            times = [runner.time.predicted(c, size) for c in configs]
            times = [t for t in times if np.isfinite(t)]
            if not times:
                return float("nan")
            todo = alive - started if rung == 0 else alive
            if todo > 0:
                total += todo * float(np.mean(times)) / min(todo, runner.n_workers())
            alive = max(1, math.ceil(alive / self.eta))
        return total

    def within_budget(self, configs: list[Config]) -> list[Config]:
        """The configurations of a later bracket worth starting with the time left.

        A bracket cut short by the budget promotes nothing to all rows, so its
        evaluations cannot change the winner: fewer candidates that finish are
        worth more. Kept: the configurations predicted to cross-validate on all
        rows in the time left, and of those the longest most-promising prefix
        whose whole bracket (every rung's survivors) is predicted to fit. Without
        time predictions the bracket is kept whole.
        """
        runner = self.runner
        if not np.isfinite(self.bracket_seconds(configs)):
            return configs
        left = runner.time_left()
        fitting = [c for c in configs if self.bracket_seconds([c]) <= left]
        for k in range(len(fitting), 0, -1):
            if self.bracket_seconds(fitting[:k]) <= left:
                return fitting[:k]
        logger.info("stopping: no proposed configuration is predicted to fit in the %.1fs left", left)
        return []

    def plannable(self, configs: list[Config], size: int) -> list[Config]:
        """Leave out candidates predicted (by the ranker) to overrun their time share on ``size`` rows.

        The share is the one the runner will give (:meth:`Runner.time_share`: twice the
        time left per wave of candidates). Defaults are only left out when predicted to
        overrun all the time left; the most promising candidate always stays.
        """
        runner = self.runner
        left, share = runner.time_left(), runner.time_share(len(configs))
        kept = []
        for config in configs:
            predicted = runner.time.predicted(config, size)
            is_default = runner.portfolio.is_default(config)
            if np.isfinite(predicted) and predicted > (left if is_default else share):
                logger.info("skipping %s: predicted %.1fs on %d rows, share %.1fs", config, predicted, size, share)
            else:
                kept.append(config)
        return kept or configs[:1]

    def affordable(self, configs: list[Config], size: int, left: float | None = None) -> list[Config]:
        """Drop survivors whose extrapolated time exceeds ``left`` (default: :meth:`Runner.time_left`);
        mark them pruned.

        When none is left the bracket ends; its candidates still compete with their
        scores on fewer rows (:meth:`Runner.best_trials`). Running the best one anyway
        would spend the rest of the budget on a fit predicted not to finish, and a
        kernel SVM, one long C call, cannot be stopped at its share.
        """
        runner = self.runner
        left = runner.time_left() if left is None else left
        kept = []
        for config in configs:
            trial = runner.history.last(config)
            predicted = runner.time.extrapolated(trial, size)
            if predicted > left:
                runner.prune(trial, f"predicted {predicted:.1f}s on {size} rows exceeds the {left:.1f}s left")
            else:
                kept.append(config)
        return kept
