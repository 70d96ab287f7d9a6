"""The :func:`compute` entry point: validate, subsample, run the groups."""

import logging
import numbers

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state
from threadpoolctl import ThreadpoolController

from .._tasks import TASKS
from ._data import as_table, encode_target
from ._general import general_features
from ._information import information_features
from ._landmarkers import landmarker_features, neutral_scores
from ._model_based import model_based_features
from ._names import NEUTRAL, check_groups, feature_names
from ._sample import Sample
from ._statistical import statistical_features
from ._subsample import choose_columns, quantile_bins, stratified_rows

logger = logging.getLogger(__name__)

#: Default cap on the rows of the subsample used by the expensive groups.
MAX_ROWS = 2000
#: Default cap on the columns of that subsample.
MAX_FEATURES = 100
_SEED_NAMES = ("rows", "columns", "folds", "landmarkers", "tree")
_THREADPOOLS = []


def _single_threaded_blas():
    """Limit BLAS to one thread: our matrices are small, and spinning BLAS
    threads slow everything down when the cores are shared (parallel fits)."""
    if not _THREADPOOLS:
        _THREADPOOLS.append(ThreadpoolController())
    return _THREADPOOLS[0].limit(limits=1, user_api="blas")


def _check_int(name, value, minimum):
    if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < minimum:
        raise ValueError(
            f"The '{name}' parameter of compute must be an int in the range "
            f"[{minimum}, inf). Got {value!r} instead."
        )


def _draw_seeds(random_state):
    """One independent seed per random choice, drawn from ``random_state``."""
    rs = check_random_state(random_state)
    values = rs.randint(0, 2**31 - 1, size=len(_SEED_NAMES))
    return {name: int(value) for name, value in zip(_SEED_NAMES, values, strict=True)}


def _draw_sample(table, y, task, seeds, max_rows, max_features):
    strata = y if task == "classification" else quantile_bins(y)
    rows = stratified_rows(strata, max_rows, np.random.default_rng(seeds["rows"]))
    cols = choose_columns(table.n_features, max_features, np.random.default_rng(seeds["columns"]))
    if rows.size < table.n_rows or cols.size < table.n_features:
        logger.debug(
            "Meta-features on a %d x %d subsample of %d x %d data.",
            rows.size,
            cols.size,
            table.n_rows,
            table.n_features,
        )
    numeric, codes = table.take(rows, cols)
    return Sample(numeric, codes, y[rows], task, seeds)


def compute(
    X,
    y,
    task,
    *,
    random_state=None,
    max_rows=MAX_ROWS,
    max_features=MAX_FEATURES,
    groups=None,
):
    """Describe a supervised dataset by a fixed vector of meta-features.

    The ``general`` group and the class balance use all the data. The other
    groups use one subsample of at most ``max_rows`` rows (stratified by class,
    or by target decile for regression) and ``max_features`` randomly chosen
    columns, so the cost is bounded whatever the data size.

    Parameters
    ----------
    X : array-like, sparse matrix or DataFrame of shape (n_samples, n_features)
        Numeric arrays may contain ``NaN``; DataFrames may mix numeric,
        boolean, datetime, category, object and string columns with missing
        values. Non-numeric columns are treated as categorical; infinite
        values are treated as missing.
    y : array-like of shape (n_samples,)
        Class labels of any type (classification) or numbers (regression).
    task : {"classification", "regression"}
        The learning task.
    random_state : int, RandomState instance or None, default=None
        Controls subsampling, folds and tree fitting. With a fixed value every
        feature except the ``*_time`` landmarkers is exactly repeatable.
    max_rows : int, default=2000
        Row cap of the subsample (at least 10).
    max_features : int, default=100
        Column cap of the subsample (at least 1).
    groups : None, str or iterable of str, default=None
        Compute only these groups (see ``GROUPS``); ``None`` computes all.

    Returns
    -------
    pandas.Series
        float64 values, finite, indexed by ``feature_names(groups)``.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from metaselect.metafeatures import compute
    >>> X, y = load_iris(return_X_y=True)
    >>> mf = compute(X, y, "classification", random_state=0)
    >>> int(mf["n_classes"]), int(mf["n_features"])
    (3, 4)
    """
    if task not in TASKS:
        raise ValueError(
            f"The 'task' parameter of compute must be a str among {set(TASKS)}. "
            f"Got {task!r} instead."
        )
    _check_int("max_rows", max_rows, 10)
    _check_int("max_features", max_features, 1)
    groups = check_groups(groups)
    seeds = _draw_seeds(random_state)

    table = as_table(X)
    y = encode_target(y, task, table.n_rows)
    # Extreme magnitudes (beyond ~1e77) can overflow intermediate powers; the
    # affected features come out non-finite and are set neutral below.
    with _single_threaded_blas(), np.errstate(all="ignore"):
        values = _compute_groups(table, y, task, groups, seeds, max_rows, max_features)
    return _to_series(values, feature_names(groups))


def _compute_groups(table, y, task, groups, seeds, max_rows, max_features):
    sample = _draw_sample(table, y, task, seeds, max_rows, max_features)
    values = {}
    if "general" in groups:
        values.update(general_features(table, y, task, sample))
    if "statistical" in groups:
        values.update(statistical_features(sample, y))
    if "information" in groups:
        values.update(information_features(sample))
    if "landmarkers" in groups:
        values.update(neutral_scores(sample))
        values.update(landmarker_features(sample))
    if "model_based" in groups:
        values.update(model_based_features(sample))
    return values


def _to_series(values, names):
    result = pd.Series(
        [values.get(name, NEUTRAL[name]) for name in names],
        index=pd.Index(names, dtype=object),
        dtype=np.float64,
        name="metafeatures",
    )
    bad = ~np.isfinite(result.to_numpy())
    if bad.any():
        logger.debug("Non-finite meta-features set neutral: %s", list(result.index[bad]))
        result[bad] = [NEUTRAL[name] for name in result.index[bad]]
    return result
