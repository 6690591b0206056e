"""Metadata-server detection: google-auth's variables, quick failure, a remembered answer."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from vdsl.providers import auth_ambient
from vdsl.providers.auth_ambient import MetadataServer
from vdsl.providers.google_transport import HttpxRequest


def _counting(status: int, flavor: str | None) -> tuple[HttpxRequest, list[str]]:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        headers = {"Metadata-Flavor": flavor} if flavor else {}
        return httpx.Response(status, headers=headers, text="ok")

    return HttpxRequest(httpx.Client(transport=httpx.MockTransport(handler))), seen


@pytest.fixture
def silent_host() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        yield f"127.0.0.1:{sock.getsockname()[1]}"


def test_env_variables_as_google_auth_reads_them() -> None:
    server = MetadataServer.from_env({"GCE_METADATA_ROOT": "md.local:8080",
                                      "GCE_METADATA_TIMEOUT": "0.5",
                                      "GCE_METADATA_DETECT_RETRIES": "2"})
    assert (server.host, server.ping_host, server.timeout, server.attempts) == \
        ("md.local:8080", "md.local:8080", 0.5, 2)
    assert server.root == "http://md.local:8080/computeMetadata/v1/"
    default = MetadataServer.from_env({})
    assert (default.host, default.ping_host) == ("metadata.google.internal", "169.254.169.254")


def test_a_server_without_the_google_flavor_is_not_a_metadata_server() -> None:
    request, seen = _counting(200, None)
    server = MetadataServer.from_env({"GCE_METADATA_HOST": "10.0.0.9"})
    assert server.unavailable(request) == "10.0.0.9 is not a metadata server (HTTP 200)"
    assert seen == ["http://10.0.0.9/"]


def test_a_failed_probe_is_remembered_for_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    request, seen = _counting(404, "Google")
    server = MetadataServer.from_env({"GCE_METADATA_IP": "10.0.0.8"})
    assert server.unavailable(request) is not None
    assert server.unavailable(request) is not None
    assert len(seen) == 1
    monkeypatch.setattr(auth_ambient, "NEGATIVE_PROBE_TTL", 0.0)
    server.unavailable(request)
    assert len(seen) == 2


def test_a_silent_metadata_server_costs_one_timeout(silent_host: str) -> None:
    server = MetadataServer.from_env({"GCE_METADATA_HOST": silent_host,
                                      "GCE_METADATA_TIMEOUT": "0.3"})
    started = time.monotonic()
    assert server.unavailable(HttpxRequest()) == f"no answer from {silent_host} within 0.3s"
    assert time.monotonic() - started < 0.9          # not 3 attempts


def test_refused_connections_are_retried_then_reported() -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError("refused", request=request)

    request = HttpxRequest(httpx.Client(transport=httpx.MockTransport(handler)))
    server = MetadataServer.from_env({"GCE_METADATA_IP": "10.0.0.7"})
    assert server.unavailable(request) == "no answer from 10.0.0.7"
    assert len(calls) == 3
