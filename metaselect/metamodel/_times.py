"""Fit times learned from the knowledge base: one ridge regression per family, numpy only.

The network's time head barely follows the configuration or the data (0.138 and 0.149 s per
fold for every forest on one dataset), and on held-out datasets its median
``|log(predicted / measured)|`` is 1.67 (classification) and 1.30 (regression), against 0.39 and
0.32 for a ridge regression per family (``benchmarks/kb_time_model.py``). :class:`FitTimes` is
that model, fitted on every recorded fit time and shipped as ``metamodel/data/times.npz``:

    log(seconds per fold / work) ~ log training rows, log columns, log classes,
                                   log rows x log columns, the configuration's encoding

where ``work`` is what the search's :class:`~metaselect.search.TimeModel` multiplies every
prediction by (:meth:`Family.work <metaselect.portfolio.Family.work>`, times the classes for
families that fit a tree per class), so that it is not counted twice.
"""

from __future__ import annotations

from importlib import resources

import numpy as np

from .._tasks import TASKS
from ..portfolio import Config, Portfolio, encode_config
from ._model import checked_npz_info, save_npz

__all__ = ["FitTimes", "load_fit_times"]

FORMAT = "metaselect-fit-times"
#: Layout version of ``times.npz``.
TIMES_SCHEMA_VERSION = 1
#: Ridge penalty on standardised features (``benchmarks/kb_time_model.py``'s choice).
ALPHA = 1.0
#: A family needs at least this many recorded times to get a model of its own.
MIN_RECORDS = 20
#: Seconds below this count as this (timer resolution).
FLOOR_SECONDS = 1e-4


def _data_features(train_rows: float, n_features: float, n_classes: float) -> np.ndarray:
    rows = np.log(max(float(train_rows), 1.0))
    columns = np.log1p(max(float(n_features), 0.0))
    return np.array([rows, columns, np.log1p(max(float(n_classes), 0.0)), rows * columns])


def _classes(value, task: str) -> float:
    """Classes of a classification dataset (0 for regression or when unknown)."""
    value = float(value) if value is not None else 0.0
    return value if task == "classification" and np.isfinite(value) else 0.0


def _work(family, config: Config, n_features: float, n_classes: float) -> float:
    per_class = n_classes if family.trees_per_class and n_classes > 2 else 1.0
    return family.work(config.params, int(n_features) or None) * per_class


class FitTimes:
    """Seconds per cross-validation fold per configuration, from a ridge regression per family.

    Parameters
    ----------
    tasks : dict of str to dict
        Per task: ``{family: (mean, std, coef)}``, the standardisation of the features
        and the ridge coefficients (intercept first).
    """

    def __init__(self, tasks: dict) -> None:
        self.tasks = {task: dict(families) for task, families in tasks.items()}

    @classmethod
    def from_knowledge_base(cls, kb, tasks=TASKS, exclude_groups=()) -> FitTimes:
        """Fitted on ``kb``'s recorded fit times (status ok), leaving out the datasets of the
        families in ``exclude_groups`` (to measure it on them)."""
        fitted = {}
        for task in tasks:
            portfolio, configs = Portfolio(task), kb.config_sets[task]
            info = kb.metafeatures(task)
            info = info.loc[:, ~info.columns.duplicated(keep="last")]
            results = kb.results(task)
            results = results[(results["status"] == "ok") & ~results["dataset"].map(info["family"]).isin(
                set(exclude_groups))]
            cv = int(kb.settings.get("cv", 3))
            parsed = dict(configs)
            encoded = {cid: encode_config(c, task) for cid, c in parsed.items()}
            rows: dict[str, list] = {}
            for dataset, config_id, seconds in results[["dataset", "config_id", "fit_time"]].itertuples(index=False):
                config, meta = parsed[config_id], info.loc[dataset]
                if config.family not in portfolio.families or not np.isfinite(seconds):
                    continue
                n_classes = _classes(meta.get("n_classes"), task)
                train = float(meta["n_rows_used"]) * (cv - 1) / cv
                x = np.concatenate([_data_features(train, meta["n_features"], n_classes), encoded[config_id]])
                y = np.log(max(seconds, FLOOR_SECONDS) / _work(portfolio[config.family], config,
                                                                 meta["n_features"], n_classes))
                rows.setdefault(config.family, []).append((x, y))
            fitted[task] = {family: _ridge(np.array([x for x, _ in pairs]), np.array([y for _, y in pairs]))
                            for family, pairs in rows.items() if len(pairs) >= MIN_RECORDS}
        return cls(fitted)

    def covers(self, task: str, family: str) -> bool:
        return family in self.tasks.get(task, {})

    def predict(self, configs, portfolio, task: str, train_rows: float, n_features: float,
                n_classes: float | None = None, encodings=None) -> np.ndarray:
        """Seconds per fold on ``train_rows`` training rows divided by each configuration's work
        (as the search's ``TimeModel`` takes a ranker's predictions); NaN for families it does
        not cover. ``encodings``: the configurations' encodings, when the caller has them."""
        data = _data_features(train_rows, n_features, _classes(n_classes, task))
        out = np.full(len(configs), np.nan)
        rows_of: dict[str, list[int]] = {}
        for i, config in enumerate(configs):
            if config.family in self.tasks.get(task, {}) and portfolio.is_builtin(config.family):
                rows_of.setdefault(config.family, []).append(i)
        for family, rows in rows_of.items():
            mean, std, coef = self.tasks[task][family]
            encoded = (np.asarray(encodings, float)[rows] if encodings is not None
                       else np.array([encode_config(configs[i], task) for i in rows]))
            x = (np.column_stack([np.tile(data, (len(rows), 1)), encoded]) - mean) / std
            out[rows] = np.exp(np.clip(coef[0] + x @ coef[1:], -20.0, 20.0))
        return out

    def save(self, path) -> None:
        from ..portfolio import ENCODING_VERSION

        arrays = {f"{task}__{family}__{part}": value for task, families in self.tasks.items()
                  for family, model in families.items() for part, value in zip(("mean", "std", "coef"), model,
                                                                                strict=True)}
        info = {"format": FORMAT, "schema_version": TIMES_SCHEMA_VERSION, "encoding_version": ENCODING_VERSION,
                "families": {task: sorted(families) for task, families in self.tasks.items()}}
        save_npz(path, arrays, info)

    @classmethod
    def load(cls, path) -> FitTimes:
        """Read and check a file written by :meth:`save`; raises ``ValueError`` naming what is wrong."""
        with np.load(path, allow_pickle=False) as data:
            info = checked_npz_info(data, path, FORMAT, TIMES_SCHEMA_VERSION, "a fit-time model")
            tasks = {task: {family: tuple(np.asarray(data[f"{task}__{family}__{part}"], float)
                                          for part in ("mean", "std", "coef")) for family in families}
                     for task, families in info["families"].items()}
        return cls(tasks)


def _ridge(X: np.ndarray, y: np.ndarray):
    """``(mean, std, coef)`` of a ridge regression on standardised ``X`` (intercept unpenalised)."""
    mean, std = X.mean(0), X.std(0)
    std = np.where(std > 1e-9, std, 1.0)
    Z = np.column_stack([np.ones(len(X)), (X - mean) / std])
    penalty = ALPHA * np.eye(Z.shape[1])
    penalty[0, 0] = 0.0
    return mean, std, np.linalg.solve(Z.T @ Z + penalty, Z.T @ y)


def load_fit_times(path=None) -> FitTimes | None:
    """The fit-time model at ``path``, or the one shipped in the package (``None`` if none ships)."""
    if path is not None:
        return FitTimes.load(path)
    file = resources.files("metaselect.metamodel") / "data" / "times.npz"
    if not file.is_file():
        return None
    with resources.as_file(file) as real:
        return FitTimes.load(real)
