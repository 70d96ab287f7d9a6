"""The meta-model at run time: a small MLP evaluated in numpy from a plain ``.npz`` file.

TensorFlow trains it (``_training.py``); this module only reads exported
weights, so ``import metaselect``, ``fit`` and ``predict`` never import it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np

from ..portfolio import ENCODING_VERSION
from ._table import transform_meta

__all__ = ["FORMAT_VERSION", "MetaModel", "load_models", "load_pretrained"]

#: Layout version of the exported ``.npz`` file.
FORMAT_VERSION = 1
#: Standardised meta-features are clipped to this many standard deviations.
CLIP = 5.0


def _relu(x):
    return np.maximum(x, 0.0)


class MetaModel:
    """Predict normalised score and log fit time of configurations on a dataset.

    Parameters
    ----------
    weights : list of (W, b) pairs
        Dense layers; ReLU between them, linear output of width 2
        (normalised score, ``log1p`` fit seconds per fold).
    info : dict
        ``task``, ``meta_names``, ``meta_mean``, ``meta_std``, ``encoding_version``,
        ``train_meta`` (standardised meta-features of the training datasets, for
        the distance check) and training provenance.
    """

    def __init__(self, weights, info: dict) -> None:
        self.weights = [(np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)) for W, b in weights]
        self.info = dict(info)
        if self.info.get("encoding_version") != ENCODING_VERSION:
            raise ValueError(
                f"Meta-model was trained on configuration encoding version "
                f"{self.info.get('encoding_version')}, this metaselect uses {ENCODING_VERSION}."
            )
        self.task = self.info["task"]
        self.meta_names = list(self.info["meta_names"])
        self.meta_mean = np.asarray(self.info["meta_mean"], dtype=float)
        self.meta_std = np.asarray(self.info["meta_std"], dtype=float)
        self.train_meta = np.asarray(self.info.get("train_meta", np.empty((0, len(self.meta_names)))))

    # -- inputs ------------------------------------------------------------------
    def standardise(self, meta) -> np.ndarray:
        """Raw meta-features (vector or matrix in ``meta_names`` order) -> model inputs."""
        z = (transform_meta(meta) - self.meta_mean) / self.meta_std
        return np.clip(np.nan_to_num(z), -CLIP, CLIP)

    def meta_vector(self, meta_features) -> np.ndarray:
        """Pick ``meta_names`` out of a Series/dict of meta-features (missing -> mean)."""
        values = [float(meta_features.get(name, np.nan)) for name in self.meta_names]
        raw = np.array(values)
        fill = np.sign(self.meta_mean) * np.expm1(np.abs(self.meta_mean))  # the training mean, untransformed
        return np.where(np.isfinite(raw), raw, fill)

    # -- forward -----------------------------------------------------------------
    def forward(self, z_meta: np.ndarray, encodings: np.ndarray) -> np.ndarray:
        """Raw network output for standardised meta-features and encodings (rows paired)."""
        h = np.concatenate([np.atleast_2d(z_meta), np.atleast_2d(encodings)], axis=1)
        for i, (W, b) in enumerate(self.weights):
            h = h @ W + b
            if i < len(self.weights) - 1:
                h = _relu(h)
        return h

    def predict(self, meta, encodings) -> tuple[np.ndarray, np.ndarray]:
        """``(normalised score, fit seconds per fold)`` of each encoding on one dataset."""
        encodings = np.atleast_2d(np.asarray(encodings, dtype=float))
        z = np.repeat(self.standardise(np.asarray(meta, dtype=float))[None, :], len(encodings), axis=0)
        out = self.forward(z, encodings)
        return out[:, 0], np.expm1(np.clip(out[:, 1], 0.0, 20.0))

    def novelty(self, meta) -> float:
        """Distance to the nearest training dataset over the typical nearest-neighbour distance.

        About 1 for a dataset like those the model was trained on; the selector
        treats values above ``info["novelty_threshold"]`` as out of distribution.
        """
        if len(self.train_meta) == 0:
            return 0.0
        z = self.standardise(np.asarray(meta, dtype=float))
        nearest = float(np.min(np.linalg.norm(self.train_meta - z, axis=1)))
        return nearest / float(self.info.get("typical_nn_distance", 1.0))

    # -- persistence ---------------------------------------------------------------
    def save(self, path) -> None:
        arrays = {f"W{i}": W for i, (W, _) in enumerate(self.weights)}
        arrays.update({f"b{i}": b for i, (_, b) in enumerate(self.weights)})
        info = dict(self.info, format_version=FORMAT_VERSION, n_layers=len(self.weights))
        info["train_meta"] = np.asarray(self.train_meta).tolist()
        arrays["info"] = np.array(json.dumps(info))
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp.npz")
        np.savez_compressed(tmp, **arrays)
        tmp.replace(path)

    @classmethod
    def load(cls, path) -> MetaModel:
        with np.load(path, allow_pickle=False) as data:
            info = json.loads(str(data["info"]))
            if info.get("format_version") != FORMAT_VERSION:
                raise ValueError(f"{path}: meta-model format {info.get('format_version')} is not "
                                 f"the supported version {FORMAT_VERSION}.")
            weights = [(data[f"W{i}"], data[f"b{i}"]) for i in range(info["n_layers"])]
        return cls(weights, info)

    @property
    def n_parameters(self) -> int:
        return int(sum(W.size + b.size for W, b in self.weights))


def load_pretrained(task: str) -> MetaModel | None:
    """The meta-model shipped in the package for ``task``, or ``None`` if none ships."""
    path = resources.files("metaselect.metamodel") / "data" / f"metamodel_{task}.npz"
    if not path.is_file():
        return None
    with resources.as_file(path) as real:
        return MetaModel.load(real)


def load_models(path) -> dict:
    """Models saved by ``metaselect train-meta`` / ``fine-tune``: ``{task: MetaModel}`` from ``path``."""
    path = Path(path)
    models = {}
    for task in ("classification", "regression"):
        file = path / f"metamodel_{task}.npz"
        if file.is_file():
            models[task] = MetaModel.load(file)
    if not models:
        raise FileNotFoundError(f"No metamodel_<task>.npz files in {path}")
    return models
