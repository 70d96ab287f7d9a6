"""Information-theoretic meta-features (entropies in bits).

Numeric columns are discretised like PyMFE does: ``int(n ** (1/3))``
equal-frequency bins (at least 2) over the subsample's ``n`` rows, tied bin
edges merged; missing values form a bin of their own, as do missing
categories. The target is the class label, or for regression the
equal-frequency target bin (see ``_subsample.N_TARGET_BINS``).
"""

import numpy as np


def discretize(sample):
    """Discretise every sampled column into small non-negative integer codes.

    Parameters
    ----------
    sample : Sample
        The subsample.

    Returns
    -------
    ndarray of shape (n, p)
        Codes, numeric columns first; ``codes.max() + 1`` bounds every column.
    """
    n_bins = max(2, int(sample.n_rows ** (1 / 3)))
    X = sample.numeric
    edges = sample.quantiles(np.linspace(0, 1, n_bins + 1)[1:])
    with np.errstate(invalid="ignore"):
        numeric = (X[:, :, None] > edges.T[None, :, :]).sum(axis=2)
    numeric[np.isnan(X)] = n_bins + 1
    categorical = np.where(sample.codes < 0, sample.codes.max(initial=0) + 1, sample.codes)
    return np.hstack([numeric, categorical])


def _entropy(counts):
    p = counts[counts > 0] / counts.sum()
    return float(-np.sum(p * np.log2(p)))


def _column_entropies(keys):
    """Entropy of the values in each column of an integer matrix."""
    n, p = keys.shape
    flat = np.sort(keys, axis=0).T.ravel()
    starts = np.flatnonzero(
        np.concatenate(([True], (flat[1:] != flat[:-1]) | (np.arange(1, n * p) % n == 0)))
    )
    prob = np.diff(np.append(starts, n * p)) / n
    return np.bincount(starts // n, weights=-prob * np.log2(prob), minlength=p)


def information_features(sample):
    """Compute the ``information`` group.

    Parameters
    ----------
    sample : Sample
        The subsample.

    Returns
    -------
    dict of str to float
        Values of the group; missing keys take their neutral value.
    """
    target = sample.strata
    k = sample.n_strata
    target_entropy = _entropy(np.bincount(target, minlength=k))
    result = {"target_entropy": target_entropy}
    codes = discretize(sample)
    p = codes.shape[1]
    if p == 0:
        return result
    feature_entropy = _column_entropies(codes)
    joint_entropy = _column_entropies(codes * k + target[:, None])
    mutual_info = np.maximum(feature_entropy + target_entropy - joint_entropy, 0.0)
    mi_mean = mutual_info.mean()
    result.update(
        feature_entropy_mean=feature_entropy.mean(),
        mutual_info_mean=mi_mean,
        mutual_info_max=mutual_info.max(),
    )
    if target_entropy > 0:
        result["mutual_info_norm"] = mi_mean / target_entropy
    if mi_mean > 1e-12:
        result["equivalent_n_features"] = target_entropy / mi_mean
        result["noise_signal_ratio"] = (feature_entropy.mean() - mi_mean) / mi_mean
    return result
