"""Rankers order candidates before they are evaluated.

The search asks a ranker which configurations look most promising and
evaluates them in that order, so that whatever the budget cuts off is the least
promising part. :class:`StaticPriorRanker` is the built-in prior; the
meta-model provides a learned ranker with the same interface.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..portfolio import Config, Portfolio

__all__ = ["Predictions", "RankingContext", "Ranker", "StaticPriorRanker"]


@dataclass(frozen=True)
class RankingContext:
    """What a ranker may know about the dataset at hand."""

    task: str
    n_samples: int
    n_features: int
    meta_features: Mapping[str, float] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class Predictions:
    """What a ranker says about a list of configurations, computed once per ranking.

    For each of ``configs``: ``priority``, the ranking score (higher means
    evaluate earlier, as :meth:`Ranker.score`); ``score``, the predicted
    normalised score; ``seconds``, the predicted seconds per fold at the
    ranker's reference size (``context.extra["time_reference_rows"]``). NaN
    where the ranker has no opinion.
    """

    configs: tuple
    priority: np.ndarray
    score: np.ndarray
    seconds: np.ndarray

    def ranked(self) -> list[Config]:
        """The configurations from most to least promising (stable for ties)."""
        return [self.configs[i] for i in np.argsort(-self.priority, kind="stable")]


class Ranker:
    """Interface: score candidates (higher means more promising).

    Subclasses implement :meth:`score`. A learned ranker also overrides
    :meth:`predict` (predicted normalised score and seconds per fold, NaN
    where it has no opinion; shown on the leaderboard and used to plan the
    budget) and :meth:`assess` (what it thinks of the dataset as a whole, e.g.
    ``{"novelty": 0.8, "out_of_distribution": False}``; merged into
    ``context.extra`` before ranking). The search asks for all three at once
    through :meth:`predictions`; a ranker whose score and predictions share
    work (a network run) overrides it to do that work once. What a fit calls,
    and what ``MetaSelector(ranker=...)`` checks for, is :meth:`assess` and
    :meth:`predictions`: subclass :class:`Ranker` and both are there.
    :meth:`rank` is a convenience for reading a ranker's order by hand.
    """

    def predictions(self, configs: Sequence[Config], portfolio: Portfolio, context: RankingContext) -> Predictions:
        """Priority, predicted score and predicted seconds of ``configs``, in one :class:`Predictions`."""
        score, seconds = self.predict(configs, portfolio, context)
        priority = np.asarray(self.score(configs, portfolio, context), dtype=float)
        return Predictions(tuple(configs), priority, np.asarray(score, dtype=float),
                           np.asarray(seconds, dtype=float))

    def score(self, configs: Sequence[Config], portfolio: Portfolio, context: RankingContext) -> np.ndarray:
        raise NotImplementedError

    def predict(self, configs: Sequence[Config], portfolio: Portfolio, context: RankingContext):
        nan = np.full(len(configs), np.nan)
        return nan, nan.copy()

    def assess(self, portfolio: Portfolio, context: RankingContext) -> dict:
        return {}

    def rank(self, configs: Sequence[Config], portfolio: Portfolio, context: RankingContext) -> list[Config]:
        """``configs`` sorted from most to least promising (stable for ties)."""
        scores = np.asarray(self.score(configs, portfolio, context), dtype=float)
        order = np.argsort(-scores, kind="stable")
        return [configs[i] for i in order]


class StaticPriorRanker(Ranker):
    """The prior used before any meta-learning.

    Each family carries a hand-set ``prior`` in ``[0, 1]`` (gradient boosting
    and forests high, linear models middle, naive Bayes and single trees low),
    reflecting how often each family wins on tabular benchmarks. A family's
    default configuration gets a bonus of ``default_bonus`` over its sampled
    configurations, because defaults are well-tested starting points.
    On data with more than ``large_n`` rows, families whose cost grows
    super-linearly with rows (``time_exponent > 1.2``, e.g. kernel SVMs) lose
    ``large_penalty``.
    """

    def __init__(self, default_bonus: float = 0.1, large_n: int = 20_000, large_penalty: float = 0.3):
        self.default_bonus = default_bonus
        self.large_n = large_n
        self.large_penalty = large_penalty

    def score(self, configs, portfolio, context):
        out = np.empty(len(configs))
        for i, config in enumerate(configs):
            family = portfolio[config.family]
            value = family.prior
            if portfolio.is_default(config):
                value += self.default_bonus
            if context.n_samples > self.large_n and family.time_exponent > 1.2:
                value -= self.large_penalty
            out[i] = value
        return out
