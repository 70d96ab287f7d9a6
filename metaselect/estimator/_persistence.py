"""Saving and loading: a pickled selector remembers which versions made it."""

from __future__ import annotations

import warnings

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
    """Record metaselect's and scikit-learn's versions when pickled; warn on load under others.

    scikit-learn records its version only for its own estimators; a selector
    holds fitted scikit-learn pipelines, the shipped meta-model and the search
    spaces of one metaselect version, so both versions are recorded.
    """

    def __getstate__(self):
        state = super().__getstate__()
        state["_metaselect_version"] = _version.__version__
        state["_sklearn_version"] = sklearn.__version__
        return state

    def __setstate__(self, state):
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
