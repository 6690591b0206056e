"""The httpx transport google-auth refreshes through: responses, errors, real flows."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.auth import exceptions

from vdsl.emulator import Emulator
from vdsl.providers.auth_sources import CLOUD_PLATFORM
from vdsl.providers.google_transport import HttpxRequest, shared_client


@pytest.fixture
def silent_server() -> Iterator[str]:
    """Accepts connections (in the backlog) and never answers."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/"


def test_response_exposes_status_headers_and_bytes(emu: Emulator) -> None:
    response = HttpxRequest()(f"{emu.url}/computeMetadata/v1/project/project-id",
                              headers={"Metadata-Flavor": "Google"})
    assert response.status == 200
    assert response.headers.get("metadata-flavor") == "Google"   # any case, as google-auth
    assert response.headers.get("Metadata-Flavor") == "Google"
    assert response.data == b"vdsl-emulator"
    assert repr(response) == "<HttpxResponse status=200>"


def test_post_with_a_str_body_and_an_error_status(emu: Emulator) -> None:
    response = HttpxRequest()(f"{emu.url}/token", method="POST", body="grant_type=password",
                              headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.status == 400
    assert b"unsupported_grant_type" in response.data
    assert emu.requests[-1].body == {"grant_type": ["password"]}


def test_connection_refused_is_a_transport_error() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/token"
    with pytest.raises(exceptions.TransportError, match=r"ConnectError calling http://127"):
        HttpxRequest()(url, method="POST", body=b"x")


def test_timeout_is_a_transport_error(silent_server: str) -> None:
    with pytest.raises(exceptions.TransportError, match="ReadTimeout"):
        HttpxRequest()(silent_server, timeout=0.2)


def test_the_client_is_shared_and_reopened_after_close() -> None:
    client = shared_client()
    assert shared_client() is client
    client.close()
    assert shared_client() is not client


def test_google_auth_service_account_refresh_over_httpx(emu: Emulator, tmp_path: Path) -> None:
    from google.oauth2 import service_account

    path = emu.service_account_file(tmp_path)
    creds = service_account.Credentials.from_service_account_file(str(path),
                                                                  scopes=[CLOUD_PLATFORM])
    creds.refresh(HttpxRequest())
    assert creds.valid and creds.token.startswith("ya29.")


def test_google_auth_compute_engine_over_httpx(emu: Emulator,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """google-auth's own metadata client (its GCE_METADATA_HOST setting) works over this
    transport; vdsl's metadata strategy speaks the same protocol without `requests`."""
    pytest.importorskip("requests")
    from google.auth import compute_engine
    from google.auth.compute_engine import _metadata

    host = emu.env()["GCE_METADATA_HOST"]
    monkeypatch.setattr(_metadata, "_GCE_METADATA_HOST", host)
    monkeypatch.setenv("GCE_METADATA_IP", host)
    assert _metadata.is_on_gce(HttpxRequest())
    creds = compute_engine.Credentials()
    creds.refresh(HttpxRequest())
    assert creds.valid and creds.service_account_email.startswith("default@")
