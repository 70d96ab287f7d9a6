"""Search inside a time budget: rankers order candidates, a strategy proposes, the runner evaluates."""

from ._budget import Budget, CandidateTimeout, time_limit
from ._halving import SuccessiveHalving
from ._memory import memory_limit
from ._progress import ProgressBar, TqdmLoggingHandler
from ._ranker import Ranker, RankingContext, StaticPriorRanker
from ._runner import Runner, SearchFailedError, resolve_cv
from ._trial import STATUSES, Trial, evaluate_candidate

__all__ = [
    "STATUSES",
    "Budget",
    "CandidateTimeout",
    "ProgressBar",
    "Ranker",
    "RankingContext",
    "Runner",
    "SearchFailedError",
    "StaticPriorRanker",
    "SuccessiveHalving",
    "TqdmLoggingHandler",
    "Trial",
    "evaluate_candidate",
    "memory_limit",
    "resolve_cv",
    "time_limit",
]
