"""A live emulator (strict auth), fast batch timelines, and a project whose echo replies are
per-row JSON (the prompt's user turn is the row as JSON), so typed results can be checked."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from batch_source import SOURCE

import vdsl
from vdsl.emulator import Emulator
from vdsl.runtime import Runtime, StaticToken


@pytest.fixture(autouse=True)
def fast_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VDSL_EMULATOR_BATCH", "queued=0.05; running=0.2; cancelling=0.05")


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def runtime(emulator: Emulator) -> Iterator[Runtime]:
    project = vdsl.loads(SOURCE)
    with Runtime(project, env={}, endpoint=emulator.url,
                 auth=StaticToken(emulator.issue_token())) as rt:
        yield rt

