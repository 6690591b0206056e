"""A strict-auth emulator and runtimes pointed at it, for the platform features."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import vdsl
from vdsl.emulator import Emulator
from vdsl.project import Project
from vdsl.runtime import Runtime, StaticToken

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def manual(emulator: Emulator) -> Project:
    """The sample help desk, with its canned replies loaded into the emulator."""
    emulator.load_fixtures(SAMPLES / "manual" / "emulator.yaml")
    return vdsl.load(SAMPLES / "manual")


@pytest.fixture
def manual_args(manual: Project) -> dict[str, str]:
    args = vdsl.ir.plain(manual.test("PrimingQuestion").args)  # type: ignore[arg-type]
    assert isinstance(args, dict)
    return args


@pytest.fixture
def runtime_for(emulator: Emulator) -> Iterator[Callable[..., Runtime]]:
    made: list[Runtime] = []

    def make(project: Project | str, env: dict[str, str] | None = None, **kw: object) -> Runtime:
        compiled = vdsl.loads(project) if isinstance(project, str) else project
        runtime = Runtime(compiled, env=env or {}, endpoint=emulator.url,
                          auth=StaticToken(emulator.issue_token()), **kw)  # type: ignore[arg-type]
        made.append(runtime)
        return runtime

    yield make
    for runtime in made:
        runtime.close()
