"""A small multi-file project and a `vdsl lsp` process talking to it over stdio."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from lsp_client import LspClient
from lsp_project import ENV, write_project


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("lsp") / "project")


@pytest.fixture(scope="module")
def server(project: Path) -> Iterator[LspClient]:
    env = dict(ENV, VDSL_CACHE_DIR=str(project.parent / "cache"))
    client = LspClient(project, env)
    client.initialize()
    yield client
    assert client.close() == 0
    assert "Traceback" not in client.logged_errors, client.logged_errors
