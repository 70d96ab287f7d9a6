"""Input validation for the selector: clear errors up front, one internal form for X and y."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.exceptions import DataConversionWarning
from sklearn.utils import check_array
from sklearn.utils.multiclass import check_classification_targets, type_of_target
from sklearn.utils.validation import _assert_all_finite, column_or_1d

from ._categories import canonical_column, warn_unseen
from ._coerce import numeric_frame, split_columns
from ._pipeline import InputSchema
from ._temporal import as_datetime, as_seconds, temporal_columns

__all__ = ["check_2d", "check_X", "check_y", "infer_task", "MAX_CLASSIFICATION_INTEGER_LABELS"]

#: An integer-valued numeric target with more distinct values than this is regression.
MAX_CLASSIFICATION_INTEGER_LABELS = 20


def check_2d(X) -> None:
    """Raise scikit-learn's "Reshape your data" error for anything that is not a 2-D table.

    A DataFrame must also have unique column names: columns are found by name at predict time.
    """
    if isinstance(X, pd.DataFrame):
        duplicated = X.columns[X.columns.duplicated()].unique().tolist()
        if duplicated:
            raise ValueError(
                f"X has duplicate column names {duplicated}; column names must be unique."
            )
        return
    if sp.issparse(X):
        return
    ndim = getattr(X, "ndim", None)
    if ndim is None:  # lists and array-likes that only implement __array__
        ndim = np.asarray(X, dtype=object).ndim
    if ndim != 2:
        check_array(X, dtype=None, ensure_all_finite=False, input_name="X")


def check_X(X, schema: InputSchema | None = None):
    """Validate features and bring them to the internal form.

    DataFrames with categorical (object, string, category) or datetime columns
    stay DataFrames addressed by position: numeric columns as float64,
    categorical ones in canonical form (text, see ``_categories``), datetimes in
    their fit-time time zone; timedeltas become seconds. All-numeric input
    becomes a float64 array; sparse input a CSR matrix. Missing values are
    allowed, infinity is not. With ``schema`` (predict time) the layout and the
    forms fixed at fit are applied, with a warning counting categorical values
    unseen at fit. Returns ``(X, schema)``.
    """
    if isinstance(X, pd.DataFrame):
        return _check_frame(X, schema)
    if isinstance(X, np.ndarray) and X.dtype.kind in "mM":  # datetimes and timedeltas as an array
        return _check_frame(pd.DataFrame(X), schema)
    if schema is not None and (schema.categorical or schema.datetime or schema.timedelta):
        # Fitted on a DataFrame with categorical or temporal columns, given an array now.
        return _check_frame(pd.DataFrame(np.asarray(X, dtype=object)), schema)
    # scikit-learn's finiteness check sums X first: huge finite values overflow that sum,
    # which is harmless (it then checks value by value) but warns.
    if sp.issparse(X):
        with np.errstate(over="ignore", invalid="ignore"):
            X = check_array(X, accept_sparse="csr", dtype=np.float64, ensure_all_finite="allow-nan",
                            input_name="X")
        return X, schema or InputSchema(tuple(range(X.shape[1])), (), sparse=True)
    try:
        with np.errstate(over="ignore", invalid="ignore"):
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


def _warn_unreadable(names, columns, lost, kind: str = "Numeric", what: str = "numbers",
                     stacklevel: int = 6) -> None:
    """Warn when values of typed columns (text such as ``"n/a"``) could not be read as that type."""
    bad = {names[c]: int(n) for c, n in zip(columns, lost, strict=True) if n > 0}
    if bad:
        warnings.warn(
            f"{kind} column(s) of X hold values that are not {what}; they are treated as "
            f"missing (values per column: {bad}). Fix the input or declare these columns as categorical.",
            DataConversionWarning, stacklevel=stacklevel,
        )


def _fit_schema(frame: pd.DataFrame) -> InputSchema:
    """The column kinds of ``frame`` (columns named by position), as fixed at fit time."""
    numeric, categorical = split_columns(frame)
    datetimes, timedeltas, zones = temporal_columns(frame)
    return InputSchema(tuple(numeric + timedeltas), tuple(categorical), datetime=tuple(datetimes),
                       timedelta=tuple(timedeltas), timezones=zones)


def _temporal(frame: pd.DataFrame, schema: InputSchema, names) -> pd.DataFrame:
    """Datetime columns in their fit-time form, timedelta columns as seconds (warns on unreadable text)."""
    if not schema.datetime and not schema.timedelta:
        return frame
    frame = frame.copy()
    columns = [*schema.datetime, *schema.timedelta]
    missing_before = frame[columns].isna().sum().to_numpy()
    for column, tz in zip(schema.datetime, schema.timezones, strict=True):
        frame[column] = as_datetime(frame[column], tz)
    for column in schema.timedelta:
        frame[column] = as_seconds(frame[column])
    _warn_unreadable(names, columns, frame[columns].isna().sum().to_numpy() - missing_before,
                     kind="Datetime or timedelta", what="dates or durations", stacklevel=7)
    return frame


def _categorical(frame: pd.DataFrame, schema: InputSchema, names, fitting: bool):
    """Categorical columns in canonical form; the fit-time forms recorded, or unseen values warned of."""
    literal, seen = [], []
    for column in schema.categorical:
        frame[column], is_literal, values = canonical_column(
            frame[column], None if fitting else column in schema.literal)
        literal += [column] if is_literal else []
        seen.append(values)
    if fitting:
        return frame, replace(schema, literal=tuple(literal), categories=tuple(seen))
    if schema.categories:  # absent from schemas pickled before canonical categories
        warn_unseen(frame, schema.categorical, schema.categories, names, stacklevel=7)
    return frame, schema


def _check_frame(frame: pd.DataFrame, schema: InputSchema | None):
    if frame.shape[0] == 0:
        raise ValueError(f"Found array with 0 sample(s) (shape={frame.shape}) while a minimum of 1 is required.")
    if frame.shape[1] == 0:
        raise ValueError(f"Found array with 0 feature(s) (shape={frame.shape}) while a minimum of 1 is required.")
    names = list(frame.columns)
    frame = frame.set_axis(range(frame.shape[1]), axis=1)
    fitting = schema is None
    if fitting:
        schema = _fit_schema(frame)
    numeric = list(schema.numeric)
    complex_columns = [names[c] for c in numeric if pd.api.types.is_complex_dtype(frame[c].dtype)]
    if complex_columns:
        raise ValueError(
            f"Complex data not supported: column(s) {complex_columns} of X hold complex numbers."
        )
    frame = _temporal(frame, schema, names)
    # Only columns stored as text (numbers at fit time, objects now) can lose values to coercion.
    _, converted = split_columns(frame[numeric])
    missing_before = frame[converted].isna().sum().to_numpy()
    try:
        frame = numeric_frame(frame, numeric)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"Numeric columns of X could not be read as numbers: {exc}") from exc
    if converted:
        _warn_unreadable(names, converted, frame[converted].isna().sum().to_numpy() - missing_before)
    if numeric:
        values = frame[numeric].to_numpy(dtype=np.float64)
        if np.isinf(values).any():
            bad = [names[c] for c, col in zip(numeric, values.T, strict=True)
                   if np.isinf(col).any()]
            raise ValueError(f"Input X contains infinity in column(s) {bad}; only missing values "
                             "(NaN) are allowed.")
    if not schema.categorical and not schema.datetime:
        return frame.to_numpy(dtype=np.float64), schema
    return _categorical(frame, schema, names, fitting)


def check_y(y, *, classification: bool, estimator_name: str):
    """Validate the target; returns a 1-D array."""
    if y is None:
        raise ValueError(f"{estimator_name} requires y to be passed, but the target y is None.")
    y = column_or_1d(np.asarray(y) if not hasattr(y, "shape") else y, warn=True)
    if y.shape[0] == 0:
        raise ValueError("y is empty: found 0 samples.")
    if not classification:
        with np.errstate(over="ignore", invalid="ignore"):  # see check_X
            y = check_array(y, ensure_2d=False, dtype=np.float64, input_name="y")
            spread = np.var(y)
        if not np.isfinite(spread):
            raise ValueError(
                f"y contains values too large in magnitude (max |y| = {np.abs(y).max():.3g}): "
                "their variance overflows float64, so no regression score can be computed. "
                "Rescale y."
            )
        return y
    if y.dtype.kind in "fc":
        _assert_all_finite(y, input_name="y")
    elif y.dtype.kind == "O":
        if pd.isna(y).any():
            raise ValueError("Input y contains NaN (missing class labels).")
        is_str = np.fromiter((isinstance(label, str) for label in y), dtype=bool, count=y.shape[0])
        if is_str.any() and not is_str.all():
            raise ValueError(
                f"Input y mixes string and non-string class labels (e.g. {y[is_str][0]!r} and "
                f"{y[~is_str][0]!r}); give all labels one type."
            )
        if not is_str.any():  # numbers or booleans held as objects: scikit-learn needs their dtype
            y = pd.Series(y).infer_objects().to_numpy()
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
