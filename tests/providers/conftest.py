"""A live emulator (strict auth) and runtimes that talk to it, for the provider tests."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from prov_helpers import connect

from vdsl.emulator import Emulator
from vdsl.runtime import Runtime


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    with Emulator() as emu:
        yield emu


@pytest.fixture
def make_runtime(emulator: Emulator):  # type: ignore[no-untyped-def]
    """Compile source text into a Runtime pointed at the emulator with a valid token."""
    runtimes: list[Runtime] = []

    def make(source: str) -> Runtime:
        runtime = connect(source, emulator)
        runtimes.append(runtime)
        return runtime

    yield make
    for runtime in runtimes:
        runtime.close()
