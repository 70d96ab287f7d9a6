"""What the search borrows from the knowledge base at run time: the learned portfolio and an in-run adapter.

Loading the knowledge base and building its tables takes about 2 s, too slow for
every ``fit``; the adapters need only each training dataset's scores on the
knowledge base's configurations. :class:`TransferMatrix` holds exactly that
(datasets x configurations, raw and normalised, plus the configurations'
encodings), built from the same :class:`MetaTable` as the network and the
portfolio and shipped as ``metamodel/data/transfer.npz``.

:class:`LearnedStart` is what :meth:`MetaModelRanker.learned_start` hands the
search: the portfolio's members that are valid in the fit's portfolio, and an
:class:`InRunRanking` that reorders untried configurations from the scores seen
so far. The order is the one the anytime yardstick chose (docs/metamodel.md):
classification, with a network, ranks by the mean of the ranks under
:class:`ABLRAdapter` and :class:`DatasetReweighting` (greedy gain, bandwidth 0.1);
regression, or without a network, by :class:`DatasetReweighting` alone.
"""

from __future__ import annotations

import hashlib
from importlib import resources

import numpy as np

from .._tasks import TASKS
from ..portfolio import ENCODING_VERSION, FAMILY_ORDER, encode_config
from ._adapt import ABLRAdapter, DatasetReweighting
from ._model import checked_npz_info, save_npz

__all__ = ["InRunRanking", "LearnedStart", "TransferMatrix", "load_transfer"]

FORMAT = "metaselect-transfer-matrix"
#: Layout version of ``transfer.npz``.
TRANSFER_SCHEMA_VERSION = 1
#: Bandwidth of the reweighting kernel on raw scores, chosen by the anytime yardstick.
BANDWIDTH = 0.1


def clip_fill(scores) -> np.ndarray:
    """Raw scores clipped at 0 (R^2 below 0 counts as 0); a failure scores the dataset's worst."""
    raw = np.clip(np.where(np.isfinite(scores), scores, np.nan), 0, None)
    worst = np.nanmin(np.where(np.isfinite(raw), raw, np.inf), axis=1, keepdims=True)
    worst = np.where(np.isfinite(worst), worst, 0.0)
    return np.where(np.isnan(raw), worst, raw)


class TransferMatrix:
    """Per task: configuration encodings and the training datasets' raw and normalised scores on them.

    Parameters
    ----------
    tasks : dict of str to dict
        Per task: ``encodings`` (n_configs, n_enc), ``target`` and ``raw``
        (n_datasets, n_configs), ``digest`` (of the dataset names), and optionally
        ``prior`` (n_datasets,), the datasets' weights before any observation
        (uniform if absent; :func:`learn_from_experience` sets it, it is not saved).
    """

    def __init__(self, tasks: dict) -> None:
        self.tasks = {task: dict(entry) for task, entry in tasks.items()}

    @classmethod
    def from_tables(cls, tables) -> TransferMatrix:
        """From ``{task: MetaTable}`` (e.g. :func:`table_from_knowledge_base`, or a subset of it)."""
        return cls({task: {"encodings": np.asarray(t.encodings, float), "target": np.asarray(t.target, float),
                           "raw": clip_fill(t.scores),
                           "digest": hashlib.sha1("\n".join(sorted(t.datasets)).encode()).hexdigest()[:12]}
                    for task, t in tables.items()})

    @classmethod
    def from_knowledge_base(cls, kb, tasks=TASKS) -> TransferMatrix:
        from ._table import table_from_knowledge_base

        return cls.from_tables({task: table_from_knowledge_base(kb, task) for task in tasks})

    def reweighting(self, task: str) -> DatasetReweighting | None:
        """A fresh :class:`DatasetReweighting` over ``task``'s datasets; ``None`` without them."""
        entry = self.tasks.get(task)
        if entry is None or not len(entry["target"]):
            return None
        return DatasetReweighting(entry["encodings"], entry["target"], entry["raw"], BANDWIDTH,
                                  prior=entry.get("prior"), family_slots=len(FAMILY_ORDER.get(task, ())))

    def save(self, path) -> None:
        arrays = {f"{task}__{key}": np.asarray(entry[key]) for task, entry in self.tasks.items()
                  for key in ("encodings", "target", "raw")}
        info = {"format": FORMAT, "schema_version": TRANSFER_SCHEMA_VERSION, "encoding_version": ENCODING_VERSION,
                "digests": {task: entry["digest"] for task, entry in self.tasks.items()}}
        save_npz(path, arrays, info)

    @classmethod
    def load(cls, path) -> TransferMatrix:
        """Read and check a file written by :meth:`save`; raises ``ValueError`` naming what is wrong."""
        with np.load(path, allow_pickle=False) as data:
            info = checked_npz_info(data, path, FORMAT, TRANSFER_SCHEMA_VERSION, "a transfer matrix")
            tasks = {task: {"encodings": data[f"{task}__encodings"], "target": data[f"{task}__target"],
                            "raw": data[f"{task}__raw"], "digest": digest}
                     for task, digest in info["digests"].items()}
        return cls(tasks)


def load_transfer(path=None) -> TransferMatrix:
    """The transfer matrix at ``path``, or the one shipped in the package."""
    if path is not None:
        return TransferMatrix.load(path)
    with resources.as_file(resources.files("metaselect.metamodel") / "data" / "transfer.npz") as real:
        return TransferMatrix.load(real)


class InRunRanking:
    """Preferences over configurations, refined from the scores seen on the dataset at hand.

    Parameters
    ----------
    task : str
    reweighting : DatasetReweighting or None
    network : ABLRAdapter or None
        Joined by the mean of the ranks when given.
    """

    def __init__(self, task: str, reweighting=None, network=None) -> None:
        self.task = task
        self.reweighting = reweighting
        self.network = network
        self.n_observed_ = 0

    def update(self, configs, scores) -> InRunRanking:
        """All observations so far: ``configs`` and their raw scores (NaN: failed)."""
        scores = np.asarray(scores, dtype=float)
        scores = np.where(np.isfinite(scores), np.clip(scores, 0, None), np.nan)
        encodings = self._encode(configs)
        for adapter in (self.reweighting, self.network):
            if adapter is not None:
                adapter.update(encodings, scores)
        self.n_observed_ = len(scores)
        return self

    def predict(self, configs) -> np.ndarray:
        """Preference of each configuration (higher: try earlier)."""
        encodings = self._encode(configs)
        parts = []
        if self.reweighting is not None:
            gain = self.reweighting.predict(encodings, improvement=True)
            mean = self.reweighting.predict(encodings)
            parts.append(gain + 1e-9 * mean)  # ties (no gain left anywhere): the weighted mean score
        if self.network is not None:
            parts.append(self.network.predict(encodings))
        if not parts:
            return np.zeros(len(encodings))
        if len(parts) == 1:
            return parts[0]
        return np.sum([np.argsort(np.argsort(p, kind="stable")) for p in parts], axis=0).astype(float)

    def _encode(self, configs) -> np.ndarray:
        return np.array([encode_config(c, self.task) for c in configs], dtype=float).reshape(len(configs), -1)


class LearnedStart:
    """The learned portfolio's members for one fit, and a factory of in-run rankings.

    Parameters
    ----------
    task : str
    members : list of Config
        Valid in the fit's portfolio, in the portfolio's order (the first is the SBS).
    transfer : TransferMatrix or None
    model : MetaModel or None
        The network, for :class:`ABLRAdapter` (classification only: the
        yardstick found it below the reweighting alone for regression).
    meta_vector : ndarray or None
    zero_shot : Config or None
        The one configuration to fit without search (the learned portfolio's
        zero-shot pick); ``None``: the first member.
    """

    def __init__(self, task: str, members, transfer=None, model=None, meta_vector=None, zero_shot=None) -> None:
        self.task = task
        self.members = list(members)
        self.zero_shot = zero_shot if zero_shot is not None else (self.members[0] if self.members else None)
        self.transfer = transfer
        self.model = model
        self.meta_vector = meta_vector

    def ranking(self, candidates=()) -> InRunRanking:
        """A fresh :class:`InRunRanking`; ``candidates`` standardise the network's features."""
        reweighting = self.transfer.reweighting(self.task) if self.transfer is not None else None
        network = None
        if self.model is not None and self.meta_vector is not None and self.task == "classification":
            encodings = np.array([encode_config(c, self.task) for c in candidates]) if len(candidates) else None
            network = ABLRAdapter(self.model, self.meta_vector, encodings)
        return InRunRanking(self.task, reweighting, network)
