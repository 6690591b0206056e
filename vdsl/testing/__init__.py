"""`vdsl test`: run a project's `test` blocks through the real runtime and judge them.

    plan (which cases) → session (mode, runtimes, emulator, cassettes) → runner (parallel)
      → execute (one case: call, constraints, verdict) → Report → renderers (summary table,
        diagnostics at file:line, JSON, JUnit XML, GitHub annotations)

Module map: `plan` (cases, selection, `@@skip`), `constraints`
(`@@check`/`@@assert` with BAML's test context), `cassettes` (record/replay files), `session`,
`execute`, `runner`, `results` (the report model), `report` and `junit` (renderers),
`progress`, `cli`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from ..project import Project
from .plan import TestCase, plan_cases
from .results import CaseResult, Report, Status
from .runner import run_plan
from .session import MODES, Session

__all__ = ["CaseResult", "Report", "Status", "TestCase", "plan_cases", "run_tests"]


def run_tests(project: Project, *, mode: str = "emulator", patterns: Sequence[str] = (),
              functions: Sequence[str] = (), jobs: int = 10, fail_fast: bool = False,
              fixtures: str | Path | None = None, cassettes: str | Path | None = None,
              on_result: Callable[[CaseResult], None] | None = None) -> Report:
    """Run the project's test cases; `mode` is `emulator` (offline: cassettes, else the
    project's fixtures), `live` or `record` (Vertex AI; `record` writes cassettes).

    Raises `FixtureError` for an emulator fixtures file that cannot be read."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
    root = _root(project)
    cases = plan_cases(project, patterns=patterns, functions=functions)
    folder = Path(cassettes) if cassettes is not None else root / "cassettes"
    if mode != "emulator":
        return _run(Session(project, mode, folder), cases, jobs, fail_fast, on_result)
    from ..emulator.session import project_emulator
    with project_emulator(project.root or root, fixtures, persistent=False) as emulator:
        return _run(Session(project, mode, folder, emulator), cases, jobs, fail_fast,
                    on_result)


def _run(session: Session, cases: Sequence[TestCase], jobs: int, fail_fast: bool,
         on_result: Callable[[CaseResult], None] | None) -> Report:
    try:
        return run_plan(session, cases, jobs=jobs, fail_fast=fail_fast, on_result=on_result)
    finally:
        session.close()


def _root(project: Project) -> Path:
    """The project folder (the folder of a single-file project)."""
    if project.root:
        root = Path(project.root)
        return root if root.is_dir() else root.parent
    first = next(iter(project.sources), None)
    return Path(first).parent if first else Path.cwd()

