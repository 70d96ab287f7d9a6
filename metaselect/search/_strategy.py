"""Search strategies: the one interface they share, and zero-shot, the simplest of them.

A strategy decides *what* to evaluate, on how many rows, and in which order; the
:class:`~metaselect.search.Runner` evaluates it, prunes what it is told to,
keeps the budget and records every trial in a :class:`TrialHistory` the
strategy reads (as scikit-learn's ``BaseSearchCV._run_search`` calls
``evaluate_candidates``, and Optuna's samplers read a study without writing
to it). After the strategy returns, the :class:`~metaselect.search.Refitter`
fits the best validated candidate, or, when none was validated, the first of
the configurations the strategy returned. A new strategy is one class with a
``run`` method.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from ..portfolio import Config

__all__ = ["SearchStrategy", "SearchView", "ZeroShot"]

logger = logging.getLogger(__name__)

#: Zero-shot picks among every default plus this many sampled configurations.
#: Regression picks among the defaults only: in the meta-evaluation (docs/metamodel.md) the
#: regression meta-model's top pick among many configurations is worse than the best default
#: on average, the classification one's better.
ZERO_SHOT_POOL = {"classification": 500, "regression": 0}
#: Tasks whose zero-shot pick is the learned portfolio's (``LearnedStart.zero_shot``: the best mean
#: score with failures at the floor) when the ranker offers one: the anytime yardstick's closed gap
#: at one evaluation (seed 0, docs/metamodel.md) is 0.000 for the SBS and -0.151 for the regression
#: network's pick, +0.108 for the classification network's.
PORTFOLIO_FIRST = ("regression",)


class SearchView:
    """What a search strategy sees of the :class:`~metaselect.search.Runner`: the members of
    :attr:`MEMBERS`, read only. ``fit`` hands a strategy this view, never the runner itself,
    so a strategy cannot reach past it or change the runner's state (Optuna's samplers read a
    study through a narrow view in the same way).

    To ask: ``rank(configs)`` (the ranker's :class:`Predictions`, remembered for the
    leaderboard), ``evaluate(configs, n_samples, rung, share=, reserve=, race=)``,
    ``prune(trial, reason)``, ``keep_unless_beaten(trial)`` (the refit prefers it to a candidate
    that does not beat it beyond noise), ``twin(config, origin)`` (``config`` is evaluated with
    ``origin``'s candidate id and seed), ``learned_start()``, ``use_target_encoding()`` (every
    candidate from then on target-encodes the ``target_encoded`` columns). To read: ``history``
    (the trials), ``target_encoding``, ``target_encoded``, ``time``
    (the :class:`TimeModel`), ``time_left(reserve)``, ``time_share(n, reserve)``,
    ``elapsed()``, ``can_continue()``, ``reserve`` (seconds kept for the refit),
    ``n_workers()``, ``n_samples``, ``validated_share``, ``rows`` (folds per rung size),
    ``portfolio``, ``context``, ``random_state``.
    """

    #: The runner's members a strategy may use.
    MEMBERS = frozenset({
        "rank", "evaluate", "prune", "keep_unless_beaten", "twin", "learned_start", "use_target_encoding",
        "target_encoding", "target_encoded",
        "history", "time", "time_left", "time_share", "elapsed", "can_continue", "reserve", "n_workers",
        "n_samples", "validated_share", "rows", "portfolio", "context", "random_state",
    })

    __slots__ = ("_runner",)

    def __init__(self, runner) -> None:
        object.__setattr__(self, "_runner", runner)

    def __getattr__(self, name: str):
        if name not in SearchView.MEMBERS:
            raise AttributeError(f"A search strategy sees only the runner's {sorted(SearchView.MEMBERS)}; "
                                 f"{name!r} is not one of them (SearchView.MEMBERS).")
        return getattr(self._runner, name)

    def __setattr__(self, name: str, value) -> None:
        raise AttributeError(f"A search strategy reads the runner; it cannot set {name!r}.")

    def __repr__(self) -> str:
        return f"SearchView({self._runner!r})"


class SearchStrategy:
    """Interface of a search strategy.

    Subclasses implement :meth:`run`. Parameters are stored untouched in
    ``__init__`` (scikit-learn style); a strategy keeps no state between fits.
    """

    #: Seconds the refitter may spend in all on the configurations :meth:`run` returns when no
    #: candidate was validated; ``None``: what is left of the budget.
    unvalidated_seconds: float | None = None

    def run(self, runner) -> Sequence[Config]:
        """Search with ``runner`` until done or out of budget.

        ``runner`` is a :class:`SearchView`: the runner's declared members, read only.

        Returns
        -------
        configs : sequence of Config
            Configurations to fit without validation, best first, should no
            candidate have been validated (empty: a cheap default then).
        """
        raise NotImplementedError

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in vars(self).items())
        return f"{type(self).__name__}({params})"


class ZeroShot(SearchStrategy):
    """No search: the ranker's top pick is fitted once on all rows, without validation.

    For regression, a ranker with a learned portfolio (``ranker.learned_start``, as
    :class:`~metaselect.metamodel.MetaModelRanker`) has its zero-shot pick, the
    configuration with the best mean score where a failure counts as R^2 -1,
    picked first (``PORTFOLIO_FIRST``).

    Parameters
    ----------
    pool_size : int or None, default=None
        Sampled configurations ranked next to every family's default; ``None``:
        500 for classification, 0 for regression (see ``ZERO_SHOT_POOL``).
        Out of distribution, the defaults only.
    attempts : int, default=10
        Picks tried, best first, before a cheap default.
    max_time : float, default=30
        Seconds the fit may take in all: picks predicted (by the ranker) to take
        longer are passed over, a pick still running when the time is up is
        stopped and the next one gets what is left; should none fit, each cheap
        default of the last resort gets at least two seconds
        (``LAST_RESORT_FLOOR``). Zero-shot means "no search", not "no limit":
        an unbounded random forest on 50,000 x 20 took 117 s without it.
    """

    def __init__(self, pool_size: int | None = None, attempts: int = 10, max_time: float = 30.0):
        self.pool_size = pool_size
        self.attempts = attempts
        self.max_time = max_time

    @property
    def unvalidated_seconds(self) -> float:
        return self.max_time

    def run(self, runner) -> list[Config]:
        portfolio, context = runner.portfolio, runner.context
        pool = portfolio.defaults()
        size = ZERO_SHOT_POOL.get(context.task, 0) if self.pool_size is None else self.pool_size
        if size and not context.extra.get("out_of_distribution"):
            pool += portfolio.sample(size, random_state=runner.random_state)
        ranked = runner.rank(pool).ranked()
        start = runner.learned_start() if context.task in PORTFOLIO_FIRST else None
        if start is not None:
            pick = start.zero_shot
            first = [pick] if pick is not None else []
            if first:
                runner.rank(first)  # its predicted time, for the check below
            ranked = first + [c for c in ranked if c not in first]
        fitting = [c for c in ranked if not runner.time.unvalidated_seconds(c) > self.max_time]
        if len(fitting) < len(ranked):
            logger.info("zero-shot: %d picks predicted to take more than %gs passed over",
                        len(ranked) - len(fitting), self.max_time)
        return (fitting or ranked)[: self.attempts]
