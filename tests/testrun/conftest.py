"""Shared set-up for the `vdsl test` tests: an offline environment and the test project."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from vt_project import FIXTURES, MIXED


@pytest.fixture(autouse=True)
def _quiet_environment(tmp_path_factory: pytest.TempPathFactory,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    """No credentials, no endpoint, no CI markers, a private cache: every run is offline."""
    home = tmp_path_factory.mktemp("home")
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS_CONTENT",
                 "VDSL_VERTEX_ENDPOINT", "GCE_METADATA_HOST", "GOOGLE_CLOUD_PROJECT",
                 "CLOUDSDK_CONFIG", "GITHUB_STEP_SUMMARY", "VDSL_EMULATOR_STATE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("VDSL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "vdsl-cache"))


@pytest.fixture
def mixed(tmp_path: Path) -> Path:
    root = tmp_path / "mixed"
    root.mkdir()
    (root / "main.vdsl").write_text(MIXED)
    (root / "emulator.yaml").write_text(FIXTURES)
    return root
