"""The async path (httpx's API on aiohttp's pool) behaves like the sync path: the same bytes on
the wire, the same errors for the same failures, connections released on cancel and close,
compressed replies decoded, and no warnings when a runtime outlives its event loop."""

from __future__ import annotations

import asyncio
import gzip
import http.server
import json
import subprocess
import sys
import threading
from collections.abc import Iterator

import pytest

import vdsl
from vdsl.errors import ConfigError, InvalidArgumentError, TimeoutError, TransportError
from vdsl.runtime import Runtime, StaticToken

SAY = """
client<llm> Flash {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id test-project
    generationConfig { temperature 0.0 }
  }
}

function Say(text: string) -> string {
  client Flash
  prompt #"
    {{ _.role("system") }} Repeat after me.
    {{ _.role("user") }} {{ text }}
  "#
}
"""


def fault(spec: str) -> dict[str, str]:
    return {"x-vdsl-fault": spec}


TIMED = SAY.replace("generationConfig { temperature 0.0 }",
                    "generationConfig { temperature 0.0 }\n    http { request_timeout_ms 300 }")


def _connector(runtime: Runtime):  # type: ignore[no-untyped-def]
    return runtime._pool.async_()._transport._session.connector


def test_acall_sends_the_same_request_as_call(make_runtime, emulator):
    runtime = make_runtime(SAY)
    runtime.call("Say", {"text": "same"})
    sync_sent = emulator.requests[-1]
    assert asyncio.run(runtime.acall("Say", {"text": "same"})).endswith("same")
    async_sent = emulator.requests[-1]
    assert (async_sent.method, async_sent.path, async_sent.body) == \
        (sync_sent.method, sync_sent.path, sync_sent.body)
    assert async_sent.headers == sync_sent.headers


@pytest.mark.parametrize("spec", ["reset=0", "reset"])
def test_a_reset_is_a_transport_error_not_a_timeout(make_runtime, spec):
    runtime = make_runtime(SAY)
    with pytest.raises(TransportError) as caught:
        asyncio.run(runtime.acall("Say", {"text": "x"}, headers=fault(spec)))
    assert not isinstance(caught.value, TimeoutError)
    assert "failed" in str(caught.value) and "timeout" not in str(caught.value)


def test_a_slow_reply_is_the_request_timeout_on_both_paths(make_runtime):
    runtime = make_runtime(TIMED)
    with pytest.raises(TimeoutError) as sync_caught:
        runtime.call("Say", {"text": "x"}, headers=fault("delay=1"))
    with pytest.raises(TimeoutError) as async_caught:
        asyncio.run(runtime.acall("Say", {"text": "x"}, headers=fault("delay=1")))
    assert sync_caught.value.timeout == async_caught.value.timeout == "request_timeout_ms"


def test_connection_refused_is_a_transport_error_async():
    runtime = Runtime(vdsl.loads(SAY), env={}, endpoint="http://127.0.0.1:9",
                      auth=StaticToken("t"))
    with pytest.raises(TransportError, match="failed") as caught:
        asyncio.run(runtime.acall("Say", {"text": "x"}))
    assert not isinstance(caught.value, TimeoutError)


def test_cancelling_an_acall_releases_its_connection(make_runtime):
    runtime = make_runtime(SAY)

    async def main() -> str:
        task = asyncio.create_task(
            runtime.acall("Say", {"text": "slow"}, headers=fault("delay=0.5")))
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert not _connector(runtime)._acquired
        return str(await runtime.acall("Say", {"text": "after"}))

    assert asyncio.run(main()).endswith("after")


def test_closing_an_async_stream_early_releases_its_connection(make_runtime):
    runtime = make_runtime(SAY)

    async def main() -> str:
        stream = runtime.astream("Say", {"text": "one two three four five"},
                                 headers=fault("chunk_delay=0.05"))
        async for _ in stream:
            break
        await stream.aclose()
        assert not _connector(runtime)._acquired
        return str(await runtime.acall("Say", {"text": "after"}))

    assert asyncio.run(main()).endswith("after")


def test_async_stream_events_match_the_sync_stream(make_runtime):
    runtime = make_runtime(SAY)
    words = {"text": "alpha beta gamma delta"}
    sync_deltas = [e.delta for e in runtime.stream("Say", words)]

    async def main() -> list[str]:
        return [e.delta async for e in runtime.astream("Say", words)]

    assert asyncio.run(main()) == sync_deltas and len(sync_deltas) > 1


class _Gzipped(http.server.BaseHTTPRequestHandler):
    """A server that compresses its reply, as Google's front ends do."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        reply = {"candidates": [{"content": {"role": "model", "parts": [{"text": "zipped"}]},
                                 "finishReason": "STOP"}]}
        body = gzip.compress(json.dumps(reply).encode())
        self.send_response(200)
        self.send_header("content-type", "application/json")
        self.send_header("content-encoding", "gzip")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gzip_server() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Gzipped)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_compressed_reply_is_decoded(gzip_server):
    runtime = Runtime(vdsl.loads(SAY), env={}, endpoint=gzip_server, auth=StaticToken("t"))
    assert runtime.call("Say", {"text": "x"}) == "zipped"
    assert asyncio.run(runtime.acall("Say", {"text": "x"})) == "zipped"
    runtime.close()


def test_a_runtime_outliving_its_event_loops_prints_no_warnings(emulator):
    script = f"""
import asyncio, gc, vdsl
from vdsl.runtime import Runtime, StaticToken
runtime = Runtime(vdsl.loads({SAY!r}), env={{}}, endpoint={emulator.url!r},
                  auth=StaticToken({emulator.issue_token()!r}))
for _ in range(2):
    asyncio.run(runtime.acall("Say", {{"text": "x"}}))
gc.collect()
del runtime
gc.collect()
print("done")
"""
    result = subprocess.run([sys.executable, "-c", script],
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.stdout.strip() == "done", result.stderr
    assert result.stderr == ""


async def _drain(stream) -> None:  # type: ignore[no-untyped-def]
    async for _ in stream:
        pass


CALLERS = {
    "call": lambda rt, h: rt.call("Say", {"text": "x"}, headers=h),
    "acall": lambda rt, h: asyncio.run(rt.acall("Say", {"text": "x"}, headers=h)),
    "stream": lambda rt, h: list(rt.stream("Say", {"text": "x"}, headers=h)),
    "astream": lambda rt, h: asyncio.run(_drain(rt.astream("Say", {"text": "x"}, headers=h))),
}


@pytest.mark.parametrize("how", sorted(CALLERS))
@pytest.mark.parametrize("headers", [{"x-a": "b\r\nInjected: 1"}, {"x-a": "nul\0"},
                                     {"x é": "v"}, {"": "v"}, {"x:y": "v"}])
def test_a_forged_header_is_refused_on_every_path(make_runtime, emulator, how, headers):
    runtime = make_runtime(SAY)
    with pytest.raises(InvalidArgumentError, match="header"):
        CALLERS[how](runtime, headers)
    assert not emulator.requests


@pytest.mark.parametrize("how", sorted(CALLERS))
def test_a_non_ascii_header_value_is_sent_as_utf8_on_every_path(make_runtime, emulator, how):
    CALLERS[how](make_runtime(SAY), {"x-note": "café 日本"})
    received = emulator.requests[-1].headers["x-note"]
    assert received.encode("latin-1").decode("utf-8") == "café 日本"


def test_a_configured_header_with_a_bad_name_rules_the_client_out(make_runtime):
    source = SAY.replace("generationConfig { temperature 0.0 }",
                         'generationConfig { temperature 0.0 }\n    headers { "x y" "v" }')
    with pytest.raises(ConfigError, match="header 'x y'"):
        make_runtime(source).call("Say", {"text": "x"})
