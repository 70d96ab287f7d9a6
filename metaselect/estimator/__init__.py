"""The scikit-learn estimators: MetaSelector, MetaSelectorClassifier, MetaSelectorRegressor."""

from ._leaderboard import LEADERBOARD_COLUMNS
from ._persistence import InconsistentVersionWarning
from ._selector import MetaSelector, MetaSelectorClassifier, MetaSelectorRegressor

__all__ = [
    "LEADERBOARD_COLUMNS",
    "InconsistentVersionWarning",
    "MetaSelector",
    "MetaSelectorClassifier",
    "MetaSelectorRegressor",
]
