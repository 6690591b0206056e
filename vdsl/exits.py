"""Exit codes and error lines every `vdsl` command shares (docs/cli.md, "Exit codes").

0 ok; 1 diagnostics, a failed check or a reply that does not parse; 2 usage: a bad option,
or a path (project, `--text`, `--fixtures`, …) that does not exist or cannot be read;
3 a provider or runtime error. Every error is one line on stderr: `error: <message>`, or
`error[<code>]: <message>` when it has a diagnostic code (`error[invalid-path]: …`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import CompileError

__all__ = ["DIAGNOSTICS", "OK", "PATH_CODES", "RUNTIME", "USAGE", "bad_path", "compile_failed",
           "error", "json_errors"]

OK, DIAGNOSTICS, USAGE, RUNTIME = 0, 1, 2, 3
PATH_CODES = frozenset({"invalid-path"})
"""Diagnostics about a path given on the command line: a usage error (exit 2)."""


_JSON = ContextVar("vdsl_json_errors", default=False)


@contextmanager
def json_errors(enabled: bool) -> Iterator[None]:
    """While a `--format json` command runs, a failure also prints one JSON object on stdout:
    `{"ok": false, "error": {"type", "message", "exit_code", …}}`."""
    token = _JSON.set(enabled)
    try:
        yield
    finally:
        _JSON.reset(token)


def error(message: str, code: int, *, diagnostic: str | None = None,
          exc: BaseException | None = None) -> int:
    """Print one error line on stderr (and, under `json_errors`, the error object on stdout);
    return `code`."""
    tag = f"error[{diagnostic}]" if diagnostic else "error"
    print(f"{tag}: {message}", file=sys.stderr)
    if _JSON.get():
        import json  # only --json-errors needs it
        print(json.dumps({"ok": False, "error": error_object(message, code, diagnostic, exc)},
                         indent=2, ensure_ascii=False))
    return code


def error_object(message: str, code: int, diagnostic: str | None = None,
                 exc: BaseException | None = None) -> dict[str, Any]:
    """An error as JSON data: what went wrong, the exit code, and what the exception knows
    (status, hint, client, model, attempts, the variable, diagnostics). Never a secret: the
    messages and fields are the ones vdsl already shows."""
    kind = type(exc).__name__ if exc is not None else ("UsageError" if code == USAGE
                                                       else "Error")
    out: dict[str, Any] = {"type": kind, "message": message, "exit_code": code}
    if diagnostic:
        out["code"] = diagnostic
    for field in ("status", "vertex_status", "hint", "client", "model", "variable",
                  "setting", "timeout"):
        value = getattr(exc, field, None)
        if value not in (None, ""):
            out[field] = value
    attempts = getattr(exc, "attempts", None)
    if attempts:
        out["message"] = message.split("\nattempts:", 1)[0]
        out["attempts"] = [dict(vars(a)) for a in attempts]
    diagnostics = getattr(exc, "diagnostics", None)
    if diagnostics:
        out["diagnostics"] = [d.to_dict() for d in diagnostics]
    return out


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
    if _JSON.get():
        errors = sum(d.is_error for d in exc.diagnostics)
        import json
        print(json.dumps({"ok": False, "error": error_object(
            f"{errors} compile error{'s' * (errors != 1)}", DIAGNOSTICS, exc=exc)},
            indent=2, ensure_ascii=False))
    return DIAGNOSTICS
