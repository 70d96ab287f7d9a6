"""``metaselect build-kb``, ``pack-kb`` and ``kb-report``: build, ship and summarise a knowledge base."""

from __future__ import annotations

import logging
import signal
import sys
from contextlib import contextmanager
from pathlib import Path

from ..knowledge import KnowledgeBase, build_knowledge_base, load_knowledge_base
from ..knowledge._report import render_markdown


def register(sub) -> None:
    build = sub.add_parser(
        "build-kb",
        help="evaluate the configuration set on every dataset of a dataset folder",
        description="Cross-validate every configuration of the knowledge base's configuration set "
        "on every dataset of FOLDER (manifest.csv + data/<name>.csv.gz) and write one result file "
        "per dataset and chunk of configurations into --out. Running it again resumes an "
        "interrupted build; running it on another folder adds that folder's datasets.",
    )
    build.add_argument("folder", metavar="FOLDER", help="a dataset folder")
    build.add_argument("--out", required=True, metavar="KB", help="the build directory")
    build.add_argument("--n-configs", type=int, default=100,
                       help="minimum configurations per task (default: 100)")
    build.add_argument("--cv", type=int, default=3, help="cross-validation folds (default: 3)")
    build.add_argument("--n-jobs", type=int, default=None, help="parallel work units (-1: all cores)")
    build.add_argument("--max-rows", type=int, default=1000,
                       help="row cap; larger datasets are subsampled (default: 1000)")
    build.add_argument("--time-limit", type=float, default=10.0,
                       help="seconds per configuration and dataset (default: 10)")
    build.add_argument("--chunk-size", type=int, default=8,
                       help="configurations per work unit and result file (default: 8)")
    build.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    build.add_argument("--repetition", type=int, default=0,
                       help="another repetition of the cross-validation: the same rows and configurations, "
                       "other folds (default: 0, the first; pack-kb --pool joins them)")
    build.add_argument("--datasets", nargs="+", default=None, metavar="NAME",
                       help="only these datasets of the folder")
    build.add_argument("--reverse", action="store_true",
                       help="run the datasets in reverse manifest order")
    build.add_argument("--no-progress", action="store_true", help="no progress bar")
    build.add_argument("-v", "--verbose", action="count", default=0,
                       help="-v: log every failed configuration")
    build.set_defaults(func=run_build)

    pack = sub.add_parser(
        "pack-kb",
        help="pack a knowledge-base build directory into one shippable file",
        description="Collect the complete datasets of the build directory KB (incomplete ones are "
        "left out with a warning) into one gzip'd JSON file loadable with "
        "metaselect.knowledge.load_knowledge_base(FILE).",
    )
    pack.add_argument("kb", metavar="KB", help="a build directory written by build-kb")
    pack.add_argument("--out", required=True, metavar="FILE.json.gz", help="the packed file")
    pack.add_argument("--notes", default="", help="free text kept in the file (how it was built)")
    pack.add_argument("--add", nargs="+", default=[], metavar="KB2",
                      help="knowledge bases (packed files or build directories) merged into it: same "
                      "settings, configurations and meta-features, no dataset twice")
    pack.add_argument("--pool", nargs="+", default=[], metavar="REPEAT",
                      help="other repetitions of the same cross-validation (build-kb --repetition), "
                      "their folds pooled into every result, after --add")
    pack.add_argument("--widen", nargs="+", default=[], metavar="KB3",
                      help="knowledge bases of other configurations on the same datasets and folds "
                      "(build-kb with given configurations), joined after --add and --pool")
    pack.set_defaults(func=run_pack)

    report = sub.add_parser(
        "kb-report",
        help="write the markdown report of a knowledge base (family wins, SBS, VBS)",
        description="Summarise a knowledge base (default: the shipped one): how often each "
        "algorithm family is best, the single best configuration (SBS), the oracle (VBS) and "
        "the gap between them, per task.",
    )
    report.add_argument("kb", metavar="KB", nargs="?", default=None,
                        help="a packed file or build directory (default: the shipped one)")
    report.add_argument("--out", default=None, help="markdown file (default: standard output)")
    report.set_defaults(func=run_report)


def run_build(args) -> int:
    if args.verbose:
        logging.getLogger("metaselect").setLevel(logging.INFO)
    datasets = args.datasets
    if args.reverse:
        from ..datasets import DatasetFolder

        datasets = list(reversed(datasets or DatasetFolder(args.folder).names()))
    try:
        with _terminate_as_interrupt():
            summary = build_knowledge_base(
                args.folder, args.out, n_configs=args.n_configs, cv=args.cv,
                max_rows=args.max_rows, time_limit=args.time_limit, chunk_size=args.chunk_size,
                n_jobs=args.n_jobs, random_state=args.seed, repetition=args.repetition, datasets=datasets,
                progress=not args.no_progress,
            )
    except KeyboardInterrupt:
        print(f"build-kb: interrupted; finished results are kept in {args.out}. Run the same "
              "command again to resume.", file=sys.stderr)
        return 130
    statuses = ", ".join(f"{k}: {v}" for k, v in sorted(summary["statuses"].items())) or "none"
    print(f"build-kb: {summary['units']} work units run, {summary['skipped']} already done, "
          f"{summary['records']} records ({statuses}) in {summary['wall_time']:.0f}s -> {args.out}")
    return 0


@contextmanager
def _terminate_as_interrupt():
    """Turn SIGTERM into KeyboardInterrupt so that joblib stops its workers on the way out."""
    def _interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_pack(args) -> int:
    if not Path(args.kb).is_dir():
        raise ValueError(f"{args.kb} is not a build directory")
    kb = KnowledgeBase.from_directory(args.kb, notes=args.notes)
    if args.add:
        kb = kb.merged(*(load_knowledge_base(path) for path in args.add))
    if args.pool:
        kb = kb.pooled(*(load_knowledge_base(path) for path in args.pool))
    if args.widen:
        kb = kb.widened(*(load_knowledge_base(path) for path in args.widen))
    kb.save(args.out)
    size = Path(args.out).stat().st_size / 1e6
    print(f"pack-kb: {kb!r} -> {args.out} ({size:.2f} MB)")
    return 0


def run_report(args) -> int:
    text = render_markdown(load_knowledge_base(args.kb))
    if args.out:
        Path(args.out).write_text(text + "\n")
    else:
        print(text)
    return 0
