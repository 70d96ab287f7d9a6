"""Time: one replaceable clock, the budget of a search, and a hard time limit for one candidate."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Budget", "CandidateTimeout", "time_limit"]


class CandidateTimeout(Exception):
    """Raised inside a candidate's evaluation when its time share runs out."""


class Budget:
    """Wall-clock budget of one search.

    Parameters
    ----------
    seconds : float
        Total seconds granted from construction.
    clock : callable, default=time.time
        Returns the current time in seconds. Wall time (not a per-process
        monotonic clock) so that deadlines mean the same in joblib workers;
        tests replace it with a fake clock.
    """

    def __init__(self, seconds: float, clock: Callable[[], float] = time.time) -> None:
        self.seconds = float(seconds)
        self.clock = clock
        self.start = clock()
        self.end = self.start + self.seconds

    def elapsed(self) -> float:
        return self.clock() - self.start

    def remaining(self, reserve: float = 0.0) -> float:
        """Seconds left before the end, keeping ``reserve`` seconds aside."""
        return max(0.0, self.end - reserve - self.clock())

    def expired(self, reserve: float = 0.0) -> bool:
        return self.remaining(reserve) <= 0.0


def _can_use_alarm() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextmanager
def time_limit(seconds: float) -> Iterator[bool]:
    """Raise :class:`CandidateTimeout` in the block once ``seconds`` have passed.

    Uses ``SIGALRM`` where it can (the main thread of a POSIX process: the
    sequential case and joblib's process workers), which interrupts Python-level
    loops such as boosting iterations, forest trees and MLP epochs; a single long
    call into C (one libsvm fit) is interrupted when it returns. Elsewhere
    (threads, Windows) the limit is only checked between folds by the caller.
    Yields whether the hard limit is armed.
    """
    if seconds <= 0:
        raise CandidateTimeout("no time left")
    if not _can_use_alarm():
        yield False
        return

    def _raise(signum, frame):
        raise CandidateTimeout(f"time share of {seconds:.1f}s exceeded")

    previous = signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield True
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
