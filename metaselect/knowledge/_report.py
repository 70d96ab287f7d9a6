"""Summaries of a knowledge base: family wins, single best configuration (SBS) and oracle (VBS).

Scores are made comparable across datasets in two steps:

1. *clipped score*: the mean cross-validated score of an ``ok`` record, clipped
   below at 0 (an R² under 0 is worse than predicting the mean); failed and
   timed-out records count as 0.
2. *normalised score*: per dataset, min-max scaling of the clipped scores over
   the configuration set, so the dataset's best configuration scores 1 and its
   worst 0 (a dataset where all configurations tie scores 1 everywhere).

The SBS is the configuration with the highest mean normalised score over the
datasets of a task; the VBS (oracle) takes the best configuration of each
dataset, so its mean normalised score is 1. The SBS-VBS gap is reported both
in normalised and in clipped raw score.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

__all__ = ["clipped_scores", "normalised_scores", "render_markdown", "task_summary"]


def clipped_scores(kb, task: str) -> pd.DataFrame:
    """Datasets x configurations: mean score of ok records clipped at 0, others 0."""
    return kb.score_matrix(task).clip(lower=0.0).fillna(0.0)


def normalised_scores(kb, task: str) -> pd.DataFrame:
    """Per-dataset min-max normalised :func:`clipped_scores` (best configuration = 1)."""
    clipped = clipped_scores(kb, task)
    low, high = clipped.min(axis=1), clipped.max(axis=1)
    span = (high - low).replace(0.0, np.nan)
    return clipped.sub(low, axis=0).div(span, axis=0).fillna(1.0)


def task_summary(kb, task: str) -> dict:
    """Everything the report says about one task.

    Returns
    -------
    dict
        ``n_datasets``, ``n_configs``, ``statuses`` (DataFrame of record
        counts per family and status), ``wins`` (DataFrame: datasets on which
        each family has the best configuration; ties go to the first
        configuration in set order), ``sbs`` (config id), ``sbs_config``,
        ``sbs_normalised``, ``sbs_clipped``, ``vbs_clipped``, ``gap_normalised``,
        ``gap_clipped``, and ``top_configs`` (the 10 best by mean normalised
        score).
    """
    results = kb.results(task)
    if results.empty:
        raise ValueError(f"The knowledge base has no {task} dataset.")
    clipped, normalised = clipped_scores(kb, task), normalised_scores(kb, task)
    mean_norm = normalised.mean(axis=0).sort_values(ascending=False, kind="stable")
    sbs = str(mean_norm.index[0])
    best = clipped.idxmax(axis=1).str.split(":").str[0]
    families = pd.Series(results["family"].unique())
    wins = best.value_counts().reindex(families, fill_value=0).rename("wins")
    wins = pd.DataFrame({"wins": wins, "share": wins / len(clipped)}).sort_values("wins", ascending=False)
    statuses = pd.crosstab(results["family"], results["status"]).reindex(families)
    vbs_clipped = float(clipped.max(axis=1).mean())
    sbs_clipped = float(clipped[sbs].mean())
    top = pd.DataFrame({"mean_normalised": mean_norm, "mean_clipped": clipped.mean(axis=0)[mean_norm.index]})
    return {
        "n_datasets": int(clipped.shape[0]), "n_configs": int(clipped.shape[1]),
        "statuses": statuses.fillna(0).astype(int), "wins": wins, "sbs": sbs,
        "sbs_config": kb.config_sets[task][sbs], "sbs_normalised": float(mean_norm.iloc[0]),
        "sbs_clipped": sbs_clipped, "vbs_clipped": vbs_clipped,
        "gap_normalised": 1.0 - float(mean_norm.iloc[0]), "gap_clipped": vbs_clipped - sbs_clipped,
        "top_configs": top.head(10),
    }


def _table(frame: pd.DataFrame, floats: str = "{:.3f}") -> str:
    """A GitHub-markdown table (index included) without optional dependencies."""
    header = [str(frame.index.name or "")] + [str(c) for c in frame.columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for idx, *values in frame.itertuples(name=None):
        cells = [floats.format(v) if isinstance(v, float) else str(v) for v in values]
        lines.append("| " + " | ".join([str(idx), *cells]) + " |")
    return "\n".join(lines)


def render_markdown(kb) -> str:
    """The knowledge-base report (``docs/knowledge_base.md``) as markdown text."""
    s = kb.settings
    info = kb.datasets()
    out = [
        "## Report",
        "",
                f"Source: `{Path(kb.source).name}`. Schema version {kb.schema_version}, configuration encoding "
        f"version {kb.encoding_version}; built with "
        + ", ".join(f"{k} {v}" for k, v in kb.versions.items()) + ".",
        "",
        f"Settings: {s['cv']}-fold cross-validation (stratified for classification), the same "
        f"folds for every configuration of a dataset; row cap {s['max_rows']} (larger datasets "
        f"subsampled, stratified by class); time limit {s['time_limit']:g}s per configuration "
        f"and dataset; seed {s['random_state']}; scoring "
        + ", ".join(f"{v} ({k})" for k, v in s["scoring"].items()) + ".",
        "",
    ]
    if kb.notes:
        out += ["Build: " + kb.notes, ""]
    out += [__doc__.split("\n\n", 1)[1].strip(), ""]
    for task in kb.config_sets:
        if not (info["task"] == task).any():
            continue
        r = task_summary(kb, task)
        capped = int(((info["task"] == task) & (info["n_rows_original"] > info["n_rows_used"])).sum())
        out += [
            f"### {task.capitalize()}",
            "",
            f"{r['n_datasets']} datasets ({capped} subsampled to the row cap), {r['n_configs']} "
            "configurations.",
            "",
            f"- **SBS** (single best configuration): `{r['sbs']}` = {r['sbs_config'].family} "
            f"`{r['sbs_config'].params}`",
            f"- mean normalised score: SBS {r['sbs_normalised']:.3f}, VBS 1.000 -> "
            f"**gap {r['gap_normalised']:.3f}**",
            f"- mean clipped score: SBS {r['sbs_clipped']:.4f}, VBS {r['vbs_clipped']:.4f} -> "
            f"**gap {r['gap_clipped']:.4f}**",
            "",
            "#### How often each family is best (VBS family)",
            "",
            _table(r["wins"].rename_axis("family")),
            "",
            "#### Top configurations by mean normalised score",
            "",
            _table(r["top_configs"]),
            "",
            "#### Record statuses per family",
            "",
            _table(r["statuses"].rename_axis("family"), floats="{:.0f}"),
            "",
        ]
    return "\n".join(out)
