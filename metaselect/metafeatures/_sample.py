"""The subsample that the statistical, information, landmarker and
model-based groups are computed on, with shared derived arrays cached."""

from functools import cached_property

import numpy as np

from ._subsample import quantile_bins

_MAX_MAGNITUDE = 1e30


class Sample:
    """Rows and columns of the data drawn for the expensive meta-features.

    Parameters
    ----------
    numeric : ndarray of shape (n, p_num)
        Numeric columns, float64, ``NaN`` where missing or infinite.
    codes : ndarray of shape (n, p_cat)
        Categorical columns as integer codes, ``-1`` where missing.
    y : ndarray of shape (n,)
        Class codes (classification) or float target (regression).
    task : {"classification", "regression"}
        The learning task.
    seeds : dict of str to int
        Seeds for the random choices made by the groups.

    Attributes
    ----------
    strata : ndarray of shape (n,)
        Consecutive class codes, or equal-frequency target bins for regression.
    n_strata : int
        Number of distinct strata in the sample.
    """

    def __init__(self, numeric, codes, y, task, seeds):
        numeric[~np.isfinite(numeric)] = np.nan
        self.numeric = numeric
        self.codes = codes
        self.y = y
        self.task = task
        self.seeds = seeds
        self.n_rows = y.shape[0]
        if task == "classification":
            _, self.strata = np.unique(y, return_inverse=True)
        else:
            self.strata = quantile_bins(y)
        self.n_strata = int(self.strata.max()) + 1

    @property
    def n_columns(self):
        """Number of sampled columns, numeric and categorical."""
        return self.numeric.shape[1] + self.codes.shape[1]

    @cached_property
    def sorted_numeric(self):
        """Numeric columns sorted, ``NaN`` last."""
        return np.sort(self.numeric, axis=0)

    @cached_property
    def n_valid(self):
        """Number of non-missing values in each numeric column."""
        return np.count_nonzero(~np.isnan(self.numeric), axis=0)

    @cached_property
    def n_unique(self):
        """Distinct non-missing values per column, numeric then categorical."""
        s = self.sorted_numeric
        numeric = (self.n_valid > 0) + np.count_nonzero(
            (s[1:] != s[:-1]) & ~np.isnan(s[1:]), axis=0
        )
        categorical = [np.unique(c[c >= 0]).size for c in self.codes.T]
        return np.concatenate([numeric, np.asarray(categorical, dtype=np.int64)])

    def quantiles(self, q):
        """Per-column quantiles of the numeric columns, ignoring ``NaN``.

        Parameters
        ----------
        q : array-like of shape (k,)
            Probabilities in [0, 1].

        Returns
        -------
        ndarray of shape (k, p_num)
            Linear-interpolation quantiles (numpy's default method); ``NaN``
            for a column without values.
        """
        q = np.asarray(q, dtype=np.float64)[:, None]
        last = np.maximum(self.n_valid - 1, 0)[None, :]
        pos = q * last
        lo = np.floor(pos).astype(np.int64)
        hi = np.minimum(lo + 1, last)
        cols = np.arange(self.numeric.shape[1])[None, :]
        s = self.sorted_numeric
        low = s[lo, cols]
        result = low + (pos - lo) * (s[hi, cols] - low)
        result[:, self.n_valid == 0] = np.nan
        return result

    @cached_property
    def model_matrix(self):
        """Median-imputed numeric columns next to categorical codes (float).

        A column without any value is imputed with 0, and magnitudes are
        clipped to 1e30 (scikit-learn trees work in float32). This ordinal
        encoding of categories is what the landmarkers and the model-based
        tree see.
        """
        medians = np.nan_to_num(self.quantiles([0.5])[0])
        numeric = np.where(np.isnan(self.numeric), medians, self.numeric)
        # scikit-learn trees work in float32: keep magnitudes representable.
        np.clip(numeric, -_MAX_MAGNITUDE, _MAX_MAGNITUDE, out=numeric)
        return np.hstack([numeric, self.codes.astype(np.float64)])

    @cached_property
    def standardized(self):
        """:attr:`model_matrix` scaled to zero mean and unit variance."""
        Z = self.model_matrix
        sd = Z.std(axis=0)
        sd[sd == 0] = 1.0
        return (Z - Z.mean(axis=0)) / sd
