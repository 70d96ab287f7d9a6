"""Meta-evaluation: how well does each meta-learner pick configurations for unseen datasets?

Grouped cross-validation over the knowledge base: datasets are split into
``--folds`` groups *by family* (variants of one dataset never straddle train and
test), every meta-learner is retrained on the training datasets of each fold,
and for each test dataset we look up, in the knowledge base, the real
cross-validated score of what each learner picks. Learners:

* ``neural``: the metaselect meta-model (Keras, trained as shipped);
* ``random_forest``: a random-forest regressor on the same inputs and target;
* ``nearest_datasets``: auto-sklearn style, the best configuration of each of
  the k nearest training datasets in standardised meta-feature space, nearest first;
* ``sbs``: the single best configurations on average over the training datasets.

Metrics per task (scores: balanced accuracy / R^2 clipped at 0, as in the KB report):
closed gap = (mean score of the pick - SBS) / (VBS - SBS) for the top-1 pick and
for the best of the top 5, top-1 / top-5 hit rates (the oracle's configuration
is picked / among the 5) and mean regret against the oracle (VBS).

A second table, *held-out fold*, measures how much of that gap is noise. The
knowledge base keeps each configuration's score on each of its cross-validation
folds; there each fold in turn is the test fold: the top-1 picks above are scored
on it alone, the VBS is the best score on it, and one more learner, ``own_cv``,
picks by the mean of the *other* folds of the test dataset itself: a search
that cross-validated all configurations on this very dataset, the ceiling of
what any meta-learner (which never sees the dataset's scores) can reach.

    python benchmarks/meta_eval.py [--kb PATH] [--folds 10] [--tasks classification regression]
"""

from __future__ import annotations

import argparse
import logging
import time

import numpy as np
import pandas as pd
from sklearn.ensemble import RandomForestRegressor
from sklearn.model_selection import GroupKFold

from metaselect.knowledge import load_knowledge_base
from metaselect.metamodel import table_from_knowledge_base, train_metamodel, transform_meta

K_NEAREST = 5


def _standardise(train_meta, test_meta):
    t_train, t_test = transform_meta(train_meta), transform_meta(test_meta)
    mean, std = t_train.mean(0), t_train.std(0)
    std = np.where(std > 1e-9, std, 1.0)
    return np.clip((t_train - mean) / std, -5, 5), np.clip((t_test - mean) / std, -5, 5)


def rank_neural(train, test, seed, **kwargs):
    model = train_metamodel(train, random_state=seed, **kwargs)
    return np.array([model.predict(m, train.encodings)[0] for m in test.meta])


def rank_random_forest(train, test, seed):
    z_train, z_test = _standardise(train.meta, test.meta)
    n_c = len(train.config_ids)
    X = np.hstack([np.repeat(z_train, n_c, axis=0), np.tile(train.encodings, (len(z_train), 1))])
    forest = RandomForestRegressor(n_estimators=200, min_samples_leaf=3, max_features=0.3, n_jobs=-1,
                                   random_state=seed).fit(X, train.target.ravel())
    Xt = np.hstack([np.repeat(z_test, n_c, axis=0), np.tile(train.encodings, (len(z_test), 1))])
    return forest.predict(Xt).reshape(len(z_test), n_c)


def rank_nearest(train, test, seed):
    z_train, z_test = _standardise(train.meta, test.meta)
    target = train.target
    out = np.zeros((len(z_test), target.shape[1]))
    for i, z in enumerate(z_test):
        order = np.argsort(np.linalg.norm(z_train - z, axis=1))[:K_NEAREST]
        # The best configuration of the nearest dataset ranks first, then of the 2nd, ...
        for rank, j in enumerate(order):
            best = int(np.argmax(target[j]))
            out[i, best] = max(out[i, best], K_NEAREST + 1 - rank)
        out[i] += 1e-3 * target[order].mean(0)  # ties: mean normalised score of the neighbours
    return out


def rank_sbs(train, test, seed):
    return np.repeat(train.target.mean(0)[None, :], len(test.datasets), axis=0)


LEARNERS = {"neural": rank_neural, "random_forest": rank_random_forest,
            "nearest_datasets": rank_nearest, "sbs": rank_sbs}


def _clip_fill(scores):
    """Scores clipped at 0; a failed configuration scores the dataset's worst (last axes)."""
    raw = np.clip(np.where(np.isfinite(scores), scores, np.nan), 0, None)
    worst = np.nanmin(raw, axis=tuple(range(1, raw.ndim)), keepdims=True)
    return np.where(np.isnan(raw), worst, raw)


def fold_scores(kb, table) -> np.ndarray:
    """(datasets, configurations, cv folds) scores of ``table``'s cells, clipped at 0; a configuration
    without every fold scored (failed, timed out) gets the dataset's worst score."""
    cv = int(kb.settings.get("cv", 3))
    res = kb.results(table.task)
    out = np.full((len(table.datasets), len(table.config_ids), cv), np.nan)
    rows = {d: i for i, d in enumerate(table.datasets)}
    cols = {c: j for j, c in enumerate(table.config_ids)}
    for d, c, status, folds in zip(res["dataset"], res["config_id"], res["status"], res["fold_scores"],
                                   strict=True):
        if status == "ok" and len(folds) == cv and d in rows and c in cols:
            out[rows[d], cols[c]] = folds
    return _clip_fill(out)


def evaluate(table, folds: int, seed: int, per_fold=None):
    raw = _clip_fill(table.scores)  # a failed pick scores the dataset's worst
    rows, held = [], []
    splitter = GroupKFold(n_splits=min(folds, len(set(table.groups))))
    for k, (tr, te) in enumerate(splitter.split(table.meta, groups=table.groups)):
        train, test = table.subset(tr), table.subset(te)
        sbs_config = int(np.argmax(train.target.mean(0)))
        for name, learner in LEARNERS.items():
            started = time.perf_counter()
            scores = learner(train, test, seed + k)
            took = time.perf_counter() - started
            for i, d in enumerate(te):
                order = np.argsort(-scores[i], kind="stable")
                s = raw[d]
                rows.append({"learner": name, "dataset": table.datasets[d], "fold": k,
                             "pick": s[order[0]], "best5": s[order[:5]].max(), "vbs": s.max(),
                             "sbs": s[sbs_config], "hit1": float(s[order[0]] >= s.max() - 1e-12),
                             "hit5": float(s[order[:5]].max() >= s.max() - 1e-12), "seconds": took})
                if per_fold is not None:
                    held += _held_out_folds(name, per_fold[d], order[0], sbs_config)
        if per_fold is not None:
            for d in te:
                f = per_fold[d]
                for h in range(f.shape[1]):
                    own = int(np.argmax(np.delete(f, h, axis=1).mean(1)))
                    held += _held_out_folds("own_cv", f[:, [h]], own, sbs_config)
    return pd.DataFrame(rows), pd.DataFrame(held)


def _held_out_folds(name, f, pick, sbs):
    """The top-1 pick, the SBS and the VBS scored on each fold of ``f`` (configurations x folds)."""
    return [{"learner": name, "pick": f[pick, h], "sbs": f[sbs, h], "vbs": f[:, h].max()}
            for h in range(f.shape[1])]


def summarise_held_out(frame: pd.DataFrame) -> pd.DataFrame:
    out = []
    for name, g in frame.groupby("learner", sort=False):
        gap = g["vbs"].mean() - g["sbs"].mean()
        out.append({"learner": name, "closed gap top-1 (held-out fold)": (g["pick"].mean() - g["sbs"].mean()) / gap,
                    "mean score top-1": g["pick"].mean(), "SBS": g["sbs"].mean(), "VBS of the fold": g["vbs"].mean()})
    return pd.DataFrame(out)


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    out = []
    for name, g in frame.groupby("learner", sort=False):
        gap = g["vbs"].mean() - g["sbs"].mean()
        out.append({"learner": name, "datasets": len(g),
                    "closed gap top-1": (g["pick"].mean() - g["sbs"].mean()) / gap,
                    "closed gap top-5": (g["best5"].mean() - g["sbs"].mean()) / gap,
                    "hit top-1": g["hit1"].mean(), "hit top-5": g["hit5"].mean(),
                    "mean regret top-1": (g["vbs"] - g["pick"]).mean(),
                    "mean regret top-5": (g["vbs"] - g["best5"]).mean(),
                    "mean score top-1": g["pick"].mean(), "SBS": g["sbs"].mean(), "VBS": g["vbs"].mean(),
                    "train+predict s (all folds)": g.groupby("fold")["seconds"].first().sum()})
    return pd.DataFrame(out)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default=None, help="knowledge base (default: the shipped one)")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tasks", nargs="+", default=["classification", "regression"])
    parser.add_argument("--csv", default=None, help="also write per-dataset rows here")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    kb = load_knowledge_base(args.kb)
    frames = []
    for task in args.tasks:
        table = table_from_knowledge_base(kb, task)
        frame, held = evaluate(table, args.folds, args.seed, per_fold=fold_scores(kb, table))
        frames.append(frame.assign(task=task))
        print(f"\n### {task}: {len(table.datasets)} datasets, {len(table.config_ids)} configurations, "
              f"{len(set(table.groups))} families, {args.folds}-fold grouped by family\n")
        print(summarise(frame).to_markdown(index=False, floatfmt=".3f"))
        print(f"\n#### {task}: top-1 scored on one held-out cross-validation fold at a time\n")
        print(summarise_held_out(held).to_markdown(index=False, floatfmt=".3f"))
    if args.csv:
        pd.concat(frames).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
