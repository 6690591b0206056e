"""Exit codes and error lines every `vdsl` command shares (docs/cli.md, "Exit codes").

0 ok; 1 diagnostics, a failed check or a reply that does not parse; 2 usage: a bad option,
or a path (project, `--text`, `--fixtures`, …) that does not exist or cannot be read;
3 a provider or runtime error. Every error is one line on stderr: `error: <message>`, or
`error[<code>]: <message>` when it has a diagnostic code (`error[invalid-path]: …`).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .errors import CompileError

__all__ = ["DIAGNOSTICS", "OK", "PATH_CODES", "RUNTIME", "USAGE", "bad_path", "compile_failed",
           "error"]

OK, DIAGNOSTICS, USAGE, RUNTIME = 0, 1, 2, 3
PATH_CODES = frozenset({"invalid-path"})
"""Diagnostics about a path given on the command line: a usage error (exit 2)."""


def error(message: str, code: int, *, diagnostic: str | None = None) -> int:
    """Print one error line on stderr and return `code`."""
    tag = f"error[{diagnostic}]" if diagnostic else "error"
    print(f"{tag}: {message}", file=sys.stderr)
    return code


def bad_path(path: object, reason: str, option: str | None = None) -> int:
    """A path that does not exist or cannot be read: exit 2."""
    where = f" ({option})" if option else ""
    return error(f"{path}: {reason}{where}", USAGE, diagnostic="invalid-path")


def os_reason(exc: OSError) -> str:
    """`no such file or directory`, as `vdsl check` words it."""
    return (exc.strerror or str(exc)).lower()


def compile_failed(exc: CompileError) -> int:
    """A project that did not load: a bad path is a usage error (exit 2), anything else is
    printed as diagnostics (exit 1)."""
    paths = [d for d in exc.diagnostics if d.code in PATH_CODES]
    for diagnostic in paths:
        error(diagnostic.message, USAGE, diagnostic=diagnostic.code)
    if paths:
        return USAGE
    from .diagnostics import render_concise
    print(render_concise(exc.diagnostics), file=sys.stderr)
    return DIAGNOSTICS
