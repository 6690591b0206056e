"""Collectors record each call against the emulator: function, timing, usage, cost, every
attempt with its raw request (secrets redacted) and response; sums; safe across threads and
tasks."""

from __future__ import annotations

import asyncio
import json
import threading

import pytest

from vdsl import Collector
from vdsl.errors import VertexError

SOURCE = """
retry_policy Twice {
  max_retries 1
  strategy {
    type constant_delay
    delay_ms 1
  }
}

client<llm> Flash {
  provider vertex-ai
  retry_policy Twice
  options {
    model gemini-2.5-flash
    location us-central1
    project_id test-project
  }
}

client<llm> Keyed {
  provider vertex-ai
  options {
    model gemini-2.5-flash
    location us-central1
    project_id test-project
    query_params { key env.VERTEX_API_KEY }
  }
}

function Echo(text: string) -> string {
  client Flash
  prompt #"{{ text }}"#
}
"""


def test_a_call_is_recorded_with_its_exchange(make_runtime, emulator) -> None:
    collector = Collector("mine")
    result = make_runtime(SOURCE).complete("Echo", {"text": "hello"}, collector=collector)
    log = collector.last
    assert log is not None and collector.logs == [log]
    assert (log.function_name, log.log_type, log.error) == ("Echo", "call", None)
    assert log.raw_llm_response == result.text
    assert log.usage.input_tokens == result.usage.input_tokens  # type: ignore[union-attr]
    assert log.usage.output_tokens == result.usage.output_tokens  # type: ignore[union-attr]
    assert log.cost == result.cost and log.cost is not None and log.cost > 0
    assert log.timing.duration_ms is not None and log.timing.start_time_utc_ms > 1.7e12
    (call,) = log.calls
    assert call.selected and log.selected_call is call
    assert (call.client_name, call.provider, call.model) == ("Flash", "vertex-ai",
                                                             "gemini-2.5-flash")
    assert call.http_request is not None and call.http_response is not None
    assert call.http_request.url.endswith(":generateContent")
    assert call.http_request.headers["authorization"] == "<redacted>"
    sent = emulator.requests[-1].body
    assert call.http_request.body.json() == sent
    assert call.http_response.status == 200
    reply = call.http_response.body.json()
    assert reply["candidates"][0]["content"]["parts"][0]["text"] == result.text


def test_every_attempt_is_recorded(make_runtime, emulator) -> None:
    emulator.script([503, None])
    collector = Collector()
    make_runtime(SOURCE).call("Echo", {"text": "x"}, collector=collector)
    log = collector.last
    assert log is not None
    assert [c.http_response.status for c in log.calls if c.http_response] == [503, 200]
    assert [c.selected for c in log.calls] == [False, True]
    assert log.calls[0].error is not None and "503" in log.calls[0].error
    assert "UNAVAILABLE" in log.calls[0].http_response.body.text()  # type: ignore[union-attr]


def test_a_failed_call_is_recorded_with_its_error(make_runtime, emulator) -> None:
    emulator.script([503, 503])
    collector = Collector()
    with pytest.raises(VertexError):
        make_runtime(SOURCE).call("Echo", {"text": "x"}, collector=collector)
    log = collector.last
    assert log is not None and log.error is not None and "503" in log.error
    assert len(log.calls) == 2 and not any(c.selected for c in log.calls)
    assert "attempts:" not in log.error


def test_api_keys_never_reach_the_log(make_runtime, emulator) -> None:
    collector = Collector()
    runtime = make_runtime(SOURCE, env={"VERTEX_API_KEY": emulator.api_key})
    runtime.call("Echo", {"text": "x"}, client="Keyed", collector=collector)
    call = collector.last.calls[0]  # type: ignore[union-attr]
    dumped = json.dumps({"url": call.http_request.url,  # type: ignore[union-attr]
                         "headers": call.http_request.headers,  # type: ignore[union-attr]
                         "body": call.http_request.body.text(),  # type: ignore[union-attr]
                         "reply": call.http_response.body.text()})  # type: ignore[union-attr]
    assert emulator.api_key not in dumped
    assert "key=" not in call.http_request.url  # type: ignore[union-attr]  # a header now
    assert call.http_request.headers["x-goog-api-key"] == "<redacted>"  # type: ignore[union-attr]


def test_streams_are_recorded_with_their_events(make_runtime) -> None:
    collector = Collector()
    stream = make_runtime(SOURCE).stream("Echo", {"text": "one two three"},
                                         baml_options={"collector": collector})
    events = list(stream)
    log = collector.last
    assert log is not None and log.log_type == "stream"
    assert log.timing.time_to_first_token_ms is not None
    events_sent = log.calls[0].sse_responses()
    assert events_sent is not None and len(events_sent) >= len(events)
    text = "".join(json.loads(e)["candidates"][0]["content"]["parts"][0]["text"]
                   for e in events_sent if "candidates" in e)
    assert text == stream.result().text


def test_several_collectors_sums_and_clear(make_runtime) -> None:
    runtime = make_runtime(SOURCE)
    first, second = Collector(), Collector()
    runtime.call("Echo", {"text": "a"}, collector=[first, second])
    runtime.call("Echo", {"text": "bb"}, collector=first)
    assert len(first.logs) == 2 and len(second.logs) == 1
    assert first.id(second.logs[0].id) is first.logs[0]
    total = first.usage
    assert total.input_tokens == sum(log.usage.input_tokens or 0 for log in first.logs)
    assert total.cost == pytest.approx(sum(log.cost or 0 for log in first.logs))
    assert first.clear() == 2 and first.logs == [] and first.last is None
    assert len(second.logs) == 1


def test_one_collector_shared_by_threads_and_tasks(make_runtime) -> None:
    runtime = make_runtime(SOURCE)
    collector = Collector()

    def work(n: int) -> None:
        for i in range(5):
            runtime.call("Echo", {"text": f"t{n}-{i}"}, collector=collector,
                         tags={"worker": str(n)})

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    async def tasks() -> None:
        await asyncio.gather(*(runtime.acall("Echo", {"text": f"a{i}"}, collector=collector)
                               for i in range(20)))
    asyncio.run(tasks())
    logs = collector.logs
    assert len(logs) == 50 and len({log.id for log in logs}) == 50
    assert all(len(log.calls) == 1 and log.calls[0].selected for log in logs)
    assert sorted(log.tags.get("worker", "-") for log in logs).count("3") == 5
