"""Search inside a time budget: rankers order candidates, a strategy proposes, the runner evaluates.

A strategy (:class:`SearchStrategy`: :class:`ZeroShot`, :class:`SuccessiveHalving`,
:class:`AdaptiveHalving`)
reads the :class:`TrialHistory` and asks the :class:`Runner` to evaluate
candidates; the :class:`TimeModel` predicts what they cost; the
:class:`Refitter` fits the winner on all rows.
"""

from ._adaptive import AdaptiveHalving
from ._budget import Budget, CandidateTimeout, time_limit
from ._halving import SuccessiveHalving
from ._history import TrialHistory
from ._planning import RungPlanner
from ._progress import ProgressBar, TqdmLoggingHandler
from ._ram import memory_limit
from ._ranker import Predictions, Ranker, RankingContext, StaticPriorRanker
from ._refit import Refitter, SearchFailedError, Winner
from ._rows import RungRows
from ._runner import Runner, resolve_cv
from ._strategy import SearchStrategy, SearchView, ZeroShot
from ._timemodel import TIME_REFERENCE_ROWS, TimeModel
from ._trial import STATUSES, VALIDATED, Trial, evaluate_candidate

__all__ = [
    "AdaptiveHalving",
    "STATUSES",
    "VALIDATED",
    "Budget",
    "CandidateTimeout",
    "Predictions",
    "ProgressBar",
    "Ranker",
    "RankingContext",
    "Refitter",
    "RungRows",
    "Runner",
    "SearchFailedError",
    "SearchStrategy",
    "SearchView",
    "StaticPriorRanker",
    "RungPlanner",
    "SuccessiveHalving",
    "TIME_REFERENCE_ROWS",
    "TimeModel",
    "TqdmLoggingHandler",
    "Trial",
    "TrialHistory",
    "Winner",
    "ZeroShot",
    "evaluate_candidate",
    "memory_limit",
    "resolve_cv",
    "time_limit",
]
