"""Does a larger knowledge base help? The learned portfolio from the shipped knowledge base
against the one from the shipped knowledge base merged with another (knowledge base v3's
regression phase), scored on the same held-out datasets.

For each dataset of ``--test`` (default: the shipped knowledge base's datasets of the task),
both portfolios are rebuilt without the dataset's family (grouped leave-one-family-out) and
replayed on it: the best-so-far raw score after 1, 3, 5 and 10 evaluations, pooled over the
test datasets as the closed SBS-to-VBS gap of the anytime yardstick (R^2 clipped at 0; the SBS
learned from the shipped knowledge base for every row, the VBS of the test dataset), and the zero-shot pick's mean score with failures at
the floor (``SCORE_FLOOR``). numpy only; seconds.

    python benchmarks/kb_growth.py --add kb/v3/regression [--task regression]
"""

from __future__ import annotations

import argparse

import numpy as np

from metaselect.knowledge import load_knowledge_base
from metaselect.metamodel import table_from_knowledge_base
from metaselect.metamodel._portfolio import SCORE_FLOOR, greedy_portfolio

COUNTS = (1, 3, 5, 10)


def _matrices(kb, task):
    table = table_from_knowledge_base(kb, task)
    raw = np.where(table.mask, table.scores, np.nan)
    return table, raw, np.where(table.mask, table.target, np.nan)


def replay(kb, task, test_names):
    """Per test dataset: best-so-far clipped scores at COUNTS, its floored zero-shot score, SBS, VBS."""
    table, raw, target = _matrices(kb, task)
    groups = np.array(table.groups)
    names = list(table.datasets)
    clipped = np.clip(np.nan_to_num(raw, nan=0.0), 0, None)
    floor = SCORE_FLOOR[task]
    floored = np.maximum(np.nan_to_num(raw, nan=floor), floor)
    rows = {}
    for name in test_names:
        i = names.index(name)
        train = groups != groups[i]
        order = greedy_portfolio(target[train], size=max(COUNTS))
        running = np.maximum.accumulate(clipped[i, order])
        zero = int(np.argmax(floored[train].mean(0)))
        sbs = int(np.argmax(clipped[train].mean(0)))
        rows[name] = ([running[k - 1] for k in COUNTS], floored[i, zero], clipped[i, sbs], clipped[i].max())
    return rows


def closed_gap(rows, reference):
    """Pooled closed gap of ``rows``' best-so-far, against the SBS of ``reference`` (the same for
    every portfolio compared, so that the gaps compare like with like) and the VBS."""
    best = np.array([r[0] for r in rows.values()])
    sbs, vbs = np.array([r[2] for r in reference.values()]), np.array([r[3] for r in rows.values()])
    return (best.mean(0) - sbs.mean()) / (vbs.mean() - sbs.mean())


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--add", required=True, help="knowledge base merged into the shipped one")
    parser.add_argument("--task", default="regression", choices=["classification", "regression"])
    args = parser.parse_args(argv)
    shipped = load_knowledge_base()
    merged = shipped.merged(load_knowledge_base(args.add))
    extra = load_knowledge_base(args.add)
    for label, test in (("the shipped knowledge base's", list(shipped.datasets(args.task).index)),
                        ("the added knowledge base's", list(extra.datasets(args.task).index))):
        print(f"\n{args.task}: held out, {label} {len(test)} datasets")
        print("| portfolio from | " + " | ".join(f"closed gap @{k}" for k in COUNTS) + " | zero-shot (floored) |")
        print("|---|" + "---|" * (len(COUNTS) + 1))
        reference = None
        for source, kb in (("shipped", shipped), ("shipped + added", merged)):
            if not set(test) <= set(kb.datasets(args.task).index):
                # the added datasets are not in the shipped KB: train on the shipped KB, score on
                # the added datasets' rows of the merged one (same configurations)
                rows = replay_across(shipped, merged, args.task, test)
            else:
                rows = replay(kb, args.task, test)
            reference = rows if reference is None else reference  # the shipped portfolio's SBS
            gaps = closed_gap(rows, reference)
            zero = np.mean([r[1] for r in rows.values()])
            print(f"| {source} | " + " | ".join(f"{g:+.3f}" for g in gaps) + f" | {zero:.3f} |")


def replay_across(train_kb, full_kb, task, test_names):
    """As :func:`replay`, the portfolios learned on ``train_kb`` alone (it holds no test dataset)."""
    t_table, t_raw, t_target = _matrices(train_kb, task)
    f_table, f_raw, _ = _matrices(full_kb, task)
    assert t_table.config_ids == f_table.config_ids
    order = greedy_portfolio(t_target, size=max(COUNTS))
    floor = SCORE_FLOOR[task]
    zero = int(np.argmax(np.maximum(np.nan_to_num(t_raw, nan=floor), floor).mean(0)))
    sbs = int(np.argmax(np.clip(np.nan_to_num(t_raw, nan=0.0), 0, None).mean(0)))
    names = list(f_table.datasets)
    rows = {}
    for name in test_names:
        i = names.index(name)
        clipped = np.clip(np.nan_to_num(f_raw[i], nan=0.0), 0, None)
        floored = np.maximum(np.nan_to_num(f_raw[i], nan=floor), floor)
        running = np.maximum.accumulate(clipped[order])
        rows[name] = ([running[k - 1] for k in COUNTS], floored[zero], clipped[sbs], clipped.max())
    return rows


if __name__ == "__main__":
    main()
