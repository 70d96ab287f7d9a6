"""Times learned from the knowledge base: a per-family linear model of log fit time against the network's time head.

Issue 24 asks for a time model per family, trained on the recorded fit times, used where it
predicts better than the network's time head. This is the first measurement, offline, in the
knowledge base's own conditions (seconds per fold, 3-fold CV at up to 1,000 rows, the build
machine): for each held-out dataset, the median over the configurations that finished of
``|log(predicted / measured)|`` (0.69 is a factor of 2).

* ``network``: the meta-model's time head, trained without the held-out datasets' families
  (the held-out models of ``benchmarks/compare.py``, ``--models``);
* ``family model``: per family, ridge regression of ``log(seconds)`` on ``log`` training rows,
  ``log`` columns, ``log`` classes (classification), the rows x columns interaction and the
  configuration's encoding (the family's hyperparameter slots), fitted on every other dataset
  of the knowledge base not of a held-out family;
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
from metaselect.metamodel import load_models, table_from_knowledge_base
from metaselect.portfolio import FAMILY_ORDER

#: Ridge penalty of the family models (on standardised features).
ALPHA = 1.0
#: Configurations at least this slow per fold (seconds) are also scored apart: the ones whose
#: times decide a plan (a factor of 5 on 0.01 s costs nothing, on 2 s a time-out).
SLOW = 0.25


def features(table, rows) -> np.ndarray:
    """Per (dataset, configuration): data size features then the configuration's encoding."""
    names = list(table.meta_names)
    n_rows = table.meta[rows, names.index("n_rows")]
    n_features = table.meta[rows, names.index("n_features")]
    n_classes = table.meta[rows, names.index("n_classes")] if "n_classes" in names else np.zeros(len(rows))
    train_rows = np.minimum(n_rows, 1000.0) * 2 / 3
    data = np.column_stack([np.log(train_rows), np.log1p(n_features), np.log1p(n_classes),
                            np.log(train_rows) * np.log1p(n_features)])
    n_configs = len(table.config_ids)
    return np.concatenate([np.repeat(data, n_configs, axis=0), np.tile(table.encodings, (len(rows), 1))], axis=1)


def family_of(table) -> np.ndarray:
    slots = len(FAMILY_ORDER[table.task])
    return np.asarray(table.encodings[:, :slots].argmax(1))


def ridge(X, y):
    mean, std = X.mean(0), X.std(0)
    std = np.where(std > 1e-9, std, 1.0)
    Z = np.column_stack([np.ones(len(X)), (X - mean) / std])
    penalty = ALPHA * np.eye(Z.shape[1])
    penalty[0, 0] = 0.0
    coef = np.linalg.solve(Z.T @ Z + penalty, Z.T @ y)
    return lambda Xn: np.column_stack([np.ones(len(Xn)), (Xn - mean) / std]) @ coef


def evaluate(task: str, kb, models, held_out: set[str]) -> pd.DataFrame:
    table = table_from_knowledge_base(kb, task)
    seconds = np.expm1(table.log_time)
    groups = np.array(table.groups)
    test = [i for i, d in enumerate(table.datasets) if d in held_out]
    train = [i for i in range(len(table.datasets)) if groups[i] not in set(groups[test])]
    fam = family_of(table)
    n_configs = len(table.config_ids)
    X_train, y_train = features(table, train), np.log(np.maximum(seconds[train].ravel(), 1e-4))
    ok_train = np.isfinite(y_train) & np.isfinite(seconds[train].ravel())
    fam_train = np.tile(fam, len(train))
    fitted = {f: ridge(X_train[ok_train & (fam_train == f)], y_train[ok_train & (fam_train == f)])
              for f in np.unique(fam) if (ok_train & (fam_train == f)).sum() > 20}
    median = np.nanmedian(np.log(np.maximum(seconds[train], 1e-4)), axis=0)
    rows = []
    for i in test:
        measured = seconds[i]
        ok = np.isfinite(measured) & (measured > 0)
        X = features(table, [i])
        own = np.array([fitted[f](X[[j]])[0] if f in fitted else np.nan for j, f in enumerate(fam)])
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
    assert n_configs == table.encodings.shape[0]
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
