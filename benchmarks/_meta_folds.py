"""Folds and per-fold meta-models for the anytime yardstick (``meta_eval.py --anytime``).

Folds are grouped by dataset family. Seed 0 is ``GroupKFold`` on the family
names, exactly the folds of ``meta_eval.py``'s tables; seed ``s > 0`` relabels
the families by a permutation drawn with ``s`` first, so families of equal size
land in other folds.

Retraining the network costs about 15 s per fold and task on one core, so the
per-fold models are cached: ``CACHE/<task>_s<seed>_f<fold>_<key>.npz``, where
``key`` hashes the knowledge base's training datasets of that fold, their scores and the
training seed. ``python benchmarks/_meta_folds.py --seeds 0 1 2 3 4`` fills the
cache ahead of a run (TensorFlow, one thread).
"""

from __future__ import annotations

import argparse
import hashlib
import logging
import os
from pathlib import Path

import numpy as np
from sklearn.model_selection import GroupKFold

DEFAULT_CACHE = Path(os.environ.get("METASELECT_META_EVAL_CACHE",
                                    Path.home() / ".cache" / "metaselect-meta-eval"))
logger = logging.getLogger("meta_folds")


def grouped_folds(groups, n_folds: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """``(train, test)`` row indices of ``n_folds`` folds grouped by ``groups``, drawn with ``seed``."""
    groups = np.asarray(groups)
    labels = groups
    if seed:
        unique = np.unique(groups)
        perm = np.random.default_rng(seed).permutation(len(unique))
        labels = perm[np.searchsorted(unique, groups)]
    splitter = GroupKFold(n_splits=min(n_folds, len(np.unique(groups))))
    return list(splitter.split(np.zeros(len(groups)), groups=labels))


def training_seed(seed: int, fold: int) -> int:
    """The network's ``random_state`` for ``fold`` of fold assignment ``seed`` (meta_eval: seed + fold)."""
    return 1000 * seed + fold


def cache_path(cache: Path, table, train, seed: int, fold: int) -> Path:
    names = "\n".join(sorted(table.datasets[i] for i in train))
    scores = hashlib.sha1(np.ascontiguousarray(table.scores[np.sort(train)]).tobytes()).hexdigest()
    key = hashlib.sha1(f"{names}\n{training_seed(seed, fold)}\n{scores}".encode()).hexdigest()[:10]
    return Path(cache) / f"{table.task}_s{seed}_f{fold}_{key}.npz"


def fold_model(table, train, seed: int, fold: int, cache: Path, train_missing: bool = True):
    """The network trained on ``table``'s rows ``train`` (cached); ``None`` if missing and not trained."""
    from metaselect.metamodel import MetaModel

    path = cache_path(cache, table, train, seed, fold)
    if path.is_file():
        return MetaModel.load(path)
    if not train_missing:
        return None
    from metaselect.metamodel import train_metamodel

    logger.warning("training the %s network of seed %d, fold %d (not cached)", table.task, seed, fold)
    model = train_metamodel(table.subset(train), random_state=training_seed(seed, fold))
    path.parent.mkdir(parents=True, exist_ok=True)
    model.save(path)
    return model


def main(argv=None) -> None:
    from metaselect.knowledge import load_knowledge_base
    from metaselect.metamodel import table_from_knowledge_base

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--tasks", nargs="+", default=["classification", "regression"])
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(message)s")
    kb = load_knowledge_base()
    for seed in args.seeds:
        for task in args.tasks:
            table = table_from_knowledge_base(kb, task)
            for k, (train, _) in enumerate(grouped_folds(table.groups, args.folds, seed)):
                fold_model(table, train, seed, k, args.cache)


if __name__ == "__main__":
    main()
