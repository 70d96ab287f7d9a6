"""Meta-features: describe a supervised dataset by a fixed, finite vector.

:func:`compute` returns a :class:`pandas.Series` whose index is
:func:`feature_names`, grouped as in :data:`GROUPS`. See
``docs/metafeatures.md`` for every definition, cost and neutral value.
"""

from ._compute import MAX_FEATURES, MAX_ROWS, TASKS, compute
from ._names import GROUPS, NEUTRAL, TIME_FEATURES, feature_names

__all__ = [
    "GROUPS",
    "MAX_FEATURES",
    "MAX_ROWS",
    "NEUTRAL",
    "TASKS",
    "TIME_FEATURES",
    "compute",
    "feature_names",
]
