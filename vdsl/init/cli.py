"""`vdsl init [DIR]`: write a starter project (never over an existing file)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

__all__ = ["add_arguments", "run"]

OK, USAGE, RUNTIME = 0, 2, 3

_EPILOG = """\
Creates DIR/llm/ (Gemini and Claude clients reading GOOGLE_CLOUD_PROJECT, a retry policy, a
fallback, a typed function, a test with @@check and @@assert, emulator replies, a generator
block), DIR/prompts/ (prompt snapshots), DIR/vdsl_client/ (the generated client), a GitHub
Actions workflow and a pre-commit configuration. A file that already exists is kept as it is.
Exit status: 0 done; 2 DIR is a file; 3 a file could not be written. Example:
  vdsl init my-service && cd my-service && vdsl test llm --emulator"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = _EPILOG
    parser.add_argument("directory", nargs="?", default=".", metavar="DIR",
                        help="where to create the project (default: the current folder)")


def run(args: argparse.Namespace) -> int:
    from . import SOURCES, create_project

    root = Path(args.directory)
    if root.exists() and not root.is_dir():
        print(f"error: {root} is a file, not a folder", file=sys.stderr)
        return USAGE
    try:
        result = create_project(root)
    except OSError as error:
        print(f"error: cannot write {error.filename or root}: {error.strerror}",
              file=sys.stderr)
        return RUNTIME
    for path in result.created:
        print(f"created: {path}")
    for path in result.kept:
        print(f"kept (already there): {path}")
    if result.problem:
        print(f"warning: {result.problem}", file=sys.stderr)
    sources = root / SOURCES
    print(f"\nNext: vdsl test {sources} --emulator    (offline)\n"
          f"      GOOGLE_CLOUD_PROJECT=… vdsl test {sources} --live", file=sys.stderr)
    return OK
