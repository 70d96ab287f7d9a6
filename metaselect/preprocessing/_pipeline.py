"""One candidate = preprocessing (imputation, encoding, scaling as its model needs) + model.

Preprocessing lives inside each candidate's pipeline, so it is refit on every
cross-validation training fold and nothing leaks from the validation fold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, OrdinalEncoder, StandardScaler

from ._coerce import CategoryCoercer

__all__ = ["InputSchema", "make_candidate_pipeline", "make_preprocessor"]

MAX_ONEHOT_CATEGORIES = 32
MAX_ORDINAL_CATEGORIES = 255
#: Numeric values are clipped to this magnitude: larger ones (up to 1e308 is finite) overflow
#: the scaler's variance and naive Bayes, and do not fit the float32 that scikit-learn trees use.
MAX_MAGNITUDE = 1e30


@dataclass(frozen=True)
class InputSchema:
    """What the training data looks like, as far as preprocessing is concerned.

    ``numeric`` and ``categorical`` hold column names (DataFrames) or positions
    (arrays). ``sparse`` marks scipy sparse input, which is all numeric.
    """

    numeric: tuple
    categorical: tuple
    sparse: bool = False


def clip_magnitude(X):
    """``X`` with values clipped to [-MAX_MAGNITUDE, MAX_MAGNITUDE] (dense or sparse)."""
    if sp.issparse(X):
        X = X.copy()
        np.clip(X.data, -MAX_MAGNITUDE, MAX_MAGNITUDE, out=X.data)
        return X
    return np.clip(X, -MAX_MAGNITUDE, MAX_MAGNITUDE)


def _numeric_steps(scale: bool, sparse: bool) -> list:
    # Always impute: data seen at predict time may have gaps that training data had not.
    # Clip first: the median of huge values, and scikit-learn's finiteness check, can overflow.
    steps = [
        FunctionTransformer(clip_magnitude, feature_names_out="one-to-one"),
        SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
    ]
    if scale:
        steps.append(StandardScaler(with_mean=not sparse))
    return steps


def make_preprocessor(schema: InputSchema, *, scale: bool, categorical: str, dense: bool = True):
    """The preprocessing transformer for a model with the given needs."""
    numeric_steps = _numeric_steps(scale, schema.sparse)
    if schema.sparse or not schema.categorical:
        if schema.sparse:
            return make_pipeline(*numeric_steps)
        return ColumnTransformer([("num", make_pipeline(*numeric_steps), list(schema.numeric))])
    if categorical == "onehot":
        encoder = OneHotEncoder(
            handle_unknown="infrequent_if_exist",
            max_categories=MAX_ONEHOT_CATEGORIES,
            sparse_output=not dense,
        )
    else:
        encoder = OrdinalEncoder(
            handle_unknown="use_encoded_value",
            unknown_value=-1,
            max_categories=MAX_ORDINAL_CATEGORIES,
        )
    transformers = [("cat", make_pipeline(CategoryCoercer(), encoder), list(schema.categorical))]
    if schema.numeric:
        transformers.insert(0, ("num", make_pipeline(*numeric_steps), list(schema.numeric)))
    return ColumnTransformer(transformers, sparse_threshold=0.0 if dense else 0.3)


def make_candidate_pipeline(family, params: Mapping[str, Any], schema: InputSchema, random_state=None) -> Pipeline:
    """A ``Pipeline(preprocess, model)`` for one configuration of ``family``."""
    model = family.build(params, random_state)
    dense = not family.accepts_sparse
    preprocess = make_preprocessor(schema, scale=family.scale, categorical=family.categorical, dense=dense)
    return Pipeline([("preprocess", preprocess), ("model", model)])
