"""Who may reach the emulator, and what malformed HTTP gets: a 400 and a closed connection,
never a dropped one; a foreign Host header (DNS rebinding) gets a 403."""

from __future__ import annotations

import argparse
import io
import socket
from contextlib import redirect_stderr, redirect_stdout

import httpx
import pytest
from emu_helpers import gemini_body, gemini_path

from vdsl.emulator import Emulator
from vdsl.emulator.cli import _announce
from vdsl.emulator.hosts import HostCheck, is_loopback_bind


@pytest.fixture
def open_emulator():  # type: ignore[no-untyped-def]
    with Emulator(require_auth=False, allowed_hosts=("emulator",)) as emu:
        yield emu


def _raw(port: int, data: bytes) -> bytes:
    """Send `data` on a fresh connection; everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def _post(path: str, extra: str, body: bytes = b"") -> bytes:
    return (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"{extra}\r\n").encode() + body


BODY = b'{"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}'


@pytest.mark.parametrize(("framing", "body"), [
    ("Content-Length: abc\r\n", BODY),
    ("Content-Length: -5\r\n", BODY),
    ("Content-Length: 10\r\nContent-Length: 12\r\n", BODY),
    ("Transfer-Encoding: chunked\r\nContent-Length: 3\r\n", b"3\r\nabc\r\n0\r\n\r\n"),
    ("Transfer-Encoding: gzip\r\n", BODY),
    ("Transfer-Encoding: chunked\r\n", b"zz\r\nabc\r\n0\r\n\r\n"),
    ("Transfer-Encoding: chunked\r\n", b"3\r\nabcdef\r\n0\r\n\r\n"),
    ("Transfer-Encoding: chunked\r\n", b"ffffffffffffffffffff\r\n"),
])
def test_malformed_framing_is_a_400_and_the_server_keeps_serving(open_emulator: Emulator,
                                                                  framing: str, body: bytes
                                                                  ) -> None:
    answer = _raw(open_emulator.port, _post(gemini_path(), framing, body))
    assert answer.startswith(b"HTTP/1.1 400"), answer[:80]
    assert b"Connection: close" in answer and b"Malformed HTTP request" in answer
    reply = httpx.post(open_emulator.url + gemini_path(), json=gemini_body())
    assert reply.status_code == 200


def test_json_nested_past_any_parser_is_a_400(open_emulator: Emulator) -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    reply = httpx.post(open_emulator.url + gemini_path(), content=deep,
                       headers={"content-type": "application/json"})
    assert reply.status_code == 400
    assert reply.json()["error"]["message"].startswith("Invalid JSON payload received.")
    chunked = _raw(open_emulator.port, _post(gemini_path(), "Transfer-Encoding: chunked\r\n"
                                                            "Connection: close\r\n",
                                             b"%x\r\n" % len(deep) + deep + b"\r\n0\r\n\r\n"))
    assert chunked.startswith(b"HTTP/1.1 400")


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8790", "127.0.0.1.nip.io",
                                  "[::1", "localhost:x", ""])
def test_a_foreign_host_header_is_refused(open_emulator: Emulator, host: str) -> None:
    open_emulator.clear_requests()
    answer = _raw(open_emulator.port, f"GET /_emulator/requests HTTP/1.1\r\nHost: {host}"
                                      "\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 403") and b"is not allowed" in answer
    assert b'"requests"' not in answer


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.1:80", "localhost", "LOCALHOST:1",
                                  "[::1]:8790", "10.1.2.3", "emulator", "emulator:8790"])
def test_addresses_localhost_and_allowed_names_are_answered(open_emulator: Emulator,
                                                            host: str) -> None:
    answer = _raw(open_emulator.port, f"GET /_emulator/health HTTP/1.1\r\nHost: {host}\r\n"
                                      "Connection: close\r\n\r\n".encode())
    assert answer.startswith(b"HTTP/1.1 200"), answer[:80]


def test_a_request_without_host_is_not_from_a_browser(open_emulator: Emulator) -> None:
    answer = _raw(open_emulator.port, b"GET /_emulator/health HTTP/1.0\r\n\r\n")
    assert answer.split(b"\r\n")[0].endswith(b" 200 OK")


def test_a_non_loopback_bind_needs_strict_auth() -> None:
    assert is_loopback_bind("127.0.0.1") and is_loopback_bind("::1")
    assert is_loopback_bind("localhost") and not is_loopback_bind("0.0.0.0")
    assert not is_loopback_bind("192.168.1.10") and not is_loopback_bind("::")
    with pytest.raises(ValueError, match="needs strict auth"):
        Emulator("0.0.0.0", require_auth=False)  # refused before anything is bound


def test_the_cli_refuses_an_open_non_loopback_bind(capsys: pytest.CaptureFixture[str]) -> None:
    from vdsl import cli

    assert cli.main(["emulator", "--host", "0.0.0.0", "--port", "0"]) == 2
    assert "needs strict auth (--strict-auth)" in capsys.readouterr().err


def test_the_cli_warns_loudly_when_exposed() -> None:
    class Shown:
        url = "http://0.0.0.0:8790"
        app = argparse.Namespace(fixtures=[])

    args = argparse.Namespace(host="0.0.0.0", strict_auth=True, fixtures=None)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        _announce(Shown(), args)  # type: ignore[arg-type]
    assert err.getvalue().startswith("WARNING: the emulator is bound to 0.0.0.0, not loopback")
    args.host = "127.0.0.1"
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        _announce(Shown(), args)  # type: ignore[arg-type]
    assert err.getvalue() == ""


def test_host_check_parsing() -> None:
    check = HostCheck(["Box.Local."])
    assert check.allows(None) and check.allows("box.local:99") and check.allows("[fe80::1]:1")
    assert not check.allows("box.local:port") and not check.allows("[::1]junk")
