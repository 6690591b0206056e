"""Media downloads connect only where the policy allows, after resolution and after every
redirect, to the address that was checked; they stop at one deadline and one size cap.

No test here opens a connection to anything but loopback: every `connect` in this module is
watched, and one to another address fails the test before the socket is used. Names are
resolved by stubs (`internal.test` → 10.0.0.1), never by DNS.
"""

from __future__ import annotations

import base64
import contextlib
import http.server
import ipaddress
import re
import socket
import threading
import time
from collections.abc import Iterator
from typing import ClassVar

import pytest

import vdsl
from vdsl.errors import ConfigError, MediaError
from vdsl.runtime import MediaPolicy, Runtime, StaticToken
from vdsl.runtime.fetcher import MediaFetcher
from vdsl.runtime.netpolicy import refusal

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhg"
                       "GAWjR9awAAAABJRU5ErkJggg==")


@pytest.fixture(autouse=True)
def connections(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every address this test connects to; anything but loopback fails at once, unsent."""
    seen: list[str] = []
    original = socket.socket.connect

    def connect(self: socket.socket, address: object) -> None:
        host = str(address[0]) if isinstance(address, tuple) else str(address)
        seen.append(host)
        assert ipaddress.ip_address(host.split("%")[0]).is_loopback, f"connect to {host}"
        original(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", connect)
    return seen


class _Files(http.server.BaseHTTPRequestHandler):
    redirects: ClassVar[dict[str, str]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        if self.path in self.redirects:
            self.send_response(302)
            self.send_header("Location", self.redirects[self.path])
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif self.path == "/slow.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", "100")
            self.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(100):  # one byte every 0.2 s: 20 s in all
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    self.server.sent += 1  # type: ignore[attr-defined]
                    time.sleep(0.2)
        elif self.path == "/gzip.png":
            self._send(200, PNG, {"Content-Encoding": "gzip"})
        elif self.path.startswith("/big"):
            self._send(200, b"\0" * 5000)
        else:
            self._send(200, PNG)

    def _send(self, status: int, body: bytes, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "image/png")
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@contextlib.contextmanager
def _server(host: str = "127.0.0.1", redirects: dict[str, str] | None = None
            ) -> Iterator[tuple[str, list[str], http.server.ThreadingHTTPServer]]:
    handler = type("Files", (_Files,), {"redirects": redirects or {}, "hits": []})
    server = http.server.ThreadingHTTPServer((host, 0), handler)
    server.sent = 0  # type: ignore[attr-defined]
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}", handler.hits, server
    finally:
        server.shutdown()
        server.server_close()


def _stub(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def resolve(host: str, port: int) -> list[str]:
        if host not in table:
            raise OSError(-2, "Name or service not known (test stub)")
        return table[host]
    return resolve


# ---- the address policy (no sockets) --------------------------------------------------------

@pytest.mark.parametrize(("host", "reason"), [
    ("127.0.0.1", "loopback"), ("2130706433", "loopback"), ("0x7f.1", "loopback"),
    ("0177.0.0.1", "loopback"), ("127.1", "loopback"), ("[::1]", "loopback"),
    ("[::ffff:127.0.0.1]", "loopback (IPv4 127.0.0.1 inside IPv6)"),
    ("0.0.0.0", "unspecified"), ("[::]", "unspecified"), ("0", "unspecified"),
    ("169.254.169.254", "link-local"), ("[fe80::1]", "link-local"),
    ("10.0.0.1", "private"), ("172.16.5.4", "private"), ("192.168.1.1", "private"),
    ("[fc00::1]", "private"), ("[fd12:3456::1]", "private"), ("100.64.0.1", "non-public"),
    ("224.0.0.1", "multicast"), ("[ff02::1]", "multicast"), ("240.0.0.1", "reserved"),
    ("[2002:a00:1::]", "private (IPv4 10.0.0.1 inside IPv6)"),
    ("[64:ff9b::a9fe:a9fe]", "link-local"), ("[::ffff:169.254.169.254]", "link-local"),
    ("0xa9fea9fe", "link-local"),
])
def test_forbidden_addresses_in_any_notation(host: str, reason: str) -> None:
    with pytest.raises(MediaError, match=re.escape(f"is a {reason}")):
        MediaPolicy(resolver=_stub({})).addresses(host, 80)


def test_public_addresses_pass() -> None:
    policy = MediaPolicy(resolver=_stub({"cdn.example": ["93.184.215.14", "2606:2800:21f::1"]}))
    assert [str(a) for a in policy.addresses("cdn.example", 443)] == [
        "93.184.215.14", "2606:2800:21f::1"]
    assert refusal(ipaddress.ip_address("8.8.8.8")) is None


def test_a_name_with_one_forbidden_address_is_refused_whole() -> None:
    policy = MediaPolicy(resolver=_stub({"mixed.test": ["93.184.215.14", "10.0.0.1"]}))
    with pytest.raises(MediaError, match=r"mixed.test \(10.0.0.1\) is a private address"):
        policy.addresses("mixed.test", 80)


def test_opt_ins() -> None:
    assert MediaPolicy(allow=("loopback",)).addresses("127.0.0.1", 80)
    assert MediaPolicy(allow=("private",)).addresses("[fc00::1]", 80)
    assert MediaPolicy(allow=("10.1.0.0/16",)).addresses("10.1.2.3", 80)
    with pytest.raises(MediaError):
        MediaPolicy(allow=("10.1.0.0/16",)).addresses("10.2.0.1", 80)
    assert MediaPolicy.from_env({"VDSL_MEDIA_ALLOW": " loopback , 10.1.0.0/16"}).allow == (
        "loopback", "10.1.0.0/16")
    with pytest.raises(ConfigError, match="VDSL_MEDIA_ALLOW"):
        MediaPolicy.from_env({"VDSL_MEDIA_ALLOW": "intranet"})


# ---- downloads over loopback sockets ---------------------------------------------------------

def test_a_name_resolving_to_a_private_address_is_never_connected(connections: list[str]
                                                                   ) -> None:
    fetcher = MediaFetcher(MediaPolicy(resolver=_stub({"internal.test": ["10.0.0.1"]})))
    with pytest.raises(MediaError, match="internal.test \\(10.0.0.1\\) is a private address"):
        fetcher.fetch("http://internal.test/secret.txt")
    assert connections == []


def test_loopback_is_refused_unless_allowed(connections: list[str]) -> None:
    with _server() as (url, hits, _):
        with pytest.raises(MediaError, match="127.0.0.1 is a loopback address"):
            MediaFetcher().fetch(f"{url}/cat.png")
        assert connections == [] and hits == []
        data, media_type = MediaFetcher(MediaPolicy(allow=("loopback",))).fetch(f"{url}/c.png")
    assert (data, media_type) == (PNG, "image/png")


def test_every_redirect_is_checked(connections: list[str]) -> None:
    """A server we may reach (127.0.0.2) redirects to ones we may not: the loopback server on
    127.0.0.1 (in three spellings), a private name, the metadata server."""
    with _server("127.0.0.1") as (inner, inner_hits, _):
        port = inner.rsplit(":", 1)[1]
        targets = {"/a": f"{inner}/secret", "/b": f"http://2130706433:{port}/secret",
                   "/c": f"http://[::ffff:127.0.0.1]:{port}/secret",
                   "/d": "http://internal.test/secret",
                   "/e": "http://169.254.169.254/computeMetadata/v1/"}
        with _server("127.0.0.2", {**targets, "/hop": "/a"}) as (outer, outer_hits, _):
            policy = MediaPolicy(allow=("127.0.0.2/32",),
                                 resolver=_stub({"internal.test": ["10.0.0.1"]}))
            fetcher = MediaFetcher(policy)
            for path in (*targets, "/hop"):
                with pytest.raises(MediaError, match="media download refused"):
                    fetcher.fetch(f"{outer}{path}")
            assert outer_hits == [*targets, "/hop", "/a"]
    assert inner_hits == []
    assert set(connections) == {"127.0.0.2"}


def test_the_checked_address_is_the_one_connected(connections: list[str]) -> None:
    """DNS rebinding: the name answers 127.0.0.1 when checked, 10.0.0.1 afterwards; the
    download goes to 127.0.0.1 and the second answer is never used."""
    with _server() as (url, hits, _):
        answers = iter([["127.0.0.1"], ["10.0.0.1"], ["10.0.0.1"]])
        policy = MediaPolicy(allow=("loopback",), resolver=lambda host, port: next(answers))
        port = url.rsplit(":", 1)[1]
        data, _ = MediaFetcher(policy).fetch(f"http://rebind.test:{port}/cat.png")
    assert data == PNG and hits == ["/cat.png"] and connections == ["127.0.0.1"]


def test_a_slow_server_is_cut_off_at_the_total_deadline() -> None:
    with _server() as (url, _, server):
        fetcher = MediaFetcher(MediaPolicy(allow=("loopback",), timeout_s=1.0))
        with pytest.raises(MediaError, match="did not arrive within 1 s"):
            fetcher.fetch(f"{url}/slow.png")
        fetcher.close()
        time.sleep(0.5)
        sent = server.sent  # type: ignore[attr-defined]
    assert sent < 15  # of 100 bytes: each read ended by the deadline, not by its own timeout


def test_size_cap_compression_and_scheme() -> None:
    with _server() as (url, _, _):
        fetcher = MediaFetcher(MediaPolicy(allow=("loopback",), max_bytes=4096))
        with pytest.raises(MediaError, match="larger than 4,096 bytes"):
            fetcher.fetch(f"{url}/big?sig=SECRET")
        with pytest.raises(MediaError, match=r"compressed \(Content-Encoding: gzip\)"):
            fetcher.fetch(f"{url}/gzip.png")
        with pytest.raises(MediaError, match="URL scheme is not allowed"):
            fetcher.fetch("file:///etc/passwd")


def test_messages_never_show_a_query_string_or_user_info() -> None:
    fetcher = MediaFetcher(MediaPolicy(resolver=_stub({"internal.test": ["10.0.0.1"]})))
    with pytest.raises(MediaError) as caught:
        fetcher.fetch("http://user:hunter2@127.0.0.1:1/x.png?X-Goog-Signature=abc123")
    with _server() as (url, _, _), pytest.raises(MediaError) as capped:
        MediaFetcher(MediaPolicy(allow=("loopback",), max_bytes=10)).fetch(
            f"{url}/big.png?X-Goog-Signature=abc123")
    for error in (caught.value, capped.value):
        assert "abc123" not in str(error) and "hunter2" not in str(error)
    assert "/big.png?…" in str(capped.value)


# ---- the runtime: refused by default, opted in by the policy or `vdsl run --emulator` --------

CLAUDE = """
client<llm> Sonnet {
  provider vertex-ai
  options {
    model "claude-sonnet-4@20250514"
    location us-east5
    project_id test-project
  }
}
function See(photo: image) -> string {
  client Sonnet
  prompt #"What is this? {{ photo }}"#
}
"""


def test_the_runtime_refuses_loopback_media_by_default(emulator, connections) -> None:  # type: ignore[no-untyped-def]
    with _server() as (url, hits, _):
        runtime = Runtime(vdsl.loads(CLAUDE), env={}, endpoint=emulator.url,
                          auth=StaticToken(emulator.issue_token()))
        with pytest.raises(MediaError, match="loopback address"):
            runtime.call("See", {"photo": {"url": f"{url}/cat.png"}})
        runtime.close()
    assert hits == [] and emulator.requests == []


def test_vdsl_run_with_the_emulator_allows_loopback_media(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    from vdsl import cli

    (tmp_path / "main.vdsl").write_text(CLAUDE)
    with _server() as (url, hits, _):
        code = cli.main(["run", str(tmp_path), "See", "--emulator", "--args",
                         '{"photo": {"url": "' + url + '/cat.png"}}'])
    assert code == 0, capsys.readouterr().err
    assert hits == ["/cat.png"]
