"""Training data for the meta-model: one matrix of scores per task.

Rows are datasets, columns configurations. A dataset's scores are normalised to
``[0, 1]`` between its worst and best successful configuration, so datasets of
different difficulty weigh the same; a configuration that failed or timed out
counts as the worst (0). Times are ``log1p`` of the fit time per fold in seconds
(failed and timed-out runs are left out of the time loss).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..search import TIME_REFERENCE_ROWS

__all__ = ["MetaTable", "normalise_scores", "table_from_knowledge_base", "transform_meta"]


@dataclass
class MetaTable:
    """What the meta-model learns from, for one task.

    Attributes
    ----------
    task : str
    datasets : list of str                       (n_datasets,)
    groups : list of str                         dataset families, for grouped splits
    meta : ndarray (n_datasets, n_meta)          raw meta-features
    meta_names : list of str
    config_ids : list of str                     (n_configs,)
    encodings : ndarray (n_configs, n_enc)       configuration encodings
    scores : ndarray (n_datasets, n_configs)     raw scores, NaN where not ok
    log_time : ndarray (n_datasets, n_configs)   log1p fit seconds, NaN where not ok
    evaluated : ndarray of bool (n_datasets, n_configs) or None
        Which configurations were run on which dataset (``None``: all, as in a
        knowledge base). A configuration that was run and failed counts as the
        dataset's worst; one that was not run is left out of the loss.
    """

    task: str
    datasets: list
    groups: list
    meta: np.ndarray
    meta_names: list
    config_ids: list
    encodings: np.ndarray
    scores: np.ndarray
    log_time: np.ndarray
    evaluated: np.ndarray | None = None
    #: Training rows per fold behind the measured times (to scale them to other sizes).
    time_reference_rows: float = TIME_REFERENCE_ROWS

    @property
    def mask(self) -> np.ndarray:
        """Which (dataset, configuration) pairs take part in the loss."""
        return np.ones(self.scores.shape, dtype=bool) if self.evaluated is None else self.evaluated

    def subset(self, rows) -> MetaTable:
        rows = np.asarray(rows)
        return MetaTable(self.task, [self.datasets[i] for i in rows], [self.groups[i] for i in rows],
                         self.meta[rows], self.meta_names, self.config_ids, self.encodings,
                         self.scores[rows], self.log_time[rows],
                         None if self.evaluated is None else self.evaluated[rows], self.time_reference_rows)

    @property
    def target(self) -> np.ndarray:
        """Per-dataset normalised scores in ``[0, 1]``; failures are 0."""
        return normalise_scores(self.scores)


def table_from_knowledge_base(kb, task: str, meta_names=None) -> MetaTable:
    """The :class:`MetaTable` of ``task`` from a :class:`~metaselect.knowledge.KnowledgeBase`.

    ``meta_names`` defaults to every meta-feature the knowledge base holds except
    the landmarkers' wall-clock times (not repeatable); missing values take the
    column median.
    """
    from ..metafeatures import TIME_FEATURES
    from ..portfolio import encode_config

    scores = kb.score_matrix(task)
    results = kb.results(task)
    times = results[results["status"] == "ok"].pivot(index="dataset", columns="config_id", values="fit_time")
    times = times.reindex(index=scores.index, columns=scores.columns)
    info = kb.metafeatures(task).reindex(scores.index)
    # n_features and n_classes are both dataset info and meta-features: keep the meta-features.
    info = info.loc[:, ~info.columns.duplicated(keep="last")]
    if meta_names is None:
        meta_names = [n for n in kb.metafeature_names if n not in TIME_FEATURES]
    meta = info[list(meta_names)].astype(float)
    meta = meta.fillna(meta.median()).fillna(0.0)
    configs = kb.config_sets[task]
    encodings = np.array([encode_config(configs[cid], task) for cid in scores.columns])
    cv = int(kb.settings.get("cv", 3))
    reference = float(info["n_rows_used"].median()) * (cv - 1) / cv
    return MetaTable(task, list(scores.index), [str(g) for g in info["family"]], meta.to_numpy(),
                     list(meta_names), list(scores.columns), encodings, scores.to_numpy(float),
                     np.log1p(times.to_numpy(float)), time_reference_rows=reference)


def normalise_scores(scores: np.ndarray) -> np.ndarray:
    """Min-max normalise each row over its finite entries; NaN (failed) becomes 0."""
    scores = np.asarray(scores, dtype=float)
    low = np.nanmin(np.where(np.isfinite(scores), scores, np.nan), axis=1, keepdims=True)
    high = np.nanmax(np.where(np.isfinite(scores), scores, np.nan), axis=1, keepdims=True)
    span = np.where(high - low > 1e-12, high - low, 1.0)
    out = (scores - low) / span
    out[~np.isfinite(out)] = 0.0
    return out


def transform_meta(meta: np.ndarray) -> np.ndarray:
    """Signed ``log1p``: tames counts and heavy tails before standardisation."""
    meta = np.asarray(meta, dtype=float)
    return np.sign(meta) * np.log1p(np.abs(meta))
