"""Deterministic fault scripts: the exact requests the emulator received and the waits."""

from __future__ import annotations

import asyncio

import pytest

from vdsl.errors import StreamError, TimeoutError, TransportError, VertexError


def models(emulator) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.path.rsplit("/", 1)[-1].split(":")[0] for r in emulator.requests]


def test_429_with_retry_after_then_success(runtime, emulator, clock):
    emulator.script(["status=429; retry_after=0.3", None])
    result = runtime.complete("Say", {"text": "hi"})
    assert result.text.endswith("hi")
    assert clock.waits == [0.3]  # Retry-After wins over the policy's 0.2 s, within the cap
    assert [(a.client, a.status) for a in result.attempts] == [("A", 429), ("A", 200)]


def test_503_twice_then_success_with_exponential_waits(runtime, emulator, clock):
    emulator.script([503, 503, None])
    assert runtime.call("Say", {"text": "x"}).endswith("x")
    assert clock.waits == [0.2, 0.4]  # BAML: the first wait is delay × multiplier
    assert len(emulator.requests) == 3


def test_exhausted_policy_lists_every_attempt(runtime, emulator, clock):
    emulator.script([503, 503, 503])
    with pytest.raises(VertexError) as caught:
        runtime.call("Say", {"text": "x"})
    assert caught.value.status == 503
    assert [a.status for a in caught.value.attempts] == [503, 503, 503]
    assert "attempts:\n  1. A (gemini-2.5-flash): 503" in str(caught.value)
    assert clock.waits == [0.2, 0.4]


def test_reset_mid_body_is_retried(runtime, emulator):
    emulator.script(["reset=10", None])
    assert runtime.call("Say", {"text": "reset"}).endswith("reset")
    assert len(emulator.requests) == 2


def test_not_retried_statuses_stop_a_single_client(runtime, emulator, clock):
    emulator.script([404])
    with pytest.raises(VertexError) as caught:
        runtime.call("Say", {"text": "x"})
    assert caught.value.status == 404
    assert len(emulator.requests) == 1 and clock.waits == []


def test_html_404_falls_back_to_the_next_client(runtime, emulator):
    emulator.script(["html404", None])
    result = runtime.complete("Say", {"text": "x"}, client="Chain")
    assert models(emulator) == ["gemini-2.5-flash", "gemini-2.5-pro"]
    assert [a.client for a in result.attempts] == ["A", "B"]


def test_first_fallback_child_down(runtime, emulator, clock):
    emulator.script([503, 503, 503, None])
    result = runtime.complete("Say", {"text": "x"}, client="Chain")
    assert models(emulator) == ["gemini-2.5-flash"] * 3 + ["gemini-2.5-pro"]
    assert result.client == "B"
    assert clock.waits == [0.2, 0.4]


def test_timeout_is_retried(runtime, emulator):
    emulator.script(["delay=1", None])
    result = runtime.complete("Say", {"text": "slow"}, client="Fast")
    assert [a.status for a in result.attempts] == [None, 200]
    assert "request_timeout_ms" in result.attempts[0].error


def test_round_robin_rotates_per_request(runtime, emulator):
    for i in range(6):
        runtime.call("Say", {"text": str(i)}, client="Spread")
    assert models(emulator) == ["gemini-2.5-pro", "gemini-2.5-flash-lite",
                                "gemini-2.5-flash"] * 2


def test_round_robin_with_one_failing_client(runtime, emulator):
    emulator.add_fixture("down", model="gemini-2.5-flash-lite", fault="status=503")
    outcomes = []
    for i in range(3):
        try:
            outcomes.append(runtime.call("Say", {"text": str(i)}, client="Spread")[:12])
        except VertexError as error:
            outcomes.append(error.status)
    assert outcomes == ["[gemini-2.5-", 503, "[gemini-2.5-"]
    # with a retry policy on the round-robin, a retry rotates to the next client
    results = [runtime.complete("Say", {"text": "r"}, client="SpreadRetry") for _ in range(3)]
    assert [[(a.client, a.status) for a in r.attempts] for r in results] == [
        [("B", 200)],
        [("C", 503), ("vertex-ai/gemini-2.5-flash", 200)],
        [("B", 200)],
    ]


def test_total_timeout_bounds_the_whole_strategy(runtime, emulator):
    emulator.script(["delay=0.6", "delay=0.6"])
    with pytest.raises(TimeoutError) as caught:
        runtime.call("Say", {"text": "x"}, client="Bounded")
    assert caught.value.timeout == "total_timeout_ms"
    assert len(emulator.requests) <= 2


def test_stream_failing_before_its_first_event_is_retried(runtime, emulator):
    emulator.script([503, None])
    stream = runtime.stream("Say", {"text": "a b c"})
    assert "".join(e.delta for e in stream).endswith("a b c")
    assert [a.status for a in stream.result().attempts] == [503, 200]


def test_stream_failing_midway_is_not_retried_and_keeps_the_partial_text(runtime, emulator):
    emulator.script(["truncate=1", None])
    stream = runtime.stream("Say", {"text": "one two three four"})
    with pytest.raises(StreamError) as caught:
        list(stream)
    assert caught.value.partial_text
    assert len(emulator.requests) == 1


def test_on_attempt_sees_every_attempt(runtime, emulator):
    seen = []
    runtime._on_attempt = seen.append
    emulator.script([503, None])
    result = runtime.complete("Say", {"text": "x"})
    assert seen == result.attempts
    assert [(a.client, a.model, a.status) for a in seen] == [
        ("A", "gemini-2.5-flash", 503), ("A", "gemini-2.5-flash", 200)]
    assert all(a.latency_ms >= 0 for a in seen)


def test_cancelled_acall_makes_no_more_requests(runtime, emulator):
    emulator.script([503, 503, None])
    gate = asyncio.Event()

    async def blocked_sleep(seconds: float) -> None:
        await gate.wait()

    runtime._asleep = blocked_sleep

    async def main() -> None:
        task = asyncio.create_task(runtime.acall("Say", {"text": "x"}))
        while len(emulator.requests) < 1:
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    assert len(emulator.requests) == 1


def test_parse_errors_are_not_retried_unless_opted_in(emulator, clock):
    import vdsl
    from vdsl.errors import OutputParseError
    from vdsl.runtime import Runtime, StaticToken
    source = """
retry_policy Once {
  max_retries 1
}
client<llm> Strict {
  provider vertex-ai
  retry_policy Once
  options { model gemini-2.5-flash, location us-central1, project_id p }
}
client<llm> Lenient {
  provider vertex-ai
  retry_policy Once
  options { model gemini-2.5-flash, location us-central1, project_id p, retry_on_parse_error true }
}
function Count(text: string) -> int {
  client Strict
  prompt #"{{ text }}"#
}
"""
    emulator.add_fixture("not a number", prompt="count", times=1)
    emulator.add_fixture("42", prompt="count")
    runtime = Runtime(vdsl.loads(source), env={}, endpoint=emulator.url,
                      auth=StaticToken(emulator.issue_token()), sleep=clock.sleep)
    with pytest.raises(OutputParseError):
        runtime.call("Count", {"text": "count"})
    assert len(emulator.requests) == 1
    emulator.clear_fixtures()
    emulator.add_fixture("still not a number", prompt="count", times=1)
    emulator.add_fixture("42", prompt="count")
    emulator.clear_requests()
    assert runtime.call("Count", {"text": "count"}, client="Lenient") == 42
    assert len(emulator.requests) == 2


def test_transport_failure_then_fallback(runtime, emulator):
    emulator.script(["reset=0", "reset=0", "reset=0", None])
    result = runtime.complete("Say", {"text": "x"}, client="Chain")
    assert [a.client for a in result.attempts] == ["A", "A", "A", "B"]
    assert all(a.status is None for a in result.attempts[:3])
    assert TransportError  # the resets surfaced as transport errors, recorded per attempt
