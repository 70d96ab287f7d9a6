"""Uniform, read-only access to the supported kinds of ``X`` and ``y``.

A *table* wraps the user's ``X`` without copying it. It answers the cheap
whole-data questions (shape, column kinds, missing values) and extracts a
row/column subsample as a float matrix of numeric columns (``NaN`` for missing)
and an integer matrix of categorical codes (``-1`` for missing).
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp

_CHUNK_ROWS = 65536


def _count_missing(masks, n_features):
    """Missing cells, rows with a missing cell and features with one."""
    cells = rows = 0
    features = np.zeros(n_features, dtype=bool)
    for mask in masks:
        cells += int(mask.sum())
        rows += int(mask.any(axis=1).sum())
        features |= mask.any(axis=0)
    return cells, rows, int(features.sum())


class _DenseTable:
    """A numeric numpy array."""

    is_sparse = False

    def __init__(self, X):
        self._X = X
        self.n_rows, self.n_features = X.shape
        self.is_categorical = np.zeros(self.n_features, dtype=bool)

    def missing_summary(self):
        if self._X.dtype.kind != "f":
            return 0, 0, 0
        chunks = (
            np.isnan(self._X[start : start + _CHUNK_ROWS])
            for start in range(0, self.n_rows, _CHUNK_ROWS)
        )
        return _count_missing(chunks, self.n_features)

    def take(self, rows, cols):
        numeric = np.asarray(self._X[np.ix_(rows, cols)], dtype=np.float64)
        return numeric, np.empty((len(rows), 0), dtype=np.int64)


class _SparseTable:
    """A numeric scipy sparse matrix or array (converted to CSR once)."""

    is_sparse = True

    def __init__(self, X):
        self._X = X.tocsr()
        self.n_rows, self.n_features = X.shape
        self.is_categorical = np.zeros(self.n_features, dtype=bool)

    def missing_summary(self):
        X = self._X
        nan = np.isnan(X.data) if X.dtype.kind == "f" else np.zeros(0, bool)
        if not nan.any():
            return 0, 0, 0
        row_of_entry = np.repeat(np.arange(self.n_rows), np.diff(X.indptr))
        return (
            int(nan.sum()),
            np.unique(row_of_entry[nan]).size,
            np.unique(X.indices[nan]).size,
        )

    def take(self, rows, cols):
        sub = self._X[rows][:, cols].toarray()
        return sub.astype(np.float64, copy=False), np.empty((len(rows), 0), np.int64)


def _is_numeric_column(dtype):
    return (
        pd.api.types.is_bool_dtype(dtype)
        or pd.api.types.is_numeric_dtype(dtype)
        or pd.api.types.is_datetime64_any_dtype(dtype)
        or pd.api.types.is_timedelta64_dtype(dtype)
    )


def _numeric_values(column):
    dtype = column.dtype
    if pd.api.types.is_datetime64_any_dtype(dtype):
        return (column - column.min()).dt.total_seconds().to_numpy(np.float64)
    if pd.api.types.is_timedelta64_dtype(dtype):
        return column.dt.total_seconds().to_numpy(np.float64)
    return column.to_numpy(dtype=np.float64, na_value=np.nan)


def _category_codes(column):
    if isinstance(column.dtype, pd.CategoricalDtype):
        return column.cat.codes.to_numpy(np.int64)
    try:
        codes, _ = pd.factorize(column, sort=True)
    except TypeError:  # mixed, unorderable objects: order by their text
        missing = column.isna().to_numpy()
        codes, _ = pd.factorize(column.astype(str), sort=True)
        codes[missing] = -1
    return codes.astype(np.int64, copy=False)


class _FrameTable:
    """A pandas DataFrame with any mix of column types."""

    is_sparse = False

    def __init__(self, frame):
        self._frame = frame
        self.n_rows, self.n_features = frame.shape
        self.is_categorical = np.array(
            [not _is_numeric_column(dtype) for dtype in frame.dtypes], dtype=bool
        )

    def missing_summary(self):
        chunks = (
            self._frame.iloc[start : start + _CHUNK_ROWS].isna().to_numpy(dtype=bool)
            for start in range(0, self.n_rows, _CHUNK_ROWS)
        )
        return _count_missing(chunks, self.n_features)

    def take(self, rows, cols):
        sub = self._frame.iloc[rows, cols]
        is_cat = self.is_categorical[cols]
        numeric = np.empty((len(rows), int((~is_cat).sum())), dtype=np.float64)
        codes = np.empty((len(rows), int(is_cat.sum())), dtype=np.int64)
        i_num = i_cat = 0
        for j, categorical in enumerate(is_cat):
            column = sub.iloc[:, j]
            if categorical:
                codes[:, i_cat] = _category_codes(column)
                i_cat += 1
            else:
                numeric[:, i_num] = _numeric_values(column)
                i_num += 1
        return numeric, codes


def _check_not_complex(dtypes):
    if any(pd.api.types.is_complex_dtype(dtype) for dtype in dtypes):
        raise ValueError("Complex data not supported: X holds complex numbers.")


def as_table(X):
    """Wrap ``X`` in a table object, validating its shape.

    Parameters
    ----------
    X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
        The data. Infinite values are later treated as missing.

    Returns
    -------
    table object
        With ``n_rows``, ``n_features``, ``is_categorical``, ``is_sparse``,
        ``missing_summary()`` (missing cells, rows with missing values,
        features with missing values; exact, in one chunked pass) and
        ``take(rows, cols)`` (numeric float matrix, categorical code matrix).
    """
    if sp.issparse(X):
        _check_not_complex([X.dtype])
        table = _SparseTable(X)
    elif isinstance(X, pd.DataFrame):
        _check_not_complex(X.dtypes)
        table = _FrameTable(X)
    else:
        array = np.asarray(X)
        if array.ndim != 2:
            raise ValueError(
                f"Expected a 2-D X of shape (n_samples, n_features). "
                f"Got an array with {array.ndim} dimension(s) instead."
            )
        if array.dtype.kind in "biuf":
            table = _DenseTable(array)
        else:
            frame = pd.DataFrame(array).infer_objects()
            _check_not_complex(frame.dtypes)
            table = _FrameTable(frame)
    if table.n_rows < 1 or table.n_features < 1:
        raise ValueError(
            f"X must have at least one row and one feature. "
            f"Got shape ({table.n_rows}, {table.n_features}) instead."
        )
    return table


def encode_target(y, task, n_rows):
    """Validate ``y`` and encode it for ``task``.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Target; labels of any hashable type for classification.
    task : {"classification", "regression"}
        The learning task.
    n_rows : int
        Number of rows of ``X``.

    Returns
    -------
    ndarray of shape (n_samples,)
        Integer class codes ``0..n_classes-1`` (sorted labels) for
        classification, float64 values for regression.
    """
    if isinstance(y, (pd.Series, pd.DataFrame)):
        values = y.to_numpy()
    else:
        values = np.asarray(y.toarray() if sp.issparse(y) else y)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values.ravel()
    if values.ndim != 1 or values.shape[0] != n_rows:
        raise ValueError(
            f"y must be 1-D with one value per row of X ({n_rows}). "
            f"Got shape {values.shape} instead."
        )
    if task == "regression":
        try:
            values = values.astype(np.float64)
        except (TypeError, ValueError) as exc:
            raise ValueError("y must be numeric when task='regression'.") from exc
        if not np.isfinite(values).all():
            raise ValueError("y contains NaN or infinity.")
        return values
    if pd.isna(values).any():
        raise ValueError("y contains missing labels.")
    try:
        codes, _ = pd.factorize(values, sort=True)
    except TypeError:  # unorderable mixed labels: order by their text
        codes, _ = pd.factorize(values.astype(str), sort=True)
    return codes.astype(np.int64, copy=False)
