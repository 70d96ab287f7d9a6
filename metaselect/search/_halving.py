"""Successive halving across algorithm families.

A :class:`~metaselect.search.SearchStrategy`: it proposes, the :class:`Runner` evaluates. Each *bracket* takes a
list of ranked configurations, evaluates all of them on a small stratified
subsample, keeps the best ``1/eta`` and evaluates the survivors on ``eta``
times more rows, up to the full data. The first bracket holds every family's
default configuration and the ranker's favourites; later brackets hold
configurations near the best so far and random ones weighted towards the
families that did well, ranked by the ranker's predictions corrected with what
this dataset has shown (``_propose.py``), until the budget or ``max_evals`` is
spent.
"""

from __future__ import annotations

import logging
import math

import numpy as np

from ..portfolio import Config
from ._propose import propose
from ._runner import Runner
from ._strategy import SearchStrategy

__all__ = ["SuccessiveHalving"]

logger = logging.getLogger(__name__)

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
#: The anchor: the family whose default runs on all rows before any bracket, when the data is larger
#: than a first rung and it is predicted to take at most ``ANCHOR_SHARE`` of the time left (it gets
#: up to twice that). Learning curves cross: on a 245k-row table the boosting default scored 0.808
#: on the first rung's 3,030 rows, where a ridge scored 0.84, was pruned there, and a ridge won at
#: 0.847 on all rows where the boosting default, 1.5 s to fit, scores 0.862 (issue 23).
ANCHOR_FAMILY = "hist_gradient_boosting"
ANCHOR_SHARE = 0.1


def favourites(pool: list[Config], predicted: np.ndarray, per_family: int, limit: int) -> list[Config]:
    """The ranker's favourites among ``pool``: best predicted first, at most ``per_family`` of a
    family and ``limit`` in all; none when nothing is predicted."""
    chosen: list[Config] = []
    if not np.isfinite(predicted).any():
        return chosen
    taken: dict[str, int] = {}
    for i in np.argsort(-np.nan_to_num(predicted, nan=-np.inf), kind="stable"):
        family = pool[i].family
        if np.isfinite(predicted[i]) and taken.get(family, 0) < per_family:
            chosen.append(pool[i])
            taken[family] = taken.get(family, 0) + 1
        if len(chosen) >= limit:
            break
    return chosen


class SuccessiveHalving(SearchStrategy):
    """Bracketed successive halving over rows.

    Parameters
    ----------
    eta : int, default=3
        Keep ``1/eta`` of the candidates per rung; give survivors ``eta`` times the rows.
    min_resources : int, default=500
        Rows validated in the smallest rung (all rows if the data is smaller):
        with K-fold cross-validation that is the rung's rows, with a holdout
        (``cv="holdout"``) the rung has ``min_resources / runner.validated_share``
        rows, so its validation fold is as large.
    bracket_size : int or None, default=None
        Random configurations per later bracket; ``None`` means as many as
        there are families (at least 6).
    max_brackets : int, default=100
        Upper bound on brackets, for when the budget is large.
    pool_size : int, default=500
        Random configurations the ranker scores when it has predictions; the
        best of them (at most ``per_family`` per family) join the defaults in
        the first bracket, unless the dataset is out of distribution.
    per_family : int, default=2
        Most favourites of one family in the first bracket.
    race : bool, default=True
        On all rows, stop a candidate's cross-validation after a fold where it
        clearly trails the best candidate on the same folds (it is pruned, with
        an estimated score): most candidates are worse than the best so far, and
        their remaining folds cannot change the winner. Only with validation
        folds of at least 200 rows (``RACE_MIN_FOLD_ROWS``); no effect with a
        holdout or while an ensemble collects out-of-fold predictions.
    anchor : bool, default=True
        When the data is larger than a first rung, first validate the histogram
        gradient boosting default on all rows unless it is predicted to take more
        than a tenth of the time left (``ANCHOR_SHARE``; at most twice that is
        spent on it, also when nothing is predicted): a cheap, strong candidate
        whose score on a small rung understates it (learning curves cross), so
        the result does not end below it. Its default is then left out of the
        first bracket.
    """

    def __init__(self, eta: int = 3, min_resources: int = 500, bracket_size=None, max_brackets: int = 100,
                 pool_size: int = 500, per_family: int = 2, race: bool = True, anchor: bool = True):
        self.eta = eta
        self.min_resources = min_resources
        self.bracket_size = bracket_size
        self.max_brackets = max_brackets
        self.pool_size = pool_size
        self.per_family = per_family
        self.race = race
        self.anchor = anchor

    def resources(self, n_candidates: int, n_samples: int, validated_share: float = 1.0) -> list[int]:
        """Rows per rung for a bracket of ``n_candidates`` (the last rung is all rows), when a
        candidate is scored on ``validated_share`` of a rung's rows."""
        n_rungs = 1 + (math.ceil(math.log(n_candidates, self.eta)) if n_candidates > 1 else 0)
        smallest = math.ceil(self.min_resources / validated_share)
        sizes = []
        for k in range(n_rungs):
            size = int(n_samples / self.eta ** (n_rungs - 1 - k))
            size = min(n_samples, max(size, smallest))
            if not sizes or size > sizes[-1]:
                sizes.append(size)
        return sizes

    def run(self, runner: Runner) -> list[Config]:
        """Run brackets until the runner says stop."""
        guide = self._guide(runner)
        configs = self._first(runner, guide)
        anchored = self._anchor(runner)
        if anchored is not None:
            configs = [c for c in configs if c != anchored]
        for bracket in range(self.max_brackets):
            if bracket > 0 and not configs and runner.can_continue():
                logger.info("stopping: the search space is exhausted (every configuration proposed was "
                            "evaluated), %.1fs of the budget left", runner.budget.remaining())
                break
            if bracket > 0:
                configs = self._within_budget(runner, configs)
            if not configs or not runner.can_continue():
                break
            logger.info("bracket %d: %d candidates", bracket, len(configs))
            self._bracket(runner, configs, replan=bracket > 0, guide=guide)
            configs = self._propose(runner, runner.random_state + bracket, guide)
        return []

    def _anchor(self, runner: Runner) -> Config | None:
        """Validate the anchor family's default on all rows (see ``anchor``); returns it when it
        was validated there, else ``None``."""
        if not self.anchor or ANCHOR_FAMILY not in runner.portfolio.families:
            return None
        if runner.n_samples <= self.resources(2, runner.n_samples, runner.validated_share)[0]:
            return None  # the first rung already has every row
        config = runner.portfolio[ANCHOR_FAMILY].default_config()  # ranked with the first bracket
        predicted, left = runner.time.predicted(config, runner.n_samples), runner.time_left()
        if predicted > ANCHOR_SHARE * left:  # NaN (nothing predicted): run, with the share's cap
            logger.info("anchor %s: predicted %.1fs on all %d rows, over %.0f%% of the %.1fs left; not run",
                        config, predicted, runner.n_samples, 100 * ANCHOR_SHARE, left)
            return None
        trials = runner.evaluate([config], runner.n_samples, 0, share=2 * ANCHOR_SHARE * left, race=self.race)
        ok = bool(trials) and trials[0].status == "ok"
        logger.info("anchor %s on all %d rows: %s", config, runner.n_samples,
                    f"{trials[0].mean_score:.4f}" if ok else (trials[0].status if trials else "not run"))
        return config if ok else None

    def _guide(self, runner: Runner):
        """Per-fit state that orders candidates from what this dataset has shown (none here:
        see :class:`~metaselect.search.AdaptiveHalving`). It has ``order(configs)``, called
        before each wave of a first rung with the candidates not started yet, and
        ``rescore``, ``None`` or a function giving the preference for later brackets'
        proposals."""
        return None

    def _first(self, runner: Runner, guide=None) -> list[Config]:
        """Every default, plus the ranker's favourites from a random pool when it has predictions;
        ranked in one call."""
        portfolio, seed = runner.portfolio, runner.random_state
        defaults = portfolio.defaults()
        pool = portfolio.sample(self.pool_size, random_state=seed) if self.pool_size else []
        pool = [c for c in dict.fromkeys(pool) if c not in defaults]
        ranking = runner.rank(defaults + pool)
        configs = list(defaults)
        if not runner.context.extra.get("out_of_distribution"):
            configs += favourites(pool, ranking.score[len(defaults):], self.per_family,
                                  2 * len(portfolio) - len(defaults))
        chosen = set(configs)
        return [c for c in ranking.ranked() if c in chosen]

    def _bracket(self, runner: Runner, configs: list[Config], replan: bool = False, guide=None) -> None:
        """Successive halving of ``configs``; the first rung runs a wave at a time
        (:meth:`_first_rung_in_waves`; ``replan``: re-plan it with measured times; ``guide``:
        order each wave, see :meth:`_guide`)."""
        alive = configs
        sizes = self.resources(len(configs), runner.n_samples, runner.validated_share)
        for rung, size in enumerate(sizes):
            alive = self._affordable(runner, alive, size) if rung > 0 else self._plannable(runner, alive, size)
            if rung == 0:
                trials = self._first_rung_in_waves(runner, alive, sizes, replan, guide)
                alive = list(dict.fromkeys(t.config for t in trials))
            else:
                trials = self._later_rung_in_waves(runner, alive, size, rung)
            if rung == len(sizes) - 1 or not runner.can_continue():
                return
            ok = sorted((t for t in trials if t.status == "ok"), key=lambda t: -t.mean_score)
            keep = max(1, math.ceil(len(alive) / self.eta))
            for trial in ok[keep:]:
                runner.prune(trial)
            alive = [t.config for t in ok[:keep]]
            if not alive:
                return

    def _first_rung_in_waves(self, runner: Runner, configs: list[Config], sizes: list[int],
                             replan: bool = False, guide=None) -> list:
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
        reserve = runner.reserve
        began = runner.budget.elapsed()
        rung_seconds = runner.time_left(reserve) / len(sizes)
        trials, started, capped = [], [], False
        pending = self._cheapest_first(runner, configs, sizes[0]) if guide is None else list(configs)
        while pending:
            if capped and runner.budget.elapsed() - began >= DEFAULTS_SLACK * rung_seconds:
                logger.info("first rung: %.1fs spent; %d defaults not started", runner.budget.elapsed() - began,
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
            spent = runner.budget.elapsed() - began
            if not capped and pending and spent >= rung_seconds:
                capped = True
                defaults = self._cheapest_first(runner, [c for c in pending if self._is_default(runner, c)],
                                                sizes[0])
                logger.info("first rung: %.1fs spent, its share of the time; %d candidates dropped, "
                            "%d defaults still to run", spent, len(pending) - len(defaults), len(defaults))
                pending = defaults
            while replan and pending and self._bracket_seconds(
                    runner, started + pending, sizes=sizes, started=len(started)) > runner.time_left(reserve):
                pending.pop()
        if not capped:
            trials += self._retry_timeouts(runner, trials, sizes[0], reserve, self.race)
        return trials

    def _later_rung_in_waves(self, runner: Runner, configs: list[Config], size: int, rung: int) -> list:
        """A later rung's survivors, a wave at a time in the order given (best first): each gets
        ``SHARE_MARGIN`` times the seconds its previous rung extrapolates to ``size`` rows (at
        least the even share), and one whose extrapolation no longer fits in the time left is
        pruned without starting, keeping its score on fewer rows. (One batch with even shares
        cut the slow survivors: on keel_magic at 20 s, gradient boosting extrapolated to 3.8 s
        was given 3.2 s and a random forest 1.2 s, and both timed out, 33% of the fit.)"""
        trials, pending = [], list(configs)
        while pending and runner.can_continue():
            wave, pending = pending[: runner.n_workers()], pending[runner.n_workers():]
            left = runner.time_left()
            fitting = self._affordable(runner, wave, size, left)
            if not fitting:
                continue
            seconds = [runner.time.extrapolated(runner.history.last(c), size) for c in fitting]
            share = max([runner.time_share(len(fitting) + len(pending))]
                        + [SHARE_MARGIN * p for p in seconds if np.isfinite(p)])
            trials += runner.evaluate(fitting, size, rung, share=min(share, left), race=self.race)
        return trials

    @staticmethod
    def _retry_timeouts(runner: Runner, trials: list, size: int, reserve: float, race: bool = False) -> list:
        """Once every candidate of a rung has started, run again those stopped past their share
        whose measured seconds per fold say they finish in the time left (cheapest first, each
        with ``RETRY_MARGIN`` times its projected seconds): on small data the families that
        usually win (forests, boosting, networks) are the slow ones, and an even share cut
        them all (a 5-fold default random forest needs 1 to 3 s on 426 rows, one thread)."""
        projected = {t.config: runner.time.extrapolated(t, size) for t in trials
                     if t.status == "timeout" and np.isfinite(t.fit_time)}
        retried = []
        for config in sorted(projected, key=projected.get):
            seconds = RETRY_MARGIN * projected[config]
            if seconds > runner.time_left(reserve) or not runner.can_continue():
                break
            retried += runner.evaluate([config], size, 0, share=seconds, reserve=reserve, race=race)
        if retried:
            logger.info("first rung: %d of %d timed-out candidates run again, %d finished", len(retried),
                        len(projected), sum(t.status == "ok" for t in retried))
        return retried

    @staticmethod
    def _cheapest_first(runner: Runner, configs: list[Config], size: int) -> list[Config]:
        """``configs`` by the ranker's predicted seconds on ``size`` rows, cheapest first (ties and
        configurations without a prediction keep their order, the latter last). Uncorrected, so
        the order, and with ``max_evals`` the leaderboard, does not depend on the machine's speed
        or on ``n_jobs``."""
        predicted = [runner.time.predicted(c, size, corrected=False) for c in configs]
        order = sorted(range(len(configs)), key=lambda i: predicted[i] if np.isfinite(predicted[i]) else math.inf)
        return [configs[i] for i in order]

    @staticmethod
    def _is_default(runner: Runner, config: Config) -> bool:
        return config.params == runner.portfolio[config.family].space.default()

    def _bracket_seconds(self, runner: Runner, configs: list[Config], sizes=None, started: int = 0) -> float:
        """Predicted seconds for a bracket of ``configs`` on the rungs ``sizes`` (default: its own),
        the first ``started`` of them already run on the first rung: every rung's survivors at the
        mean predicted time on that rung, spread over the workers (NaN when nothing is predicted)."""
        alive, total = len(configs), 0.0
        for rung, size in enumerate(sizes or self.resources(len(configs), runner.n_samples, runner.validated_share)):
            times = [runner.time.predicted(c, size) for c in configs]
            times = [t for t in times if np.isfinite(t)]
            if not times:
                return float("nan")
            todo = alive - started if rung == 0 else alive
            if todo > 0:
                total += todo * float(np.mean(times)) / min(todo, runner.n_workers())
            alive = max(1, math.ceil(alive / self.eta))
        return total

    def _within_budget(self, runner: Runner, configs: list[Config]) -> list[Config]:
        """The configurations of a later bracket worth starting with the time left.

        A bracket cut short by the budget promotes nothing to all rows, so its
        evaluations cannot change the winner: fewer candidates that finish are
        worth more. Kept: the configurations predicted to cross-validate on all
        rows in the time left, and of those the longest most-promising prefix
        whose whole bracket (every rung's survivors) is predicted to fit. Without
        time predictions the bracket is kept whole.
        """
        if not np.isfinite(self._bracket_seconds(runner, configs)):
            return configs
        left = runner.time_left()
        fitting = [c for c in configs if self._bracket_seconds(runner, [c]) <= left]
        for k in range(len(fitting), 0, -1):
            if self._bracket_seconds(runner, fitting[:k]) <= left:
                return fitting[:k]
        logger.info("stopping: no proposed configuration is predicted to fit in the %.1fs left", left)
        return []

    def _plannable(self, runner: Runner, configs: list[Config], size: int) -> list[Config]:
        """Leave out candidates predicted (by the ranker) to overrun their time share on ``size`` rows.

        The share is the one the runner will give: twice the time left per wave of
        candidates. Defaults are only left out when predicted to overrun all the
        time left; the most promising candidate always stays.
        """
        left = runner.budget.remaining(runner.reserve)
        share = 2.0 * left / max(1, math.ceil(len(configs) / runner.n_workers()))
        kept = []
        for config in configs:
            predicted = runner.time.predicted(config, size)
            is_default = self._is_default(runner, config)
            if np.isfinite(predicted) and predicted > (left if is_default else min(share, left)):
                logger.info("skipping %s: predicted %.1fs on %d rows, share %.1fs", config, predicted, size, share)
            else:
                kept.append(config)
        return kept or configs[:1]

    def _affordable(self, runner: Runner, configs: list[Config], size: int, left: float | None = None) -> list[Config]:
        """Drop survivors whose extrapolated time exceeds ``left`` (default: the budget left less the
        refit reserve); mark them pruned.

        When none is left the bracket ends; its candidates still compete with their
        scores on fewer rows (:meth:`Runner.best_trials`). Running the best one anyway
        would spend the rest of the budget on a fit predicted not to finish, and a
        kernel SVM, one long C call, cannot be stopped at its share.
        """
        left = runner.budget.remaining(runner.reserve) if left is None else left
        kept = []
        for config in configs:
            trial = runner.history.last(config)
            predicted = runner.time.extrapolated(trial, size)
            if predicted > left:
                runner.prune(trial, f"predicted {predicted:.1f}s on {size} rows exceeds the {left:.1f}s left")
            else:
                kept.append(config)
        return kept

    def _propose(self, runner: Runner, seed: int, guide=None) -> list[Config]:
        """The next bracket: near the best so far and corrected by this dataset (``_propose.py``;
        ranked by ``guide.rescore`` when there is a guide), those predicted to cross-validate on
        all rows in the time left first."""
        n = self.bracket_size or max(6, len(runner.portfolio))
        left = runner.time_left()

        def fits(config: Config) -> bool:
            return not runner.time.predicted(config, runner.n_samples) > left

        return propose(runner, n, seed, per_family=max(2, n // 3), rescore=getattr(guide, "rescore", None),
                       fits=fits)
