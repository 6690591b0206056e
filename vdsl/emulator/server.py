"""The socket side: a threaded HTTP/1.1 server on 127.0.0.1 (`Emulator` wraps it in-process).

Why the stdlib server and not ASGI: fault injection needs the raw socket (an RST via
SO_LINGER 0 in the middle of a body, a stream that stops before its last chunk, a pause
between chunks), which ASGI servers deliberately hide. A thread per keep-alive connection
sustains the benchmarks' concurrency (see bench/emulator.py) with no extra dependency.

Malformed HTTP (a Content-Length that is not a number, broken chunked framing, both framings
at once) gets a 400 and the connection is closed; a Host header that is not an address,
`localhost` or an allowed name gets a 403 (`hosts.py`: DNS rebinding).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from . import errors
from .app import App, parse_body
from .faults import Fault
from .hosts import HostCheck
from .reply import Reply, Request

__all__ = ["MAX_BODY_BYTES", "EmulatorServer"]

MAX_BODY_BYTES = 32 * 1024 * 1024
"""Default request-body cap; larger bodies get a 413 and the connection is closed."""


class EmulatorServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that remembers its open connections so `stop()` can close them."""

    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 512

    def __init__(self, address: tuple[str, int], app: App,
                 max_body_bytes: int = MAX_BODY_BYTES,
                 host_check: HostCheck | None = None) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.host_check = host_check or HostCheck()
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[socket.socket, Any]:
        sock, address = super().get_request()
        with self._open_lock:
            self._open.add(sock)
        return sock, address

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a closed stream, a cancelled call) is normal, not an error
        worth a traceback; anything else is still reported."""
        import sys
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def close_connections(self) -> None:
        """Wake every handler blocked on an idle keep-alive connection so it exits."""
        with self._open_lock:
            open_now = list(self._open)
        for sock in open_now:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


_MAX_LINE = 8192


class _BadFraming(Exception):
    """The request's body framing cannot be read; the message says why."""


def _content_length(values: list[str]) -> int | None:
    """The Content-Length, or None without one; _BadFraming for anything but one number
    (repeated equal values are allowed, as RFC 9110 permits)."""
    if not values:
        return None
    distinct = {v.strip() for v in values}
    if len(distinct) != 1 or not next(iter(distinct)).isdigit():
        raise _BadFraming(f"Content-Length {', '.join(values)!r} is not one whole number")
    return int(next(iter(distinct)))


def _chunk_size(line: bytes) -> int:
    size = line.split(b";", 1)[0].strip()
    if not line.endswith(b"\n") or not size or len(size) > 16 or any(
            c not in b"0123456789abcdefABCDEF" for c in size):
        raise _BadFraming(f"bad chunk size line {line[:40]!r}")
    return int(size, 16)


class _Handler(BaseHTTPRequestHandler):
    """Parse → App.handle → write, applying the transport faults while writing."""

    protocol_version = "HTTP/1.1"
    server_version = "scaffolding on HTTPServer2"
    sys_version = ""
    disable_nagle_algorithm = True
    timeout = 300
    server: EmulatorServer

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is the record (and it redacts secrets)."""

    def _serve(self) -> None:
        if not self.server.host_check.allows(self.headers.get("host")):
            self._refuse(403, f"Host `{self.headers.get('host')}` is not allowed; the emulator "
                         "answers IP addresses and localhost (start it with --allow-host "
                         "NAME to add a name)")
            return
        try:
            request = self._read_request()
        except _BadFraming as problem:
            self._refuse(400, f"Malformed HTTP request: {problem}")
            return
        if request is None:
            return
        try:
            reply, fault = self.server.app.handle(request)
        except Exception as exc:  # noqa: BLE001 - a bug must not kill the server; answer 500
            reply, fault = errors.google_error(500, f"Internal error encountered: {exc!r}"), Fault()
        self._write(reply, fault)

    def _read_request(self) -> Request | None:
        path, _, query = self.path.partition("?")
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = _content_length(self.headers.get_all("content-length") or [])
        encoding = headers.get("transfer-encoding", "").strip().lower()
        if encoding and (encoding != "chunked" or length is not None):
            raise _BadFraming("Transfer-Encoding must be `chunked`, without a Content-Length")
        if (length or 0) > self.server.max_body_bytes:
            self._too_large(length or 0)
            return None
        if encoding:
            body = self._read_chunked()
            if body is None:
                return None
        else:
            body = self.rfile.read(length) if length else b""
        parsed, error = parse_body(body) if "json" in headers.get("content-type", "json") \
            else (None, None)
        return Request(method=self.command, path=path, query_string=query, headers=headers,
                       body=body, json=parsed, json_error=error)

    def _read_chunked(self) -> bytes | None:
        parts: list[bytes] = []
        total = 0
        while True:
            size = _chunk_size(self.rfile.readline(_MAX_LINE + 1))
            total += size
            if total > self.server.max_body_bytes:
                self._too_large(total)
                return None
            if size == 0:
                self._skip_trailers()
                return b"".join(parts)
            data = self.rfile.read(size)
            if len(data) < size or self.rfile.readline(_MAX_LINE + 1) not in (b"\r\n", b"\n"):
                raise _BadFraming("a chunk is shorter than its size, or not followed by CRLF")
            parts.append(data)

    def _skip_trailers(self) -> None:
        for _ in range(100):
            line = self.rfile.readline(_MAX_LINE + 1)
            if line in (b"\r\n", b"\n", b""):
                return
        raise _BadFraming("too many trailer lines")

    def _refuse(self, status: int, message: str) -> None:
        """Answer `status` and close: what follows on the connection cannot be trusted."""
        reply = errors.google_error(status, message)
        reply.close = True
        self.close_connection = True
        self._write(reply, Fault())

    def _too_large(self, length: int) -> None:
        """413, after draining what the client sends so it can read the reply (no RST)."""
        self._discard(length)
        limit = self.server.max_body_bytes
        reply = errors.google_error(413, f"Request payload size exceeds the limit: {limit} bytes.")
        reply.close = True
        self._write(reply, Fault())

    def _discard(self, length: int) -> None:
        if self.headers.get("transfer-encoding", "").lower() == "chunked":
            return
        remaining = min(length, 8 * self.server.max_body_bytes)
        self.connection.settimeout(5)
        try:
            while remaining > 0:
                data = self.rfile.read(min(remaining, 1 << 20))
                if not data:
                    break
                remaining -= len(data)
        except OSError:
            pass

    # --- writing -----------------------------------------------------------------------

    def _write(self, reply: Reply, fault: Fault) -> None:
        if fault.delay > 0:
            time.sleep(fault.delay)
        if fault.retry_after is not None:
            value = fault.retry_after
            reply.headers["Retry-After"] = str(int(value) if value == int(value) else value)
        if reply.close:
            self.close_connection = True
        try:
            if reply.is_stream:
                self._write_stream(reply, fault)
            else:
                self._write_body(reply, fault)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _start(self, reply: Reply, extra: dict[str, str]) -> None:
        self.send_response(reply.status)
        for name, value in {**reply.headers, **extra}.items():
            self.send_header(name, value)
        if reply.close:
            self.send_header("Connection", "close")

    def _write_body(self, reply: Reply, fault: Fault) -> None:
        body = b"" if self.command == "HEAD" else reply.body
        self._start(reply, {"Content-Length": str(len(reply.body))})
        if fault.reset is None:
            # One send for headers and body: fewer packets, more requests per second.
            self._headers_buffer.append(b"\r\n" + body)  # type: ignore[attr-defined]
            self.flush_headers()
            return
        self.end_headers()
        cut = len(body) // 2 if fault.reset < 0 else fault.reset
        self.wfile.write(body[:cut])
        self._reset()

    def _write_stream(self, reply: Reply, fault: Fault) -> None:
        self._start(reply, {"Transfer-Encoding": "chunked"})
        self.end_headers()
        reset_at = None if fault.reset is None else (1 if fault.reset < 0 else fault.reset)
        for index, event in enumerate(reply.events or []):
            if index == reset_at:
                self._reset()
                return
            if index and fault.chunk_delay > 0:
                time.sleep(fault.chunk_delay)
            self._chunk(event)
        if reset_at is not None:
            self._reset()
            return
        if reply.stream_tail:
            self._chunk(reply.stream_tail)
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))

    def _reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), as a dying proxy does."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                       struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

