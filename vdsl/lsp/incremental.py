"""Re-parsing only the blocks an edit touched.

A file is cut into top-level blocks (`syntax.split_blocks`, the compiler's own recovery
units); each block's parse is kept, keyed by its text. After an edit, blocks whose text did not
change are reused, moved to their new offset and line when text before them grew or shrank,
and only the changed blocks are parsed again. The result is what `compiler.parse_file` returns
for the same text (a differential property test holds them equal).
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from ..compiler import ParsedFile
from ..diagnostics import Diagnostic, Diagnostics, Label
from ..ir import Decl, EnumValue, Field
from ..source import SourceFile, Span
from ..syntax import Block, parse_block, parse_region, split_blocks

__all__ = ["FileParser", "ParsedText"]

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_LINE_FIELDS = frozenset({"first_line"})
"""Integer fields of IR nodes that hold a file line (moved with the block)."""


@dataclass(frozen=True, slots=True)
class ParsedText:
    """A parsed file plus, per declaration, every identifier its block's text contains (what
    the declaration may refer to: a superset, which is all the scoping needs)."""

    parsed: ParsedFile
    mentions: tuple[frozenset[str], ...]


@dataclass(frozen=True, slots=True)
class _Entry:
    block: Block
    diagnostics: tuple[Diagnostic, ...]
    mentions: frozenset[str]
    start: int
    line: int


class FileParser:
    """Parses successive texts of one file, reusing every block an edit left alone."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._entries: dict[tuple[str, bool], _Entry] = {}
        self._regions: dict[str, _Entry] = {}
        self._kept_regions: dict[str, _Entry] = {}
        self.reparsed = 0
        """How many blocks the last `parse` parsed (the rest were reused)."""

    def parse(self, text: str) -> ParsedText:
        source = SourceFile(self.path, text)
        kept: dict[tuple[str, bool], _Entry] = {}
        entries: list[_Entry] = []
        previous_bad = False
        self.reparsed = 0
        self._kept_regions = {}
        for start, end in split_blocks(text):
            entry = self._entry(source, start, end, previous_bad, kept)
            entries.append(entry)
            previous_bad = entry.block.bad_line
        if not all(e.block.ok for e in entries):
            merged = self._merged(source, entries)
            if merged is not None:
                entries = merged
        self._entries = kept
        self._regions = self._kept_regions
        return _assemble(source, entries)

    def _entry(self, source: SourceFile, start: int, end: int, previous_bad: bool,
               kept: dict[tuple[str, bool], _Entry]) -> _Entry:
        """The parse of `text[start:end]`: kept from before (moved if need be), or new."""
        key = (source.text[start:end], previous_bad)
        line = source.line_col(start)[0] - 1
        entry = kept.get(key) or self._entries.get(key)
        if entry is None:
            diags = Diagnostics()
            block = parse_block(source, start, end, diags, previous_bad)
            mentions = frozenset(_IDENT.findall(source.text, start, end))
            entry = _Entry(block, tuple(diags), mentions, start, line)
            self.reparsed += 1
        elif entry.start != start or entry.line != line:
            entry = _moved(entry, start - entry.start, line - entry.line)
        kept[key] = entry
        return entry

    def _merged(self, source: SourceFile, entries: list[_Entry]) -> list[_Entry] | None:
        """The blocks again when the file parses whole although a block does not alone (one cut
        where a line starts with a word: `enum /// note` then `Name {`, or a `retry_policy` key
        written at column 1 inside a client): the first failing block is parsed as written with
        everything after it. That parse stops at the first syntax error, usually inside that
        block, so it is cheap exactly when the file is broken. None when it fails."""
        first = next(i for i, e in enumerate(entries) if not e.block.ok)
        joined = self._region(source, entries[first].start, len(source.text))
        return None if joined is None else [*entries[:first], joined]

    def _region(self, source: SourceFile, start: int, end: int) -> _Entry | None:
        key = source.text[start:end]
        line = source.line_col(start)[0] - 1
        entry = self._kept_regions.get(key) or self._regions.get(key)
        if entry is not None and not entry.block.ok:
            return None
        if entry is None:
            diags = Diagnostics()
            block = parse_region(source, start, end, diags) or Block([], [], False, False, {})
            mentions = frozenset(_IDENT.findall(source.text, start, end))
            entry = _Entry(block, tuple(diags), mentions, start, line)
            self.reparsed += 1
        elif entry.start != start or entry.line != line:
            entry = _moved(entry, start - entry.start, line - entry.line)
        self._kept_regions[key] = entry
        return entry if entry.block.ok else None


def _assemble(source: SourceFile, entries: list[_Entry]) -> ParsedText:
    """The file's result: blocks in order; when every block parsed as written, the whole file
    parses, and a doc comment ending one block documents the first declaration of the next."""
    whole = all(e.block.ok for e in entries)
    docs: dict[int, str] = {}
    if whole:
        for entry in entries:
            docs.update(entry.block.docs)
    decls: list[Decl] = []
    mentions: list[frozenset[str]] = []
    broken: set[str] = set()
    diagnostics: list[Diagnostic] = []
    for entry in entries:
        for decl in entry.block.decls:
            decls.append(_with_doc(decl, docs) if whole else decl)
            mentions.append(entry.mentions)
        broken.update(entry.block.broken)
        diagnostics.extend(entry.diagnostics)
    parsed = ParsedFile(source, tuple(decls), tuple(diagnostics), frozenset(broken))
    return ParsedText(parsed, tuple(mentions))


def _with_doc(decl: Decl, docs: dict[int, str]) -> Decl:
    """`decl` with the doc comments the whole-file parse gives what starts on its first line
    (the declaration, and a field or enum value written on the same line)."""
    return _redoc(decl, docs, decl.span.line)  # type: ignore[no-any-return]


def _redoc(node: Any, docs: dict[int, str], line: int) -> Any:
    names = _FIELDS.get(type(node)) or _field_names(node)
    changes: dict[str, Any] = {}
    for name in names:
        value = getattr(node, name)
        if name == "doc":
            doc = _doc_before(docs, line)
            if doc is not None and doc != value:
                changes[name] = doc
        elif isinstance(value, tuple) and value and _starts_on(value[0], line) is not None:
            items = tuple(_redoc(v, docs, line) if _starts_on(v, line) else v for v in value)
            if items != value:
                changes[name] = items
        elif name == "type_builder" and value is not None:
            changes[name] = _redoc(value, docs, line)
    return dataclasses.replace(node, **changes) if changes else node


def _starts_on(node: Any, line: int) -> bool | None:
    """Whether an IR node that can carry a doc starts on `line` (None: not such a node)."""
    if isinstance(node, (Decl, EnumValue)):
        return node.span.line == line
    if isinstance(node, Field):
        return node.name_span.line == line
    return None


def _doc_before(docs: dict[int, str], line: int) -> str | None:
    lines = []
    current = line - 1
    while current in docs:
        lines.append(docs[current])
        current -= 1
    return "\n".join(reversed(lines)) if lines else None


def _field_names(node: Any) -> tuple[str, ...]:
    if not dataclasses.is_dataclass(node):
        return ()
    names = _FIELDS[type(node)] = tuple(f.name for f in dataclasses.fields(node))
    return names


# ---- moving a parsed block -----------------------------------------------------------------

def _moved(entry: _Entry, offset: int, lines: int) -> _Entry:
    block = entry.block
    moved = Block([_shift(d, offset, lines) for d in block.decls], block.broken, block.ok,
                  block.bad_line, {line + lines: doc for line, doc in block.docs.items()})
    diagnostics = tuple(_shift_diagnostic(d, offset, lines) for d in entry.diagnostics)
    return _Entry(moved, diagnostics, entry.mentions, entry.start + offset, entry.line + lines)


def _shift_diagnostic(d: Diagnostic, offset: int, lines: int) -> Diagnostic:
    labels = tuple(Label(_shift_span(label.span, offset, lines), label.message, label.primary)
                   for label in d.labels)
    return dataclasses.replace(d, labels=labels)


def _shift_span(span: Span, offset: int, lines: int) -> Span:
    return Span(span.file, span.start + offset, span.end + offset, span.line + lines,
                span.column, span.end_line + lines, span.end_column)


_FIELDS: dict[type, tuple[str, ...]] = {}


_LEAVES = (str, int, float, type(None), frozenset)


def _shift(value: Any, offset: int, lines: int) -> Any:
    """A copy of an IR value with every span (and file line) moved."""
    if isinstance(value, Span):
        return _shift_span(value, offset, lines)
    if isinstance(value, tuple):
        return tuple(_shift(v, offset, lines) for v in value) if value else value
    if isinstance(value, list):
        return [_shift(v, offset, lines) for v in value]
    cls = type(value)
    names = _FIELDS.get(cls) or _field_names(value)
    if not names:
        return value
    changes: dict[str, Any] = {}
    for name in names:
        field = getattr(value, name)
        if isinstance(field, _LEAVES):
            if name in _LINE_FIELDS and type(field) is int:
                changes[name] = field + lines
            continue
        changes[name] = _shift(field, offset, lines)
    if hasattr(value, "__dict__"):
        copy = object.__new__(cls)
        copy.__dict__.update(value.__dict__, **changes)
        return copy
    return dataclasses.replace(value, **changes)
