"""vdsl's diagnostics and spans as LSP data: one more renderer of the one diagnostic model.

Spans count lines and columns from 1 in characters; LSP counts from 0 in the client's units
(UTF-16 unless negotiated otherwise), which the position codec converts.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlparse

from lsprotocol import types as lsp
from pygls.workspace.position_codec import PositionCodec

from ..diagnostics import Diagnostic, Severity
from ..source import SourceFile, Span

__all__ = ["Positions", "did_you_mean", "path_of", "uri_of"]

_SEVERITY = {Severity.ERROR: lsp.DiagnosticSeverity.Error,
             Severity.WARNING: lsp.DiagnosticSeverity.Warning,
             Severity.NOTE: lsp.DiagnosticSeverity.Information}
_SUGGESTION = re.compile(r"did you mean ([^?]*)\?")
_QUOTED = re.compile(r"`([^`]+)`")


def path_of(uri: str) -> str | None:
    """The file path of a `file:` URI (None for other schemes)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return str(Path(unquote(parsed.path)))


def uri_of(path: str) -> str:
    return Path(path).resolve().as_uri() if not Path(path).is_absolute() else Path(path).as_uri()


def did_you_mean(d: Diagnostic) -> list[str]:
    """The names a diagnostic's "did you mean `A` or `B`?" offers (in its help, or else in its
    message)."""
    for text in (d.help, d.message):
        found = _SUGGESTION.search(text or "")
        if found:
            return _QUOTED.findall(found.group(1))  # type: ignore[no-any-return]
    return []


class Positions:
    """Converts between spans/offsets and LSP positions for one client's encoding."""

    def __init__(self, codec: PositionCodec | None = None) -> None:
        self.codec = codec or PositionCodec()

    def position(self, source: SourceFile | None, line: int, column: int) -> lsp.Position:
        """LSP position of 1-based `line`, `column`."""
        if source is None:
            return lsp.Position(line=max(0, line - 1), character=max(0, column - 1))
        text = source.line_text(line)
        units = self.codec.client_num_units(text[: max(0, column - 1)])
        return lsp.Position(line=max(0, line - 1), character=units)

    def range(self, source: SourceFile | None, span: Span) -> lsp.Range:
        return lsp.Range(start=self.position(source, span.line, span.column),
                         end=self.position(source, span.end_line, span.end_column))

    def offset(self, source: SourceFile, position: lsp.Position) -> int:
        """The text offset of an LSP position (clamped to the text)."""
        line = position.line + 1
        text = source.line_text(line)
        server = self.codec.position_from_client_units(
            [text], lsp.Position(line=0, character=max(0, position.character)))
        return source.offset(line, server.character + 1) if line <= source.line_count \
            else len(source.text)

    def diagnostic(self, d: Diagnostic, sources: dict[str, SourceFile]) -> lsp.Diagnostic:
        span = d.span
        source = sources.get(span.file) if span else None
        where = self.range(source, span) if span else lsp.Range(
            start=lsp.Position(line=0, character=0), end=lsp.Position(line=0, character=0))
        related = [lsp.DiagnosticRelatedInformation(
            location=lsp.Location(uri=uri_of(label.span.file),
                                  range=self.range(sources.get(label.span.file), label.span)),
            message=label.message or d.message)
            for label in d.labels if not label.primary]
        message = d.message + (f"\nhelp: {d.help}" if d.help else "")
        message += "".join(f"\nnote: {note}" for note in d.notes)
        data: dict[str, object] = {"code": d.code}
        if d.help:
            data["help"] = d.help
        fixes = did_you_mean(d)
        if fixes:
            data["fixes"] = fixes
        return lsp.Diagnostic(range=where, message=message, severity=_SEVERITY[d.severity],
                              code=d.code, source="vdsl", related_information=related or None,
                              data=data)
