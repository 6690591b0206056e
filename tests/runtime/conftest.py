"""A live emulator (strict auth) and a runtime that talks to it over a real socket."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import vdsl
from vdsl.emulator import Emulator
from vdsl.runtime import MediaPolicy, Runtime, StaticToken

LOOPBACK_MEDIA = MediaPolicy(allow=("loopback",))
"""Media files in these tests come from servers on 127.0.0.1, which downloads refuse unless
allowed."""


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def make_runtime(emulator: Emulator):  # type: ignore[no-untyped-def]
    """Compile source text and return a Runtime pointed at the emulator with a valid token."""
    runtimes: list[Runtime] = []

    def make(source: str, env: dict[str, str] | None = None) -> Runtime:
        project = vdsl.loads(source)
        runtime = Runtime(project, env=env or {}, endpoint=emulator.url,
                          auth=StaticToken(emulator.issue_token()), media=LOOPBACK_MEDIA)
        runtimes.append(runtime)
        return runtime

    yield make
    for runtime in runtimes:
        runtime.close()
