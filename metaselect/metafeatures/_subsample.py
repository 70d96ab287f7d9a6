"""Row and column subsampling, target binning and cross-validation folds.

Every function takes a :class:`numpy.random.Generator`, so that the caller's
``random_state`` alone decides every random choice.
"""

import numpy as np

#: Number of equal-frequency bins used to stratify and discretise a
#: regression target.
N_TARGET_BINS = 10


def quantile_bins(values, n_bins=N_TARGET_BINS):
    """Discretise ``values`` into at most ``n_bins`` equal-frequency bins.

    Parameters
    ----------
    values : ndarray of shape (n,)
        Finite numbers.
    n_bins : int, default=10
        Number of bins wanted; fewer result when values are tied.

    Returns
    -------
    ndarray of shape (n,)
        Bin codes ``0..n_bins-1``, consecutive (empty bins removed).
    """
    edges = np.quantile(values, np.linspace(0, 1, n_bins + 1)[1:-1])
    codes = np.searchsorted(np.unique(edges), values, side="left")
    used = np.bincount(codes) > 0
    return (np.cumsum(used) - 1)[codes].astype(np.int64)


def _allocate(counts, n_take):
    """Split ``n_take`` between strata proportionally, at least one each."""
    share = counts * (n_take / counts.sum())
    alloc = np.minimum(np.maximum(np.floor(share), 1), counts).astype(np.int64)
    while alloc.sum() > n_take:  # many tiny strata: trim the largest
        alloc[np.argmax(alloc)] -= 1
    room = counts - alloc
    remainder = np.where(room > 0, share - np.floor(share), -1.0)
    for stratum in np.argsort(-remainder, kind="stable"):
        if alloc.sum() >= n_take:
            break
        if room[stratum] > 0:
            alloc[stratum] += 1
    return alloc


def stratified_rows(strata, n_take, rng):
    """Draw a stratified sample of row indices, without replacement.

    Each stratum (class, or target bin for regression) gets a share of
    ``n_take`` proportional to its size, and at least one row when there are
    fewer strata than ``n_take``.

    Parameters
    ----------
    strata : ndarray of shape (n,)
        Non-negative integer stratum of each row.
    n_take : int
        Sample size.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray
        Sorted row indices; all rows when ``n <= n_take``.
    """
    n = strata.shape[0]
    if n <= n_take:
        return np.arange(n)
    counts = np.bincount(strata)
    present = np.flatnonzero(counts)
    if present.size >= n_take:
        return np.sort(rng.choice(n, size=n_take, replace=False))
    alloc = _allocate(counts[present], n_take)
    order = np.argsort(strata, kind="stable")
    starts = np.concatenate(([0], np.cumsum(counts)))
    chosen = [
        order[starts[s] + rng.choice(counts[s], size=k, replace=False)]
        for s, k in zip(present, alloc, strict=True)
    ]
    return np.sort(np.concatenate(chosen))


def choose_columns(n_features, max_features, rng):
    """Choose at most ``max_features`` column indices uniformly at random.

    Parameters
    ----------
    n_features : int
        Number of columns.
    max_features : int
        Cap.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray
        Sorted column indices.
    """
    if n_features <= max_features:
        return np.arange(n_features)
    return np.sort(rng.choice(n_features, size=max_features, replace=False))


def stratified_folds(strata, n_splits, rng):
    """Assign each row to one of ``n_splits`` stratified folds.

    Rows are shuffled, grouped by stratum and dealt to folds in turn, so fold
    sizes differ by at most one and each stratum is spread evenly. Unlike
    :class:`~sklearn.model_selection.StratifiedKFold` this works with strata
    that have a single member.

    Parameters
    ----------
    strata : ndarray of shape (n,)
        Integer stratum of each row.
    n_splits : int
        Number of folds.
    rng : numpy.random.Generator
        Source of randomness.

    Returns
    -------
    ndarray of shape (n,)
        Fold index of each row.
    """
    perm = rng.permutation(strata.shape[0])
    dealt = perm[np.argsort(strata[perm], kind="stable")]
    folds = np.empty(strata.shape[0], dtype=np.int64)
    folds[dealt] = np.arange(strata.shape[0]) % n_splits
    return folds
