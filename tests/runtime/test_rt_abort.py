"""An AbortController stops a call or stream at once: no further attempt, no retry wait, the
request in flight cancelled and its connection not left checked out; the call raises
AbortError. Sync and async, against the emulator (slow replies on request)."""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import httpx
import pytest

from vdsl import AbortController, AbortError, Collector
from vdsl.errors import VdslError
from vdsl.runtime.aio import AiohttpTransport

SOURCE = """
retry_policy Patient {
  max_retries 3
  strategy {
    type constant_delay
    delay_ms 5000
  }
}

client<llm> Flash {
  provider vertex-ai
  retry_policy Patient
  options {
    model gemini-2.5-flash
    location us-central1
    project_id test-project
  }
}

function Echo(text: string) -> string {
  client Flash
  prompt #"{{ text }}"#
}
"""
SLOW_STREAM = {"x-vdsl-fault": "chunk_delay=3"}
SLOW_REPLY = {"x-vdsl-fault": "delay=5"}
TEXT = {"text": "one two three four five six"}


def checked_out(client: httpx.Client | httpx.AsyncClient) -> int:
    """Requests holding a connection of `client`'s pool (aiohttp's bookkeeping for async
    clients, the standard-library pool's for sync ones)."""
    transport: Any = client._transport  # type: ignore[attr-defined]
    if isinstance(transport, AiohttpTransport):
        session = transport._session
        return 0 if session is None else len(session.connector._acquired)
    return int(transport.in_use)


def background_client(runtime: Any) -> httpx.AsyncClient:
    loop = runtime._bg._loop
    return runtime._pool._async[loop][0]  # type: ignore[no-any-return]


def test_a_sync_stream_aborted_after_its_first_event(make_runtime, emulator) -> None:
    runtime = make_runtime(SOURCE)
    controller = AbortController()
    stream = runtime.stream("Echo", TEXT, abort_controller=controller, headers=SLOW_STREAM)
    seen = []
    started = time.monotonic()
    with pytest.raises(AbortError):
        for event in stream:
            seen.append(event.delta)
            controller.abort()
    assert len(seen) == 1 and time.monotonic() - started < 2.5
    assert len(emulator.requests) == 1  # no further request
    assert checked_out(background_client(runtime)) == 0


def test_a_sync_stream_aborted_from_another_thread_while_waiting(make_runtime,
                                                                 emulator) -> None:
    runtime = make_runtime(SOURCE)
    controller = AbortController()
    stream = runtime.stream("Echo", TEXT, abort_controller=controller, headers=SLOW_STREAM)
    iterator = iter(stream)
    next(iterator)  # the first event; the next one is 3 s away
    threading.Timer(0.2, controller.abort).start()
    started = time.monotonic()
    with pytest.raises(AbortError):
        next(iterator)
    assert time.monotonic() - started < 1.5
    assert len(emulator.requests) == 1
    assert checked_out(background_client(runtime)) == 0


def test_a_sync_call_aborted_while_waiting_for_the_reply(make_runtime, emulator) -> None:
    runtime = make_runtime(SOURCE)
    controller = AbortController()
    collector = Collector()
    threading.Timer(0.2, controller.abort).start()
    started = time.monotonic()
    with pytest.raises(AbortError):
        runtime.call("Echo", TEXT, abort_controller=controller, headers=SLOW_REPLY,
                     collector=collector)
    assert time.monotonic() - started < 1.5
    assert len(emulator.requests) == 1
    assert checked_out(background_client(runtime)) == 0
    log = collector.last
    assert log is not None and "aborted" in (log.error or "")
    (call,) = log.calls  # the attempt in flight is recorded, with what it sent
    assert call.error == "cancelled" and call.http_request is not None and not call.selected


def test_abort_during_a_retry_wait_ends_the_wait(make_runtime, emulator) -> None:
    emulator.script([503, 503, 503, 503])
    runtime = make_runtime(SOURCE)
    controller = AbortController()
    threading.Timer(0.3, controller.abort).start()
    started = time.monotonic()
    with pytest.raises(AbortError):
        runtime.call("Echo", TEXT, abort_controller=controller)  # retries wait 5 s
    assert time.monotonic() - started < 1.5
    assert len(emulator.requests) == 1


def test_an_aborted_controller_stops_calls_before_they_send(make_runtime, emulator) -> None:
    runtime = make_runtime(SOURCE)
    controller = AbortController()
    controller.abort("user went away")
    with pytest.raises(AbortError, match="user went away"):
        runtime.call("Echo", TEXT, abort_controller=controller)
    with pytest.raises(AbortError):
        list(runtime.stream("Echo", TEXT, abort_controller=controller))

    async def run() -> None:
        with pytest.raises(AbortError):
            await runtime.acall("Echo", TEXT, abort_controller=controller)
    asyncio.run(run())
    assert emulator.requests == [] and controller.aborted
    assert issubclass(AbortError, VdslError)


def test_timeout_ms_aborts_by_itself(make_runtime, emulator) -> None:
    runtime = make_runtime(SOURCE)
    started = time.monotonic()
    with pytest.raises(AbortError, match="timeout_ms 300 passed"):
        runtime.call("Echo", TEXT, abort_controller=AbortController(timeout_ms=300),
                     headers=SLOW_REPLY)
    assert 0.25 < time.monotonic() - started < 1.5


def test_async_call_and_stream_aborted_by_another_task(make_runtime, emulator) -> None:
    runtime = make_runtime(SOURCE)

    async def run() -> None:
        controller = AbortController()
        asyncio.get_running_loop().call_later(0.2, controller.abort)
        started = time.monotonic()
        with pytest.raises(AbortError):
            await runtime.acall("Echo", TEXT, abort_controller=controller,
                                headers=SLOW_REPLY)
        assert time.monotonic() - started < 3.0  # the reply would take 5 s
        controller = AbortController()
        stream = runtime.astream("Echo", TEXT, abort_controller=controller,
                                 headers=SLOW_STREAM)
        seen = []
        with pytest.raises(AbortError):
            async for event in stream:
                seen.append(event)
                asyncio.get_running_loop().call_later(0.1, controller.abort)
        assert len(seen) == 1
        client = runtime._pool._async[asyncio.get_running_loop()][0]
        for _ in range(100):  # released as the loop runs the close (at once, or a tick later)
            if checked_out(client) == 0:
                break
            await asyncio.sleep(0.01)
        assert checked_out(client) == 0
        # the task itself is not left cancelled: it goes on normally
        assert (await runtime.acall("Echo", {"text": "after"})).endswith("after")

    asyncio.run(run())
    assert len(emulator.requests) == 3


def test_an_abort_between_events_leaves_the_consumer_alone(make_runtime) -> None:
    """Between events the consumer's own awaits are not cancelled; the next read raises."""
    runtime = make_runtime(SOURCE)

    async def run() -> None:
        controller = AbortController()
        stream = runtime.astream("Echo", {"text": "a b"}, abort_controller=controller)
        iterator = stream.__aiter__()
        await iterator.__anext__()
        controller.abort()
        await asyncio.sleep(0.05)  # not cancelled by the abort
        with pytest.raises(AbortError):
            await iterator.__anext__()

    asyncio.run(run())


def test_closing_a_stream_early_releases_its_connection_at_once(make_runtime) -> None:
    """Regression: an async stream closed after its first event kept its connection checked
    out until garbage collection (the inner event generator was never closed)."""
    runtime = make_runtime(SOURCE)

    async def run() -> None:
        stream = runtime.astream("Echo", TEXT, headers=SLOW_STREAM)
        iterator = stream.__aiter__()
        await iterator.__anext__()
        client = runtime._pool._async[asyncio.get_running_loop()][0]
        assert checked_out(client) > 0
        await stream.aclose()
        assert checked_out(client) == 0

    asyncio.run(run())
    stream = runtime.stream("Echo", TEXT, headers=SLOW_STREAM)
    next(iter(stream))
    stream.close()
    assert checked_out(runtime._pool.sync()) == 0
