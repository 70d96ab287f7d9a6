"""The tasks metaselect solves and the metric each is scored with by default: one home for both.

The default scoring is also the knowledge base's metric: the shipped results, the
meta-model, the learned portfolio and the user's experience all compare scores in
it, so a fit with another ``scoring`` records experience that is not learned from.
"""

__all__ = ["SCORING", "TASKS"]

#: The tasks, in the order the package reports them.
TASKS = ("classification", "regression")
#: task -> the scikit-learn scorer name of the default scoring and of the knowledge base.
SCORING = {"classification": "balanced_accuracy", "regression": "r2"}
