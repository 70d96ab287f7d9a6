"""Datetime and timedelta columns: one canonical form, and the features every candidate sees.

A datetime column becomes six numbers (:data:`DATETIME_FEATURES`): year, month,
day of month, day of week, hour of day (with minutes and seconds as its
fraction) and seconds since the Unix epoch. A timedelta column becomes its
length in seconds. Missing values (``NaT``) become ``NaN``, which the numeric
preprocessing imputes (with a missing-value indicator).

Time zones: the zone of a timezone-aware column is fixed at fit time. At
predict time an aware column is converted to it, and a naive one is read as
wall time in it; a naive column at fit time stays naive (an aware one at
predict time keeps its wall time). Text (a CSV file) is parsed at predict time.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

__all__ = ["DATETIME_FEATURES", "DatetimeFeatures", "as_datetime", "as_seconds", "temporal_columns"]

#: The features made of each datetime column, in output order.
DATETIME_FEATURES = ("year", "month", "day", "dayofweek", "hour", "epoch_seconds")


def temporal_columns(frame: pd.DataFrame) -> tuple[list, list, tuple]:
    """Names of the datetime and the timedelta columns of ``frame``, and each datetime's time zone."""
    datetimes, timedeltas, zones = [], [], []
    for name, dtype in frame.dtypes.items():
        if pd.api.types.is_datetime64_any_dtype(dtype):
            datetimes.append(name)
            zones.append(getattr(dtype, "tz", None))
        elif pd.api.types.is_timedelta64_dtype(dtype):
            timedeltas.append(name)
    return datetimes, timedeltas, tuple(zones)


def as_datetime(column: pd.Series, tz=None) -> pd.Series:
    """``column`` as datetimes in time zone ``tz`` (``None``: naive); unreadable values become NaT."""
    if not pd.api.types.is_datetime64_any_dtype(column.dtype):
        try:
            column = pd.to_datetime(column, errors="coerce", format="mixed")
        except (TypeError, ValueError):  # mixed time zones: bring them to one
            column = pd.to_datetime(column, errors="coerce", format="mixed", utc=True)
    current = column.dt.tz
    if tz is None:
        return column if current is None else column.dt.tz_localize(None)
    if current is None:
        return column.dt.tz_localize(tz, ambiguous="NaT", nonexistent="NaT")
    return column.dt.tz_convert(tz)


def as_seconds(column: pd.Series) -> pd.Series:
    """A timedelta column (or text such as ``"1 days 02:00:00"``) as float seconds; unreadable: NaN."""
    if not pd.api.types.is_timedelta64_dtype(column.dtype):
        column = pd.to_timedelta(column, errors="coerce")
    return column.dt.total_seconds().astype(float)


def _features(column: pd.Series) -> np.ndarray:
    column = as_datetime(column, getattr(column.dtype, "tz", None))
    epoch = pd.Timestamp("1970-01-01", tz="UTC" if column.dt.tz is not None else None)
    parts = column.dt
    hour = parts.hour + parts.minute / 60 + parts.second / 3600
    values = [parts.year, parts.month, parts.day, parts.day_of_week, hour, (column - epoch).dt.total_seconds()]
    return np.column_stack([pd.to_numeric(v).to_numpy(dtype=np.float64, na_value=np.nan) for v in values])


class DatetimeFeatures(TransformerMixin, BaseEstimator):
    """Turn datetime columns into numbers: :data:`DATETIME_FEATURES` per column, NaN for NaT.

    Stateless apart from the input width and names; the input's columns must
    already be datetimes (see :func:`as_datetime`), aware or naive.

    Examples
    --------
    >>> import pandas as pd
    >>> X = pd.DataFrame({"t": pd.to_datetime(["2024-03-01 12:30", None])})
    >>> DatetimeFeatures().fit_transform(X)[0, :5].tolist()
    [2024.0, 3.0, 1.0, 4.0, 12.5]
    """

    def fit(self, X, y=None):
        frame = pd.DataFrame(X)
        self.n_features_in_ = frame.shape[1]
        if isinstance(X, pd.DataFrame) and all(isinstance(c, str) for c in X.columns):
            self.feature_names_in_ = np.asarray(X.columns, dtype=object)
        return self

    def transform(self, X):
        check_is_fitted(self)
        frame = pd.DataFrame(X)
        if frame.shape[1] == 0:
            return np.empty((frame.shape[0], 0))
        return np.hstack([_features(frame.iloc[:, j]) for j in range(frame.shape[1])])

    def get_feature_names_out(self, input_features=None):
        names = _check_feature_names_in(self, input_features)
        return np.asarray([f"{name}_{part}" for name in names for part in DATETIME_FEATURES], dtype=object)
