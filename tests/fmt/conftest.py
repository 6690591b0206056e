"""Shared set-up for the formatter tests: a private cache, the strategies on the path."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory,
                   monkeypatch: pytest.MonkeyPatch) -> None:
    """Never write to ~/.cache from tests."""
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "vdsl-cache"))
