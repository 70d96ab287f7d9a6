"""Versioned state: a selector remembers which metaselect and scikit-learn made it.

The mixin lives apart from saving and loading (:mod:`._persistence`): the selector
inherits it, and saving and loading check for the selector, so each module imports
in one direction only.
"""

from __future__ import annotations

import warnings

import pandas as pd
import sklearn
from sklearn.exceptions import InconsistentVersionWarning as SklearnVersionWarning

from .. import _version

__all__ = ["InconsistentVersionWarning", "VersionedPickleMixin"]


class InconsistentVersionWarning(UserWarning):
    """A selector saved under one metaselect version was loaded under another.

    A change of scikit-learn version raises scikit-learn's own
    :class:`sklearn.exceptions.InconsistentVersionWarning`.
    """


class VersionedPickleMixin:
    """Record metaselect's and scikit-learn's versions when saved; warn on load under others.

    scikit-learn records its version only for its own estimators; a selector
    holds fitted scikit-learn pipelines, the shipped meta-model and the search
    spaces of one metaselect version, so both versions are recorded. pandas
    attributes (``leaderboard_``, ``meta_features_``) are saved as plain lists:
    skops has no pandas types to trust, and a pickle then does not depend on
    pandas' internals. Both pickle and skops go through these two methods.
    """

    def __getstate__(self):
        state = super().__getstate__()
        frames = {k: _encode_pandas(v) for k, v in state.items() if isinstance(v, pd.Series | pd.DataFrame)}
        state = {k: v for k, v in state.items() if k not in frames}
        if frames:
            state["_pandas"] = frames
        state["_metaselect_version"] = _version.__version__
        state["_sklearn_version"] = sklearn.__version__
        return state

    def __setstate__(self, state):
        state = dict(state)
        state.update({k: _decode_pandas(v) for k, v in state.pop("_pandas", {}).items()})
        saved = state.pop("_metaselect_version", None)
        saved_sklearn = state.pop("_sklearn_version", None)
        name = type(self).__name__
        if saved is not None and saved != _version.__version__:
            warnings.warn(
                f"Trying to unpickle {name} from metaselect version {saved} when using version "
                f"{_version.__version__}. This might lead to breaking code or invalid results: "
                "refit it under this version.",
                InconsistentVersionWarning,
                stacklevel=2,
            )
        if saved_sklearn is not None and saved_sklearn != sklearn.__version__:
            warnings.warn(
                SklearnVersionWarning(estimator_name=name, current_sklearn_version=sklearn.__version__,
                                      original_sklearn_version=saved_sklearn),
                stacklevel=2,
            )
        super().__setstate__(state)


def _encode_pandas(value) -> dict:
    """A Series or DataFrame as builtins: values, dtypes and index as lists and strings."""
    default_index = value.index.equals(pd.RangeIndex(len(value)))
    encoded = {"n_rows": len(value), "index": None if default_index else value.index.tolist(),
               "index_dtype": str(value.index.dtype)}
    if isinstance(value, pd.Series):
        return {**encoded, "name": value.name, "dtype": str(value.dtype), "data": value.tolist()}
    return {**encoded, "columns": value.columns.tolist(), "dtypes": [str(d) for d in value.dtypes],
            "data": [value[c].tolist() for c in value.columns]}


def _decode_pandas(encoded: dict):
    index = (pd.RangeIndex(encoded["n_rows"]) if encoded["index"] is None
             else pd.Index(encoded["index"], dtype=encoded["index_dtype"]))
    if "columns" not in encoded:
        return pd.Series(encoded["data"], index=index, dtype=encoded["dtype"], name=encoded["name"])
    columns = {c: pd.Series(d, index=index, dtype=t)
               for c, d, t in zip(encoded["columns"], encoded["data"], encoded["dtypes"], strict=True)}
    return pd.DataFrame(columns, index=index, columns=encoded["columns"])
