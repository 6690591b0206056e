"""One diagnostic model (ruff style), collected by every stage and rendered many ways.

Stages append to a `Diagnostics` list and never raise for a user mistake; the outer API
decides whether to raise `CompileError`.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from .source import SourceFile, Span


class Severity(str, enum.Enum):
    ERROR = "error"
    WARNING = "warning"
    NOTE = "note"


@dataclass(frozen=True, slots=True)
class Label:
    """A span with an optional short message; the first primary label locates the diagnostic."""

    span: Span
    message: str = ""
    primary: bool = True


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding: a stable kebab-case `code`, a short message, where, and what to do."""

    code: str
    severity: Severity
    message: str
    labels: tuple[Label, ...] = ()
    help: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def span(self) -> Span | None:
        for label in self.labels:
            if label.primary:
                return label.span
        return self.labels[0].span if self.labels else None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR

    def to_dict(self) -> dict[str, object]:
        span = self.span
        out: dict[str, object] = {
            "code": self.code,
            "severity": self.severity.value,
            "message": self.message,
            "file": span.file if span else None,
            "line": span.line if span else None,
            "column": span.column if span else None,
            "end_line": span.end_line if span else None,
            "end_column": span.end_column if span else None,
        }
        if self.help:
            out["help"] = self.help
        return out


class Diagnostics:
    """An ordered collection that stages append to."""

    def __init__(self, items: Iterable[Diagnostic] = ()) -> None:
        self._items: list[Diagnostic] = list(items)

    def add(self, diagnostic: Diagnostic) -> None:
        self._items.append(diagnostic)

    def error(self, code: str, message: str, span: Span | None, *, label: str = "",
              help: str | None = None, related: Iterable[Label] = ()) -> None:
        self._add(Severity.ERROR, code, message, span, label, help, related)

    def warning(self, code: str, message: str, span: Span | None, *, label: str = "",
                help: str | None = None, related: Iterable[Label] = ()) -> None:
        self._add(Severity.WARNING, code, message, span, label, help, related)

    def _add(self, severity: Severity, code: str, message: str, span: Span | None, label: str,
             help: str | None, related: Iterable[Label]) -> None:
        labels = ((Label(span, label),) if span else ()) + tuple(related)
        self._items.append(Diagnostic(code, severity, message, labels, help))

    def extend(self, other: Iterable[Diagnostic]) -> None:
        self._items.extend(other)

    @property
    def has_errors(self) -> bool:
        return any(d.is_error for d in self._items)

    def sorted(self) -> list[Diagnostic]:
        """Stable order: by file, then position, then code."""
        def key(d: Diagnostic) -> tuple[str, int, int, str]:
            span = d.span
            return (span.file, span.line, span.column, d.code) if span else ("", 0, 0, d.code)
        return sorted(self._items, key=key)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self._items)

    def since(self, mark: int) -> list[Diagnostic]:
        """The diagnostics added after the first `mark` (a `len()` taken earlier)."""
        return self._items[mark:]

    def __len__(self) -> int:
        return len(self._items)


# ---- renderers -----------------------------------------------------------------------------

def render_concise(diagnostics: Iterable[Diagnostic]) -> str:
    lines = []
    for d in diagnostics:
        where = f"{d.span}: " if d.span else ""
        lines.append(f"{where}{d.severity.value}[{d.code}] {d.message}")
    return "\n".join(lines)


def render_full(diagnostics: Iterable[Diagnostic], sources: Mapping[str, SourceFile]) -> str:
    """ruff-like: header, location, the source line with carets, then help."""
    return "\n\n".join(_render_one(d, sources) for d in diagnostics)


def _render_one(d: Diagnostic, sources: Mapping[str, SourceFile]) -> str:
    out = [f"{d.severity.value}[{d.code}]: {d.message}"]
    span = d.span
    gutter = ""
    if span is not None:
        source = sources.get(span.file)
        gutter = " " * len(str(span.line))
        out.append(f"{gutter}--> {span}")
        if source is not None:
            out.extend(_snippet(d, source, gutter))
        for label in d.labels:
            if not label.primary and label.message:
                out.append(_footer(gutter, "note", f"{label.message} at {label.span}"))
    for note in d.notes:
        out.append(_footer(gutter, "note", note))
    if d.help:
        out.append(_footer(gutter, "help", d.help))
    return "\n".join(out)


def _footer(gutter: str, kind: str, text: str) -> str:
    """`= help: …` with its `=` under the snippet's `|`; later lines of the text indented
    to follow the first."""
    head = f"{gutter} = {kind}: " if gutter else f"= {kind}: "
    return head + text.replace("\n", "\n" + " " * len(head))


SNIPPET_WIDTH = 160
"""The most of a source line a snippet shows: a long line is cut to a window around the span
(otherwise one minified or generated line repeated under each of its diagnostics makes the
output grow with the square of the file)."""
_LEAD = 40  # columns shown before the span when the line is cut


def _snippet(d: Diagnostic, source: SourceFile, gutter: str) -> list[str]:
    span = d.span
    assert span is not None
    text = source.line_text(span.line)
    column = span.column
    end_col = span.end_column if span.end_line == span.line else len(text) + 1
    if len(text) > SNIPPET_WIDTH:
        left = max(0, min(column - 1 - _LEAD, len(text) - SNIPPET_WIDTH))
        right = left + SNIPPET_WIDTH
        text = ("…" if left else "") + text[left:right] + ("…" if right < len(text) else "")
        shift = left - (1 if left else 0)
        column, end_col = column - shift, min(end_col, right + 1) - shift
    text = text.replace("\t", " ")  # a tab is one column in spans too
    width = max(1, end_col - column)
    label = next((lab.message for lab in d.labels if lab.primary), "")
    caret = " " * (column - 1) + "^" * width + (f" {label}" if label else "")
    return [f"{gutter} |", f"{span.line} | {text}", f"{gutter} | {caret.rstrip()}"]


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    import json  # only the json and sarif formats need it
    return json.dumps([d.to_dict() for d in diagnostics], indent=2)


def render_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands, one per line."""
    lines = []
    for d in diagnostics:
        kind = {"error": "error", "warning": "warning"}.get(d.severity.value, "notice")
        span = d.span
        where = (f" file={span.file},line={span.line},col={span.column},"
                 f"endLine={span.end_line},endColumn={span.end_column}") if span else ""
        message = f"[{d.code}] {d.message}" + (f" (help: {d.help})" if d.help else "")
        message = message.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
        lines.append(f"::{kind}{where},title=vdsl {d.code}::{message}" if where
                     else f"::{kind} title=vdsl {d.code}::{message}")
    return "\n".join(lines)


def render_sarif(diagnostics: Iterable[Diagnostic]) -> str:
    """SARIF 2.1.0, for code-scanning uploads."""
    from . import __version__

    results = []
    for d in diagnostics:
        result: dict[str, object] = {
            "ruleId": d.code,
            "level": {"error": "error", "warning": "warning"}.get(d.severity.value, "note"),
            "message": {"text": d.message + (f"\nhelp: {d.help}" if d.help else "")},
        }
        span = d.span
        if span:
            result["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": span.file},
                "region": {"startLine": span.line, "startColumn": span.column,
                           "endLine": span.end_line, "endColumn": span.end_column}}}]
        results.append(result)
    sarif = {
        "version": "2.1.0",
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "runs": [{"tool": {"driver": {"name": "vdsl", "version": __version__}},
                  "results": results}],
    }
    import json
    return json.dumps(sarif, indent=2)


FORMATS = ("full", "concise", "json", "github", "sarif")


def render(diagnostics: Iterable[Diagnostic], fmt: str,
           sources: Mapping[str, SourceFile]) -> str:
    items = list(diagnostics)
    if fmt == "full":
        return render_full(items, sources)
    if fmt == "concise":
        return render_concise(items)
    if fmt == "json":
        return render_json(items)
    if fmt == "github":
        return render_github(items)
    if fmt == "sarif":
        return render_sarif(items)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
