"""Target encoding of many-valued columns: identifiers that bins and codes cannot keep apart.

A column with thousands of distinct values, a student or a film stored as a number or as
text, reaches a tree as a few hundred histogram bins or ordinal codes (the rarer values
lumped together), so no split can single out one student. Target encoding adds, next to the
column as it is, the mean target of the training rows that share each value, shrunk towards
the overall mean for rare values and cross-fitted on the training rows
(:class:`~sklearn.preprocessing.TargetEncoder`), so a row's own target never enters its
encoding. Whether it helps is the data's to say: the search tries it as a variant of a
candidate (``Config.target_encoding``) and keeps it only where cross-validation prefers it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import sklearn
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import TargetEncoder
from sklearn.utils import _safe_indexing
from sklearn.utils.fixes import parse_version

__all__ = ["MIN_ROWS_PER_VALUE", "MIN_TARGET_ENCODED_VALUES", "make_target_encoder", "target_encoded_columns"]

#: Fewest distinct values (seen at fit time) of a column that target encoding takes: more than the
#: 255 bins of histogram boosting and the 255 codes of the ordinal encoder keep apart.
MIN_TARGET_ENCODED_VALUES = 256
#: Fewest rows of a column's typical value (the median over its values): a value seen on one row
#: has no mean of its own to encode (the cross-fitting gives it the overall mean), so a column of
#: mostly distinct values (amounts of money, timestamps) is left as it is.
MIN_ROWS_PER_VALUE = 2
#: Folds of the encoder's cross-fitting (scikit-learn's default).
TARGET_ENCODER_FOLDS = 5
_CV_SPLITTER = parse_version(sklearn.__version__).release >= (1, 9)


def _encodable(values: np.ndarray) -> bool:
    """At least :data:`MIN_TARGET_ENCODED_VALUES` distinct values, the typical one (the median
    over values) on at least :data:`MIN_ROWS_PER_VALUE` rows."""
    _, counts = np.unique(values, return_counts=True)
    return counts.size >= MIN_TARGET_ENCODED_VALUES and np.median(counts) >= MIN_ROWS_PER_VALUE


def target_encoded_columns(X, schema) -> tuple:
    """The columns of ``X`` (validated by :func:`check_X`, laid out as ``schema`` says) that
    target encoding takes: categorical columns, and numeric columns (timedeltas aside) whose
    values are whole numbers (identifiers stored as numbers), with at least
    :data:`MIN_TARGET_ENCODED_VALUES` distinct values, the typical value on at least
    :data:`MIN_ROWS_PER_VALUE` rows (missing values aside). None for sparse input."""
    if schema.sparse:
        return ()
    seen = dict(zip(schema.categorical, schema.categories, strict=True)) \
        if len(schema.categories) == len(schema.categorical) else {}
    chosen = []
    for position in schema.categorical:
        if position in seen and len(seen[position]) < MIN_TARGET_ENCODED_VALUES:
            continue  # the values seen at fit are too few: no need to count rows
        values = pd.Series(np.asarray(_safe_indexing(X, position, axis=1))).dropna().astype(str).to_numpy()
        if _encodable(values):
            chosen.append(position)
    for position in schema.numeric:
        if position in schema.timedelta:
            continue
        values = np.asarray(_safe_indexing(X, position, axis=1), dtype=float)
        values = values[np.isfinite(values)]
        if values.size and np.array_equal(values, np.round(values)) and _encodable(values):
            chosen.append(position)
    return tuple(chosen)


def make_target_encoder(task: str, random_state=None) -> TargetEncoder:
    """A :class:`~sklearn.preprocessing.TargetEncoder` for ``task`` whose cross-fitting folds are
    shuffled with ``random_state``."""
    target_type = "continuous" if task == "regression" else "auto"
    if not _CV_SPLITTER:  # scikit-learn < 1.9: the folds are shuffled by the encoder's own parameters
        return TargetEncoder(target_type=target_type, cv=TARGET_ENCODER_FOLDS, shuffle=True,
                             random_state=random_state)
    splitter = KFold if task == "regression" else StratifiedKFold
    return TargetEncoder(target_type=target_type,
                         cv=splitter(TARGET_ENCODER_FOLDS, shuffle=True, random_state=random_state))
