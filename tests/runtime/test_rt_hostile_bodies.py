"""A server (a proxy behind `base_url`, a broken gateway) that answers with JSON nested past
Python's stack: every path that reads it gives a vdsl error, never a RecursionError."""

from __future__ import annotations

import asyncio
import http.server
import threading
from collections.abc import Iterator

import pytest

import vdsl
from vdsl.runtime import Runtime, StaticToken

DEEP = b"[" * 100_000 + b"]" * 100_000
SOURCE = """
client<llm> Flash {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id p
  }
}
client<llm> Claude {
  provider vertex-ai
  options {
    model "claude-sonnet-4-5@20250929"
    location us-east5
    project_id p
  }
}
client<llm> Llama {
  provider vertex-ai
  options {
    model meta/llama-3.3-70b-instruct-maas
    location us-central1
    project_id p
  }
}
function G(x: string) -> string {
  client Flash
  prompt #"{{ x }}"#
}
function C(x: string) -> string {
  client Claude
  prompt #"{{ x }}"#
}
function L(x: string) -> string {
  client Llama
  prompt #"{{ x }}"#
}
"""


class _Deep(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        stream = "stream" in self.path.lower() or "alt=sse" in self.path
        status = 500 if "x-fail" in self.headers else 200
        body = b"data: " + DEEP + b"\n\n" if stream and status == 200 else DEEP
        self.send_response(status)
        self.send_header("Content-Type", "text/event-stream" if stream else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def runtime() -> Iterator[Runtime]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Deep)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    rt = Runtime(vdsl.loads(SOURCE), env={}, endpoint=f"http://127.0.0.1:{server.server_address[1]}",
                 auth=StaticToken("token"))
    yield rt
    rt.close()
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("function", ["G", "C", "L"])
def test_a_deeply_nested_body_is_a_vdsl_error_on_every_path(runtime: Runtime,
                                                            function: str) -> None:
    with pytest.raises(vdsl.VdslError):
        runtime.call(function, {"x": "hi"})
    with pytest.raises(vdsl.VdslError):
        list(runtime.stream(function, {"x": "hi"}))
    with pytest.raises(vdsl.VdslError):
        runtime.call(function, {"x": "hi"}, headers={"x-fail": "1"})
    with pytest.raises(vdsl.VdslError):
        asyncio.run(runtime.acall(function, {"x": "hi"}))
