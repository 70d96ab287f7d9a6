"""Work units of a build, run in joblib workers: prepare one dataset, evaluate a chunk."""

from __future__ import annotations

import hashlib
import logging
import time
import warnings
import zlib
from functools import lru_cache

import numpy as np
from sklearn.metrics import get_scorer
from sklearn.model_selection import KFold, StratifiedKFold

from .. import metafeatures
from .._tasks import SCORING
from ..datasets import DatasetFolder
from ..portfolio import Config, Portfolio
from ..preprocessing import check_X, make_candidate_pipeline
from ..search import Trial, evaluate_candidate

__all__ = ["SCORING", "dataset_seed", "evaluate_chunk", "prepare", "describe"]

logger = logging.getLogger(__name__)

#: Scorer per task (the selector's defaults).


def dataset_seed(name: str, random_state: int) -> int:
    """A seed per dataset, stable across runs, processes and machines."""
    return (zlib.crc32(name.encode()) + 7919 * int(random_state)) % (2**31 - 1)


def subsample_rows(y, task: str, max_rows: int, cv: int, seed: int) -> np.ndarray:
    """Sorted row indices: all rows, or about ``max_rows`` (stratified by class for classification).

    Each class keeps its share of rows but at least ``min(count, cv)`` rows, so
    stratified folds stay possible.
    """
    n = len(y)
    if n <= max_rows:
        return np.arange(n)
    rng = np.random.default_rng(seed)
    if task != "classification":
        return np.sort(rng.choice(n, size=max_rows, replace=False))
    _, codes = np.unique(np.asarray(y).astype(str), return_inverse=True)
    chosen = []
    for k in range(codes.max() + 1):
        members = np.flatnonzero(codes == k)
        take = max(min(len(members), cv), int(round(len(members) * max_rows / n)))
        chosen.append(rng.choice(members, size=min(take, len(members)), replace=False))
    return np.sort(np.concatenate(chosen))


def folds_fingerprint(rows: np.ndarray, splits) -> str:
    """A short digest of the rows used and of every fold's test indices."""
    digest = hashlib.sha1(np.asarray(rows, dtype=np.int64).tobytes())
    for _, test in splits:
        digest.update(b"|" + np.asarray(test, dtype=np.int64).tobytes())
    return digest.hexdigest()[:16]


@lru_cache(maxsize=4)
def prepare(folder: str, name: str, max_rows: int, cv: int, random_state: int, repetition: int = 0):
    """Load, subsample and validate one dataset and draw its folds (cached per worker).

    ``repetition`` > 0 draws other folds of the same rows (a repeated cross-validation).
    Returns ``(X, y, splits, info)`` where ``info`` holds the original and used
    row counts and the folds' fingerprint.
    """
    dataset = DatasetFolder(folder)
    info = dataset[name]
    X_full, y_full = dataset.load(name)
    seed = dataset_seed(name, random_state)
    rows = subsample_rows(y_full.to_numpy(), info.task, max_rows, cv, seed)
    fold_seed = dataset_seed(f"{name}#{repetition}", random_state) if repetition else seed
    X, _ = check_X(X_full.iloc[rows].reset_index(drop=True))
    y = np.asarray(y_full.to_numpy()[rows])
    if info.task == "classification":
        # Labels keep their type (numbers stay numbers, as a user would pass them); the
        # folds are drawn on their string form so they do not depend on that type.
        y = y if y.dtype.kind in "biuf" else y.astype(str).astype(object)
        strata = y.astype(str)
        splitter = StratifiedKFold(cv, shuffle=True, random_state=fold_seed)
    else:
        y = strata = y.astype(float)
        splitter = KFold(cv, shuffle=True, random_state=fold_seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        splits = [(tr, te) for tr, te in splitter.split(np.zeros(len(y)), strata)]
    meta = {"n_rows_original": int(len(y_full)), "n_rows_used": int(len(y)),
            "folds": folds_fingerprint(rows, splits)}
    return X, y, splits, meta


def describe(folder: str, name: str, max_rows: int, cv: int, random_state: int, repetition: int = 0) -> dict:
    """The ``meta`` payload of one dataset: info, sizes, folds and meta-features of all rows."""
    dataset = DatasetFolder(folder)
    info = dataset[name]
    _, _, _, sizes = prepare(folder, name, max_rows, cv, random_state, repetition)
    X_full, y_full = dataset.load(name)
    names = list(metafeatures.feature_names())
    start = time.perf_counter()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            values = metafeatures.compute(X_full, y_full, info.task,
                                          random_state=dataset_seed(name, random_state))
        names, values, status = list(values.index), [float(v) for v in values], "ok"
    except Exception as exc:  # one dataset's meta-features must not stop the build
        logger.warning("Meta-features of %r failed: %s: %s", name, type(exc).__name__, exc)
        values, status = [None] * len(names), f"failed: {type(exc).__name__}: {exc}"[:300]
    return {"dataset": name, "info": info.to_dict(), **sizes, "metafeature_status": status,
            "metafeature_names": names, "metafeatures": values,
            "metafeature_time": time.perf_counter() - start}


def evaluate_chunk(folder: str, name: str, task: str, chunk: list[tuple[str, dict]], *,
                   max_rows: int, cv: int, time_limit: float, random_state: int, repetition: int = 0) -> dict:
    """Cross-validate each ``(config_id, config_dict)`` of ``chunk`` on one dataset's folds.

    Never raises for a failing configuration: it gets status ``"failed"`` or
    ``"timeout"`` (with the folds finished before the limit).
    """
    X, y, splits, sizes = prepare(folder, name, max_rows, cv, random_state, repetition)
    _, schema = check_X(X)
    portfolio = Portfolio(task)
    scorer = get_scorer(SCORING[task])
    records = []
    for i, (config_id, config_dict) in enumerate(chunk):
        config = Config.from_dict(config_dict)
        trial = Trial(i, config, rung=0, n_samples=len(y))
        start = time.time()
        try:
            estimator = make_candidate_pipeline(portfolio[config.family], config.params, schema,
                                                random_state=random_state,
                                                n_rows=max(len(train) for train, _ in splits))
        except Exception as exc:  # an unbuildable configuration is a failed record
            trial.status, trial.error = "failed", f"{type(exc).__name__}: {exc}"[:300]
        else:
            # One thread per evaluation: builds run many in parallel, and OpenMP loops
            # (gradient boosting) slow down badly when threads outnumber free cores.
            trial = evaluate_candidate(trial, estimator, X, y, splits, scorer, time_limit,
                                       start + time_limit, n_threads=1)
        # A limit that expires before the first fold (the runner's "skipped") is a timeout here.
        status = "timeout" if trial.status == "skipped" else trial.status
        records.append({
            "config_id": config_id, "status": status,
            "fold_scores": [round(float(s), 6) for s in trial.scores],
            "fit_time": _finite(trial.fit_time), "predict_time": _finite(trial.score_time),
            "duration": round(time.time() - start, 4), "error": trial.error[:300],
        })
    return {"dataset": name, "task": task, "folds": sizes["folds"],
            "config_ids": [cid for cid, _ in chunk], "records": records}


def _finite(value: float):
    return round(float(value), 5) if np.isfinite(value) else None
