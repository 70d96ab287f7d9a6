"""Small numpy learners used as landmarkers.

Each ``fit_predict_*`` function fits on one training fold and predicts the
test fold. They work on standardised data, accept classes absent from the
training fold and never raise on degenerate input (constant columns, a single
class, more columns than rows).
"""

import numpy as np

_RIDGE_ALPHA = 1.0
_NB_VAR_SMOOTHING = 1e-9
_NN_CHUNK = 1024
_LDA_SHRINKAGE = 0.1


def _one_nn_index(X_train, X_test):
    sq_train = np.einsum("ij,ij->i", X_train, X_train)
    nearest = np.empty(X_test.shape[0], dtype=np.int64)
    for start in range(0, X_test.shape[0], _NN_CHUNK):
        block = X_test[start : start + _NN_CHUNK]
        dist = sq_train[None, :] - 2.0 * block @ X_train.T
        nearest[start : start + _NN_CHUNK] = np.argmin(dist, axis=1)
    return nearest


def fit_predict_1nn(X_train, y_train, X_test, task):
    """Predict the target of the nearest training row (Euclidean)."""
    return y_train[_one_nn_index(X_train, X_test)]


def _gaussian_nb_log_posterior(X_train, strata, X_test):
    """Normalised log posterior of each stratum present in training."""
    classes, inverse, counts = np.unique(strata, return_inverse=True, return_counts=True)
    onehot = np.zeros((X_train.shape[0], classes.size))
    onehot[np.arange(X_train.shape[0]), inverse] = 1.0
    mean = onehot.T @ X_train / counts[:, None]
    var = onehot.T @ X_train**2 / counts[:, None] - mean**2
    var = np.maximum(var, 0.0) + _NB_VAR_SMOOTHING * max(X_train.var(axis=0).max(), 1.0)
    precision = 1.0 / var
    log_joint = (
        np.log(counts / counts.sum())
        - 0.5 * np.sum(np.log(2.0 * np.pi * var), axis=1)
        - 0.5 * np.sum(mean**2 * precision, axis=1)
        + X_test @ (mean * precision).T
        - 0.5 * X_test**2 @ precision.T
    )
    log_joint -= log_joint.max(axis=1, keepdims=True)
    log_post = log_joint - np.log(np.exp(log_joint).sum(axis=1, keepdims=True))
    return classes, log_post


def fit_predict_naive_bayes(X_train, y_train, X_test, task, strata_train):
    """Gaussian naive Bayes.

    For regression the classes are the equal-frequency target bins and the
    prediction is the posterior-weighted mean target of the bins.
    """
    if task == "classification":
        classes, log_post = _gaussian_nb_log_posterior(X_train, y_train, X_test)
        return classes[np.argmax(log_post, axis=1)]
    classes, log_post = _gaussian_nb_log_posterior(X_train, strata_train, X_test)
    _, inverse = np.unique(strata_train, return_inverse=True)
    bin_means = np.bincount(inverse, weights=y_train) / np.bincount(inverse)
    return np.exp(log_post) @ bin_means


def _ridge(X, Y, alpha=_RIDGE_ALPHA):
    """Ridge coefficients and intercepts, primal or dual whichever is smaller."""
    x_mean = X.mean(axis=0)
    y_mean = Y.mean(axis=0)
    Xc, Yc = X - x_mean, Y - y_mean
    n, p = Xc.shape
    if p <= n:
        coef = np.linalg.solve(Xc.T @ Xc + alpha * np.eye(p), Xc.T @ Yc)
    else:
        coef = Xc.T @ np.linalg.solve(Xc @ Xc.T + alpha * np.eye(n), Yc)
    return coef, y_mean - x_mean @ coef


def _lda_scores(X_train, y_train, X_test, n_classes):
    """Linear discriminant scores with a shrunk pooled covariance."""
    counts = np.bincount(y_train, minlength=n_classes)
    present = counts > 0
    onehot = np.zeros((y_train.shape[0], n_classes))
    onehot[np.arange(y_train.shape[0]), y_train] = 1.0
    means = onehot.T @ X_train / np.maximum(counts, 1)[:, None]
    centred = X_train - means[y_train]
    p = X_train.shape[1]
    cov = centred.T @ centred / max(y_train.shape[0] - present.sum(), 1)
    target = max(np.trace(cov) / p, 1e-12)
    cov = (1 - _LDA_SHRINKAGE) * cov + _LDA_SHRINKAGE * target * np.eye(p)
    weights = np.linalg.solve(cov, means.T)
    with np.errstate(divide="ignore"):
        log_prior = np.log(counts / counts.sum())
    scores = X_test @ weights - 0.5 * np.sum(means * weights.T, axis=1) + log_prior
    scores[:, ~present] = -np.inf
    return scores


def fit_predict_linear(X_train, y_train, X_test, task, n_classes):
    """Linear model: shrinkage LDA (classification) or ridge (regression).

    LDA uses the pooled within-class covariance shrunk towards a scaled
    identity (shrinkage 0.1), so it is defined with more columns than rows;
    ridge uses alpha=1 on standardised columns.
    """
    if task == "regression":
        coef, intercept = _ridge(X_train, y_train)
        return X_test @ coef + intercept
    return np.argmax(_lda_scores(X_train, y_train, X_test, n_classes), axis=1)
