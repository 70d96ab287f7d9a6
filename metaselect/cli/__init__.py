"""The ``metaselect`` command line: ``demo``, ``fit``, ``predict`` and the knowledge-base tools."""

from ._main import build_parser, main

__all__ = ["build_parser", "main"]
