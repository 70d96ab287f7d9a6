"""Memory: a cap on what one candidate may allocate, so a memory-hungry model fails alone.

A candidate that tries to allocate past its cap gets a ``MemoryError`` (recorded
on its trial as a failure) instead of driving the machine into swap or the
kernel's out-of-memory killer, which would take the whole fit down.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

try:  # POSIX only
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None

__all__ = ["available_memory_mb", "memory_limit"]

_MB = 2**20


def available_memory_mb() -> float | None:
    """Memory the system can give without swapping (``MemAvailable``), in MiB; ``None`` if unknown."""
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def _address_space_bytes() -> int | None:
    """The process's current virtual address space, in bytes (Linux), else ``None``."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


@contextmanager
def memory_limit(megabytes: float | None) -> Iterator[bool]:
    """Let the block grow the process's address space by at most ``megabytes`` MiB.

    Past the cap, allocations raise ``MemoryError`` inside the block (numpy's
    "Unable to allocate ..." included); the previous limit is restored on exit.
    Armed only where it can be done safely: Linux (``RLIMIT_AS`` and
    ``/proc``) in a process's main thread, which covers sequential fits and
    joblib's process workers; elsewhere (threads, macOS, Windows) the block runs
    uncapped. ``None`` means no cap. Yields whether the cap is armed.
    """
    current = _address_space_bytes()
    if (megabytes is None or resource is None or current is None
            or threading.current_thread() is not threading.main_thread()):
        yield False
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    cap = current + int(megabytes * _MB)
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:  # a tighter limit is already in force
        yield True
        return
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    try:
        yield True
    finally:
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
