"""What the meta-model remembers of its training data, as two extra inputs per configuration.

Besides a dataset's meta-features and a configuration's encoding, the network
reads two features computed from the training score matrix:

* ``prior``: the configuration's mean normalised score over all training
  datasets (how good it is in general: the single-best-on-average signal);
* ``neighbours``: its mean normalised score over the ``k`` training datasets
  nearest in standardised meta-feature space (the auto-sklearn signal).

A configuration outside the training set borrows both from the nearest training
configuration *of the same family* in encoding space. During training, a
dataset's neighbours never include datasets of its own family, so the network
cannot learn to trust a neighbour that is a copy of itself.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Memory"]


class Memory:
    """Training configurations, their scores, and the training datasets' positions.

    Parameters
    ----------
    encodings : ndarray (n_configs, n_enc)
    family_slots : int
        Number of leading one-hot family slots in an encoding.
    target : ndarray (n_datasets, n_configs)
        Normalised scores of the training datasets.
    z_meta : ndarray (n_datasets, n_meta)
        Their standardised meta-features.
    k : int
        Neighbours averaged for the ``neighbours`` feature.
    groups : list of str, default=None
        The datasets' families (training only: to hide a dataset's own family).
    """

    def __init__(self, encodings, family_slots: int, target, z_meta, k: int = 5, groups=None) -> None:
        self.encodings = np.asarray(encodings, dtype=float)
        self.family_slots = int(min(family_slots, self.encodings.shape[1]))
        self.groups = list(groups) if groups is not None else []
        self.target = np.asarray(target, dtype=float)
        self.z_meta = np.asarray(z_meta, dtype=float)
        self.k = int(k)
        self._family = self.encodings[:, : self.family_slots].argmax(axis=1)
        self._prior = self.target.mean(axis=0) if len(self.target) else np.zeros(len(self.encodings))

    def nearest_configs(self, encodings) -> np.ndarray:
        """Index of the nearest remembered configuration of the same family, per row."""
        encodings = np.atleast_2d(np.asarray(encodings, dtype=float))
        family = encodings[:, : self.family_slots].argmax(axis=1)
        out = np.empty(len(encodings), dtype=int)
        for i, (enc, fam) in enumerate(zip(encodings, family, strict=True)):
            candidates = np.flatnonzero(self._family == fam)
            if len(candidates) == 0:
                candidates = np.arange(len(self.encodings))
            dist = np.linalg.norm(self.encodings[candidates] - enc, axis=1)
            out[i] = candidates[int(np.argmin(dist))]
        return out

    def neighbours(self, z, exclude=None) -> np.ndarray:
        """Rows of the ``k`` training datasets nearest to ``z`` (``exclude``: a boolean row mask)."""
        dist = np.linalg.norm(self.z_meta - z, axis=1)
        if exclude is not None:
            dist = np.where(exclude, np.inf, dist)
        order = np.argsort(dist, kind="stable")[: self.k]
        return order[np.isfinite(dist[order])]

    def features(self, z, config_index, exclude=None) -> np.ndarray:
        """``(n, 2)`` array of (prior, neighbours) for remembered configurations ``config_index``."""
        rows = self.neighbours(z, exclude)
        near = self.target[rows].mean(axis=0) if len(rows) else self._prior
        return np.column_stack([self._prior[config_index], near[config_index]])

    def to_dict(self) -> dict:
        return {"encodings": self.encodings.tolist(), "family_slots": self.family_slots,
                "target": self.target.tolist(), "z_meta": self.z_meta.tolist(), "k": self.k}

    @classmethod
    def from_dict(cls, data: dict) -> Memory:
        return cls(np.array(data["encodings"]), data["family_slots"], np.array(data["target"]),
                   np.array(data["z_meta"]), data["k"])
