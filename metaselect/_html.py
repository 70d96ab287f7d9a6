"""The HTML diagram notebooks show for an estimator: how metaselect's meta-estimators draw theirs."""

from __future__ import annotations

try:  # scikit-learn >= 1.7
    from sklearn.utils._repr_html.estimator import _VisualBlock
except ImportError:  # pragma: no cover - scikit-learn 1.6
    from sklearn.utils._estimator_html_repr import _VisualBlock

__all__ = ["parallel_block", "serial_block"]


def serial_block(estimator, name: str, details: str):
    """One inner estimator (a fitted pipeline) drawn inside its meta-estimator's box."""
    return _VisualBlock("serial", [estimator], names=[name], name_details=[details], dash_wrapped=True)


def parallel_block(estimators, names, details):
    """Inner estimators drawn side by side (ensemble members)."""
    return _VisualBlock("parallel", list(estimators), names=list(names), name_details=list(details))
