"""`vdsl fmt [PATH…] [--check] [--diff]`: rewrite files in the canonical layout."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..diagnostics import Diagnostic
    from .files import FileResult

__all__ = ["add_arguments", "run"]

OK, CHANGED, USAGE = 0, 1, 2

_EPILOG = """\
The layout: two-space indentation, one space between tokens (none inside brackets or before
commas), no trailing whitespace, at most one blank line in a row and exactly one between
top-level blocks. Your line breaks, comments, `///` docs, attribute order and raw strings
stay as written; formatting never changes what a file means.

A file with syntax errors is reported and left untouched. `-` formats standard input to
standard output (for editors).
Exit status: 0 nothing to report; 1 a file would change (--check, --diff) or has syntax
errors; 2 usage (a path that does not exist). Examples:
  vdsl fmt src/llm                 # rewrite in place
  vdsl fmt --check src/llm         # CI and pre-commit: list what is not formatted
  vdsl fmt --diff src/llm/main.vdsl"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.epilog = _EPILOG
    parser.add_argument("paths", nargs="*", default=["."], metavar="PATH",
                        help="files or folders (searched for .vdsl/.baml files; default: .), "
                             "or - for standard input")
    shown = parser.add_mutually_exclusive_group()
    shown.add_argument("--check", action="store_true",
                       help="write nothing; list the files that would change (exit 1)")
    shown.add_argument("--diff", action="store_true",
                       help="write nothing; print a unified diff of the changes (exit 1)")
    parser.add_argument("-q", "--quiet", action="store_true", help="print errors only")


def run(args: argparse.Namespace) -> int:
    from ..compiler import PathProblem, find_files
    from .files import format_files

    if args.paths == ["-"]:
        return _stdin()
    try:
        files = find_files(args.paths)
    except PathProblem as problem:
        from ..exits import error
        return error(str(problem), USAGE, diagnostic="invalid-path")
    changed, refused = 0, 0
    for result in format_files(files, args.paths):
        if result.formatted is None:
            refused += 1
            _refused(result.error, result.diagnostics)
        elif result.changed:
            changed += 1
            _report(result, args)
    if not args.quiet:
        _summary(len(files), changed, refused, args)
    return CHANGED if refused or (changed and (args.check or args.diff)) else OK


def _report(result: FileResult, args: argparse.Namespace) -> None:
    """Say (or show, or make) the change to one file."""
    path = result.path
    assert result.formatted is not None
    if args.check:
        print(f"would reformat: {path}")
    elif args.diff:
        old, new = (f"{path}", f"{path}") if path.is_absolute() else (f"a/{path}", f"b/{path}")
        sys.stdout.writelines(difflib.unified_diff(
            result.original.splitlines(keepends=True),
            result.formatted.splitlines(keepends=True), old, new))
    else:
        _write(path, result.formatted)
        if not args.quiet:
            print(f"formatted: {path}", file=sys.stderr)


def _refused(message: str, diagnostics: list[Diagnostic]) -> None:
    from ..cli import _sources_for
    from ..diagnostics import render

    if diagnostics:
        print(render(diagnostics, "full", _sources_for(diagnostics)), file=sys.stderr)
    print(f"error: {message}", file=sys.stderr)


def _write(path: Path, text: str) -> None:
    """Atomically, keeping the file's permissions."""
    mode = path.stat().st_mode
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=path.parent,
                                     delete=False, suffix=".vdsl-fmt") as handle:
        handle.write(text)
    os.chmod(handle.name, mode)
    os.replace(handle.name, path)


def _summary(total: int, changed: int, refused: int, args: argparse.Namespace) -> None:
    verb = "would be reformatted" if args.check or args.diff else "reformatted"
    parts = [f"{changed} file{'s' * (changed != 1)} {verb}",
             f"{total - changed - refused} already formatted"]
    if refused:
        parts.append(f"{refused} not formatted (errors above)")
    print(", ".join(parts), file=sys.stderr)


def _stdin() -> int:
    from . import FormatError, format_text

    text = sys.stdin.read()
    try:
        sys.stdout.write(format_text(text, "<stdin>"))
    except FormatError as error:
        _refused(str(error), error.diagnostics)
        return CHANGED
    return OK
