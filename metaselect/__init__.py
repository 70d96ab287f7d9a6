"""metaselect: a scikit-learn compatible AutoML meta-estimator that learns how to learn.

``MetaSelector`` describes a dataset, ranks candidate models, tunes the most
promising ones with cross-validation inside a time budget and refits the best.
"""

from ._version import __version__
from .estimator import MetaSelector, MetaSelectorClassifier, MetaSelectorRegressor
from .portfolio import Config, Family, Portfolio
from .search import Ranker, RankingContext, SearchFailedError, StaticPriorRanker

__all__ = [
    "Config",
    "Family",
    "MetaSelector",
    "MetaSelectorClassifier",
    "MetaSelectorRegressor",
    "Portfolio",
    "Ranker",
    "RankingContext",
    "SearchFailedError",
    "StaticPriorRanker",
    "__version__",
]
