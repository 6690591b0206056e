"""Auth tests: a sealed environment, a live emulator, and helpers to prove a token works.

Every test runs with HOME, CLOUDSDK_CONFIG and PATH pointing at empty temporary folders and
the GOOGLE_APPLICATION_CREDENTIALS* variables removed, so neither vdsl nor google-auth can
find the machine's real credentials; the metadata server is a closed loopback port; and any
connection to a non-loopback address fails the test.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from vdsl.emulator import Emulator
from vdsl.providers import auth

sys.path.insert(0, str(Path(__file__).parent))  # auth_helpers
_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"127.0.0.1:{sock.getsockname()[1]}"


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail loudly instead of reaching Google (or a proxy) by accident."""
    real_connect = socket.socket.connect

    def connect(self: socket.socket, address: Any) -> Any:
        if isinstance(address, tuple) and address[0] not in _LOOPBACK:
            raise AssertionError(f"test tried to connect to {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                "all_proxy"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture(autouse=True)
def sealed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The process env scrubbed of real credentials, and caches emptied around the test."""
    home, config, bin_dir = (tmp_path / "home", tmp_path / "gcloud", tmp_path / "bin")
    for folder in (home, config, bin_dir):
        folder.mkdir()
    closed = _closed_port()
    env = {"HOME": str(home), "CLOUDSDK_CONFIG": str(config), "PATH": str(bin_dir),
           "GCE_METADATA_HOST": closed, "GCE_METADATA_IP": closed}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_APPLICATION_CREDENTIALS_CONTENT",
                 "GCE_METADATA_ROOT", "NO_GCE_CHECK"):
        monkeypatch.delenv(name, raising=False)
    auth.clear_cache()
    yield env
    auth.clear_cache()


@pytest.fixture
def env(sealed: dict[str, str]) -> dict[str, str]:
    """A fresh copy of the sealed environment, for `resolve_auth(…, env, …)`."""
    return dict(sealed)


@pytest.fixture
def emu() -> Iterator[Emulator]:
    with Emulator() as emulator:
        yield emulator


@pytest.fixture
def sa_file(emu: Emulator, tmp_path: Path) -> Path:
    """A registered service-account key file whose token_uri is the emulator."""
    keys = tmp_path / "keys"
    keys.mkdir()
    return emu.service_account_file(keys)
