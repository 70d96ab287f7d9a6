"""The meta-model at run time: a small MLP evaluated in numpy from a plain ``.npz`` file.

TensorFlow trains it (``_training.py``); this module only reads exported
weights, so ``import metaselect``, ``fit`` and ``predict`` never import it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import numpy as np

from .._tasks import TASKS
from ..portfolio import ENCODING_VERSION
from ._memory import Memory
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
    members : list of lists of (W, b) pairs
        An ensemble of networks; each a list of dense layers with ReLU between
        them and a linear output of width 2 (normalised score, ``log1p`` fit
        seconds per fold). Predictions are the members' mean, plus
        ``info["prior_weight"]`` times the memory's prior for the score.
    info : dict
        ``task``, ``meta_names``, ``meta_mean``, ``meta_std``, ``encoding_version``,
        ``train_meta`` (standardised meta-features of the training datasets, for
        the distance check) and training provenance.
    """

    def __init__(self, members, info: dict, memory: Memory | None = None) -> None:
        self.memory = memory
        self.members = [[(np.asarray(W, dtype=np.float64), np.asarray(b, dtype=np.float64)) for W, b in layers]
                        for layers in members]
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
    def inputs(self, z, encodings) -> np.ndarray:
        """Network inputs for one dataset (standardised ``z``) and rows of encodings."""
        encodings = np.atleast_2d(np.asarray(encodings, dtype=float))
        parts = [np.repeat(np.atleast_2d(z), len(encodings), axis=0), encodings]
        if self.memory is not None:
            parts.append(self.memory.features(z, self.memory.nearest_configs(encodings)))
        return np.concatenate(parts, axis=1)

    def forward(self, x: np.ndarray, member: int | None = None) -> np.ndarray:
        """Network output ``(score, log1p seconds)`` for rows of :meth:`inputs`.

        One ``member``'s raw output, or (``None``) the ensemble mean.
        """
        if member is None:
            return np.mean([self.forward(x, m) for m in range(len(self.members))], axis=0)
        h = np.atleast_2d(x)
        layers = self.members[member]
        for i, (W, b) in enumerate(layers):
            h = h @ W + b
            if i < len(layers) - 1:
                h = _relu(h)
        return h

    def predict(self, meta, encodings) -> tuple[np.ndarray, np.ndarray]:
        """``(normalised score, fit seconds per fold)`` of each encoding on one dataset."""
        x = self.inputs(self.standardise(np.asarray(meta, dtype=float)), encodings)
        out = self.forward(x)
        score = out[:, 0]
        if self.memory is not None and self.info.get("prior_weight"):
            score = score + self.info["prior_weight"] * x[:, -2]  # the memory's prior column
        return score, np.expm1(np.clip(out[:, 1], 0.0, 20.0))

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
        arrays = {}
        for m, layers in enumerate(self.members):
            arrays.update({f"W{m}_{i}": W for i, (W, _) in enumerate(layers)})
            arrays.update({f"b{m}_{i}": b for i, (_, b) in enumerate(layers)})
        info = dict(self.info, format_version=FORMAT_VERSION, n_layers=len(self.members[0]),
                    n_members=len(self.members))
        info["train_meta"] = np.asarray(self.train_meta).tolist()
        if self.memory is not None:
            info["memory"] = {"family_slots": self.memory.family_slots, "k": self.memory.k}
            arrays.update(mem_encodings=self.memory.encodings, mem_target=self.memory.target,
                          mem_z=self.memory.z_meta)
        save_npz(path, arrays, info)

    @classmethod
    def load(cls, path) -> MetaModel:
        with np.load(path, allow_pickle=False) as data:
            info = json.loads(str(data["info"]))
            if info.get("format_version") != FORMAT_VERSION:
                raise ValueError(f"{path}: meta-model format {info.get('format_version')} is not "
                                 f"the supported version {FORMAT_VERSION}.")
            members = [[(data[f"W{m}_{i}"], data[f"b{m}_{i}"]) for i in range(info["n_layers"])]
                       for m in range(info["n_members"])]
            memory = None
            if "memory" in info:
                memory = Memory(data["mem_encodings"], info["memory"]["family_slots"],
                                data["mem_target"], data["mem_z"], info["memory"]["k"])
        return cls(members, info, memory)

    @property
    def n_parameters(self) -> int:
        return int(sum(W.size + b.size for layers in self.members for W, b in layers))


def save_npz(path, arrays: dict, info: dict) -> None:
    """Write ``arrays`` and the JSON ``info`` to a compressed ``.npz`` at ``path``, atomically."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp.npz")
    np.savez_compressed(tmp, **arrays, info=np.array(json.dumps(info)))
    tmp.replace(path)


def checked_npz_info(data, path, fmt: str, schema_version: int, what: str) -> dict:
    """The JSON ``info`` of an ``.npz`` written by :func:`save_npz`, checked: its format and schema
    version, and the configuration encoding it was built for; ``ValueError`` naming what is wrong."""
    from ..portfolio import ENCODING_VERSION

    info = json.loads(str(data["info"])) if "info" in data else {}
    if info.get("format") != fmt or info.get("schema_version") != schema_version:
        raise ValueError(f"{path} is not {what} of schema version {schema_version}.")
    if info.get("encoding_version") != ENCODING_VERSION:
        raise ValueError(f"{path} was built for configuration encoding version "
                         f"{info.get('encoding_version')!r}; this metaselect uses {ENCODING_VERSION}.")
    return info


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
    for task in TASKS:
        file = path / f"metamodel_{task}.npz"
        if file.is_file():
            models[task] = MetaModel.load(file)
    if not models:
        raise FileNotFoundError(f"No metamodel_<task>.npz files in {path}")
    return models
