"""`sage-studio`: the command-line face. Subcommands live in `sage_studio_lab/commands/<area>.py`."""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import StudioError

COMMAND_MODULES = ("lab", "doctor", "engine", "serve", "flow", "finetune", "chat", "knowledge")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sage-studio", description="SAGE Studio Lab: an LLM studio inside Jupyter."
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        importlib.import_module(f"sage_studio_lab.commands.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except StudioError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
