"""Shared fixtures for the emulator tests: a live emulator per test and an authorised client."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from vdsl.emulator import Emulator

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """A strict-auth emulator on an ephemeral port."""
    with Emulator() as emu:
        yield emu


@pytest.fixture
def token(emulator: Emulator) -> str:
    return emulator.issue_token()


@pytest.fixture
def client(emulator: Emulator, token: str) -> Iterator[httpx.Client]:
    """A keep-alive client with a valid bearer token."""
    with httpx.Client(base_url=emulator.url, timeout=10,
                      headers={"Authorization": f"Bearer {token}"}) as http:
        yield http


@pytest.fixture
def anon(emulator: Emulator) -> Iterator[httpx.Client]:
    """A client with no credentials."""
    with httpx.Client(base_url=emulator.url, timeout=10) as http:
        yield http
