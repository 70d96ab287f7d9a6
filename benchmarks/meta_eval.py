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

``--anytime`` runs the anytime yardstick instead (``_anytime.py``): strategies
replay sequences of evaluations on each held-out dataset, each costing the
knowledge base's measured seconds; the best-so-far after 1, 3, 5, 10, 20
evaluations and 5, 20, 60 simulated seconds is reported as closed gap and
normalised score, as the mean and spread over ``--seeds`` (fold assignments;
the network is retrained per fold and seed, cached by ``_meta_folds.py``)::

    python benchmarks/meta_eval.py --anytime --seeds 0 1 2 3 4

Training on other scores of the same datasets: ``--anytime --kb POOLED --train-kb ONE`` runs every
strategy twice, trained on ``POOLED``'s scores and on ``ONE``'s (``[baseline]``; for example
without the second repetition pooled in), both scored on ``POOLED``'s.

Comparing knowledge bases: ``--anytime --kb MERGED --baseline SMALLER`` runs every strategy
twice on the same held-out datasets of ``MERGED``, trained on a fold's training datasets and on
those of them in ``SMALLER`` (``[baseline]``), both against the baseline's SBS, and prints each
strategy minus its twin. ``--repeat BUILD`` (another repetition of ``--kb``'s cross-validation,
knowledge-base v3's phase ``repeat``) adds the held-out check scored on that repetition's whole
cross-validation, next to the single-fold check on the same datasets; ``--learners`` leaves out
slow learners (the network retrains per fold)::

    python benchmarks/meta_eval.py --anytime --kb MERGED --baseline metaselect/knowledge/data/knowledge_base.json.gz \
        --tasks regression --seeds 0 1 2 --train-missing
    python benchmarks/meta_eval.py --kb MERGED --repeat kb/v3/repeat --tasks regression \
        --learners random_forest nearest_datasets sbs
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):  # tiny matrices: threads only cost
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import logging  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
from sklearn.ensemble import RandomForestRegressor  # noqa: E402
from sklearn.model_selection import GroupKFold  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
import _anytime as anytime  # noqa: E402
import _meta_folds as meta_folds  # noqa: E402

from metaselect.knowledge import load_knowledge_base  # noqa: E402
from metaselect.metamodel import table_from_knowledge_base, train_metamodel, transform_meta  # noqa: E402

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
    cv = int(kb.settings.get("cv", 3)) * len(kb.settings.get("repetitions", [0]))  # pooled: every repetition's
    res = kb.results(table.task)
    out = np.full((len(table.datasets), len(table.config_ids), cv), np.nan)
    rows = {d: i for i, d in enumerate(table.datasets)}
    cols = {c: j for j, c in enumerate(table.config_ids)}
    for d, c, status, folds in zip(res["dataset"], res["config_id"], res["status"], res["fold_scores"],
                                   strict=True):
        if status == "ok" and len(folds) == cv and d in rows and c in cols:
            out[rows[d], cols[c]] = folds
    return _clip_fill(out)


def repetition_scores(per_fold, repeat_kb, table) -> np.ndarray:
    """(datasets, configurations, 2): each cell's mean score over the folds ``per_fold`` of
    ``table`` (:func:`fold_scores`) and over those of ``repeat_kb``'s repetition (the same rows,
    other folds); NaN for the datasets ``repeat_kb`` lacks. Clipped and filled as ``fold_scores``."""
    first = per_fold.mean(2)
    second = np.full_like(first, np.nan)
    have = set(repeat_kb.datasets(table.task).index)
    rows = [i for i, d in enumerate(table.datasets) if d in have]
    if rows:
        repeated = table_from_knowledge_base(repeat_kb, table.task)
        index = {d: i for i, d in enumerate(repeated.datasets)}
        cols = [repeated.config_ids.index(c) for c in table.config_ids]
        again = fold_scores(repeat_kb, repeated).mean(2)[:, cols]
        second[rows] = again[[index[table.datasets[i]] for i in rows]]
    return np.stack([first, second], axis=2)


def evaluate(table, folds: int, seed: int, per_fold=None, learners=LEARNERS):
    """Per-dataset rows of every learner, and the held-out check's rows: ``per_fold`` is one
    (datasets, configurations, folds) array or ``{check: array}`` (rows tagged ``check``);
    datasets with a NaN there are left out of that check."""
    checks = per_fold if isinstance(per_fold, dict) else {"": per_fold} if per_fold is not None else {}
    raw = _clip_fill(table.scores)  # a failed pick scores the dataset's worst
    rows, held = [], []
    splitter = GroupKFold(n_splits=min(folds, len(set(table.groups))))
    for k, (tr, te) in enumerate(splitter.split(table.meta, groups=table.groups)):
        train, test = table.subset(tr), table.subset(te)
        sbs_config = int(np.argmax(train.target.mean(0)))
        for name, learner in learners.items():
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
                for check, values in checks.items():
                    if np.isfinite(values[d]).all():
                        held += _held_out_folds(name, values[d], order[0], sbs_config, check)
        for check, values in checks.items():
            for d in te:
                f = values[d]
                if not np.isfinite(f).all():  # a dataset without the repetition
                    continue
                for h in range(f.shape[1]):
                    own = int(np.argmax(np.delete(f, h, axis=1).mean(1)))
                    held += _held_out_folds("own_cv", f[:, [h]], own, sbs_config, check)
    return pd.DataFrame(rows), pd.DataFrame(held)


def _held_out_folds(name, f, pick, sbs, check=""):
    """The top-1 pick, the SBS and the VBS scored on each fold of ``f`` (configurations x folds)."""
    return [{"check": check, "learner": name, "pick": f[pick, h], "sbs": f[sbs, h], "vbs": f[:, h].max()}
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


#: Suffix of the strategies trained only on the baseline knowledge base's datasets (``--baseline``),
#: or on another knowledge base's scores of the same datasets (``--train-kb``).
BASELINE = " [baseline]"


def run_anytime(kb, task: str, seeds, n_folds: int, cache, train_missing: bool, names=None,
                baseline=None, train_kb=None) -> pd.DataFrame:
    """One row per (seed, strategy, held-out dataset): raw and normalised best-so-far, SBS, VBS.

    ``baseline``: dataset names; every strategy runs a second time, named with ``BASELINE``,
    trained only on the fold's training datasets among them (the held-out datasets are the
    same), and the SBS of both is the baseline's, so that the two compare like with like.
    ``train_kb``: a knowledge base of the same datasets and configurations; the second run
    trains on its scores (and times) instead, and both are scored on ``kb``'s.
    """
    table = table_from_knowledge_base(kb, task)
    twin = table if train_kb is None else _aligned(table_from_knowledge_base(train_kb, task), table)
    raw, target = _clip_fill(table.scores), table.target
    seconds = anytime.evaluation_seconds(kb, table)
    strategies = {n: s for n, s in anytime.STRATEGIES.items() if names is None or n in names}
    in_baseline = np.isin(table.datasets, sorted(baseline or ()))
    rows = []
    needs_model = any(uses for _, uses in strategies.values())
    for seed in seeds:
        folds = meta_folds.grouped_folds(table.groups, n_folds, seed)
        variants = [("", lambda tr: tr, table)] + (
            [(BASELINE, lambda tr: tr[in_baseline[tr]], table)] if baseline else []) + (
            [(BASELINE, lambda tr: tr, twin)] if train_kb is not None else [])
        # The network's strategies run on a seed only if every fold has its network.
        with_model = needs_model and (train_missing or all(
            meta_folds.cache_path(cache, trained, pick(tr), seed, k).is_file()
            for k, (tr, _) in enumerate(folds) for _, pick, trained in variants))
        if needs_model and not with_model:
            logging.warning("%s, seed %d: per-fold networks not all cached; network strategies skipped", task, seed)
        for k, (all_train, te) in enumerate(folds):
            sbs = int(np.argmax(target[variants[-1][1](all_train)].mean(0)))
            for suffix, pick, trained in variants:
                tr = pick(all_train)
                model = meta_folds.fold_model(trained, tr, seed, k, cache, train_missing) if with_model else None
                z_train, z_test = _standardise(table.meta[tr], table.meta[te])
                fold = anytime.Fold(trained.target[tr], _clip_fill(trained.scores)[tr], seconds[tr], z_train,
                                    z_test, table.encodings, task, model, table.meta[te])
                rows += _replay(fold, strategies, suffix, raw, target, seconds, table, te,
                                dict(seed=seed, fold=k, sbs=sbs))
    return pd.DataFrame(rows)


def _aligned(other, table):
    """``other`` (a MetaTable), checked to hold ``table``'s datasets and configurations in order."""
    if other.datasets != table.datasets or other.config_ids != table.config_ids:
        raise SystemExit("--train-kb must hold --kb's datasets and configurations")
    return other


def _replay(fold, strategies, suffix, raw, target, seconds, table, te, where) -> list[dict]:
    """The rows of every strategy replayed on the held-out datasets ``te`` of one fold."""
    rows, seed, k, sbs = [], where["seed"], where["fold"], where["sbs"]
    for name, (strategy, uses_model) in strategies.items():
        if uses_model and fold.model is None:
            continue
        name = name + suffix
        started = time.perf_counter()
        for i, d in enumerate(te):
            seq = strategy(fold, i, lambda c, d=d: raw[d, c], seconds[d])
            if sorted(seq) != list(range(len(table.config_ids))):
                raise RuntimeError(f"{name} did not return a permutation of the configurations")
            rows.append({"seed": seed, "strategy": name, "dataset": table.datasets[d], "fold": k,
                         "sbs": raw[d, sbs], "vbs": raw[d].max(),
                         **dict(zip(_anytime_columns("raw"), anytime.best_so_far(
                             seq, raw[d], seconds[d], raw[d].min()), strict=True)),
                         **dict(zip(_anytime_columns("norm"), anytime.best_so_far(
                             seq, target[d], seconds[d], 0.0), strict=True)),
                         "seconds": (time.perf_counter() - started) / (i + 1)})
    return rows


def _anytime_columns(prefix: str) -> list[str]:
    return [f"{prefix} {k}" for k in anytime.COUNTS] + [f"{prefix} {t:g}s" for t in anytime.SECONDS]


def _labels() -> list[str]:
    return [f"{k} ev" for k in anytime.COUNTS] + [f"{t:g} s" for t in anytime.SECONDS]


def anytime_per_seed(frame: pd.DataFrame, what: str = "gap") -> pd.DataFrame:
    """Closed gap (or mean normalised score) per (strategy, seed) and column."""
    out = []
    for (name, seed), g in frame.groupby(["strategy", "seed"], sort=False):
        if what == "gap":
            span = g["vbs"].mean() - g["sbs"].mean()
            values = [(g[c].mean() - g["sbs"].mean()) / span for c in _anytime_columns("raw")]
        else:
            values = [g[c].mean() for c in _anytime_columns("norm")]
        out.append({"strategy": name, "seed": seed, **dict(zip(_labels(), values, strict=True))})
    return pd.DataFrame(out)


def summarise_anytime(frame: pd.DataFrame, what: str = "gap", against: str | None = None) -> pd.DataFrame:
    """Mean (sd over seeds) per strategy; ``against``: paired differences, with a 95% bootstrap
    interval over held-out datasets (each dataset's difference averaged over the seeds)."""
    per_seed = anytime_per_seed(frame, what).set_index(["strategy", "seed"])
    intervals = {}
    if against is not None:
        per_seed = per_seed - per_seed.xs(against, level="strategy")
        intervals = _paired_intervals(frame, against)
    out = []
    for name, g in per_seed.groupby(level="strategy", sort=False):
        sd = {c: g[c].std(ddof=1) if len(g) > 1 else float("nan") for c in _labels()}
        cells = {c: f"{g[c].mean():+.3f} ({sd[c]:.3f})" + intervals.get((name, c), "") for c in _labels()}
        out.append({"strategy": name, "seeds": len(g), **cells})
    return pd.DataFrame(out)


def _paired_intervals(frame: pd.DataFrame, against: str, n_boot: int = 2000) -> dict:
    """``{(strategy, column): " [lo, hi]"}``: bootstrap over datasets of the closed-gap difference."""
    rng = np.random.default_rng(0)
    base = frame[frame["strategy"] == against].set_index(["seed", "dataset"])
    span = (base["vbs"] - base["sbs"]).groupby(level="seed").mean().mean()
    out = {}
    for name, g in frame.groupby("strategy", sort=False):
        g = g.set_index(["seed", "dataset"])
        seeds = g.index.get_level_values("seed").unique()
        for col, label in zip(_anytime_columns("raw"), _labels(), strict=True):
            diff = (g[col] - base.loc[base.index.get_level_values("seed").isin(seeds), col]).groupby(
                level="dataset").mean().to_numpy() / span
            idx = rng.integers(0, len(diff), size=(n_boot, len(diff)))
            lo, hi = np.percentile(diff[idx].mean(1), [2.5, 97.5])
            out[(name, label)] = f" [{lo:+.2f}, {hi:+.2f}]"
    return out


def against_baseline(frame: pd.DataFrame) -> pd.DataFrame:
    """Each strategy minus its ``BASELINE`` twin (``summarise_anytime``'s paired differences)."""
    out = []
    for name in frame["strategy"].unique():
        twin = name + BASELINE
        if twin in set(frame["strategy"]):
            both = frame[frame["strategy"].isin([name, twin])]
            table = summarise_anytime(both, against=twin)
            out.append(table[table["strategy"] == name])
    return pd.concat(out, ignore_index=True) if out else pd.DataFrame()


def main_anytime(args, kb) -> None:
    baseline = set(load_knowledge_base(args.baseline).datasets().index) if args.baseline else None
    train_kb = load_knowledge_base(args.train_kb) if args.train_kb else None
    frames = []
    for task in args.tasks:
        started = time.perf_counter()
        frame = run_anytime(kb, task, args.seeds, args.folds, args.cache, args.train_missing, args.strategies,
                            baseline, train_kb)
        frames.append(frame.assign(task=task))
        n = frame.groupby("seed")["dataset"].nunique().iloc[0]
        print(f"\n### {task}: anytime, {n} held-out datasets per seed, {args.folds} folds grouped by family, "
              f"seeds {args.seeds} ({time.perf_counter() - started:.0f} s)\n")
        print("Closed SBS-to-VBS gap of the best-so-far: mean (sd over seeds)\n")
        print(summarise_anytime(frame).to_markdown(index=False))
        print("\nMean normalised best-so-far score: mean (sd over seeds)\n")
        print(summarise_anytime(frame, "norm").to_markdown(index=False))
        print("\nClosed gap minus the greedy portfolio's, paired by seed: mean (sd over seeds)\n")
        print(summarise_anytime(frame, against="greedy portfolio (normalised)").to_markdown(index=False))
        if baseline or train_kb is not None:
            what = (f"on {args.baseline} only (the SBS of both is the baseline's)" if baseline else
                    f"on the scores of {args.train_kb} (both scored on --kb's)")
            print(f"\nClosed gap minus the same strategy's trained {what}, paired by seed: mean (sd over "
                  "seeds) [95% interval over datasets]\n")
            print(against_baseline(frame).to_markdown(index=False))
    if args.csv:
        pd.concat(frames).to_csv(args.csv, index=False)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kb", default=None, help="knowledge base (default: the shipped one)")
    parser.add_argument("--folds", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tasks", nargs="+", default=["classification", "regression"])
    parser.add_argument("--csv", default=None, help="also write per-dataset rows here")
    parser.add_argument("--anytime", action="store_true", help="run the anytime yardstick instead")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4],
                        help="anytime: fold assignments (and network seeds) to run")
    parser.add_argument("--strategies", nargs="+", default=None, help="anytime: only these strategies")
    parser.add_argument("--cache", type=Path, default=meta_folds.DEFAULT_CACHE,
                        help="anytime: per-fold networks (see _meta_folds.py)")
    parser.add_argument("--train-missing", action="store_true",
                        help="anytime: train networks missing from the cache (slow); else skip them")
    parser.add_argument("--baseline", default=None,
                        help="anytime: a knowledge base whose datasets --kb contains; every strategy runs "
                             "again trained on those alone, on the same held-out datasets")
    parser.add_argument("--train-kb", default=None,
                        help="anytime: a knowledge base of --kb's datasets and configurations with other "
                             "scores (another repetition, or --kb without one pooled in); every strategy "
                             "runs again trained on its scores, scored on --kb's")
    parser.add_argument("--learners", nargs="+", default=list(LEARNERS), choices=list(LEARNERS))
    parser.add_argument("--repeat", default=None,
                        help="another repetition of --kb's cross-validation (knowledge-base v3's phase "
                             "`repeat`): the held-out check also scores on it, on the datasets it has")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    kb = load_knowledge_base(args.kb)
    repeat_kb = load_knowledge_base(args.repeat) if args.repeat else None
    if args.anytime:
        main_anytime(args, kb)
        return
    frames = []
    for task in args.tasks:
        table = table_from_knowledge_base(kb, task)
        checks = {"fold": fold_scores(kb, table)}
        if repeat_kb is not None:
            checks["repetition"] = repetition_scores(checks["fold"], repeat_kb, table)
            have = np.isfinite(checks["repetition"]).all(axis=(1, 2))
            checks["fold, same datasets"] = np.where(have[:, None, None], checks["fold"], np.nan)
        frame, held = evaluate(table, args.folds, args.seed, per_fold=checks,
                               learners={n: LEARNERS[n] for n in args.learners})
        frames.append(frame.assign(task=task))
        print(f"\n### {task}: {len(table.datasets)} datasets, {len(table.config_ids)} configurations, "
              f"{len(set(table.groups))} families, {args.folds}-fold grouped by family\n")
        print(summarise(frame).to_markdown(index=False, floatfmt=".3f"))
        print(f"\n#### {task}: top-1 scored on one held-out cross-validation fold at a time\n")
        print(summarise_held_out(held[held["check"] == "fold"]).to_markdown(index=False, floatfmt=".3f"))
        if repeat_kb is not None:
            n = int(have.sum())
            for check, label in (("fold, same datasets", "one held-out cross-validation fold"),
                                 ("repetition", "the other repetition's cross-validation (mean of its folds)")):
                print(f"\n#### {task}: top-1 scored on {label}, the {n} datasets with a repetition in "
                      f"{args.repeat}\n")
                print(summarise_held_out(held[held["check"] == check]).to_markdown(index=False, floatfmt=".3f"))
    if args.csv:
        pd.concat(frames).to_csv(args.csv, index=False)


if __name__ == "__main__":
    main()
