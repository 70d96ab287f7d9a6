"""Ensembles of evaluated candidates: greedy selection over out-of-fold predictions.

:func:`ensemble_selection` picks weights (Caruana et al., 2004) with a score
function from :func:`make_score_func`; :class:`EnsembleClassifier` and
:class:`EnsembleRegressor` average the fitted members with those weights.
"""

from ._estimators import EnsembleClassifier, EnsembleRegressor
from ._scoring import SUPPORTED_SCORERS, make_score_func
from ._selection import ensemble_selection

__all__ = [
    "SUPPORTED_SCORERS",
    "EnsembleClassifier",
    "EnsembleRegressor",
    "ensemble_selection",
    "make_score_func",
]
