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
    check_files,
    check_gated,
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
    base: dict[str, list[Diagnostic]]
    """Per file: syntax diagnostics and every check's but the gated ones (prompts)."""
    gated: dict[str, list[Diagnostic] | None]
    """Per file: the gated checks' diagnostics; None where not computed since the file last
    changed (they are computed, and shown, only while every type resolves)."""
    diagnostics: dict[str, list[Diagnostic]] = field(default_factory=dict)
    """What `vdsl check` reports, per file, in its order."""
    scoped: bool = False
    """Whether the last refresh checked only part of the project."""
    checked: frozenset[str] = field(default_factory=frozenset)
    """The files the last refresh validated."""

    def __post_init__(self) -> None:
        gate = types_resolve(self.base)
        self.diagnostics = {
            path: Diagnostics([*found, *((self.gated.get(path) or []) if gate else [])]).sorted()
            for path, found in self.base.items()}

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
        dirty = set(units)
        if old is not None:
            changed_names = frozenset().union(
                *(declared_names(f) for f in (*before.values(), *after.values())))
            names_differ = any(_names(before.get(p)) != _names(after.get(p)) for p in edited)
            dirty = affected_files(units, edited, changed_names, names_differ, old.diagnostics)
        values = list(units.values())
        base = self._grouped(check_files(values, dirty, program), dirty)
        gated: dict[str, list[Diagnostic] | None] = {p: None for p in dirty}
        for path in units:
            if path not in dirty:
                base[path] = old.base[path] if old else []
                gated[path] = old.gated.get(path) if old else None
        for path, problems in self._unreadable.items():
            base[path] = list(problems)
        if types_resolve(base):
            missing = {p for p in units if gated.get(p) is None}
            if missing:
                gated.update(self._grouped(check_gated(values, missing, program), missing,
                                           syntax=False))
        return Snapshot(self.root, dict(units), program, base, gated,
                        scoped=len(dirty) < len(units), checked=frozenset(dirty))

    def _grouped(self, diags: Diagnostics, paths: set[str],
                 syntax: bool = True) -> dict[str, list[Diagnostic]]:
        """`diags` located in `paths`, per file (after each file's syntax diagnostics)."""
        grouped: dict[str, list[Diagnostic]] = {
            p: list(self._units[p].parsed.diagnostics) if syntax and p in self._units else []
            for p in paths}
        for d in diags:
            span = d.span
            if span is not None and span.file in grouped:
                grouped[span.file].append(d)
        return grouped

    @property
    def parsed_files(self) -> list[ParsedFile]:
        return [u.parsed for u in self._units.values()]


def _names(parsed: ParsedFile | None) -> frozenset[tuple[str, str]]:
    return name_table(parsed) if parsed is not None else frozenset()


def types_resolve(base: Mapping[str, list[Diagnostic]]) -> bool:
    """Whether every type of the project resolves (the gated checks run then)."""
    return not any(d.code == "unknown-type" for found in base.values() for d in found)
