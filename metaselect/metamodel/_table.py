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

__all__ = ["MetaTable", "normalise_scores", "transform_meta"]


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

    def subset(self, rows) -> MetaTable:
        rows = np.asarray(rows)
        return MetaTable(self.task, [self.datasets[i] for i in rows], [self.groups[i] for i in rows],
                         self.meta[rows], self.meta_names, self.config_ids, self.encodings,
                         self.scores[rows], self.log_time[rows])

    @property
    def target(self) -> np.ndarray:
        """Per-dataset normalised scores in ``[0, 1]``; failures are 0."""
        return normalise_scores(self.scores)


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
