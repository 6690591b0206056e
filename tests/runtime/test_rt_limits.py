"""Timeouts, media downloads and secrets: the runtime's edges, over real loopback sockets."""

from __future__ import annotations

import base64
import http.server
import json
import logging
import threading
from collections.abc import Iterator

import pytest

from vdsl.errors import MediaError, TimeoutError, VertexError

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")

SAY = """
client<llm> Flash {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id test-project
    http { request_timeout_ms 300, idle_timeout_ms 300 }
  }
}
function Say(text: string) -> string {
  client Flash
  prompt #"{{ text }}"#
}
function Look(photo: image) -> string {
  client Flash
  prompt #"Describe {{ photo }}"#
}
"""


class _Files(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/cat.png":
            self._send(200, "image/png", PNG)
        elif self.path == "/unlabelled":
            self._send(200, "application/octet-stream", PNG)
        elif self.path == "/to-file":
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._send(404, "text/plain", b"no")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def files() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Files)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_request_timeout(make_runtime):
    with pytest.raises(TimeoutError) as caught:
        make_runtime(SAY).call("Say", {"text": "x"}, headers={"x-vdsl-fault": "delay=2"})
    assert caught.value.timeout == "request_timeout_ms"


def test_an_idle_limit_alone_is_named_in_the_error(make_runtime):
    source = SAY.replace("http { request_timeout_ms 300, idle_timeout_ms 300 }",
                         "http { idle_timeout_ms 300 }")
    with pytest.raises(TimeoutError) as caught:
        make_runtime(source).call("Say", {"text": "x"}, headers={"x-vdsl-fault": "delay=2"})
    assert caught.value.timeout == "idle_timeout_ms"


@pytest.mark.parametrize(("http", "expected"), [
    ("", (30_000, None, None, 900_000)),  # never wait forever by default
    ("http { connect_timeout_ms 0, idle_timeout_ms 0 }", (None, None, None, None)),  # 0: none
    ("http { request_timeout_ms 5000 }", (30_000, 5_000, None, 900_000)),
    ("http { connect_timeout_ms 1000, time_to_first_token_timeout_ms 2000, idle_timeout_ms 3000 }",
     (1_000, None, 2_000, 3_000)),
])
def test_timeouts_have_defaults_that_zero_turns_off(http, expected) -> None:
    from vdsl.providers.options import resolve_options
    from vdsl.runtime.transport import httpx_timeout, read_limit_name

    options = resolve_options("C", {"model": "gemini-2.5-flash", "location": "us-central1",
                                    "project_id": "p",
                                    **({"http": _http_map(http)} if http else {})}, {})
    t = options.timeouts
    assert (t.connect_ms, t.request_ms, t.first_token_ms, t.idle_ms) == expected
    read = httpx_timeout(t, stream=False).read
    assert read == (None if expected == (None, None, None, None) else
                    min(x for x in (expected[1], max(filter(None, expected[2:]), default=None))
                        if x) / 1000)
    assert read_limit_name(t) in ("request_timeout_ms", "idle_timeout_ms",
                                  "time_to_first_token_timeout_ms")


def _http_map(text: str) -> dict[str, int]:
    inner = text[text.index("{") + 1:text.rindex("}")]
    return {k: int(v) for k, v in (item.split() for item in inner.split(","))}


def test_idle_timeout_while_streaming(make_runtime):
    stream = make_runtime(SAY).stream("Say", {"text": "a b c d e"},
                                      headers={"x-vdsl-fault": "chunk_delay=1"})
    with pytest.raises(TimeoutError):
        list(stream)


def test_url_image_is_fetched_and_inlined_with_its_sniffed_type(make_runtime, emulator, files):
    make_runtime(SAY).call("Look", {"photo": {"url": f"{files}/unlabelled"}})
    parts = emulator.requests[-1].body["contents"][0]["parts"]
    assert parts[1] == {"inlineData": {"data": base64.b64encode(PNG).decode(),
                                       "mimeType": "image/png"}}


def test_url_with_a_media_type_is_sent_as_a_url(make_runtime, emulator, files):
    make_runtime(SAY).call("Look", {"photo": {"url": f"{files}/cat.png",
                                              "media_type": "image/png"}})
    parts = emulator.requests[-1].body["contents"][0]["parts"]
    assert parts[1] == {"fileData": {"fileUri": f"{files}/cat.png", "mimeType": "image/png"}}


def test_send_base64_rejects_a_media_type_mismatch(make_runtime, files):
    source = SAY.replace("project_id test-project",
                         "project_id test-project\n    media_url_handler { image send_base64 }")
    with pytest.raises(MediaError, match="Requested media of MIME type 'image/jpeg' but "
                                         "fetched 'image/png'"):
        make_runtime(source).call("Look", {"photo": {"url": f"{files}/cat.png",
                                                     "media_type": "image/jpeg"}})


def test_redirect_to_another_scheme_is_refused(make_runtime, files):
    with pytest.raises(MediaError, match="URL scheme is not allowed"):
        make_runtime(SAY).call("Look", {"photo": {"url": f"{files}/to-file"}})


def test_failed_download_names_the_url(make_runtime, files):
    with pytest.raises(MediaError, match="Failed to fetch media from .*/missing.png: HTTP 404"):
        make_runtime(SAY).call("Look", {"photo": {"url": f"{files}/missing.png"}})


def test_async_call_downloads_media_off_the_event_loop(make_runtime, emulator, files):
    import asyncio
    runtime = make_runtime(SAY)
    asyncio.run(runtime.acall("Look", {"photo": {"url": f"{files}/unlabelled"}}))
    assert emulator.requests[-1].body["contents"][0]["parts"][1]["inlineData"]["mimeType"] \
        == "image/png"


def test_api_key_and_token_never_leak(make_runtime, emulator, caplog):
    source = SAY.replace("project_id test-project",
                         "project_id test-project\n    query_params { key env.KEY }")
    runtime = make_runtime(source, env={"KEY": "AIza-very-secret"})
    caplog.set_level(logging.DEBUG, logger="vdsl")
    with pytest.raises(VertexError) as caught:  # partner-style refusal: force a 403
        runtime.call("Say", {"text": "x"}, headers={"x-vdsl-fault": "status=403"})
    request = runtime.build_request("Say", {"text": "x"})
    shown = " ".join([str(caught.value), caught.value.url, caplog.text,
                      json.dumps(request.redacted()), request.curl(), repr(request.redacted())])
    assert "AIza-very-secret" not in shown
    assert "key=" not in caught.value.url  # the key travels in a header, not the URL
    assert emulator.requests[-1].headers["x-goog-api-key"] == "<redacted>"  # (log redacts it)


def test_async_stream_time_to_first_token_is_exact(make_runtime):
    import asyncio
    source = SAY.replace("http { request_timeout_ms 300, idle_timeout_ms 300 }",
                         "http { time_to_first_token_timeout_ms 200 }")
    runtime = make_runtime(source)

    async def main() -> None:
        async for _ in runtime.astream("Say", {"text": "a b"},
                                       headers={"x-vdsl-fault": "delay=1.5"}):
            pass

    with pytest.raises(TimeoutError) as caught:
        asyncio.run(main())
    assert caught.value.timeout == "time_to_first_token_timeout_ms"


CLAUDE = """
client<llm> Sonnet {
  provider vertex-ai
  options {
    model "claude-sonnet-4@20250514"
    location us-east5
    project_id test-project
    request_type dedicated
  }
}
function See(photo: image) -> string {
  client Sonnet
  prompt #"What is this? {{ photo }}"#
}
"""


def test_claude_url_images_are_downloaded_and_sent_as_base64(make_runtime, emulator, files):
    result = make_runtime(CLAUDE).complete("See", {"photo": {"url": f"{files}/cat.png"}})
    sent = emulator.requests[-1]
    block = sent.body["messages"][0]["content"][1]
    assert block == {"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                                 "data": base64.b64encode(PNG).decode()}}
    assert sent.headers["x-vertex-ai-llm-request-type"] == "dedicated"
    assert result.usage is not None and result.usage.input_tokens and result.usage.output_tokens
    assert result.cost is not None and result.cost > 0


def test_claude_stream_usage_merges_input_and_output(make_runtime):
    stream = make_runtime(CLAUDE).stream("See", {"photo": {"base64": base64.b64encode(PNG)
                                                           .decode(), "media_type": "image/png"}})
    list(stream)
    usage = stream.result().usage
    assert usage is not None and usage.input_tokens and usage.output_tokens
