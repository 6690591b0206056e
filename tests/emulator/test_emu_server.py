"""The server: bad input, the request log, keep-alive, concurrency, clean shutdown."""

from __future__ import annotations

import socket
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from emu_helpers import gemini_body, gemini_path

from vdsl.emulator import Emulator


def test_malformed_json_then_keeps_serving(client: httpx.Client) -> None:
    bad = client.post(gemini_path(), content=b'{"contents": [',
                      headers={"content-type": "application/json"})
    assert bad.status_code == 400
    assert bad.json()["error"]["message"].startswith("Invalid JSON payload received.")
    assert client.post(gemini_path(), json=gemini_body()).status_code == 200


def test_wrong_content_type(client: httpx.Client) -> None:
    form = client.post(gemini_path(), content=b'{"contents": []}',
                       headers={"content-type": "application/x-www-form-urlencoded"})
    assert form.status_code == 400 and "Cannot bind query parameter" in form.text
    text = client.post(gemini_path(), content=b"hello", headers={"content-type": "text/plain"})
    assert text.status_code == 400 and text.json()["error"]["status"] == "INVALID_ARGUMENT"


def test_huge_body_gets_413_and_server_keeps_serving() -> None:
    with Emulator(require_auth=False, max_body_bytes=1024) as emu, httpx.Client() as http:
        big = http.post(emu.url + gemini_path(), json=gemini_body("x" * 5000))
        assert big.status_code == 413
        assert "exceeds the limit: 1024 bytes" in big.json()["error"]["message"]
        assert http.post(emu.url + gemini_path(), json=gemini_body()).status_code == 200


WRONG_VERSION = ("/v2/projects/p/locations/l/publishers/google/models/"
                 "gemini-2.5-flash:generateContent")


@pytest.mark.parametrize("path", ["/v1/nowhere", WRONG_VERSION])
def test_unknown_paths_are_vertex_404s(client: httpx.Client, path: str) -> None:
    reply = client.post(path, json={})
    assert reply.status_code == 404 and reply.json()["error"]["status"] == "NOT_FOUND"


def test_wrong_method(client: httpx.Client) -> None:
    reply = client.get(gemini_path())
    assert reply.status_code == 404 and reply.json()["error"]["message"] == "Method not found."


def test_request_log_in_process_and_over_http(client: httpx.Client, emulator: Emulator,
                                              token: str) -> None:
    client.post(gemini_path() + "?alt=json", json=gemini_body("logged"))
    [entry] = emulator.requests
    assert entry.method == "POST" and entry.path == gemini_path()
    assert entry.query == {"alt": ["json"]} and entry.status == 200
    assert entry.headers["authorization"] == "<redacted>"
    assert entry.body["contents"][0]["parts"][0]["text"] == "logged"
    dumped = client.get("/_emulator/requests")
    assert token not in dumped.text
    assert dumped.json()[0]["body"] == entry.body
    client.delete("/_emulator/requests")
    assert emulator.requests == []


def test_keep_alive_serves_many_requests_on_one_connection(emulator: Emulator, token: str) -> None:
    request = (f"POST {gemini_path()} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
               f"Authorization: Bearer {token}\r\n"
               "Content-Type: application/json\r\nContent-Length: {n}\r\n\r\n{body}")
    body = '{"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}'
    with socket.create_connection(("127.0.0.1", emulator.port)) as sock:
        for _ in range(3):
            sock.sendall(request.format(n=len(body), body=body).encode())
            head = b""
            while b"\r\n\r\n" not in head:
                head += sock.recv(65536)
            assert head.startswith(b"HTTP/1.1 200")
            headers, _, rest = head.partition(b"\r\n\r\n")
            length = int(next(line.split(b":")[1] for line in headers.split(b"\r\n")
                              if line.lower().startswith(b"content-length")))
            while len(rest) < length:
                rest += sock.recv(65536)
    assert len(emulator.requests) == 3


def test_concurrent_clients(emulator: Emulator, token: str) -> None:
    def worker(_: int) -> list[int]:
        with httpx.Client(base_url=emulator.url,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            return [http.post(gemini_path(), json=gemini_body()).status_code for _ in range(10)]

    with ThreadPoolExecutor(32) as pool:
        statuses = [s for batch in pool.map(worker, range(32)) for s in batch]
    assert statuses == [200] * 320


def test_stop_closes_idle_connections_and_frees_the_port() -> None:
    emu = Emulator(require_auth=False).start()
    port = emu.port
    http = httpx.Client(base_url=emu.url)
    assert http.post(gemini_path(), json=gemini_body()).status_code == 200
    emu.stop()
    with pytest.raises(httpx.TransportError):
        http.post(gemini_path(), json=gemini_body())
    http.close()
    with Emulator(port=port, require_auth=False) as again:
        assert again.port == port


def test_env_points_vdsl_and_metadata_here(emulator: Emulator) -> None:
    env = emulator.env()
    assert env["VDSL_VERTEX_ENDPOINT"] == emulator.url
    assert env["GCE_METADATA_HOST"] == f"127.0.0.1:{emulator.port}"
