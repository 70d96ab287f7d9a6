"""Faults injected into fits, model files and knowledge-base builds, and what the user gets.

Run as a script; prints a markdown table, one row per fault::

    python benchmarks/bench_faults.py                    # every fault
    python benchmarks/bench_faults.py --only interrupt    # the rows whose name contains a word

Columns, each computed from what happened (``-``: does not apply):

* **clear error**: the fault surfaced as an error that names it (an exception of the
  expected kind, or one line from the command, no traceback), or left a record
  saying what failed when the fit was meant to survive it.
* **previous model intact**: a selector fitted (or a model file saved) before the
  fault predicts exactly as before, its fitted attributes the same objects.
* **nothing lost**: what was finished before the fault is still there (the fitted
  state, the saved file, the knowledge base's results) and no code from a file ran.
* **time held**: the fit or command ended within its bound after the fault.

Goal (issue 16): every row "nothing lost" and "clear error" or "previous model
intact"; zero-shot on 50,000 x 20 within its bound (``--zero-shot-bound``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification

from metaselect import Family, MetaSelectorClassifier, SearchFailedError
from metaselect.datasets import add_dataset
from metaselect.estimator import save_model
from metaselect.knowledge import load_knowledge_base
from metaselect.search import Runner
from metaselect.spaces import Int, SearchSpace

ROOT = Path(__file__).resolve().parents[1]
#: ``metaselect`` in a fresh process (``-m`` would add a runpy warning to stderr).
METASELECT = [sys.executable, "-c", "import sys; from metaselect.cli import main; sys.exit(main(sys.argv[1:]))"]
FAST = dict(time_budget=30, max_evals=6, cv=3, random_state=0,
            estimators=["logistic_regression", "decision_tree", "knn", "gaussian_nb"])
#: Seconds an interrupted fit may take to give control back.
INTERRUPT_BOUND = 5.0
KB_ARGS = ["--n-configs", "8", "--chunk-size", "2", "--cv", "2", "--max-rows", "200",
           "--time-limit", "5", "--no-progress"]


def yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def cli(*args, timeout=600):
    """Run ``metaselect ARGS`` in a fresh process; ``(returncode, stdout, stderr, seconds)``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.time()
    done = subprocess.run([*METASELECT, *map(str, args)],
                          capture_output=True, text=True, env=env, timeout=timeout)
    return done.returncode, done.stdout, done.stderr, time.time() - start


def python(script: str, timeout: float):
    """Run ``script`` in a fresh interpreter: ``(CompletedProcess or None if killed, seconds)``."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    start = time.time()
    try:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        done = None
    return done, time.time() - start


def one_line(stderr: str) -> bool:
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("WARNING")]
    return len(lines) == 1 and "Traceback" not in stderr


def data(n=300, d=8, seed=0):
    return make_classification(n_samples=n, n_features=d, n_informative=3, n_redundant=1, random_state=seed)


# -- faults during a fit ---------------------------------------------------------------------
def _refit_under(fault, **params):
    """Fit a selector, then refit it on relabelled data with ``fault`` active; the outcome."""
    X, y = data()
    model = MetaSelectorClassifier(**FAST).fit(X, y)
    before = {k: v for k, v in vars(model).items() if k.endswith("_") or k == "_schema"}
    predictions = model.predict(X)
    model.set_params(**params)
    start, error = time.time(), None
    try:
        with fault():
            model.fit(X, np.where(y == 1, "yes", "no"))
    except BaseException as exc:  # noqa: BLE001 - the bench records whatever the fault raised
        error = exc
    seconds = time.time() - start
    after = {k: v for k, v in vars(model).items() if k.endswith("_") or k == "_schema"}
    intact = after.keys() == before.keys() and all(after[k] is before[k] for k in before)
    intact = intact and np.array_equal(model.predict(X), predictions)
    return error, intact, seconds


def _signal_at(method_name, call=1):
    """A fault: SIGINT to this process on the ``call``-th call of ``Runner.<method_name>``."""
    original = getattr(Runner, method_name)

    class Fault:
        def __enter__(self):
            calls = [0]

            def hooked(runner, *args, **kwargs):
                calls[0] += 1
                if calls[0] == call:
                    self.sent = time.time()
                    os.kill(os.getpid(), signal.SIGINT)
                return original(runner, *args, **kwargs)

            self.sent = None
            setattr(Runner, method_name, hooked)
            return self

        def __exit__(self, *exc):
            setattr(Runner, method_name, original)

    return Fault


def row_interrupt(where):
    method, call = ("evaluate", 2) if where == "search" else ("refit", 1)
    error, intact, seconds = _refit_under(_signal_at(method, call))
    return {"clear error": yes(isinstance(error, KeyboardInterrupt)),
            "previous model intact": yes(intact), "nothing lost": yes(intact),
            "time held": yes(isinstance(error, KeyboardInterrupt) and seconds < FAST["time_budget"]),
            "detail": f"{type(error).__name__ if error else 'no error'} after {seconds:.1f}s"}


def row_scorer_raises():
    def scorer(estimator, X, y):
        raise ValueError("this scorer always fails")

    class NoFault:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return None

    error, intact, seconds = _refit_under(NoFault, scoring=scorer)
    named = isinstance(error, SearchFailedError) and "this scorer always fails" in str(error)
    return {"clear error": yes(named), "previous model intact": yes(intact), "nothing lost": yes(intact),
            "time held": yes(seconds <= FAST["time_budget"] * 1.1 + 5),
            "detail": f"{type(error).__name__ if error else 'no error'} in {seconds:.1f}s"}


_CRASH_SCRIPT = """
import json, os, sys, time
import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from metaselect import Family, MetaSelectorClassifier
from metaselect.spaces import Int, SearchSpace

class Crash(ClassifierMixin, BaseEstimator):
    def __init__(self, size=1):
        self.size = size
    def fit(self, X, y):
        os._exit(3)  # the worker process dies without a word

family = Family("crash", "classification", lambda params, rs: Crash(**params),
                SearchSpace({"size": Int(1, 3)}, default={"size": 1}), prior=10.0)
X, y = make_classification(n_samples=300, n_features=8, random_state=0)
start = time.time()
model = MetaSelectorClassifier(time_budget=BUDGET, max_evals=8, cv=3, random_state=0, n_jobs=2,
                               estimators=[family, "logistic_regression", "knn"]).fit(X, y)
crash = model.leaderboard_[model.leaderboard_["algorithm"] == "crash"]
print(json.dumps({"seconds": time.time() - start, "best": model.best_config_["algorithm"],
                  "crash_status": sorted(set(crash["status"])),
                  "crash_error": str(crash["error"].iloc[0]) if len(crash) else ""}))
"""


def row_crashing_candidate(budget=20):
    import json

    done, seconds = python(_CRASH_SCRIPT.replace("BUDGET", str(budget)), timeout=budget * 3 + 60)
    if done is None:
        return {"clear error": "**no**", "previous model intact": "-", "nothing lost": "**no**",
                "time held": "**no**", "detail": f"killed after {seconds:.0f}s"}
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"clear error": yes(one_line(done.stderr)), "previous model intact": "-",
                "nothing lost": "**no**", "time held": yes(seconds < budget * 1.1 + 30),
                "detail": f"the fit died (rc {done.returncode}): {last[:90]}"}
    result = json.loads(done.stdout.strip().splitlines()[-1])
    said = any(word in result["crash_error"].lower() for word in ("worker", "terminat", "exit", "crash"))
    recorded = result["crash_status"] == ["failed"] and said  # the row says the process died
    return {"clear error": yes(recorded), "previous model intact": "-",
            "nothing lost": yes(result["best"] != "crash"),
            "time held": yes(result["seconds"] <= budget * 1.1 + 5),
            "detail": f"fit survived in {result['seconds']:.1f}s, best {result['best']}, crash "
                      f"{'/'.join(result['crash_status'])}: {result['crash_error'][:60]}"}


class _Hog(ClassifierMixin, BaseEstimator):
    """Allocates (and touches) 256 MiB blocks, up to 16 GiB, in ``fit``."""

    def __init__(self, blocks=64):
        self.blocks = blocks

    def fit(self, X, y):
        held = [np.ones(2**25) for _ in range(self.blocks)]
        del held
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def row_memory(limit=500, budget=20):
    hog = Family("hog", "classification", lambda params, rs: _Hog(**params),
                 SearchSpace({"blocks": Int(60, 64)}, default={"blocks": 64}), prior=10.0)
    X, y = data()
    start = time.time()
    try:
        model = MetaSelectorClassifier(**dict(FAST, time_budget=budget, memory_limit=limit,
                                              estimators=[hog, "logistic_regression", "knn"])).fit(X, y)
    except BaseException as exc:  # noqa: BLE001
        return {"clear error": yes(isinstance(exc, MemoryError)), "previous model intact": "-",
                "nothing lost": "**no**", "time held": yes(time.time() - start < budget * 1.1 + 5),
                "detail": f"the fit raised {type(exc).__name__}"}
    seconds = time.time() - start
    board = model.leaderboard_
    rows = board[board["algorithm"] == "hog"]
    named = len(rows) > 0 and rows["error"].astype(str).str.contains("MemoryError").all()
    return {"clear error": yes(named), "previous model intact": "-",
            "nothing lost": yes(model.best_config_["algorithm"] != "hog"),
            "time held": yes(seconds <= budget * 1.1 + 5),
            "detail": f"limit {limit} MiB; hog {'/'.join(sorted(set(rows['status'])))}, "
                      f"best {model.best_config_['algorithm']}, {seconds:.1f}s"}


# -- model files ---------------------------------------------------------------------------
def _saved_model(folder: Path):
    X, y = data()
    model = MetaSelectorClassifier(**FAST).fit(X, y)
    save_model(model, folder / "model.skops")
    pd.DataFrame(X, columns=[f"x{i}" for i in range(X.shape[1])]).to_csv(folder / "rows.csv", index=False)
    return model, X


def row_corrupt_model(folder: Path, saved):
    model, X = saved
    data_bytes = (folder / "model.skops").read_bytes()
    (folder / "cut.skops").write_bytes(data_bytes[: len(data_bytes) // 2])
    rc, _, err, seconds = cli("predict", folder / "cut.skops", folder / "rows.csv")
    rc_ok, out, _, _ = cli("predict", folder / "model.skops", folder / "rows.csv")
    intact = rc_ok == 0 and np.array_equal(
        np.array(out.split()[1:]).astype(int), model.predict(X))
    return {"clear error": yes(rc == 1 and one_line(err)), "previous model intact": yes(intact),
            "nothing lost": "-", "time held": "-", "detail": err.strip()[:110]}


def row_crafted_pickle(folder: Path, saved):
    marker = folder / "code_ran"
    payload = (b"cposix\nsystem\n(V" + f"touch {marker}".encode() + b"\ntR.")  # pickle protocol 0
    (folder / "evil.joblib").write_bytes(payload)
    rc, _, err, _ = cli("predict", folder / "evil.joblib", folder / "rows.csv")
    ran = marker.exists()
    cli("predict", folder / "evil.joblib", folder / "rows.csv", "--allow-pickle")  # the control
    return {"clear error": yes(rc == 1 and one_line(err) and "--allow-pickle" in err),
            "previous model intact": "-", "nothing lost": yes(not ran), "time held": "-",
            "detail": f"without the flag: {'the code RAN' if ran else 'no code ran'}; with "
                      f"--allow-pickle the code {'runs' if marker.exists() else 'does not run'}"}


# -- knowledge-base builds -----------------------------------------------------------------
def _dataset_folder(path: Path) -> Path:
    for i in range(2):
        X, y = data(n=200, d=5, seed=i)
        add_dataset(path, f"synthetic_{i}", X, y, task="classification")
    return path


def _records(kb_dir: Path):
    try:
        kb = load_knowledge_base(kb_dir)
    except Exception as exc:  # noqa: BLE001 - the outcome is reported, whatever it is
        return None, f"{type(exc).__name__}: {str(exc)[:80]}"
    results = kb.results()
    return set(zip(results["dataset"], results["config_id"], strict=True)), ""


def row_corrupt_chunk(folder: Path, reference):
    kb = folder / "kb_corrupt"
    cli("build-kb", folder / "datasets", "--out", kb, *KB_ARGS)
    chunk = sorted((kb / "results").glob("*/chunk_*.json.gz"))[0]
    chunk.write_bytes(b"\x1f\x8b not gzip at all")
    rc, _, err, _ = cli("kb-report", kb)
    named = one_line(err) and chunk.name in err
    cli("build-kb", folder / "datasets", "--out", kb, *KB_ARGS)  # the rerun should redo it
    records, problem = _records(kb)
    return {"clear error": yes(named), "previous model intact": "-",
            "nothing lost": yes(records == reference), "time held": "-",
            "detail": (f"kb-report rc {rc}: {err.strip().splitlines()[-1][:60] if err.strip() else ''}; "
                       f"after a rerun {len(records or ())}/{len(reference)} records {problem}")}


def row_concurrent_writers(folder: Path, reference):
    kb = folder / "kb_concurrent"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [*METASELECT, "build-kb", str(folder / "datasets"), "--out", str(kb), *KB_ARGS]
    start = time.time()
    procs = [subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    outcomes = [p.communicate(timeout=900) for p in procs]
    codes = [p.returncode for p in procs]
    records, problem = _records(kb)
    errors = [err.strip().splitlines()[-1][:50] for (_, err), rc in zip(outcomes, codes, strict=True)
              if rc != 0 and err.strip()]
    return {"clear error": yes(all(rc == 0 for rc in codes) or all(one_line(e) for _, e in outcomes)),
            "previous model intact": "-", "nothing lost": yes(records == reference),
            "time held": "-",
            "detail": f"exit codes {codes} in {time.time() - start:.0f}s; {len(records or ())}/"
                      f"{len(reference)} records {problem} {'; '.join(errors)}"}


def row_killed_build(folder: Path, reference):
    kb = folder / "kb_killed"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    command = [*METASELECT, "build-kb", str(folder / "datasets"), "--out", str(kb), *KB_ARGS]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 600
    while proc.poll() is None and time.time() < deadline and not list(kb.glob("results/*/chunk_*")):
        time.sleep(0.2)
    done_before = {p.relative_to(kb) for p in kb.glob("results/*/*.json.gz")}
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    rc, out, err, _ = cli("build-kb", folder / "datasets", "--out", kb, *KB_ARGS)
    kept = all((kb / p).exists() for p in done_before)
    records, problem = _records(kb)
    return {"clear error": yes(rc == 0 or one_line(err)), "previous model intact": "-",
            "nothing lost": yes(kept and records == reference), "time held": "-",
            "detail": f"killed after {len(done_before)} result file(s); resume rc {rc}: "
                      f"{(out or err).strip().splitlines()[-1][:70] if (out or err).strip() else ''} {problem}"}


def row_zero_shot(bound: float):
    script = textwrap.dedent("""
        import time
        from sklearn.datasets import make_classification
        from metaselect import MetaSelectorClassifier
        X, y = make_classification(n_samples=50_000, n_features=20, n_informative=10, random_state=0)
        start = time.time()
        model = MetaSelectorClassifier(time_budget=0, random_state=0).fit(X, y)
        print(time.time() - start, model.best_config_["algorithm"])
    """)
    done, seconds = python(script, timeout=bound * 3 + 60)
    if done is None:
        return {"clear error": "-", "previous model intact": "-", "nothing lost": "-",
                "time held": "**no**", "detail": f"killed after {seconds:.0f}s"}
    if done.returncode != 0:
        return {"clear error": "-", "previous model intact": "-", "nothing lost": "-",
                "time held": "**no**", "detail": f"failed: {done.stderr.strip().splitlines()[-1][:80]}"}
    seconds, algorithm = done.stdout.split()[-2:]
    return {"clear error": "-", "previous model intact": "-", "nothing lost": "-",
            "time held": yes(float(seconds) <= bound),
            "detail": f"{float(seconds):.1f}s (bound {bound:g}s), {algorithm}"}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="", help="run only the rows whose name contains this")
    parser.add_argument("--zero-shot-bound", type=float, default=33.0,
                        help="seconds zero-shot may take on 50,000 x 20 (the documented bound: "
                             "ZeroShot(max_time=30) plus the 10%% allowance)")
    args = parser.parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench_faults_"))
    reference, saved = None, []

    def saved_model():
        if not saved:
            saved.append(_saved_model(folder))
        return saved[0]

    def kb_reference():
        nonlocal reference
        if reference is None:
            _dataset_folder(folder / "datasets")
            cli("build-kb", folder / "datasets", "--out", folder / "kb_reference", *KB_ARGS)
            reference, _ = _records(folder / "kb_reference")
        return reference

    rows = {
        "interrupt during search": lambda: row_interrupt("search"),
        "interrupt during refit": lambda: row_interrupt("refit"),
        "a scorer that raises": row_scorer_raises,
        "a candidate that crashes its process (n_jobs=2)": row_crashing_candidate,
        "memory exhaustion (memory_limit)": row_memory,
        "a corrupt (truncated) model file": lambda: row_corrupt_model(folder, saved_model()),
        "a crafted pickle given to predict": lambda: row_crafted_pickle(folder, saved_model()),
        "a corrupt knowledge-base chunk": lambda: row_corrupt_chunk(folder, kb_reference()),
        "two concurrent build-kb writers": lambda: row_concurrent_writers(folder, kb_reference()),
        "a killed build-kb, resumed": lambda: row_killed_build(folder, kb_reference()),
        "zero-shot on 50,000 x 20": lambda: row_zero_shot(args.zero_shot_bound),
    }
    columns = ["clear error", "previous model intact", "nothing lost", "time held", "detail"]
    print(f"metaselect fault injection, {time.strftime('%Y-%m-%d %H:%M')}, load {os.getloadavg()[0]:.1f}\n")
    print("| fault | " + " | ".join(columns) + " |")
    print("|---|" + ":-:|" * 4 + "---|")
    try:
        for name, run in rows.items():
            if args.only not in name:
                continue
            outcome = run()
            print(f"| {name} | " + " | ".join(str(outcome[c]).replace("|", "/") for c in columns) + " |",
                  flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
