"""``metaselect train-meta``, ``fine-tune`` and ``experience``: what the meta-model learns.

``train-meta`` and ``fine-tune`` import TensorFlow (through :mod:`metaselect.metamodel`'s
training functions); nothing else in the command line does. TensorFlow comes with the
``train`` extra; without it both commands say in one line what to install and exit with
status 1. ``experience`` (numpy only) shows what an experience folder teaches the next
fit, or forgets it (``--reset``).
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

from .._tasks import TASKS
from ..metamodel._experience import MODELS_FOLDER
from ..metamodel._portfolio import is_knowledge_base


def register(sub) -> None:
    train = sub.add_parser(
        "train-meta",
        help="pre-train the neural meta-model on a knowledge base (needs TensorFlow)",
        description="Train one meta-model per task on KB (a packed knowledge-base file or a "
        "build-kb directory) and export each to OUT/metamodel_<task>.npz, the numpy format "
        "the selector reads. Use it with MetaSelector(ranker=MetaModelRanker(load_models(OUT))).",
    )
    train.add_argument("--kb", required=True, help="knowledge base (file or build directory)")
    train.add_argument("--out", required=True, help="output directory for the exported models")
    train.add_argument("--task", choices=TASKS, nargs="+", default=list(TASKS),
                       help="tasks to train (default: both)")
    train.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    train.add_argument("--epochs", type=int, default=400, help="maximum epochs (default: 400)")
    train.set_defaults(func=run_train)

    tune = sub.add_parser(
        "fine-tune",
        help="continue training a meta-model on your own experience (needs TensorFlow)",
        description="Fine-tune the meta-model (the shipped one, or --base) on EXPERIENCE: a "
        "knowledge base built with 'metaselect build-kb' on your datasets, or a folder that "
        "MetaSelector(knowledge_base=FOLDER) wrote. Writes OUT/metamodel_<task>.npz for every "
        "task with experience.",
    )
    tune.add_argument("experience", help="knowledge base or MetaSelector experience folder")
    tune.add_argument("--out", default=None,
                      help="output directory for the fine-tuned models (default: EXPERIENCE/metamodel, "
                      "where MetaSelector(knowledge_base=EXPERIENCE) finds them)")
    tune.add_argument("--base", default=None, help="directory of models to start from (default: shipped)")
    tune.add_argument("--epochs", type=int, default=60, help="fine-tuning epochs (default: 60)")
    tune.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    tune.set_defaults(func=run_fine_tune)

    show = sub.add_parser(
        "experience",
        help="show what an experience folder teaches the next fit, or forget it",
        description="FOLDER is a MetaSelector(knowledge_base=FOLDER) experience folder. Prints, per "
        "task, how many recorded fits the next fit learns from, their weight against the shipped "
        "knowledge base, the zero-shot pick and the first members of the learned portfolio. "
        "--reset removes the records (and the fine-tuned models in FOLDER/metamodel): the next "
        "fit starts from the shipped state again.",
    )
    show.add_argument("folder", help="experience folder")
    show.add_argument("--reset", action="store_true", help="forget: remove the folder's records and models")
    show.add_argument("--top", type=int, default=5, help="portfolio members to show (default: 5)")
    show.set_defaults(func=run_experience)


def _needs_tensorflow(command):
    """Run ``command`` only where TensorFlow is installed; otherwise print what to install."""

    @functools.wraps(command)
    def run(args) -> int:
        from ..metamodel._training import require_tensorflow

        try:
            require_tensorflow()
        except ImportError as exc:
            print(f"metaselect {args.command}: error: {exc}", file=sys.stderr)
            return 1
        return command(args)

    return run


@_needs_tensorflow
def run_train(args) -> int:
    from ..knowledge import load_knowledge_base
    from ..metamodel import (
        FitTimes,
        LearnedPortfolio,
        TransferMatrix,
        table_from_knowledge_base,
        train_metamodel,
    )

    kb = load_knowledge_base(args.kb)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    for task in args.task:
        table = table_from_knowledge_base(kb, task)
        model = train_metamodel(table, epochs=args.epochs, random_state=args.seed)
        path = out / f"metamodel_{task}.npz"
        model.save(path)
        print(f"{task}: {len(table.datasets)} datasets x {len(table.config_ids)} configurations, "
              f"{model.n_parameters} parameters, {model.info['epochs']} epochs -> {path}")
    LearnedPortfolio.from_knowledge_base(kb, tasks=args.task).save(out / "portfolio.json")  # numpy only
    TransferMatrix.from_knowledge_base(kb, tasks=args.task).save(out / "transfer.npz")  # in-run adaptation
    FitTimes.from_knowledge_base(kb, tasks=args.task).save(out / "times.npz")  # predicted seconds
    return 0


@_needs_tensorflow
def run_fine_tune(args) -> int:
    from ..metamodel import (
        LearnedPortfolio,
        experience_tables,
        fine_tune,
        learn_from_experience,
        load_models,
        load_pretrained,
    )

    tables = experience_tables(args.experience)
    if not tables:
        raise ValueError(f"No usable experience in {args.experience}")
    folder = not is_knowledge_base(args.experience)
    if args.out is None and not folder:
        raise ValueError("--out is needed when EXPERIENCE is a knowledge base")
    base = load_models(args.base) if args.base else {t: load_pretrained(t) for t in TASKS}
    out = Path(args.out) if args.out else Path(args.experience) / MODELS_FOLDER
    out.mkdir(parents=True, exist_ok=True)
    for task, table in tables.items():
        if base.get(task) is None:
            raise ValueError(f"No {task} meta-model to fine-tune; train one with 'metaselect train-meta'.")
        tuned = fine_tune(base[task], table, epochs=args.epochs, random_state=args.seed)
        path = out / f"metamodel_{task}.npz"
        tuned.save(path)
        print(f"{task}: fine-tuned on {len(table.datasets)} dataset(s) -> {path}")
    # the portfolio the fit path learns from the same experience, for a ranker built by hand
    portfolio = (learn_from_experience(args.experience).portfolio if folder
                 else LearnedPortfolio.from_experience(args.experience))
    portfolio.save(out / "portfolio.json")
    return 0


def run_experience(args) -> int:
    import shutil

    from ..knowledge import reset_experience
    from ..metamodel import learn_from_experience

    folder = Path(args.folder)
    if not folder.is_dir():
        print(f"metaselect experience: error: {folder} is not a folder", file=sys.stderr)
        return 1
    if args.reset:
        removed = reset_experience(folder)
        shutil.rmtree(folder / MODELS_FOLDER, ignore_errors=True)
        print(f"{folder}: {removed} record(s) and the fine-tuned models removed; the next fit starts "
              "from the shipped state")
        return 0
    print(learn_from_experience(folder).describe(args.top))
    return 0
