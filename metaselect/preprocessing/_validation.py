"""Input validation for the selector: clear errors up front, one internal form for X and y."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.utils import check_array
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _assert_all_finite, column_or_1d

from ._coerce import numeric_frame, split_columns
from ._pipeline import InputSchema

__all__ = ["check_2d", "check_X", "check_y", "infer_task", "MAX_CLASSIFICATION_INTEGER_LABELS"]

#: An integer-valued numeric target with more distinct values than this is regression.
MAX_CLASSIFICATION_INTEGER_LABELS = 20


def check_2d(X) -> None:
    """Raise scikit-learn's "Reshape your data" error for anything that is not a 2-D table."""
    if isinstance(X, pd.DataFrame) or sp.issparse(X):
        return
    ndim = getattr(X, "ndim", None)
    if ndim is None:  # lists and array-likes that only implement __array__
        ndim = np.asarray(X, dtype=object).ndim
    if ndim != 2:
        check_array(X, dtype=None, ensure_all_finite=False, input_name="X")


def check_X(X, schema: InputSchema | None = None):
    """Validate features and bring them to the internal form.

    DataFrames with categorical (object, string, category) columns stay
    DataFrames addressed by position, numeric columns as float64; all-numeric
    input becomes a float64 array; sparse input a CSR matrix. Missing values
    are allowed, infinity is not. With ``schema`` (predict time) the layout
    seen at fit is enforced. Returns ``(X, schema)``.
    """
    if isinstance(X, pd.DataFrame):
        return _check_frame(X, schema)
    if schema is not None and schema.categorical:
        # Fitted on a DataFrame with categorical columns, given an array now.
        return _check_frame(pd.DataFrame(np.asarray(X, dtype=object)), schema)
    if sp.issparse(X):
        X = check_array(X, accept_sparse="csr", dtype=np.float64, ensure_all_finite="allow-nan",
                        input_name="X")
        return X, schema or InputSchema(tuple(range(X.shape[1])), (), sparse=True)
    try:
        X = check_array(X, dtype=np.float64, ensure_all_finite="allow-nan", input_name="X")
    except ValueError as exc:
        if "could not convert" in str(exc):
            raise ValueError(
                f"X contains non-numeric values ({exc}). Pass a pandas DataFrame so that such "
                "columns are treated as categorical."
            ) from exc
        raise
    if schema is not None and schema.sparse:
        X = sp.csr_matrix(X)
    return X, schema or InputSchema(tuple(range(X.shape[1])), ())


def _check_frame(frame: pd.DataFrame, schema: InputSchema | None):
    if frame.shape[0] == 0:
        raise ValueError(f"Found array with 0 sample(s) (shape={frame.shape}) while a minimum of 1 is required.")
    if frame.shape[1] == 0:
        raise ValueError(f"Found array with 0 feature(s) (shape={frame.shape}) while a minimum of 1 is required.")
    frame = frame.set_axis(range(frame.shape[1]), axis=1)
    if schema is None:
        numeric, categorical = split_columns(frame)
    else:
        numeric, categorical = list(schema.numeric), list(schema.categorical)
    try:
        frame = numeric_frame(frame, numeric)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Numeric columns of X could not be read as numbers: {exc}") from exc
    if numeric:
        values = frame[numeric].to_numpy(dtype=np.float64)
        if np.isinf(values).any():
            bad = [c for c, col in zip(numeric, values.T, strict=True) if np.isinf(col).any()]
            raise ValueError(f"Input X contains infinity in column(s) at position {bad}.")
    if schema is None:
        schema = InputSchema(tuple(numeric), tuple(categorical))
    if not schema.categorical:
        return frame.to_numpy(dtype=np.float64), schema
    return frame, schema


def check_y(y, *, classification: bool, estimator_name: str):
    """Validate the target; returns a 1-D array."""
    if y is None:
        raise ValueError(f"{estimator_name} requires y to be passed, but the target y is None.")
    y = column_or_1d(np.asarray(y) if not hasattr(y, "shape") else y, warn=True)
    if y.shape[0] == 0:
        raise ValueError("y is empty: found 0 samples.")
    if not classification:
        return check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
    if y.dtype.kind in "fc":
        _assert_all_finite(y, input_name="y")
    elif y.dtype.kind == "O" and pd.isna(y).any():
        raise ValueError("Input y contains NaN (missing class labels).")
    check_classification_targets(y)
    classes = np.unique(y)
    if classes.shape[0] < 2:
        raise ValueError(
            f"{estimator_name} needs at least 2 classes in y; got 1 class ({classes[0]!r})."
        )
    return y


def infer_task(y) -> str:
    """``"classification"`` or ``"regression"`` for a target (used by ``task="auto"``).

    Strings, booleans and categories are classes; floats with fractional values
    are regression; integer-valued numbers are classes when there are at most
    :data:`MAX_CLASSIFICATION_INTEGER_LABELS` distinct values.
    """
    y = np.asarray(y)
    if y.dtype.kind in "OUSb" or isinstance(getattr(y, "dtype", None), pd.CategoricalDtype):
        return "classification"
    kind = type_of_target(y[~pd.isna(y)] if y.dtype.kind == "f" else y)
    if kind in ("binary", "multiclass"):
        return "classification" if np.unique(y).shape[0] <= MAX_CLASSIFICATION_INTEGER_LABELS else "regression"
    if kind == "continuous":
        return "regression"
    raise ValueError(f"Cannot infer the task from a target of type {kind!r}; set task explicitly.")
