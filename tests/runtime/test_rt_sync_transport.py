"""The sync path's transport (httpx's API on `http.client`, `stdlib_http.py`): the same bytes on
the wire as httpx's own transport, replies read as httpx reads them (chunked, compressed,
streamed), kept-alive connections reused only while the server keeps them, and every failure
the httpx exception httpcore raises for it. A scripted server on a loopback socket answers."""

from __future__ import annotations

import gzip
import socket
import threading
from collections.abc import Callable, Iterator

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vdsl.runtime.stdlib_http import StdlibTransport
from vdsl.runtime.transport import Pool

Reply = Callable[[bytes], bytes | None]
"""The request's bytes → the bytes to answer (None: hang up without answering)."""

OK = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"
TIMEOUT = httpx.Timeout(5.0)


class Scripted:
    """A loopback HTTP/1.1 server: records each request's bytes, answers with `reply`, and
    closes a connection after `serve_per_connection` requests."""

    def __init__(self, reply: Reply = lambda _: OK, serve_per_connection: int = 1000) -> None:
        self.reply, self.per_connection = reply, serve_per_connection
        self.requests: list[bytes] = []
        self.connections = 0
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/v1/x:call?alt=sse"
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            buffer = b""
            for _ in range(self.per_connection):
                request, buffer = _read_request(conn, buffer)
                if request is None:
                    return
                self.requests.append(request)
                answer = self.reply(request)
                if answer is None:
                    return
                conn.sendall(answer)

    def close(self) -> None:
        self._listener.close()


def _read_request(conn: socket.socket, buffer: bytes) -> tuple[bytes | None, bytes]:
    while b"\r\n\r\n" not in buffer:
        data = conn.recv(65536)
        if not data:
            return None, b""
        buffer += data
    head, _, rest = buffer.partition(b"\r\n\r\n")
    length = next((int(line.split(b":", 1)[1]) for line in head.split(b"\r\n")
                   if line.lower().startswith(b"content-length:")), 0)
    while len(rest) < length:
        rest += conn.recv(65536)
    return head + b"\r\n\r\n" + rest[:length], rest[length:]


@pytest.fixture
def server() -> Iterator[Callable[..., Scripted]]:
    made: list[Scripted] = []

    def make(reply: Reply = lambda _: OK, serve_per_connection: int = 1000) -> Scripted:
        made.append(Scripted(reply, serve_per_connection))
        return made[-1]
    yield make
    for scripted in made:
        scripted.close()


HEADER_NAME = st.from_regex(r"x-[a-z0-9]{1,8}(-[a-z0-9]{1,8})?", fullmatch=True)
HEADER_VALUE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=30) \
    .map(str.strip)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(headers=st.dictionaries(HEADER_NAME, HEADER_VALUE, max_size=4),
       content=st.binary(min_size=1, max_size=200))
def test_a_post_puts_the_same_bytes_on_the_wire_as_httpx(headers, content) -> None:
    recorder = Scripted()
    pool = Pool()
    sent = {"content-type": "application/json", **headers}
    try:
        with httpx.Client(transport=httpx.HTTPTransport(), trust_env=False) as client:
            client.post(recorder.url, headers=sent, content=content)  # httpcore's bytes
        pool.post(recorder.url, sent, content, TIMEOUT)
        pool.sync().post(recorder.url, headers=sent, content=content)
    finally:
        pool.close()
        recorder.close()
    expected, ours, through_client = recorder.requests
    assert ours == expected
    assert through_client == expected


def test_non_ascii_header_values_go_out_as_utf8(server) -> None:
    scripted = server()
    pool = Pool()
    pool.post(scripted.url, {"x-note": "grüße"}, b"{}", TIMEOUT)
    pool.close()
    assert b"x-note: gr\xc3\xbc\xc3\x9fe\r\n" in scripted.requests[0]


def test_kept_alive_connections_are_reused(server) -> None:
    scripted = server()
    pool = Pool()
    for _ in range(5):
        assert pool.post(scripted.url, {}, b"{}", TIMEOUT).json() == {}
    pool.close()
    assert scripted.connections == 1


def test_a_connection_the_server_closed_while_idle_is_not_used(server) -> None:
    scripted = server(serve_per_connection=1)  # answers, then hangs up without saying so
    pool = Pool()
    for _ in range(3):
        assert pool.post(scripted.url, {}, b"{}", TIMEOUT).status_code == 200
    pool.close()
    assert scripted.connections == 3


def test_a_reused_connection_hung_up_before_any_reply_is_sent_again_once(server) -> None:
    answers = iter([OK, None, OK])  # the server drops the second request it reads
    scripted = server(lambda _: next(answers))
    pool = Pool()
    assert pool.post(scripted.url, {}, b"{}", TIMEOUT).status_code == 200
    assert pool.post(scripted.url, {}, b"{}", TIMEOUT).status_code == 200  # again, fresh
    pool.close()
    assert (len(scripted.requests), scripted.connections) == (3, 2)


def test_a_fresh_connection_hung_up_is_an_error_and_not_sent_again(server) -> None:
    scripted = server(lambda _: None)
    pool = Pool()
    with pytest.raises(httpx.RemoteProtocolError):
        pool.post(scripted.url, {}, b"{}", TIMEOUT)
    pool.close()
    assert len(scripted.requests) == 1


def test_a_connection_close_reply_is_not_kept(server) -> None:
    scripted = server(lambda _: OK.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n", 1))
    pool = Pool()
    for _ in range(2):
        assert pool.post(scripted.url, {}, b"{}", TIMEOUT).json() == {}
    pool.close()
    assert scripted.connections == 2


def _chunked(*parts: bytes, headers: bytes = b"") -> bytes:
    body = b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in parts) + b"0\r\n\r\n"
    return b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n" + headers + b"\r\n" + body


def test_chunked_and_compressed_replies_are_decoded(server) -> None:
    packed = gzip.compress(b'{"answer": 42}')
    scripted = server(lambda _: _chunked(packed[:5], packed[5:],
                                         headers=b"Content-Encoding: gzip\r\n"))
    pool = Pool()
    assert pool.post(scripted.url, {}, b"{}", TIMEOUT).json() == {"answer": 42}
    with pool.sync().stream("POST", scripted.url, content=b"{}") as response:
        assert response.read() == b'{"answer": 42}'
    pool.close()


def test_a_stream_arrives_in_chunks_and_closing_it_early_drops_the_connection(server) -> None:
    scripted = server(lambda _: _chunked(b"data: one\n\n", b"data: two\n\n"))
    pool = Pool()
    transport = pool.sync()._transport  # type: ignore[attr-defined]
    with pool.sync().stream("POST", scripted.url, content=b"{}") as response:
        assert next(response.iter_lines()) == "data: one"
        assert transport.in_use == 1
    assert transport.in_use == 0
    with pool.sync().stream("POST", scripted.url, content=b"{}") as response:
        assert list(response.iter_lines()) == ["data: one", "", "data: two", ""]
    assert pool.post(scripted.url, {}, b"{}", TIMEOUT).status_code == 200
    pool.close()
    assert scripted.connections == 2  # the half-read one was not handed on


@pytest.mark.parametrize(("reply", "kind", "words"), [
    (lambda _: None, httpx.RemoteProtocolError, "without sending a response"),
    (lambda _: b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}", httpx.RemoteProtocolError,
     "received 2 bytes, expected 8"),
    (lambda _: b"garbage\r\n\r\n", httpx.RemoteProtocolError, "garbage"),
    (lambda _: b"HTTP/1.1 200 OK\r\n" + b"X: y\r\n" * 200 + b"\r\n", httpx.RemoteProtocolError,
     "headers"),
])
def test_broken_replies_are_httpx_protocol_errors(server, reply, kind, words) -> None:
    scripted = server(reply, serve_per_connection=1)
    pool = Pool()
    with pytest.raises(kind, match=words):
        pool.post(scripted.url, {}, b"{}", TIMEOUT)
    assert pool.sync()._transport.in_use == 0  # type: ignore[attr-defined]
    pool.close()


def test_a_silent_server_is_a_read_timeout(server) -> None:
    hang = threading.Event()
    scripted = server(lambda _: hang.wait(5) and None)
    pool = Pool()
    with pytest.raises(httpx.ReadTimeout):
        pool.post(scripted.url, {}, b"{}", httpx.Timeout(0.2))
    hang.set()
    pool.close()


def test_a_refused_connection_is_a_connect_error() -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]  # closed again below: nothing listens there
    pool = Pool()
    with pytest.raises(httpx.ConnectError, match="refused"):
        pool.post(f"http://127.0.0.1:{port}/v1/x", {}, b"{}", TIMEOUT)
    pool.close()


def test_other_schemes_are_refused() -> None:
    transport = StdlibTransport(httpx.Limits())
    with pytest.raises(httpx.UnsupportedProtocol):
        transport.handle_request(httpx.Request("GET", "ftp://127.0.0.1/x"))
