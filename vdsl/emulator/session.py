"""The emulator a command starts for `--emulator`: the project's fixtures, persistent state.

Every command that takes `--emulator` (`run`, and the commands that manage Vertex resources)
starts it the same way, so replies come from the same fixtures file and resources created by
one command (a batch job, a cached content) are there for the next, as on Vertex. The state
folder is `$VDSL_EMULATOR_STATE` when set, else `emulator/<project hash>` in vdsl's cache
folder; with the cache turned off (`VDSL_CACHE_DIR=`) state lasts one command.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .inprocess import Emulator

__all__ = ["FIXTURE_NAMES", "project_emulator", "project_fixtures", "state_folder"]

FIXTURE_NAMES = ("emulator.yaml", "emulator.yml", "emulator.json")


def project_fixtures(path: str | Path) -> Path | None:
    """The fixtures file beside a project (a folder, or the folder of a file), if any.

    A folder without one may hold the project's sources further down (`vdsl test` run at a
    repository's root, sources in `llm/`): then the one fixtures file that sits beside
    sources below it is used; with several, none is guessed."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    here = _fixtures_in(folder)
    if here is not None or not path.is_dir():
        return here
    found = {f for source in _sources_below(folder) if (f := _fixtures_in(source.parent))}
    return found.pop() if len(found) == 1 else None


def _fixtures_in(folder: Path) -> Path | None:
    return next((folder / n for n in FIXTURE_NAMES if (folder / n).is_file()), None)


def _sources_below(folder: Path) -> list[Path]:
    from ..compiler import PathProblem, find_files
    try:
        return find_files([folder])
    except PathProblem:
        return []


def state_folder(path: str | Path | None) -> Path | None:
    """Where the emulator keeps a project's resources between commands (None: not kept).

    `path=None` is the folder shared by every project, for resources addressed by name
    (batch jobs, buckets), as one Google Cloud project holds them."""
    configured = os.environ.get("VDSL_EMULATOR_STATE")
    if configured:
        return Path(configured)
    from ..compiler import cache_dir
    base = cache_dir()
    if base is None:
        return None
    if path is None:
        return base / "emulator" / "shared"
    digest = hashlib.sha256(str(Path(path).resolve()).encode()).hexdigest()[:16]
    return base / "emulator" / digest


@contextmanager
def project_emulator(path: str | Path | None, fixtures: str | Path | None = None, *,
                     persistent: bool = True, shared_state: bool = False) -> Iterator[Emulator]:
    """A running emulator for the project at `path` (auth off, as for an offline user).

    `shared_state` keeps resources in the folder every project shares (commands such as
    `vdsl batch status JOB` name a resource, not a project); `path=None` has no fixtures.
    Raises `FixtureError` for a fixtures file that cannot be read."""
    chosen = fixtures or (project_fixtures(path) if path is not None else None)
    folder = state_folder(None if shared_state else path) if persistent and (
        shared_state or path is not None) else None
    with Emulator(require_auth=False, fixtures=str(chosen) if chosen else None,
                  state_dir=folder) as emulator:
        yield emulator
