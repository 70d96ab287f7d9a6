"""Search inside a time budget: rankers order candidates, a strategy proposes, the runner evaluates."""

from ._budget import Budget, CandidateTimeout, time_limit
from ._halving import SuccessiveHalving
from ._ranker import Ranker, RankingContext, StaticPriorRanker
from ._runner import Runner, SearchFailedError
from ._trial import STATUSES, Trial, evaluate_candidate

__all__ = [
    "STATUSES",
    "Budget",
    "CandidateTimeout",
    "Ranker",
    "RankingContext",
    "Runner",
    "SearchFailedError",
    "StaticPriorRanker",
    "SuccessiveHalving",
    "Trial",
    "evaluate_candidate",
    "time_limit",
]
