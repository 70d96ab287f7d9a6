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
from ._target import make_target_encoder
from ._temporal import DatetimeFeatures

__all__ = ["InputSchema", "make_candidate_pipeline", "make_preprocessor"]

MAX_ONEHOT_CATEGORIES = 32
MAX_ORDINAL_CATEGORIES = 255
#: Most values (seen at fit time) of a categorical column that a model of ``categorical="native"``
#: takes as a categorical feature (see :func:`native_columns`): those the ordinal encoder gives a
#: code each. Columns with more stay ordinal codes, their rare values lumped into one: taken as
#: categories they lost (movielens' 854 genres lumped into 255 codes: R^2 0.290 -> 0.271).
MAX_NATIVE_CATEGORIES = MAX_ORDINAL_CATEGORIES
#: Numeric values are clipped to this magnitude: larger ones (up to 1e308 is finite) overflow
#: the scaler's variance and naive Bayes, and do not fit the float32 that scikit-learn trees use.
MAX_MAGNITUDE = 1e30


@dataclass(frozen=True)
class InputSchema:
    """What the training data looks like, as far as preprocessing is concerned.

    Fixed at fit time by :func:`check_X`, which applies it again at predict time.
    Column fields hold positions (names for DataFrames passed straight to
    :func:`make_preprocessor`).

    Attributes
    ----------
    numeric : tuple
        Numeric and boolean columns, timedelta columns included (as seconds).
    categorical : tuple
        Categorical columns, compared in canonical form (see ``_categories``).
    sparse : bool
        scipy sparse input, which is all numeric.
    datetime : tuple
        Datetime columns; each becomes :data:`DATETIME_FEATURES` in every pipeline.
    timedelta : tuple
        The columns of ``numeric`` that hold timedeltas (converted to seconds).
    timezones : tuple
        The time zone of each ``datetime`` column (``None``: naive).
    literal : tuple
        The categorical columns whose text is kept as it is (two spellings of one
        number at fit time, such as ``"007"`` and ``"7"``).
    categories : tuple of frozenset
        The canonical values of each categorical column seen at fit time (for the
        warning about unseen values at predict time).
    """

    numeric: tuple
    categorical: tuple
    sparse: bool = False
    datetime: tuple = ()
    timedelta: tuple = ()
    timezones: tuple = ()
    literal: tuple = ()
    categories: tuple = ()


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


def native_columns(schema: InputSchema) -> tuple:
    """The categorical columns a ``categorical="native"`` model takes as categorical features:
    those with at most :data:`MAX_NATIVE_CATEGORIES` values seen at fit time (none for sparse
    input, or a schema without the values seen). :func:`make_preprocessor` puts their ordinal
    codes first, so they are the model's first ``len(native_columns(schema))`` features."""
    if schema.sparse or len(schema.categories) != len(schema.categorical):
        return ()
    return tuple(column for column, values in zip(schema.categorical, schema.categories, strict=True)
                 if len(values) <= MAX_NATIVE_CATEGORIES)


def make_preprocessor(schema: InputSchema, *, scale: bool, categorical: str, dense: bool = True,
                      target_encoded: tuple = (), task: str = "regression", random_state=None):
    """The preprocessing transformer for a model with the given needs (``categorical``:
    ``"onehot"``, ``"ordinal"`` or ``"native"``, ordinal codes with :func:`native_columns` first).

    ``target_encoded`` columns (see :func:`target_encoded_columns`) are also target-encoded for
    ``task``, cross-fitted with folds shuffled by ``random_state``, the encodings after every
    other feature."""
    if schema.sparse:
        return make_pipeline(*_numeric_steps(scale, sparse=True))
    transformers = []
    native = native_columns(schema) if categorical == "native" else ()
    if native:
        transformers.append(("native", make_pipeline(CategoryCoercer(), _encoder("ordinal", dense)), list(native)))
    if schema.numeric:
        transformers.append(("num", make_pipeline(*_numeric_steps(scale, False)), list(schema.numeric)))
    if schema.datetime:
        steps = [DatetimeFeatures(), *_numeric_steps(scale, False)]
        transformers.append(("datetime", make_pipeline(*steps), list(schema.datetime)))
    coded = [column for column in schema.categorical if column not in native]
    if coded:
        transformers.append(("cat", make_pipeline(CategoryCoercer(), _encoder(categorical, dense)), coded))
    for name, columns, steps in (
        ("target_cat", [c for c in target_encoded if c in schema.categorical], [CategoryCoercer()]),
        ("target_num", [c for c in target_encoded if c not in schema.categorical], []),
    ):
        if columns:
            encoder = make_target_encoder(task, random_state)
            transformers.append((name, make_pipeline(*steps, encoder, *([StandardScaler()] if scale else [])), columns))
    return ColumnTransformer(transformers, sparse_threshold=0.0 if dense else 0.3)


def _encoder(categorical: str, dense: bool):
    if categorical == "onehot":
        return OneHotEncoder(handle_unknown="infrequent_if_exist", max_categories=MAX_ONEHOT_CATEGORIES,
                             sparse_output=not dense)
    return OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1,
                          max_categories=MAX_ORDINAL_CATEGORIES)


def make_candidate_pipeline(family, params: Mapping[str, Any], schema: InputSchema, random_state=None,
                            n_rows: int | None = None, target_encoded: tuple = ()) -> Pipeline:
    """A ``Pipeline(preprocess, model)`` for one configuration of ``family``, to be fitted on
    ``n_rows`` rows if given (see :meth:`~metaselect.portfolio.Family.build`), with
    ``target_encoded`` columns also target-encoded (see :func:`make_preprocessor`)."""
    model = family.build(params, random_state, n_rows=n_rows)
    dense = not family.accepts_sparse
    preprocess = make_preprocessor(schema, scale=family.scale, categorical=family.categorical, dense=dense,
                                   target_encoded=target_encoded, task=family.task, random_state=random_state)
    if family.categorical == "native":
        model.set_params(categorical_features=list(range(len(native_columns(schema)))) or None)
    return Pipeline([("preprocess", preprocess), ("model", model)])
