"""Column typing: which columns are numeric and which categorical, and coercion to those types."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted

__all__ = ["MISSING_CATEGORY", "CategoryCoercer", "numeric_frame", "split_columns"]

MISSING_CATEGORY = "__missing__"


def split_columns(frame: pd.DataFrame) -> tuple[list, list]:
    """Names of the numeric (numbers and booleans) and the categorical columns of ``frame``."""
    numeric, categorical = [], []
    for name, dtype in frame.dtypes.items():
        is_number = pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)
        (numeric if is_number else categorical).append(name)
    return numeric, categorical


def _to_str(value) -> str:
    return MISSING_CATEGORY if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)


class CategoryCoercer(TransformerMixin, BaseEstimator):
    """Turn categorical columns into strings, with missing values as their own category.

    Encoders need uniformly typed columns; real data mixes numbers, strings,
    ``None`` and ``NaN`` in one object column. Stateless apart from the input width.
    """

    def fit(self, X, y=None):
        self.n_features_in_ = np.shape(X)[1]
        return self

    def transform(self, X):
        check_is_fitted(self)
        values = np.asarray(X, dtype=object)
        return np.vectorize(_to_str, otypes=[object])(values) if values.size else values

    def get_feature_names_out(self, input_features=None):
        check_is_fitted(self)
        if input_features is None:  # scikit-learn's default names; HTML diagrams ask for these
            input_features = [f"x{i}" for i in range(self.n_features_in_)]
        return np.asarray(input_features, dtype=object)


def numeric_frame(frame: pd.DataFrame, numeric: list) -> pd.DataFrame:
    """``frame`` with its numeric columns as float64 (booleans and nullable dtypes included)."""
    out = frame.copy()
    for name in numeric:
        out[name] = pd.to_numeric(out[name].astype("Float64") if out[name].dtype == bool else out[name],
                                  errors="coerce").astype(float)
    return out
