"""Statistical meta-features of the numeric columns and of a numeric target.

Computed on the subsample's numeric columns (categorical columns are
ignored). Moments ignore missing values; correlations and PCA use the
median-imputed, standardised non-constant columns.
"""

import numpy as np

_SUMMARY_Q = (0.25, 0.5, 0.75)
_CV_CAP = 1e3
_HIGH_CORR = 0.5
_PCA_VARIANCE = 0.95


def _moments(values, axis=0):
    """Biased (Fisher-Pearson) skewness and excess kurtosis, ignoring NaN.

    Both are scale-free, so values are first divided by their largest magnitude:
    otherwise the mean and powers of huge values (up to 1e308) overflow to NaN.
    """
    has_nan = np.isnan(values).any()
    mean_of = np.nanmean if has_nan else np.mean
    scale = (np.nanmax if has_nan else np.max)(np.abs(values), axis=axis, keepdims=True)
    values = values / np.where(scale > 0, scale, 1.0)
    dev = values - mean_of(values, axis=axis, keepdims=True)
    dev2 = dev * dev
    m2 = mean_of(dev2, axis=axis)
    m3 = mean_of(dev2 * dev, axis=axis)
    m4 = mean_of(dev2 * dev2, axis=axis)
    with np.errstate(divide="ignore", invalid="ignore"):
        return m3 / m2**1.5, m4 / (m2 * m2) - 3.0


def _summarise(prefix, values):
    values = values[np.isfinite(values)]
    if values.size == 0:
        return {}
    q25, q50, q75 = np.quantile(values, _SUMMARY_Q)
    return {
        f"{prefix}_mean": values.mean(),
        f"{prefix}_min": values.min(),
        f"{prefix}_q25": q25,
        f"{prefix}_median": q50,
        f"{prefix}_q75": q75,
        f"{prefix}_max": values.max(),
    }


def _correlation_features(sample, varying):
    p = int(varying.sum())
    if p < 2:
        return {}
    Z = sample.standardized[:, : sample.numeric.shape[1]][:, varying]
    corr = np.clip(Z.T @ Z / Z.shape[0], -1.0, 1.0)
    pairs = np.abs(corr[np.triu_indices(p, k=1)])
    eig = np.clip(np.linalg.eigvalsh(corr)[::-1], 0.0, None)
    if eig.sum() <= 0:
        return {}
    explained = np.cumsum(eig) / eig.sum()
    n_comp = int(np.searchsorted(explained, _PCA_VARIANCE - 1e-12)) + 1
    return {
        "abs_corr_mean": pairs.mean(),
        "abs_corr_max": pairs.max(),
        "frac_high_corr_pairs": np.mean(pairs >= _HIGH_CORR),
        "pca_frac_components_95": min(n_comp, p) / p,
        "pca_first_component_ratio": eig[0] / eig.sum(),
    }


def _spread_features(sample, varying):
    X = sample.numeric[:, varying]
    q1, q3 = sample.quantiles([0.25, 0.75])[:, varying]
    fence = 1.5 * (q3 - q1)
    with np.errstate(invalid="ignore"):
        outside = (X < q1 - fence) | (X > q3 + fence)
    mean = np.nanmean(X, axis=0)
    sd = np.nanstd(X, axis=0)
    nonzero_mean = np.abs(mean) > 1e-8 * sd
    result = {
        "frac_outlier_cells": outside.sum() / max(sample.n_valid[varying].sum(), 1),
        "frac_features_with_outliers": outside.any(axis=0).mean(),
        "log_sd_ratio": np.log10(sd.max() / sd.min()) if sd.min() > 0 else 0.0,
    }
    if nonzero_mean.any():
        cv = np.minimum(sd[nonzero_mean] / np.abs(mean[nonzero_mean]), _CV_CAP)
        result["cv_median"] = np.median(cv)
    return result


def statistical_features(sample, y_full):
    """Compute the ``statistical`` group.

    Parameters
    ----------
    sample : Sample
        The subsample.
    y_full : ndarray of shape (n_samples,)
        The whole target; its moments are used for regression.

    Returns
    -------
    dict of str to float
        Values of the group; missing keys take their neutral value.
    """
    result = {}
    p_num = sample.numeric.shape[1]
    if sample.task == "regression":
        skew, kurt = _moments(y_full)
        result.update(target_skew=skew, target_kurt=kurt)
    if sample.n_columns:
        result["frac_constant_features"] = np.mean(sample.n_unique <= 1)
    if p_num == 0:
        return result
    varying = sample.n_unique[:p_num] > 1
    valid = sample.n_valid.sum()
    if valid:
        result["frac_zero_cells"] = np.count_nonzero(sample.numeric == 0) / valid
    if not varying.any():
        return result
    skew, kurt = _moments(sample.numeric[:, varying])
    result.update(_summarise("skew", skew))
    result.update(_summarise("kurt", kurt))
    result.update(_correlation_features(sample, varying))
    result.update(_spread_features(sample, varying))
    return result
