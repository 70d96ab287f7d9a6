"""matplotlib, imported lazily with a message that says how to get it."""

from __future__ import annotations

from sklearn.utils.validation import check_is_fitted

__all__ = ["fitted_board", "new_axes"]


def _pyplot():
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:  # an optional dependency
        raise ImportError(
            "metaselect's plots need matplotlib: pip install matplotlib "
            "(or pip install 'metaselect[benchmarks]')."
        ) from exc
    return plt


def new_axes(ax=None, ncols: int = 1, width: float = 5.0):
    """``ax`` as given (an Axes or a sequence of ``ncols`` Axes), or a new figure's."""
    if ax is not None:
        return ax
    plt = _pyplot()
    _, axes = plt.subplots(1, ncols, figsize=(width * ncols, 4.0), squeeze=ncols == 1)
    return axes if ncols == 1 else list(axes[0])


def fitted_board(selector):
    """The selector's leaderboard (raises scikit-learn's ``NotFittedError`` before ``fit``)."""
    check_is_fitted(selector, "leaderboard_")
    return selector.leaderboard_
