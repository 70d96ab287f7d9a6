"""Entry point: one sub-command per module, each registering its own parser."""

from __future__ import annotations

import argparse
import logging
import sys

from .._version import __version__
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
    except (ValueError, FileNotFoundError, KeyError) as exc:
        print(f"metaselect {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
