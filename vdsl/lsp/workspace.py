"""The projects the editor has files open in, and their pending changes.

Edits only mark a file as changed; the analysis runs when the server flushes (a few
milliseconds after the last edit of a burst, or at once when a request needs it), so a burst of
keystrokes is analysed once.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from pathlib import Path

from ..diagnostics import Diagnostic
from ..source import SourceFile
from .analysis import ProjectState, Snapshot
from .projects import project_root
from .symbols import SymbolIndex

__all__ = ["Workspace"]


class Workspace:
    def __init__(self, buffer: Callable[[str], str | None],
                 open_paths: Callable[[], Iterable[str]]) -> None:
        self._buffer = buffer
        self._open_paths = open_paths
        self.projects: dict[Path, ProjectState] = {}
        self._roots: dict[str, Path] = {}
        self._pending: dict[Path, set[str] | None] = {}
        self._indexes: dict[Path, tuple[Snapshot, SymbolIndex]] = {}
        self._unpublished: dict[str, tuple[list[Diagnostic], SourceFile | None]] = {}

    def root_of(self, path: str) -> Path:
        root = self._roots.get(path)
        if root is None:
            root = self._roots[path] = project_root(Path(path))
        return root

    def touch(self, path: str, rescan: bool = False) -> None:
        """`path` changed (its buffer or the file); `rescan`: files may have come or gone."""
        root = self.root_of(path)
        if root not in self.projects:
            self.projects[root] = ProjectState(root, self._buffer)
            rescan = True
        pending = self._pending.get(root, set())
        if rescan or pending is None:
            self._pending[root] = None
        else:
            pending.add(path)
            self._pending[root] = pending

    def touch_all(self) -> None:
        for root in self.projects:
            self._pending[root] = None

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)

    def flush(self, root: Path | None = None) -> None:
        """Analyse pending changes (of one project, or all); the files whose diagnostics changed
        wait in `take_unpublished`."""
        roots = [root] if root is not None else list(self._pending)
        for current in roots:
            if current not in self._pending:
                continue
            pending = self._pending.pop(current)
            state = self.projects[current]
            cold = state.snapshot is None
            paths = state.refresh(pending, self._open_paths())
            snapshot = state.snapshot
            assert snapshot is not None
            if cold:
                gc.freeze()  # the first analysis stays: later collections skip its objects
            for path in paths:
                self._unpublished[path] = (snapshot.diagnostics.get(path, []),
                                           snapshot.source(path))

    def take_unpublished(self) -> list[tuple[str, list[Diagnostic], SourceFile | None]]:
        """The files whose diagnostics changed since the last call, with their text."""
        found = [(path, *self._unpublished[path]) for path in sorted(self._unpublished)]
        self._unpublished.clear()
        return found

    def snapshot(self, path: str) -> Snapshot | None:
        root = self.root_of(path)
        if root not in self.projects:
            self.touch(path)
        self.flush(root)
        return self.projects[root].snapshot

    def index(self, path: str) -> tuple[Snapshot, SymbolIndex] | None:
        snapshot = self.snapshot(path)
        if snapshot is None:
            return None
        root = self.root_of(path)
        cached = self._indexes.get(root)
        if cached is None or cached[0] is not snapshot:
            cached = (snapshot, SymbolIndex(snapshot.program, snapshot.sources))
            self._indexes[root] = cached
        return cached
