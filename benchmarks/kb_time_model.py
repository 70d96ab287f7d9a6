"""Times learned from the knowledge base: a per-family linear model of log fit time against the network's time head.

Issue 24 asks for a time model per family, trained on the recorded fit times, used where it
predicts better than the network's time head. This is the first measurement, offline, in the
knowledge base's own conditions (seconds per fold, 3-fold CV at up to 1,000 rows, the build
machine): for each held-out dataset, the median over the configurations that finished of
``|log(predicted / measured)|`` (0.69 is a factor of 2).

* ``network``: the meta-model's time head, trained without the held-out datasets' families
  (the held-out models of ``benchmarks/compare.py``, ``--models``);
* ``family model``: :class:`metaselect.metamodel.FitTimes` (the shipped design: per family, ridge
  regression of ``log(seconds / work)`` on ``log`` training rows, ``log`` columns, ``log``
  classes, the rows x columns interaction and the configuration's encoding), fitted on every
  other dataset of the knowledge base not of a held-out family, times each configuration's work;
* ``family median``: per configuration, the median seconds over the training datasets (no
  data features): what a lookup table would give.

Each also on the configurations that took at least ``SLOW`` seconds per fold (``(slow)``).

numpy only; seconds::

    python benchmarks/kb_time_model.py --models OUT/models   # OUT of compare.py (held-out models)
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from metaselect.knowledge import load_knowledge_base
from metaselect.metamodel import FitTimes, load_models, table_from_knowledge_base

#: Configurations at least this slow per fold (seconds) are also scored apart: the ones whose
#: times decide a plan (a factor of 5 on 0.01 s costs nothing, on 2 s a time-out).
SLOW = 0.25


def family_model(table, kb, task: str, held_out_groups: set[str], i: int) -> np.ndarray:
    """Seconds per fold of every configuration on dataset ``i`` of ``table`` from
    :class:`FitTimes` fitted without ``held_out_groups``, times each configuration's work."""
    from metaselect.metamodel._times import _classes, _work
    from metaselect.portfolio import Portfolio

    fitted = _FITTED.setdefault((task, frozenset(held_out_groups)),
                                FitTimes.from_knowledge_base(kb, tasks=(task,), exclude_groups=held_out_groups))
    portfolio, meta = Portfolio(task), kb.metafeatures(task)
    meta = meta.loc[:, ~meta.columns.duplicated(keep="last")].loc[table.datasets[i]]
    configs = [kb.config_sets[task][cid] for cid in table.config_ids]
    n_classes = _classes(meta.get("n_classes"), task)
    train = float(meta["n_rows_used"]) * (int(kb.settings.get("cv", 3)) - 1) / int(kb.settings.get("cv", 3))
    per_work = fitted.predict(configs, portfolio, task, train, meta["n_features"], n_classes)
    return per_work * np.array([_work(portfolio[c.family], c, meta["n_features"], n_classes) for c in configs])


_FITTED: dict = {}


def evaluate(task: str, kb, models, held_out: set[str]) -> pd.DataFrame:
    table = table_from_knowledge_base(kb, task)
    seconds = np.expm1(table.log_time)
    groups = np.array(table.groups)
    test = [i for i, d in enumerate(table.datasets) if d in held_out]
    train = [i for i in range(len(table.datasets)) if groups[i] not in set(groups[test])]
    median = np.nanmedian(np.log(np.maximum(seconds[train], 1e-4)), axis=0)
    rows = []
    for i in test:
        measured = seconds[i]
        ok = np.isfinite(measured) & (measured > 0)
        own = np.log(np.maximum(family_model(table, kb, task, set(groups[test]), i), 1e-4))
        _, net = models[task].predict(models[task].meta_vector(dict(zip(table.meta_names, table.meta[i],
                                                                         strict=True))), table.encodings)
        slow = ok & (np.nan_to_num(measured) >= SLOW)
        row = {"task": task, "dataset": table.datasets[i], "configs": int(ok.sum()), "slow": int(slow.sum())}
        for name, pred in (("network", np.log(np.maximum(net, 1e-4))), ("family model", own),
                           ("family median", median)):
            for label, mask in (("", ok), (" (slow)", slow)):
                error = np.abs(pred[mask] - np.log(np.maximum(measured[mask], 1e-4)))
                row[name + label] = float(np.nanmedian(error)) if mask.any() else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, required=True, help="folder of held-out models and heldout.txt's sibling")
    parser.add_argument("--heldout", type=Path, default=None, help="heldout.txt of compare.py (default: next to --models)")
    args = parser.parse_args(argv)
    heldout_file = args.heldout or args.models.parent / "heldout.txt"
    held_out = {line.split("\t")[0] for line in heldout_file.read_text().splitlines() if line.strip()}
    kb, models = load_knowledge_base(), load_models(args.models)
    frame = pd.concat([evaluate(task, kb, models, held_out) for task in ("classification", "regression")])
    print(frame.to_markdown(index=False, floatfmt=".2f"))
    print("\nmedian over held-out datasets of the per-dataset median |log(predicted / measured)|:\n")
    columns = [c for c in frame.columns if c.startswith(("network", "family"))]
    print(frame.groupby("task")[columns].median().to_markdown(floatfmt=".2f"))


if __name__ == "__main__":
    main()
