"""Score functions on out-of-fold predictions, made from scikit-learn scorer names."""

from __future__ import annotations

from functools import partial

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin
from sklearn.metrics import (
    accuracy_score,
    balanced_accuracy_score,
    explained_variance_score,
    f1_score,
    log_loss,
    matthews_corrcoef,
    mean_absolute_error,
    mean_squared_error,
    median_absolute_error,
    r2_score,
    roc_auc_score,
    root_mean_squared_error,
)

__all__ = ["SUPPORTED_SCORERS", "make_score_func"]

_WEIGHTED = "weighted"

# name -> (metric, sign, response, keyword arguments); ``response`` is "label"
# (classes[argmax] of the probabilities), "proba" or "value" (regression).
_CLASSIFICATION = {
    "accuracy": (accuracy_score, 1, "label", {}),
    "balanced_accuracy": (balanced_accuracy_score, 1, "label", {}),
    "f1_macro": (f1_score, 1, "label", {"average": "macro"}),
    "f1_micro": (f1_score, 1, "label", {"average": "micro"}),
    "f1_weighted": (f1_score, 1, "label", {"average": _WEIGHTED}),
    "matthews_corrcoef": (matthews_corrcoef, 1, "label", {}),
    "neg_log_loss": (log_loss, -1, "proba", {}),
    "roc_auc": (roc_auc_score, 1, "proba", {}),
    "roc_auc_ovr": (roc_auc_score, 1, "proba", {"multi_class": "ovr"}),
    "roc_auc_ovo": (roc_auc_score, 1, "proba", {"multi_class": "ovo"}),
    "roc_auc_ovr_weighted": (
        roc_auc_score,
        1,
        "proba",
        {"multi_class": "ovr", "average": _WEIGHTED},
    ),
    "roc_auc_ovo_weighted": (
        roc_auc_score,
        1,
        "proba",
        {"multi_class": "ovo", "average": _WEIGHTED},
    ),
}
_REGRESSION = {
    "r2": (r2_score, 1, "value", {}),
    "explained_variance": (explained_variance_score, 1, "value", {}),
    "neg_mean_squared_error": (mean_squared_error, -1, "value", {}),
    "neg_root_mean_squared_error": (root_mean_squared_error, -1, "value", {}),
    "neg_mean_absolute_error": (mean_absolute_error, -1, "value", {}),
    "neg_median_absolute_error": (median_absolute_error, -1, "value", {}),
}

#: Scorer names :func:`make_score_func` understands, per task.
SUPPORTED_SCORERS = {
    "classification": tuple(sorted(_CLASSIFICATION)),
    "regression": tuple(sorted(_REGRESSION)),
}


def make_score_func(scoring, task, classes=None):
    """Turn a scorer into ``score_func(y_true, prediction)`` for ensemble selection.

    The returned function is greater-is-better, like scikit-learn scorers. For
    classification ``prediction`` is an ``(n_samples, n_classes)`` array of
    class probabilities whose columns follow ``classes``; label metrics see
    ``classes[argmax]``. For regression it is an ``(n_samples,)`` array.

    Parameters
    ----------
    scoring : str or callable
        One of :data:`SUPPORTED_SCORERS` for ``task``, or a scikit-learn
        scorer ``scorer(estimator, X, y)`` (the form ``MetaSelector`` accepts
        as ``scoring``). A callable scorer is called with a stand-in estimator
        whose ``predict`` / ``predict_proba`` return the prediction and an
        empty ``X`` of shape ``(n_samples, 0)``, so it must not use ``X``.
    task : {"classification", "regression"}
        The learning task.
    classes : array-like of shape (n_classes,), default=None
        The class labels, in the column order of the probabilities. Required
        for classification, ignored for regression.

    Returns
    -------
    score_func : callable
        ``score_func(y_true, prediction) -> float``, greater is better.

    Raises
    ------
    ValueError
        If ``task`` is unknown, ``classes`` is missing for classification, or
        ``scoring`` is a name that is not supported for ``task`` (the message
        names it and lists the supported ones).

    Examples
    --------
    >>> import numpy as np
    >>> score = make_score_func("accuracy", "classification", classes=["a", "b"])
    >>> score(np.array(["a", "b"]), np.array([[0.9, 0.1], [0.2, 0.8]]))
    1.0
    """
    if task not in SUPPORTED_SCORERS:
        raise ValueError(
            f"The 'task' parameter must be 'classification' or 'regression'. Got {task!r} instead."
        )
    if task == "classification":
        if classes is None:
            raise ValueError("make_score_func needs 'classes' for classification.")
        classes = np.asarray(classes)
    if callable(scoring):
        return partial(_score_with_scorer, scoring, task, classes)
    table = _CLASSIFICATION if task == "classification" else _REGRESSION
    if not isinstance(scoring, str) or scoring not in table:
        raise ValueError(
            f"Scorer {scoring!r} is not supported for ensemble selection on {task}; "
            f"use a scorer callable or one of {', '.join(SUPPORTED_SCORERS[task])}."
        )
    metric, sign, response, kwargs = table[scoring]
    if task == "regression":
        return partial(_score_values, metric, sign, kwargs)
    if scoring == "roc_auc" and len(classes) > 2:
        raise ValueError(
            "Scorer 'roc_auc' is binary only (as in scikit-learn); use 'roc_auc_ovr' or 'roc_auc_ovo'."
        )
    if response == "label":
        if metric is f1_score:
            kwargs = {**kwargs, "labels": classes}
        return partial(_score_labels, metric, sign, kwargs, classes)
    return partial(_score_probabilities, metric, sign, kwargs, classes)


def _score_values(metric, sign, kwargs, y_true, prediction):
    return sign * float(metric(y_true, np.ravel(prediction), **kwargs))


def _score_labels(metric, sign, kwargs, classes, y_true, proba):
    return sign * float(metric(y_true, classes[np.argmax(proba, axis=1)], **kwargs))


def _score_probabilities(metric, sign, kwargs, classes, y_true, proba):
    if len(classes) == 2 and metric is roc_auc_score:
        # binary: score the positive (second) column, as scikit-learn's scorers do
        return sign * float(metric(y_true == classes[1], proba[:, 1]))
    return sign * float(metric(y_true, proba, labels=classes, **kwargs))


def _score_with_scorer(scorer, task, classes, y_true, prediction):
    if task == "classification":
        estimator = _PrecomputedClassifier(prediction, classes)
    else:
        estimator = _PrecomputedRegressor(np.ravel(prediction))
    return float(scorer(estimator, np.empty((len(y_true), 0)), y_true))


class _PrecomputedClassifier(ClassifierMixin, BaseEstimator):
    """Stand-in classifier whose methods return fixed probabilities (for scorers)."""

    def __init__(self, proba, classes):
        self.proba = proba
        self.classes = classes
        self.classes_ = classes

    def __sklearn_is_fitted__(self):
        return True

    def predict_proba(self, X):
        return self.proba

    def predict(self, X):
        return self.classes[np.argmax(self.proba, axis=1)]


class _PrecomputedRegressor(RegressorMixin, BaseEstimator):
    """Stand-in regressor whose ``predict`` returns fixed values (for scorers)."""

    def __init__(self, values):
        self.values = values

    def __sklearn_is_fitted__(self):
        return True

    def predict(self, X):
        return self.values
