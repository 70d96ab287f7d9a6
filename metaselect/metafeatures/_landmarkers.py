"""Landmarkers: cross-validated scores and times of cheap learners.

All learners share the same stratified folds (:data:`N_SPLITS`, fewer for
tiny samples) on the subsample's standardised model matrix (median-imputed
numeric columns and ordinal-coded categories). Scores are accuracy for
classification and out-of-fold R^2 (clipped below at -1) for regression.

The ``*_time`` features are wall-clock seconds spent fitting and predicting
over all folds, measured with :data:`_clock`; unlike every other
meta-feature they are not repeatable.
"""

import time
import warnings

import numpy as np
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

from ._learners import fit_predict_1nn, fit_predict_linear, fit_predict_naive_bayes
from ._subsample import stratified_folds

#: Number of cross-validation folds.
N_SPLITS = 5
_R2_FLOOR = -1.0
# Many classes with one member each are legitimate data here, not a mistake.
_MANY_CLASSES_WARNING = "The number of unique classes is greater than"

#: The clock used for the fit-time landmarkers (replaceable in tests).
_clock = time.perf_counter


def _fit_predict_tree(X_train, y_train, X_test, task, seed):
    tree_cls = DecisionTreeClassifier if task == "classification" else DecisionTreeRegressor
    tree = tree_cls(max_depth=1, random_state=seed)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", _MANY_CLASSES_WARNING, UserWarning)
        tree.fit(X_train, y_train)
    return tree.predict(X_test)


def _fit_predict_baseline(X_train, y_train, X_test, task):
    if task == "classification":
        value = np.argmax(np.bincount(y_train))
    else:
        value = y_train.mean()
    return np.full(X_test.shape[0], value)


def _score(y, pred, task):
    if task == "classification":
        return float(np.mean(y == pred))
    total = np.sum((y - y.mean()) ** 2)
    if total <= 0:
        return 0.0
    return float(max(1.0 - np.sum((y - pred) ** 2) / total, _R2_FLOOR))


_LEARNERS = ("baseline", "1nn", "stump", "naive_bayes", "linear", "random_node")


def _fit_predict(name, X_train, y_train, X_test, sample, train):
    """Fit learner ``name`` on one training fold and predict the test fold."""
    task, seed = sample.task, sample.seeds["landmarkers"]
    if name == "baseline":
        return _fit_predict_baseline(X_train, y_train, X_test, task)
    if name == "1nn":
        return fit_predict_1nn(X_train, y_train, X_test, task)
    if name in ("stump", "random_node"):
        return _fit_predict_tree(X_train, y_train, X_test, task, seed)
    if name == "naive_bayes":
        return fit_predict_naive_bayes(X_train, y_train, X_test, task, sample.strata[train])
    return fit_predict_linear(X_train, y_train, X_test, task, sample.n_strata)


def landmarker_features(sample):
    """Compute the ``landmarkers`` group.

    Parameters
    ----------
    sample : Sample
        The subsample.

    Returns
    -------
    dict of str to float
        Values of the group; missing keys take their neutral value (see
        ``neutral_scores``).
    """
    y = sample.strata if sample.task == "classification" else sample.y
    n_splits = min(N_SPLITS, sample.n_rows)
    if n_splits < 2 or sample.n_columns == 0:
        return neutral_scores(sample)
    X = sample.standardized
    folds = stratified_folds(sample.strata, n_splits, np.random.default_rng(sample.seeds["folds"]))
    node = np.random.default_rng(sample.seeds["landmarkers"]).integers(X.shape[1])
    result = {}
    for name in _LEARNERS:
        cols = slice(node, node + 1) if name == "random_node" else slice(None)
        pred = np.empty(sample.n_rows, dtype=y.dtype)
        start = _clock()
        for fold in range(n_splits):
            test = folds == fold
            train = ~test
            pred[test] = _fit_predict(
                name, X[train][:, cols], y[train], X[test][:, cols], sample, train
            )
        elapsed = _clock() - start
        result[f"lm_{name}"] = _score(y, pred, sample.task)
        if name != "baseline":
            result[f"lm_{name}_time"] = elapsed
    return result


def neutral_scores(sample):
    """Landmarker values when cross-validation is impossible.

    Every score is that of the constant predictor on the whole sample: the
    majority-class frequency for classification, 0 for regression; times are 0.

    Parameters
    ----------
    sample : Sample
        The subsample.

    Returns
    -------
    dict of str to float
    """
    if sample.task == "classification":
        value = float(np.bincount(sample.strata).max() / sample.n_rows)
    else:
        value = 0.0
    return {f"lm_{name}": value for name in _LEARNERS}
