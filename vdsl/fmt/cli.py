"""`vdsl fmt [PATH…] [--check] [--diff]`: rewrite files in the canonical layout."""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from pathlib import Path

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

    if args.paths == ["-"]:
        return _stdin()
    try:
        files = find_files(args.paths)
    except PathProblem as problem:
        print(f"error: {problem}", file=sys.stderr)
        return USAGE
    changed, refused = [], 0
    for path in files:
        outcome = _one(path, args)
        if outcome is None:
            refused += 1
        elif outcome:
            changed.append(path)
    if not args.quiet:
        _summary(len(files), len(changed), refused, args)
    return CHANGED if refused or (changed and (args.check or args.diff)) else OK


def _one(path: Path, args: argparse.Namespace) -> bool | None:
    """Whether the file changes (or would); None when it cannot be formatted."""
    from . import FormatError, format_text

    try:
        original = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        print(f"error: {path}: cannot read: {reason}", file=sys.stderr)
        return None
    try:
        formatted = format_text(original, str(path))
    except FormatError as error:
        _refused(error)
        return None
    if formatted == original:
        return False
    if args.check:
        print(f"would reformat: {path}")
    elif args.diff:
        old, new = (f"{path}", f"{path}") if path.is_absolute() else (f"a/{path}", f"b/{path}")
        sys.stdout.writelines(difflib.unified_diff(
            original.splitlines(keepends=True), formatted.splitlines(keepends=True), old, new))
    else:
        _write(path, formatted)
        if not args.quiet:
            print(f"formatted: {path}", file=sys.stderr)
    return True


def _refused(error: Exception) -> None:
    from ..cli import _sources_for
    from ..diagnostics import render

    diagnostics = getattr(error, "diagnostics", [])
    if diagnostics:
        print(render(diagnostics, "full", _sources_for(diagnostics)), file=sys.stderr)
    print(f"error: {error}", file=sys.stderr)


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
        _refused(error)
        return CHANGED
    return OK
