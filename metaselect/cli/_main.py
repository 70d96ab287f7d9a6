"""Entry point: one sub-command per module, each registering its own parser."""

from __future__ import annotations

import argparse
import logging
import sys

from .._version import __version__
from ..search import SearchFailedError
from . import _demo, _knowledge, _metamodel, _model

#: Modules with ``register(subparsers)``; each sets ``func`` on its parser.
COMMANDS = [_demo, _model, _knowledge, _metamodel]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="metaselect",
        description="Pick, tune and refit the best scikit-learn model for a tabular dataset "
        "within a time budget.",
    )
    parser.add_argument("--version", action="version", version=f"metaselect {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in COMMANDS:
        module.register(sub)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        print(f"metaselect {args.command}: interrupted", file=sys.stderr)
        return 130
    except (ValueError, KeyError, OSError, MemoryError, SearchFailedError) as exc:
        print(f"metaselect {args.command}: error: {_one_line(exc)}", file=sys.stderr)
        return 1


def _one_line(exc: BaseException) -> str:
    """A library error as one line: the lines of a longer message (the reasons every candidate
    failed) joined with ``;``; a ``KeyError``'s message without the quotes ``str`` adds."""
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    line = ""
    for part in (p.strip(" -") for p in text.splitlines()):
        if part:
            line += (" " if line.endswith(":") else "; ") + part if line else part
    return line or type(exc).__name__


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
