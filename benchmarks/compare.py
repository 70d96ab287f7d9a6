"""Benchmark MetaSelector against baselines and FLAML on the same splits.

For every dataset of a dataset folder (``metaselect.datasets.DatasetFolder``),
one held-out split (25%, stratified for classification, seeded per dataset) is
scored by every method: balanced accuracy for classification, R^2 for
regression. Methods (``--methods``):

* ``metaselect``: ``MetaSelectorClassifier`` / ``MetaSelectorRegressor`` at ``--budget``;
* ``metaselect+ens``: the same with ``ensemble_size=20``;
* ``zero-shot``: the same with ``time_budget=0`` (the meta-model's top pick, refit once);
* ``static``: the search before meta-learning: ``StaticPriorRanker`` (no meta-model) and
  ``SuccessiveHalving`` (every default plus random configurations);
* ``portfolio``: the learned greedy portfolio in its order, no meta-model, no in-run
  adaptation (``AdaptiveHalving(adapt=False)``, a ranker without networks; later brackets
  ranked by the static prior);
* ``no-adapt``: the network's scores and times in both tasks, ``AdaptiveHalving(adapt=False)``:
  the learned portfolio in its order, the network's favourites, no in-run adaptation;
* ``net-adapt``: the network and in-run adaptation in both tasks (the default before
  regression did without them);
* ``no-times``: ``metaselect`` without the fit-time model (``fit_times=False``): the network's
  predicted times where it is used (classification), none elsewhere (the default before it);
* ``experience``: ``metaselect`` after learning from the experience folder named by the
  environment variable ``METASELECT_EXPERIENCE`` (``learn_from_experience`` on top of the
  held-out portfolio and transfer matrix): does another domain's experience harm?
* ``hgb``: ``HistGradientBoosting*`` defaults behind ``make_preprocessor`` (ordinal
  encoding of categoricals, median imputation; no scaling);
* ``random``: plain random search over the same portfolio: configurations drawn
  uniformly over families (``Portfolio.sample``), each 5-fold cross-validated on
  the training split (same folds, same scorer) until the budget runs out, the best
  refit on the whole training split (see ``random_search``);
* ``flaml``: ``flaml.AutoML`` with the same budget, balanced accuracy (a custom
  metric) or ``r2``, ``n_jobs=1``, its default estimator list;
* ``oracle-defaults``: every portfolio default fitted on the training split, scored
  by the best *test* score among them. It looks at the test labels: a reference
  (the issue's stretch goal), not a method.

The meta-model never sees a test dataset's family: the held-out datasets are one
per family from ``--n-clf`` classification and ``--n-reg`` regression families
drawn with ``--seed``; one meta-model per task is retrained on the shipped
knowledge base without those families, and the learned portfolio and the transfer
matrix of in-run adaptation are rebuilt without them (all cached in ``OUT/models``);
they are passed to the MetaSelector methods in their ranker. Without ``--names`` / ``--datasets``
the benchmark runs on exactly that held-out set.

Rows above ``--max-rows`` (20,000) are subsampled (stratified) before the split.
``--seeds`` gives each dataset several splits (one *run* per dataset and seed).
Every method is single-threaded (``n_jobs=1``, one OpenMP thread);
``--workers N`` runs N of them at a time in separate processes (leave a core
free). Results are appended to ``OUT/results.csv`` as they come (``--resume``
skips runs already there); at the end ``OUT/summary.md`` (mean score, mean rank,
MetaSelector's wins / ties / losses and mean difference with a 95% bootstrap
interval over datasets, total wall time) and ``OUT/metaselect_vs_flaml.png`` are
written.

    python benchmarks/compare.py /work/shared/corpus --budget 20 --out bench_out
    python benchmarks/compare.py /work/shared/corpus --seeds 0 1 2 3 4 5 --workers 15 --out bench_out
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import time
import warnings
import zlib
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

# One OpenMP thread: every method runs on one core (HistGradientBoosting, LightGBM and
# XGBoost otherwise spin on all cores, and slow down badly on a shared machine).
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import balanced_accuracy_score, get_scorer
from sklearn.model_selection import KFold, StratifiedKFold, train_test_split
from sklearn.pipeline import Pipeline

from metaselect import MetaSelectorClassifier, MetaSelectorRegressor
from metaselect.datasets import DatasetFolder
from metaselect.knowledge import load_knowledge_base
from metaselect.metamodel import (
    FitTimes,
    LearnedPortfolio,
    MetaModelRanker,
    TransferMatrix,
    learn_from_experience,
    load_fit_times,
    load_learned_portfolio,
    load_models,
    load_transfer,
    table_from_knowledge_base,
    train_metamodel,
)
from metaselect.portfolio import Portfolio
from metaselect.preprocessing import check_X, make_candidate_pipeline, make_preprocessor
from metaselect.search import (
    AdaptiveHalving,
    CandidateTimeout,
    StaticPriorRanker,
    SuccessiveHalving,
    time_limit,
)

logger = logging.getLogger("compare")

ORACLE = "oracle-defaults"
METHODS = (
    "metaselect",
    "metaselect+ens",
    "zero-shot",
    "static",
    "portfolio",
    "no-adapt",
    "net-adapt",
    "no-times",
    "experience",
    "hgb",
    "random",
    "flaml",
    ORACLE,
)
SCORING = {"classification": "balanced_accuracy", "regression": "r2"}
TIE = 1e-3  # score differences up to this count as ties
CV = 5


# -- held-out families and the meta-model trained without them ---------------------
def held_out_datasets(folder: DatasetFolder, n_clf: int, n_reg: int, seed: int) -> list[str]:
    """One dataset from each of ``n_clf`` / ``n_reg`` families drawn with ``seed``."""
    rng = np.random.default_rng(seed)
    manifest = folder.manifest().reset_index()
    chosen = []
    for task, n in (("classification", n_clf), ("regression", n_reg)):
        rows = manifest[manifest["task"] == task]
        families = sorted(rows["family"].unique())
        for family in rng.choice(families, size=min(n, len(families)), replace=False):
            names = sorted(rows.loc[rows["family"] == family, "name"])
            chosen.append(str(rng.choice(names)))
    return chosen


def heldout_ranker(families: set[str], cache: Path, seed: int, kb_path=None) -> MetaModelRanker:
    """A meta-model ranker trained on the knowledge base ``kb_path`` (default: the shipped one)
    minus ``families``, with the learned portfolio and the transfer matrix of in-run adaptation
    built without them too."""
    heldout_portfolio(families, cache, kb_path)
    missing = [t for t in ("classification", "regression") if not (cache / f"metamodel_{t}.npz").is_file()]
    if not missing:
        logger.info("meta-models from %s", cache)
        return _ranker_from(cache)
    kb = load_knowledge_base(kb_path)
    cache.mkdir(parents=True, exist_ok=True)
    models = {}
    for task in missing:  # a model already there is kept
        table = table_from_knowledge_base(kb, task)
        keep = [i for i, g in enumerate(table.groups) if g not in families]
        logger.info(
            "%s: training the meta-model on %d of %d datasets", task, len(keep), len(table.datasets)
        )
        models[task] = train_metamodel(table.subset(keep), random_state=seed)
        models[task].save(cache / f"metamodel_{task}.npz")
    return _ranker_from(cache)


def heldout_portfolio(families: set[str], cache: Path, kb_path=None) -> None:
    """Write the learned portfolio and the transfer matrix of the knowledge base ``kb_path``
    (default: the shipped one) minus ``families``
    to ``cache`` (``portfolio.json``, ``transfer.npz``), and the fit-time model (``times.npz``),
    unless they are there."""
    if all((cache / name).is_file() for name in ("times.npz", "portfolio.json", "transfer.npz")):
        return
    kb = load_knowledge_base(kb_path)
    cache.mkdir(parents=True, exist_ok=True)
    if not (cache / "times.npz").is_file():
        FitTimes.from_knowledge_base(kb, exclude_groups=families).save(cache / "times.npz")
    if (cache / "portfolio.json").is_file() and (cache / "transfer.npz").is_file():
        return
    tables, parts = {}, {}
    for task in ("classification", "regression"):
        table = table_from_knowledge_base(kb, task)
        table = table.subset([i for i, g in enumerate(table.groups) if g not in families])
        tables[task] = table
        parts[task] = [(table, [kb.config_sets[task][cid] for cid in table.config_ids])]
    LearnedPortfolio.from_tables(parts).save(cache / "portfolio.json")
    TransferMatrix.from_tables(tables).save(cache / "transfer.npz")


def _ranker_from(cache: Path, network: bool = True, network_tasks=None, fit_times: bool = True) -> MetaModelRanker:
    """The held-out ranker in ``cache``; without the ``network``, the learned portfolio only;
    ``network_tasks`` as :class:`MetaModelRanker`'s (``None``: the shipped default); without
    ``fit_times``, the network's predicted times (where it is used) instead of the fit-time model's."""
    return MetaModelRanker(
        models=load_models(cache) if network else {},
        learned_portfolio=load_learned_portfolio(cache / "portfolio.json"),
        transfer=load_transfer(cache / "transfer.npz"),
        network_tasks=network_tasks,
        fit_times=load_fit_times(cache / "times.npz") if fit_times else False,
    )


# -- data --------------------------------------------------------------------------
def dataset_seed(name: str, seed: int) -> int:
    return (zlib.crc32(name.encode()) + seed) % (2**31)


def load_split(folder: DatasetFolder, name: str, max_rows: int, seed: int):
    info = folder[name]
    X, y = folder.load(name)
    stratify = y if info.task == "classification" else None
    if len(X) > max_rows:
        X, _, y, _ = train_test_split(
            X, y, train_size=max_rows, stratify=stratify, random_state=seed
        )
        stratify = y if info.task == "classification" else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=stratify, random_state=seed
    )
    return (
        info.task,
        X_train.reset_index(drop=True),
        X_test.reset_index(drop=True),
        np.asarray(y_train),
        np.asarray(y_test),
    )


def score(task: str, y_true, y_pred) -> float:
    if task == "classification":
        return float(balanced_accuracy_score(y_true, y_pred))
    from sklearn.metrics import r2_score

    return float(r2_score(y_true, np.asarray(y_pred, dtype=float)))


# -- methods: each returns a fitted object with predict ------------------------------
def fit_metaselect(task, X, y, *, budget, seed, ranker, **kwargs):
    cls = MetaSelectorClassifier if task == "classification" else MetaSelectorRegressor
    return cls(time_budget=budget, ranker=ranker, random_state=seed, n_jobs=1, **kwargs).fit(X, y)


def fit_hgb(task, X, y, *, seed, **_):
    _, schema = check_X(X)
    model = (
        HistGradientBoostingClassifier
        if task == "classification"
        else HistGradientBoostingRegressor
    )(random_state=seed)
    pipe = Pipeline(
        [
            ("preprocess", make_preprocessor(schema, scale=False, categorical="ordinal")),
            ("model", model),
        ]
    )
    return _Checked(pipe.fit(check_X(X, schema)[0], y), schema)


class _Checked:
    """A pipeline fitted on ``check_X`` output; predicts after the same check."""

    def __init__(self, model, schema):
        self.model, self.schema = model, schema

    def predict(self, X):
        return self.model.predict(check_X(X, self.schema)[0])


def random_search(task, X, y, *, budget, seed, **_):
    """Plain random search: sample, cross-validate, keep the best, refit it.

    Configurations are drawn in batches from ``Portfolio(task).sample`` (families
    uniformly, then each family's space). Each is cross-validated on the same
    ``CV`` folds with the same scorer as MetaSelector, under a hard time limit
    of what is left of the budget minus a refit reserve (the best candidate's
    mean fold fit time x 1.25). The loop stops when the budget, less that
    reserve, is spent; the best configuration is then refit on all rows.
    """
    started = time.time()
    Xc, schema = check_X(X)
    portfolio = Portfolio(task)
    scorer = get_scorer(SCORING[task])
    splitter = (StratifiedKFold if task == "classification" else KFold)(
        CV, shuffle=True, random_state=seed
    )
    splits = list(splitter.split(np.zeros(len(y)), y))
    rng = np.random.RandomState(seed)
    best, best_score, reserve, n_done = None, -np.inf, 0.0, 0
    while True:
        for config in portfolio.sample(16, random_state=rng):
            left = budget - (time.time() - started) - reserve
            if left <= 0.5:
                break
            pipe = make_candidate_pipeline(
                portfolio[config.family], config.params, schema, random_state=seed
            )
            mean, fit_s = _cross_validate(pipe, Xc, y, splits, scorer, left)
            n_done += 1
            if mean is not None and mean > best_score:
                best, best_score, reserve = pipe, mean, 1.25 * fit_s
        else:
            continue
        break
    if best is None:  # nothing finished: fall back to the first family's default
        best = make_candidate_pipeline(
            portfolio[next(iter(portfolio)).name],
            next(iter(portfolio)).default_config().params,
            schema,
            random_state=seed,
        )
    logger.info("random search: %d configurations, best CV %.4f", n_done, best_score)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _Checked(clone(best).fit(Xc, y), schema)


def _cross_validate(pipe, X, y, splits, scorer, seconds):
    """``(mean score, mean fit seconds)``, or ``(None, 0)`` if it failed or ran out of time."""
    scores, fit_times = [], []
    try:
        with time_limit(seconds), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for train, test in splits:
                model = clone(pipe)
                t0 = time.perf_counter()
                model.fit(_rows(X, train), y[train])
                fit_times.append(time.perf_counter() - t0)
                scores.append(scorer(model, _rows(X, test), y[test]))
    except CandidateTimeout:
        return None, 0.0
    except Exception as exc:  # noqa: BLE001 - a failed candidate is skipped, as in MetaSelector
        logger.debug("candidate failed: %s", exc)
        return None, 0.0
    mean = float(np.mean(scores))
    return (mean, float(np.mean(fit_times))) if np.isfinite(mean) else (None, 0.0)


def _rows(X, idx):
    return X.iloc[idx] if hasattr(X, "iloc") else X[idx]


def _flaml_balanced_accuracy(X_val, y_val, estimator, labels, X_train, y_train, *args, **kwargs):
    value = balanced_accuracy_score(y_val, estimator.predict(X_val))
    return 1.0 - value, {"balanced_accuracy": value}


def fit_flaml(task, X, y, *, budget, seed, **_):
    from flaml import AutoML

    metric = _flaml_balanced_accuracy if task == "classification" else "r2"
    automl = AutoML()
    automl.fit(X, y, task=task, time_budget=budget, metric=metric, n_jobs=1, seed=seed, verbose=0)
    return automl


FIT = {
    "metaselect": lambda task, X, y, **kw: fit_metaselect(
        task, X, y, budget=kw["budget"], seed=kw["seed"], ranker=kw["ranker"]
    ),
    "metaselect+ens": lambda task, X, y, **kw: fit_metaselect(
        task, X, y, budget=kw["budget"], seed=kw["seed"], ranker=kw["ranker"], ensemble_size=20
    ),
    "zero-shot": lambda task, X, y, **kw: fit_metaselect(
        task, X, y, budget=0, seed=kw["seed"], ranker=kw["ranker"]
    ),
    "static": lambda task, X, y, **kw: fit_metaselect(
        task,
        X,
        y,
        budget=kw["budget"],
        seed=kw["seed"],
        ranker=StaticPriorRanker(),
        search=SuccessiveHalving(),
    ),
    "portfolio": lambda task, X, y, **kw: fit_metaselect(
        task,
        X,
        y,
        budget=kw["budget"],
        seed=kw["seed"],
        ranker=kw["portfolio_ranker"],
        search=AdaptiveHalving(adapt=False),
    ),
    "no-adapt": lambda task, X, y, **kw: fit_metaselect(
        task, X, y, budget=kw["budget"], seed=kw["seed"], search=AdaptiveHalving(adapt=False),
        ranker=_cached_ranker(kw["models"], True, ("classification", "regression")),
    ),
    "net-adapt": lambda task, X, y, **kw: fit_metaselect(
        task, X, y, budget=kw["budget"], seed=kw["seed"], search=AdaptiveHalving(adapt=True),
        ranker=_cached_ranker(kw["models"], True, ("classification", "regression")),
    ),
    "no-times": lambda task, X, y, **kw: fit_metaselect(
        task, X, y, budget=kw["budget"], seed=kw["seed"], ranker=_cached_ranker(kw["models"], fit_times=False)
    ),
    "experience": lambda task, X, y, **kw: fit_metaselect(
        task, X, y, budget=kw["budget"], seed=kw["seed"], ranker=_experience_ranker(kw["models"])
    ),
    "hgb": fit_hgb,
    "random": random_search,
    "flaml": fit_flaml,
}


def oracle_defaults(task, X_train, X_test, y_train, y_test, *, seed, **_):
    """``(best test score, its family)`` over every portfolio default: an oracle, not a method."""
    Xc, schema = check_X(X_train)
    Xt = check_X(X_test, schema)[0]
    portfolio = Portfolio(task)
    best, family = -np.inf, ""
    for fam in portfolio:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                pipe = make_candidate_pipeline(
                    fam, fam.default_config().params, schema, random_state=seed
                )
                value = score(task, y_test, pipe.fit(Xc, y_train).predict(Xt))
        except Exception:  # noqa: BLE001 - a default that cannot fit here is not the best
            continue
        if value > best:
            best, family = value, fam.name
    return best, family


def run_one(method, task, X_train, X_test, y_train, y_test, **kw) -> dict:
    started = time.time()
    if method == ORACLE:
        value, family = oracle_defaults(task, X_train, X_test, y_train, y_test, **kw)
        return {
            "method": method,
            "score": value,
            "fit_s": round(time.time() - started, 2),
            "best": family,
            "error": "",
        }
    try:
        model = FIT[method](task, X_train, y_train, **kw)
        fit_s = time.time() - started
        value, error = score(task, y_test, model.predict(X_test)), ""
    except Exception as exc:  # noqa: BLE001 - one failing method must not end the benchmark
        logger.warning("%s failed: %r", method, exc)
        fit_s, value, error = time.time() - started, float("nan"), repr(exc)[:200]
    detail = ""
    if method.startswith("metaselect") or method in (
        "zero-shot", "static", "portfolio", "no-adapt", "net-adapt", "experience"
    ):
        if "model" in locals():
            detail = model.best_config_["algorithm"]
    elif method == "flaml" and "model" in locals():
        detail = str(model.best_estimator)
    return {
        "method": method,
        "score": value,
        "fit_s": round(fit_s, 2),
        "best": detail,
        "error": error,
    }


@functools.lru_cache(maxsize=1)  # jobs come method after method of one split: load it once
def _cached_split(folder, name, max_rows, split):
    return load_split(DatasetFolder(folder), name, max_rows, split)


@functools.lru_cache(maxsize=4)
def _cached_ranker(models, network: bool = True, network_tasks=None, fit_times: bool = True) -> MetaModelRanker:
    return _ranker_from(Path(models), network, network_tasks, fit_times)


@functools.lru_cache(maxsize=1)
def _experience_ranker(models) -> MetaModelRanker:
    """The held-out ranker after learning from ``$METASELECT_EXPERIENCE``."""
    cache = Path(models)
    learned = learn_from_experience(
        os.environ["METASELECT_EXPERIENCE"],
        portfolio=load_learned_portfolio(cache / "portfolio.json"),
        transfer=load_transfer(cache / "transfer.npz"),
    )
    return MetaModelRanker(
        models=load_models(cache), learned_portfolio=learned.portfolio, transfer=learned.transfer
    )


def run_job(folder, name, method, seed, budget, max_rows, models) -> dict:
    """One run: the split of ``name`` drawn with ``seed``, fitted by ``method`` and scored."""
    split = dataset_seed(name, seed)
    task, X_train, X_test, y_train, y_test = _cached_split(folder, name, max_rows, split)
    ranker = _cached_ranker(models)
    row = run_one(
        method,
        task,
        X_train,
        X_test,
        y_train,
        y_test,
        budget=budget,
        seed=split % 2**31,
        ranker=ranker,
        portfolio_ranker=_cached_ranker(models, network=False),
        models=models,
    )
    return {
        "dataset": name,
        "task": task,
        "seed": seed,
        "n_train": len(X_train),
        "n_features": X_train.shape[1],
        "budget": budget,
        **row,
    }


def _quiet_worker():
    warnings.simplefilter("ignore")
    logging.getLogger("metaselect").setLevel(logging.ERROR)


def _run_jobs(jobs, workers: int):
    """Rows of :func:`run_job` as they finish: in this process, or ``workers`` processes."""
    if workers <= 1:
        for job in jobs:
            yield run_job(*job)
        return
    with ProcessPoolExecutor(workers, initializer=_quiet_worker) as pool:
        for future in as_completed([pool.submit(run_job, *job) for job in jobs]):
            yield future.result()


# -- summary -----------------------------------------------------------------------
def summarise(frame: pd.DataFrame, reference: str = "metaselect") -> pd.DataFrame:
    """Mean score, mean rank, reference's wins/ties/losses against each method, wall time.

    One *run* per dataset and split ``seed`` (see :func:`with_seed`). A method that failed on a run gets that run's worst score among
    the methods (it ranks last, tied with the worst); ``failed`` counts those.
    The reference's mean difference to each method comes with a 95% bootstrap
    interval that resamples datasets (their seeds together).
    """
    wide = frame.pivot(index=["dataset", "seed"], columns="method", values="score")
    failed = wide.isna().sum()
    wide = wide.apply(lambda row: row.fillna(row.min()), axis=1)
    methods = [m for m in wide.columns if m != ORACLE]  # the oracle is a reference, not ranked
    ranks = (
        wide[methods].rank(axis=1, ascending=False, method="average").reindex(columns=wide.columns)
    )
    rows = []
    for method in wide.columns:
        row = {
            "method": method,
            "runs": len(wide),
            "failed": int(failed[method]),
            "mean score": wide[method].mean(),
            "mean rank": ranks[method].mean(),
            "total wall s": frame.loc[frame["method"] == method, "fit_s"].sum(),
        }
        if reference in wide and method != reference:
            diff = wide[reference] - wide[method]
            row[f"{reference} W/T/L"] = (
                f"{(diff > TIE).sum()}/{(diff.abs() <= TIE).sum()}/{(diff < -TIE).sum()}"
            )
            low, high = _bootstrap_interval(diff.groupby(level="dataset").mean())
            row[f"{reference} - it (95% CI)"] = f"{diff.mean():+.4f} [{low:+.4f}, {high:+.4f}]"
        else:
            row[f"{reference} W/T/L"] = row[f"{reference} - it (95% CI)"] = "-"
        rows.append(row)
    return pd.DataFrame(rows).sort_values("mean rank")


def with_seed(frame: pd.DataFrame, seed: int) -> pd.DataFrame:
    """``frame`` with an int ``seed`` column (results from before ``--seeds`` ran with ``seed``)."""
    seeds = frame["seed"].fillna(seed) if "seed" in frame else pd.Series(seed, index=frame.index)
    return frame.assign(seed=seeds.astype(int))


def _bootstrap_interval(values: pd.Series, n: int = 2000, seed: int = 0) -> tuple[float, float]:
    """95% percentile interval of the mean of ``values`` (resampled with replacement)."""
    rng = np.random.default_rng(seed)
    v = values.to_numpy(dtype=float)
    means = v[rng.integers(0, len(v), size=(n, len(v)))].mean(axis=1)
    return float(np.quantile(means, 0.025)), float(np.quantile(means, 0.975))


def plot(frame: pd.DataFrame, path: Path, x: str = "flaml", y: str = "metaselect") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    wide = frame.pivot_table(index="dataset", columns="method", values="score")  # mean over seeds
    if x not in wide or y not in wide:
        return
    tasks = frame.drop_duplicates("dataset").set_index("dataset")["task"]
    fig, ax = plt.subplots(figsize=(5.5, 5.5))
    for task, marker in (("classification", "o"), ("regression", "s")):
        names = [n for n in wide.index if tasks[n] == task]
        ax.scatter(
            wide.loc[names, x].clip(lower=-0.1),
            wide.loc[names, y].clip(lower=-0.1),
            marker=marker,
            label=task,
            alpha=0.8,
        )
    lo = min(0.0, float(np.nanmin(wide[[x, y]].clip(lower=-0.1).to_numpy())))
    ax.plot([lo, 1], [lo, 1], color="grey", lw=0.8)
    ax.set_xlabel(f"{x} (held-out score)")
    ax.set_ylabel(f"{y} (held-out score)")
    ax.set_title("balanced accuracy / R^2 per dataset, mean over splits (clipped at -0.1)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)


# -- main --------------------------------------------------------------------------
def main(argv=None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("folder")
    parser.add_argument("--budget", type=float, default=20.0)
    parser.add_argument(
        "--datasets", type=int, default=None, help="only the first N held-out datasets"
    )
    parser.add_argument(
        "--names", nargs="+", default=None, help="these datasets instead of the held-out set"
    )
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--out", default="compare_out")
    parser.add_argument("--n-clf", type=int, default=12)
    parser.add_argument("--n-reg", type=int, default=6)
    parser.add_argument("--max-rows", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0, help="draws the held-out families")
    parser.add_argument("--kb", default=None,
                        help="knowledge base of the held-out models (default: the shipped one); "
                             "models already in OUT/models are kept, so use one --out per knowledge base")
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=None,
        help="split seeds: one run per dataset and seed (default: --seed)",
    )
    parser.add_argument("--workers", type=int, default=1, help="runs at a time, one process each")
    parser.add_argument(
        "--resume", action="store_true", help="skip (dataset, seed, method) runs in results.csv"
    )
    parser.add_argument(
        "--summary-only", action="store_true", help="only summarise an existing results.csv"
    )
    args = parser.parse_args(argv)
    args.seeds = args.seeds or [args.seed]
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    for noisy in ("flaml", "metaselect"):
        logging.getLogger(noisy).setLevel(logging.WARNING)

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / "results.csv"
    folder = DatasetFolder(args.folder)
    heldout = held_out_datasets(folder, args.n_clf, args.n_reg, args.seed)
    names = args.names or heldout[: args.datasets]
    if not args.summary_only:
        families = {folder[n].family for n in heldout}
        unseen = [n for n in names if folder[n].family not in families]
        if unseen and any(
            m in ("metaselect", "metaselect+ens", "zero-shot", "portfolio") for m in args.methods
        ):
            logger.warning(
                "not held out of the meta-model's training (their family was seen): %s", unseen
            )
        heldout_ranker(families, out / "models", args.seed, args.kb)  # trains and caches them if needed
        (out / "heldout.txt").write_text(
            "\n".join(f"{n}\t{folder[n].task}\t{folder[n].family}" for n in heldout) + "\n"
        )
        done = set()
        if csv.is_file():
            old = pd.read_csv(csv)
            if "seed" not in old:  # written before --seeds: add the column so rows append aligned
                old = with_seed(old, args.seed)
                old.to_csv(csv, index=False)
            if args.resume:
                done = set(zip(old["dataset"], old["seed"].astype(int), old["method"], strict=True))
        jobs = [
            (args.folder, name, method, seed, args.budget, args.max_rows, str(out / "models"))
            for seed in args.seeds
            for name in names
            for method in args.methods
            if (name, seed, method) not in done
        ]
        for row in _run_jobs(jobs, args.workers):
            logger.info(
                "%s s%d %s: %.4f in %.1fs %s",
                row["dataset"],
                row["seed"],
                row["method"],
                row["score"],
                row["fit_s"],
                row["best"],
            )
            pd.DataFrame([row]).to_csv(csv, mode="a", header=not csv.is_file(), index=False)
    frame = pd.read_csv(csv)
    frame = with_seed(frame, args.seed)
    frame = frame[
        frame["dataset"].isin(names)
        & frame["method"].isin(args.methods)
        & frame["seed"].isin(args.seeds)
    ]
    parts = [
        f"# budget {args.budget:g} s, {frame['dataset'].nunique()} datasets x {frame['seed'].nunique()} splits\n"
    ]
    for title, part in [("all", frame)] + list(frame.groupby("task")):
        parts.append(
            f"\n## {title}\n\n" + summarise(part).to_markdown(index=False, floatfmt=".3f") + "\n"
        )
    (out / "summary.md").write_text("".join(parts))
    print("".join(parts))
    plot(frame, out / "metaselect_vs_flaml.png")


if __name__ == "__main__":
    main()
