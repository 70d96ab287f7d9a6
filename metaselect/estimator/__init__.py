"""The scikit-learn estimators: MetaSelector, MetaSelectorClassifier, MetaSelectorRegressor."""

from ._leaderboard import LEADERBOARD_COLUMNS
from ._persistence import TRUSTED_TYPES, InconsistentVersionWarning, load_model, save_model
from ._selector import MetaSelector, MetaSelectorClassifier, MetaSelectorRegressor

__all__ = [
    "LEADERBOARD_COLUMNS",
    "InconsistentVersionWarning",
    "MetaSelector",
    "MetaSelectorClassifier",
    "MetaSelectorRegressor",
    "TRUSTED_TYPES",
    "load_model",
    "save_model",
]
