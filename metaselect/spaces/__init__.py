"""Declarative hyperparameter search spaces.

Three value classes (:class:`Float`, :class:`Int`, :class:`Categorical`), a
:class:`Condition` for conditional parameters, and :class:`SearchSpace`, which
samples, validates and encodes configurations into fixed-length vectors.
"""

from ._distributions import Categorical, Float, Int, distribution_from_dict
from ._space import Condition, SearchSpace

__all__ = ["Categorical", "Condition", "Float", "Int", "SearchSpace", "distribution_from_dict"]
