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

from ..compiler import ParsedFile, link, project_policy, read_sources
from ..diagnostics import Diagnostic, Diagnostics
from ..ir import Program
from ..source import SourceFile
from .incremental import FileParser
from .projects import project_files
from .scope import Checker, FileUnit, affected_files, declared_names, name_table, unit

__all__ = ["ProjectState", "Snapshot"]


@dataclass
class Snapshot:
    """A project as of the last refresh.

    Per file, diagnostics are kept by the stage that made them, as `compiler.validate_parsed`
    runs them: `base` (syntax, every check but the gated ones, the endpoint policy), `gated`
    (prompt checks: only while every type resolves), `tokens` (test prompts against the
    models' limits: only while nothing is an error). A later stage's entry is None where it was
    not computed since the file last changed; it is computed when its condition holds."""

    root: Path
    units: dict[str, FileUnit]
    program: Program
    base: dict[str, list[Diagnostic]]
    gated: dict[str, list[Diagnostic] | None]
    tokens: dict[str, list[Diagnostic] | None]
    policy_text: str = ""
    diagnostics: dict[str, list[Diagnostic]] = field(default_factory=dict)
    """What `vdsl check` reports, per file, in its order."""
    scoped: bool = False
    """Whether the last refresh checked only part of the project."""
    checked: frozenset[str] = field(default_factory=frozenset)
    """The files the last refresh validated."""

    def __post_init__(self) -> None:
        shown = {p: [*found, *_shown(self.gated, p, types_resolve(self.base))]
                 for p, found in self.base.items()}
        measured = no_errors(shown) and bool(self.program.tests)
        self.diagnostics = {p: Diagnostics([*found, *_shown(self.tokens, p, measured)]).sorted()
                            for p, found in shown.items()}

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
        problems = Diagnostics()
        policy, policy_text = project_policy([self.root], problems)
        dirty = set(units)
        if old is not None and old.policy_text == policy_text:
            changed_names = frozenset().union(
                *(declared_names(f) for f in (*before.values(), *after.values())))
            names_differ = any(_names(before.get(p)) != _names(after.get(p)) for p in edited)
            dirty = affected_files(units, edited, changed_names, names_differ, old.diagnostics)
        checker = Checker(list(units.values()), program)
        base = self._grouped(checker.base(dirty, policy), dirty)
        gated: dict[str, list[Diagnostic] | None] = dict.fromkeys(dirty)
        tokens: dict[str, list[Diagnostic] | None] = dict.fromkeys(dirty)
        for path in units.keys() - dirty:
            assert old is not None
            base[path] = old.base[path]
            gated[path], tokens[path] = old.gated.get(path), old.tokens.get(path)
        for path, found in [*self._unreadable.items(), *_by_file(problems).items()]:
            base[path] = list(found)
        if types_resolve(base):
            self._fill(gated, checker.gated)
            shown = {p: [*found, *(gated.get(p) or [])] for p, found in base.items()}
            if no_errors(shown) and program.tests:
                self._fill(tokens, checker.tokens)
        return Snapshot(self.root, dict(units), program, base, gated, tokens, policy_text,
                        scoped=len(dirty) < len(units), checked=frozenset(dirty))

    def _fill(self, stage: dict[str, list[Diagnostic] | None],
              check: Callable[[set[str]], Diagnostics]) -> None:
        """Compute a later stage for the files that lack it."""
        missing = {p for p in self._units if stage.get(p) is None}
        if missing:
            stage.update(self._grouped(check(missing), missing, syntax=False))

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


def no_errors(diagnostics: Mapping[str, list[Diagnostic]]) -> bool:
    return not any(d.is_error for found in diagnostics.values() for d in found)


def _shown(stage: Mapping[str, list[Diagnostic] | None], path: str, on: bool) -> list[Diagnostic]:
    return (stage.get(path) or []) if on else []


def _by_file(diags: Diagnostics) -> dict[str, list[Diagnostic]]:
    grouped: dict[str, list[Diagnostic]] = {}
    for d in diags:
        if d.span is not None:
            grouped.setdefault(d.span.file, []).append(d)
    return grouped
