"""Where a dataset lies among the knowledge base's datasets, in the meta-model's meta-feature space."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from ..knowledge import load_knowledge_base
from ..metamodel import load_pretrained
from ._axes import new_axes

__all__ = ["dataset_coordinates", "plot_dataset_position"]


def dataset_coordinates(selector, knowledge_base=None, model=None):
    """2-D coordinates (principal components of the standardised meta-features) of every dataset.

    Parameters
    ----------
    selector : fitted MetaSelector
    knowledge_base : KnowledgeBase, default=None
        ``None``: the shipped one.
    model : MetaModel, default=None
        Supplies the meta-features and their standardisation; ``None``: the
        shipped meta-model of the selector's task.

    Returns
    -------
    coordinates : pandas.DataFrame
        Columns ``pc1``, ``pc2``, ``distance`` (to this dataset, in the
        standardised space) and ``is_this``; one row per knowledge-base
        dataset of the task, plus this dataset's row (index ``"this dataset"``).
    """
    check_is_fitted(selector, "meta_features_")
    if selector.meta_features_ is None:
        raise ValueError("This selector has no meta-features (they could not be computed during fit).")
    task = selector.task_
    model = model if model is not None else load_pretrained(task)
    if model is None:
        raise ValueError(f"No meta-model for task {task!r}: pass model=.")
    kb = knowledge_base if knowledge_base is not None else load_knowledge_base()
    known = kb.metafeatures(task)
    known = known.loc[:, ~known.columns.duplicated(keep="last")]  # info columns repeat a few meta-features
    for name in model.meta_names:
        if name not in known.columns:
            known[name] = np.nan
    raw = known[model.meta_names].to_numpy(dtype=float)
    raw = np.where(np.isfinite(raw), raw, np.nanmedian(raw, axis=0, keepdims=True))
    Z = model.standardise(np.nan_to_num(raw))
    z = model.standardise(model.meta_vector(selector.meta_features_))
    centre = Z.mean(axis=0)
    _, _, vt = np.linalg.svd(Z - centre, full_matrices=False)
    points = (np.vstack([Z, z]) - centre) @ vt[:2].T
    frame = pd.DataFrame(points, columns=["pc1", "pc2"], index=[*known.index, "this dataset"])
    frame["distance"] = np.linalg.norm(np.vstack([Z, z]) - z, axis=1)
    frame["is_this"] = [False] * len(Z) + [True]
    return frame


def plot_dataset_position(selector, ax=None, knowledge_base=None, model=None, n_labels: int = 5):
    """Scatter the knowledge base's datasets and this one in meta-feature space (first two PCs).

    The ``n_labels`` nearest known datasets (in the full standardised space, not
    only the two drawn components) are named; the title gives the selector's
    ``novelty_`` and whether it judged the dataset out of distribution.

    Parameters
    ----------
    selector : fitted MetaSelector
    ax : matplotlib Axes, default=None
    knowledge_base, model : see :func:`dataset_coordinates`
    n_labels : int, default=5

    Returns
    -------
    ax : matplotlib Axes
    """
    coords = dataset_coordinates(selector, knowledge_base, model)
    ax = new_axes(ax)
    known, this = coords[~coords["is_this"]], coords[coords["is_this"]]
    ax.scatter(known["pc1"], known["pc2"], s=18, color="C0", alpha=0.6, label="knowledge base")
    nearest = known.nsmallest(n_labels, "distance")
    ax.scatter(nearest["pc1"], nearest["pc2"], s=30, color="C1", label=f"{n_labels} nearest")
    for name, row in nearest.iterrows():
        ax.annotate(str(name), (row["pc1"], row["pc2"]), fontsize="x-small", xytext=(3, 3),
                    textcoords="offset points")
    ax.scatter(this["pc1"], this["pc2"], marker="*", s=250, color="C3", edgecolors="black",
               label="this dataset")
    flag = "out of distribution" if selector.out_of_distribution_ else "in distribution"
    ax.set_title(f"{selector.task_} datasets: novelty {selector.novelty_:.2f} ({flag})")
    ax.set_xlabel("meta-feature PC 1")
    ax.set_ylabel("meta-feature PC 2")
    ax.legend(fontsize="small", loc="best")
    return ax
