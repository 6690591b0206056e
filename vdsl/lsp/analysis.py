"""One project's analysis, kept up to date edit by edit.

`ProjectState.refresh(changed)` re-reads the changed files (editor buffers first, then disk),
re-parses only their edited blocks, and re-validates only the files the edit can affect
(`scope.py`); the result is a `Snapshot`: the whole program, its sources and every file's
diagnostics, exactly as `vdsl check` of the same texts reports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ..compiler import ParsedFile, link, read_sources
from ..diagnostics import Diagnostic, Diagnostics
from ..ir import Program
from ..source import SourceFile
from .incremental import FileParser
from .projects import project_files
from .scope import (
    FileUnit,
    affected_files,
    check_all,
    check_files,
    declared_names,
    name_table,
    unit,
)

__all__ = ["ProjectState", "Snapshot"]


@dataclass
class Snapshot:
    """A project as of the last refresh."""

    root: Path
    units: dict[str, FileUnit]
    program: Program
    diagnostics: dict[str, list[Diagnostic]]
    scoped: bool = False
    """Whether the last refresh checked only part of the project."""
    checked: frozenset[str] = field(default_factory=frozenset)
    """The files the last refresh validated."""

    @property
    def sources(self) -> dict[str, SourceFile]:
        return {path: u.parsed.source for path, u in self.units.items()}

    def source(self, path: str) -> SourceFile | None:
        found = self.units.get(path)
        return found.parsed.source if found else None


class ProjectState:
    """The files under one project root and their latest analysis."""

    def __init__(self, root: Path, buffer: Callable[[str], str | None]) -> None:
        self.root = root
        self._buffer = buffer
        self._parsers: dict[str, FileParser] = {}
        self._units: dict[str, FileUnit] = {}
        self._unreadable: dict[str, list[Diagnostic]] = {}
        self.snapshot: Snapshot | None = None

    def refresh(self, changed: Iterable[str] | None, open_paths: Iterable[str]) -> set[str]:
        """Bring the analysis up to date after `changed` files changed (None: the file list
        may have changed too, re-scan). Returns the files whose diagnostics changed."""
        old = self.snapshot
        files = project_files(self.root, open_paths) if changed is None or old is None \
            else list(self._units)
        edited = set(files) ^ set(self._units) | ({p for p in changed if p in files}
                                                  if changed is not None else set(files))
        before = {p: self._units[p].parsed for p in edited if p in self._units}
        self._load(files, edited)
        after = {p: self._units[p].parsed for p in edited if p in self._units}
        snapshot = self._check(old, edited, before, after)
        self.snapshot = snapshot
        previous = old.diagnostics if old else {}
        return {p for p in set(previous) | set(snapshot.diagnostics)
                if previous.get(p) != snapshot.diagnostics.get(p)}

    def _load(self, files: list[str], edited: set[str]) -> None:
        units: dict[str, FileUnit] = {}
        for path in files:
            if path in edited or path not in self._units:
                found = self._parse(path)
                if found is None:
                    continue
                units[path] = found
            else:
                units[path] = self._units[path]
        self._units = units
        for gone in set(self._parsers) - set(files):
            del self._parsers[gone]
            self._unreadable.pop(gone, None)

    def _parse(self, path: str) -> FileUnit | None:
        text = self._buffer(path)
        self._unreadable.pop(path, None)
        if text is None:
            problems = Diagnostics()
            sources = read_sources([Path(path)], problems)
            if not sources:
                self._unreadable[path] = list(problems)
                return None
            text = sources[0].text
        parser = self._parsers.setdefault(path, FileParser(path))
        parsed = parser.parse(text)
        return unit(parsed.parsed, parsed.mentions)

    def _check(self, old: Snapshot | None, edited: set[str], before: Mapping[str, ParsedFile],
               after: Mapping[str, ParsedFile]) -> Snapshot:
        units = self._units
        program = link([u.parsed for u in units.values()])
        if old is not None:
            changed_names = frozenset().union(
                *(declared_names(f) for f in (*before.values(), *after.values())))
            names_differ = any(_names(before.get(p)) != _names(after.get(p)) for p in edited)
            dirty = affected_files(units, edited, changed_names, names_differ, old.diagnostics)
            if len(dirty) < len(units):
                scoped = self._scoped(old, program, dirty)
                if scoped is not None:
                    return scoped
        _, diags = check_all(list(units.values()))
        return Snapshot(self.root, dict(units), program,
                        self._by_file(units, diags, set(units)), checked=frozenset(units))

    def _scoped(self, old: Snapshot, program: Program, dirty: set[str]) -> Snapshot | None:
        """The refresh for `dirty` files only; None when the project-wide prompt check switches
        on or off (an unknown type appeared or went away), which needs the whole project."""
        units = self._units
        clean = [p for p in units if p not in dirty]
        resolved_elsewhere = not any(d.code == "unknown-type" for p in clean
                                     for d in old.diagnostics.get(p, ()))
        diags = check_files(list(units.values()), dirty, program, resolved_elsewhere)
        diagnostics = self._by_file(units, diags, dirty)
        for path in clean:
            diagnostics[path] = old.diagnostics.get(path, [])
        if _types_resolve(diagnostics.values()) != _types_resolve(old.diagnostics.values()):
            return None
        return Snapshot(self.root, dict(units), program, diagnostics, scoped=True,
                        checked=frozenset(dirty))

    def _by_file(self, units: Mapping[str, FileUnit], diags: Diagnostics,
                 paths: set[str]) -> dict[str, list[Diagnostic]]:
        grouped: dict[str, list[Diagnostic]] = {p: [] for p in paths}
        for path in paths:
            if path in units:
                grouped[path].extend(units[path].parsed.diagnostics)
        for d in diags:
            span = d.span
            if span is not None and span.file in grouped:
                grouped[span.file].append(d)
        for path, problems in self._unreadable.items():
            grouped[path] = list(problems)
        return {p: Diagnostics(found).sorted() for p, found in grouped.items()}

    @property
    def parsed_files(self) -> list[ParsedFile]:
        return [u.parsed for u in self._units.values()]


def _names(parsed: ParsedFile | None) -> frozenset[tuple[str, str]]:
    return name_table(parsed) if parsed is not None else frozenset()


def _types_resolve(diagnostics: Iterable[list[Diagnostic]]) -> bool:
    return not any(d.code == "unknown-type" for found in diagnostics for d in found)
