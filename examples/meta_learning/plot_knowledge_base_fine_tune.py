"""
Build your own knowledge base and fine-tune the meta-model on it
================================================================

The meta-model that ranks candidates was pre-trained on the knowledge base
shipped with metaselect. This example does, in miniature, what
``metaselect build-kb``, ``metaselect fine-tune`` and
``MetaSelector(ranker=...)`` do on the command line, with the Python API:

1. write a few datasets into a *dataset folder* (a ``manifest.csv`` and one
   gzip'd CSV per dataset),
2. cross-validate a fixed set of configurations on each of them
   (:func:`~metaselect.knowledge.build_knowledge_base`),
3. fine-tune the pre-trained meta-model on those results
   (:func:`~metaselect.metamodel.fine_tune`, needs TensorFlow),
4. use the fine-tuned model as the selector's ranker
   (:class:`~metaselect.metamodel.MetaModelRanker`).

Everything is kept tiny so that it runs in seconds: three toy datasets, one
configuration per algorithm family (its default), 2-fold cross-validation and
a few fine-tuning epochs. A real knowledge base has hundreds of datasets and
about a hundred configurations per task.
"""

# %%
# A dataset folder
# ----------------
# Every knowledge-base command reads a *dataset folder*: a ``manifest.csv``
# (one row per dataset: name, task, target column, sizes, source and *family*;
# datasets of one family are kept on the same side of the meta-model's
# validation splits) and one gzip'd CSV per dataset in ``data/``.
# :func:`~metaselect.datasets.add_dataset` writes both.
import shutil
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from scipy.stats import spearmanr
from sklearn.datasets import load_breast_cancer, load_iris, load_wine

from metaselect import MetaSelectorClassifier
from metaselect.datasets import add_dataset
from metaselect.knowledge import KnowledgeBase, build_knowledge_base
from metaselect.metamodel import (
    MetaModelRanker,
    fine_tune,
    load_models,
    load_pretrained,
    table_from_knowledge_base,
)

work = Path(tempfile.mkdtemp(prefix="metaselect_example_"))
corpus = work / "corpus"
toy_datasets = {"iris": load_iris, "wine": load_wine, "breast_cancer": load_breast_cancer}
for name, loader in toy_datasets.items():
    X, y = loader(return_X_y=True, as_frame=True)
    folder = add_dataset(corpus, name, X, y, task="classification", source="scikit-learn")

print(folder.manifest()[["task", "n_rows", "n_features", "n_classes"]])

# %%
# Build the knowledge base
# ------------------------
# Every configuration of the set is cross-validated on every dataset. With
# ``n_configs=13`` each of the 13 classification families contributes one
# configuration, its default. Results are written to ``kb_dir`` one file per
# dataset and chunk of configurations, so an interrupted build resumes where
# it stopped (``n_jobs`` runs work units in parallel).
kb_dir = work / "kb"
summary = build_knowledge_base(
    corpus, kb_dir, n_configs=13, cv=2, max_rows=300, time_limit=5, random_state=0, progress=False
)
print(summary["records"], "records:", dict(summary["statuses"]))

kb = KnowledgeBase.from_directory(kb_dir)
print(kb)
kb.score_matrix("classification").T.round(3)

# %%
# The scores are balanced accuracies; a configuration that failed or timed out
# has no score (``NaN``) and counts as the dataset's worst in training. (The
# knowledge base also holds the regression configuration set, which no dataset
# of this folder needed.)
#
# Fine-tune the pre-trained meta-model
# ------------------------------------
# :func:`~metaselect.metamodel.table_from_knowledge_base` turns the results
# into the meta-model's training table (meta-features, configuration
# encodings, normalised scores, fit times).
# :func:`~metaselect.metamodel.fine_tune` continues training every member of
# the ensemble on it; this is the step that imports TensorFlow.
pretrained = load_pretrained("classification")
table = table_from_knowledge_base(kb, "classification", meta_names=pretrained.meta_names)
tuned = fine_tune(pretrained, table, epochs=10, random_state=0)
print("fine-tuned on", tuned.info["fine_tuned_on"])

# Save it the way ``metaselect fine-tune --out my_models`` does.
models_dir = work / "my_models"
models_dir.mkdir()
tuned.save(models_dir / "metamodel_classification.npz")


# %%
# How well does each model order the configurations of these datasets? The
# Spearman correlation between predicted and measured normalised scores, before
# and after fine-tuning. These are the datasets the model was just tuned on, so
# this shows that it took the new experience in, not how it generalises (see
# the :doc:`meta-evaluation </metamodel>` in the user guide for that).
def rank_agreement(model):
    return [
        spearmanr(model.predict(meta, table.encodings)[0], target).statistic
        for meta, target in zip(table.meta, table.target, strict=True)
    ]


agreement = pd.DataFrame(
    {"pre-trained": rank_agreement(pretrained), "fine-tuned": rank_agreement(tuned)},
    index=table.datasets,
)
print(agreement.round(2))

ax = agreement.plot.bar(rot=0, figsize=(6, 3.5))
ax.set_ylabel("Spearman correlation")
ax.set_title("Predicted vs measured ranking of the configurations")
ax.axhline(0, color="black", linewidth=0.8)
plt.tight_layout()

# %%
# Use the fine-tuned model as the ranker
# --------------------------------------
# :func:`~metaselect.metamodel.load_models` reads every
# ``metamodel_<task>.npz`` of a folder; a task without a model there falls back
# to the static prior. The leaderboard shows the predicted score of every
# candidate next to its measured one.
X, y = load_wine(return_X_y=True, as_frame=True)
ranker = MetaModelRanker(load_models(models_dir))
model = MetaSelectorClassifier(ranker=ranker, time_budget=5, max_evals=6, cv=3, random_state=0)
model.fit(X, y)
model.leaderboard_[["algorithm", "status", "mean_score", "predicted_score"]]

# %%
# Collecting experience as you go
# -------------------------------
# Instead of a dataset folder, ``MetaSelectorClassifier(knowledge_base="my_experience")``
# records every fit it makes in ``my_experience``; ``metaselect fine-tune
# my_experience --out my_models`` then fine-tunes on those records.
#
# The files of this example went to a temporary folder; remove it.
shutil.rmtree(work)
