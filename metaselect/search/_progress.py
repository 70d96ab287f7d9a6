"""Feedback a person can see: a progress bar over the time budget, and log lines that do not break it."""

from __future__ import annotations

import logging
import math
import sys

from tqdm import tqdm

__all__ = ["ProgressBar", "TqdmLoggingHandler"]


class TqdmLoggingHandler(logging.Handler):
    """Write log records to stderr with ``tqdm.write`` so that they print above a live bar."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            tqdm.write(self.format(record), file=sys.stderr)
        except Exception:  # logging must never break the fit
            self.handleError(record)


class ProgressBar:
    """A tqdm bar over a runner's time budget, showing evaluations and the best score so far.

    Pass it to a :class:`~metaselect.search.Runner` (``callbacks=[bar]``);
    the runner calls it after each batch of evaluations. Use as a context
    manager so the bar is closed whatever happens.

    Parameters
    ----------
    budget : Budget
        The search's budget; the bar counts its elapsed seconds.
    file : file-like, default=None
        Where to draw (``None``: ``sys.stderr``).
    """

    def __init__(self, budget, file=None) -> None:
        self.budget = budget
        self.bar = tqdm(total=max(1, math.ceil(budget.seconds)), unit="s", desc="metaselect",
                        file=file, leave=True, dynamic_ncols=True,
                        bar_format="{desc}: {percentage:3.0f}%|{bar}| {n:.0f}/{total:.0f}s {postfix}")
        self.n_evaluations = 0

    def __call__(self, runner, trials) -> None:
        self.n_evaluations += len(trials)
        best = runner.history.best(1)
        postfix = {"evaluated": self.n_evaluations}
        if best:
            postfix["best"] = f"{best[0].mean_score:.4f} ({best[0].config.family}, {best[0].n_samples} rows)"
        self.bar.set_postfix(postfix, refresh=False)
        self._advance()

    def _advance(self) -> None:
        elapsed = min(self.budget.elapsed(), float(self.bar.total))
        self.bar.update(max(0.0, elapsed - self.bar.n))

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info) -> None:
        self._advance()
        self.bar.close()
