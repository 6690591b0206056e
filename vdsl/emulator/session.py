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

from .fixtures import load_fixtures
from .inprocess import Emulator

__all__ = ["FIXTURE_NAMES", "describe_fixtures", "project_emulator", "project_fixture_files",
           "state_folder"]

FIXTURE_NAMES = ("emulator.yaml", "emulator.yml", "emulator.json")


def project_fixture_files(path: str | Path) -> list[Path]:
    """The fixtures files of a project (a folder, or the folder of a file), in the order
    their replies are tried.

    The file beside the project wins. A folder without one may hold its sources further down
    (`vdsl test` at a repository's root with sources in `llm/`, or `samples/` holding several
    projects that `vdsl check` reads as one): then every fixtures file that sits beside
    sources below it is used, in path order (the first entry that matches answers)."""
    path = Path(path)
    folder = path if path.is_dir() else path.parent
    here = _fixtures_in(folder)
    if here is not None or not path.is_dir():
        return [here] if here is not None else []
    return sorted({f for source in _sources_below(folder) if (f := _fixtures_in(source.parent))})


def describe_fixtures(files: list[Path]) -> str:
    """Where the emulator's replies come from, for a command's first line."""
    if not files:
        return "no emulator.yaml found: replies echo the prompt (docs/emulator.md)"
    shown = ", ".join(str(f) for f in files[:3]) + (f" and {len(files) - 3} more"
                                                    if len(files) > 3 else "")
    return f"replies from {shown}"


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
    files = [Path(fixtures)] if fixtures else (project_fixture_files(path)
                                               if path is not None else [])
    loaded = [fixture for file in files for fixture in load_fixtures(file)]
    folder = state_folder(None if shared_state else path) if persistent and (
        shared_state or path is not None) else None
    with Emulator(require_auth=False, fixtures=loaded, state_dir=folder) as emulator:
        yield emulator
