"""Calls over a real socket to the emulator: answers, thoughts, streams, and every failure
mapped to a clear error."""

from __future__ import annotations

import asyncio

import pytest

from vdsl.errors import BlockedError, FinishReasonError, StreamError, TransportError, VertexError

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


def test_call_returns_the_answer_and_sends_what_build_request_shows(make_runtime, emulator):
    runtime = make_runtime(SAY)
    result = runtime.complete("Say", {"text": "hello"})
    assert result.value == result.text == "[gemini-2.5-flash] echo: hello"
    assert result.finish_reason == "STOP"
    assert result.usage is not None and result.usage.input_tokens and result.usage.output_tokens
    sent = emulator.requests[-1]
    assert sent.body == runtime.build_request("Say", {"text": "hello"}).body
    assert sent.path.endswith("/projects/test-project/locations/us-central1/publishers/google/"
                              "models/gemini-2.5-flash:generateContent")
    assert sent.headers["authorization"] == "<redacted>"  # the emulator logs it redacted


def test_thoughts_are_kept_apart_from_the_answer(make_runtime, emulator):
    emulator.add_fixture({"text": "42", "thoughts": "six times seven"}, prompt="meaning")
    source = SAY.replace("generationConfig { temperature 0.0 }",
                         "generationConfig { thinkingConfig { includeThoughts true } }")
    result = make_runtime(source).complete("Say", {"text": "meaning of life"})
    assert result.value == "42"
    assert result.thoughts == ["six times seven"]


def test_finish_reason_deny_list_raises_with_the_raw_text(make_runtime, emulator):
    emulator.add_fixture({"text": "cut", "finish_reason": "length"}, prompt="long")
    source = SAY.replace("project_id test-project",
                         "project_id test-project\n    finish_reason_deny_list [\"max_tokens\"]")
    with pytest.raises(FinishReasonError) as caught:
        make_runtime(source).call("Say", {"text": "long story"})
    assert caught.value.finish_reason == "MAX_TOKENS"
    assert caught.value.raw_text == "cut"


def test_allow_list_lets_listed_reasons_through(make_runtime):
    source = SAY.replace("project_id test-project",
                         "project_id test-project\n    finish_reason_allow_list [\"STOP\"]")
    assert make_runtime(source).call("Say", {"text": "ok"}).endswith("ok")


@pytest.mark.parametrize("spec, status, vertex_status, hint", [
    ("status=429", 429, "RESOURCE_EXHAUSTED", "quota"),
    ("status=403", 403, "PERMISSION_DENIED", "aiplatform.endpoints.predict"),
    ("status=503", 503, "UNAVAILABLE", "retry_policy"),
    ("status=429; array", 429, "RESOURCE_EXHAUSTED", "quota"),
])
def test_vertex_errors_carry_status_and_a_hint(make_runtime, spec, status, vertex_status, hint):
    with pytest.raises(VertexError) as caught:
        make_runtime(SAY).call("Say", {"text": "x"}, headers=fault(spec))
    error = caught.value
    assert (error.status, error.vertex_status) == (status, vertex_status)
    assert hint in error.hint
    assert error.client == "Flash" and error.model == "gemini-2.5-flash"


def test_html_404_means_wrong_host(make_runtime):
    with pytest.raises(VertexError) as caught:
        make_runtime(SAY).call("Say", {"text": "x"}, headers=fault("html404"))
    assert caught.value.status == 404
    assert "host or path is wrong" in caught.value.hint


def test_unknown_model_404_suggests_the_right_id(make_runtime):
    source = SAY.replace("model gemini-2.5-flash", "model gemini-2.5-flsh")
    with pytest.raises(VertexError) as caught:
        make_runtime(source).call("Say", {"text": "x"})
    assert caught.value.status == 404
    assert "`gemini-2.5-flash`" in caught.value.hint


def test_blocked_prompt_names_the_block_reason(make_runtime, emulator):
    emulator.add_fixture({"text": "", "finish_reason": "SAFETY"}, prompt="dangerous")
    with pytest.raises(BlockedError) as caught:
        make_runtime(SAY).call("Say", {"text": "dangerous stuff"})
    assert caught.value.reason == "SAFETY"


def test_stream_yields_deltas_then_the_result(make_runtime):
    stream = make_runtime(SAY).stream("Say", {"text": "one two three"})
    events = list(stream)
    assert len(events) > 1
    assert "".join(e.delta for e in events) == events[-1].text
    assert stream.result().text == events[-1].text == "[gemini-2.5-flash] echo: one two three"
    assert stream.result().finish_reason == "STOP"


def test_truncated_stream_is_an_error_with_the_partial_text(make_runtime):
    stream = make_runtime(SAY).stream("Say", {"text": "one two three"},
                                      headers=fault("truncate=1"))
    with pytest.raises(StreamError) as caught:
        list(stream)
    assert "ended before its final event" in str(caught.value)
    assert caught.value.partial_text.startswith("[gemini-2.5-flash]")


def test_malformed_chunk_is_a_stream_error(make_runtime):
    with pytest.raises(StreamError, match="unreadable stream chunk"):
        list(make_runtime(SAY).stream("Say", {"text": "a b"}, headers=fault("malformed=1")))


def test_reset_mid_stream_is_a_stream_error(make_runtime):
    with pytest.raises((StreamError, TransportError)):
        list(make_runtime(SAY).stream("Say", {"text": "a b c d"}, headers=fault("reset=1")))


def test_supports_streaming_false_makes_one_plain_call(make_runtime, emulator):
    source = SAY.replace("project_id test-project",
                         "project_id test-project\n    supports_streaming false")
    stream = make_runtime(source).stream("Say", {"text": "hey"})
    events = list(stream)
    assert len(events) == 1 and events[0].text == "[gemini-2.5-flash] echo: hey"
    assert emulator.requests[-1].path.endswith(":generateContent")


def test_async_call_and_stream(make_runtime):
    runtime = make_runtime(SAY)

    async def main() -> tuple[str, list[str], str]:
        value = await runtime.acall("Say", {"text": "async"})
        stream = runtime.astream("Say", {"text": "async stream"})
        deltas = [event.delta async for event in stream]
        return value, deltas, (await stream.result()).text

    value, deltas, final = asyncio.run(main())
    assert value == "[gemini-2.5-flash] echo: async"
    assert "".join(deltas) == final == "[gemini-2.5-flash] echo: async stream"


def test_async_calls_run_concurrently(make_runtime, emulator):
    runtime = make_runtime(SAY)

    async def main() -> list[str]:
        return await asyncio.gather(*(runtime.acall("Say", {"text": f"n{i}"})
                                      for i in range(16)))

    assert asyncio.run(main()) == [f"[gemini-2.5-flash] echo: n{i}" for i in range(16)]
    assert len(emulator.requests) == 16


def test_an_expired_token_is_a_401_that_names_the_strategy(make_runtime, emulator):
    from vdsl.runtime import StaticToken
    runtime = make_runtime(SAY)
    runtime._auth = StaticToken(emulator.issue_token(lifetime=-1), "a test token")
    with pytest.raises(VertexError) as caught:
        runtime.call("Say", {"text": "x"})
    assert caught.value.status == 401
    assert "a test token" in caught.value.hint


def test_connection_refused_is_a_transport_error():
    import vdsl
    from vdsl.runtime import Runtime, StaticToken
    runtime = Runtime(vdsl.loads(SAY), env={}, endpoint="http://127.0.0.1:9",
                      auth=StaticToken("t"))
    with pytest.raises(TransportError, match="failed"):
        runtime.call("Say", {"text": "x"})


def test_error_inside_a_stream_is_a_vertex_error(make_runtime):
    with pytest.raises(VertexError) as caught:
        list(make_runtime(SAY).stream("Say", {"text": "a b c"},
                                      headers=fault("stream_error=503")))
    assert caught.value.status in (200, 503)
    assert caught.value.vertex_status == "UNAVAILABLE"


TYPED = SAY + """
class Person {
  name string
  langs string[]
  age int?
}
function Extract(text: string) -> Person {
  client Flash
  prompt #"{{ text }} {{ ctx.output_format }}"#
}
"""


def test_stream_yields_typed_partials_then_the_value(make_runtime, emulator):
    emulator.add_fixture({"text": 'Here: {"name": "Ada Lovelace", "langs": ["en", "fr", "it"], '
                                  '"age": 36}'}, prompt="Ada")
    stream = make_runtime(TYPED).stream("Extract", {"text": "Ada"})
    partials = [e.partial for e in stream if e.partial is not None]
    final = stream.result().value
    assert (final.name, final.langs, final.age) == ("Ada Lovelace", ["en", "fr", "it"], 36)
    assert len(partials) >= 2
    assert all(type(p).__name__ == "Person" for p in partials)
    assert partials[-1].name == "Ada Lovelace"
    assert all(p.age in (None, 36) for p in partials)  # numbers appear only when complete
    # BAML's shapes: a list field not started yet is [] (never None), and it only grows
    assert all(isinstance(p.langs, list) for p in partials)
    sizes = [len(p.langs) for p in partials]
    assert sizes == sorted(sizes) and sizes[0] == 0


def test_runtime_parse_reads_messy_text(make_runtime):
    person = make_runtime(TYPED).parse("Extract", "```json\n{name: 'Bo', langs: 'sv',}\n```")
    assert (person.name, person.langs, person.age) == ("Bo", ["sv"], None)


def test_closing_a_stream_releases_its_connection(make_runtime):
    runtime = make_runtime(SAY)
    stream = runtime.stream("Say", {"text": "one two three four five"},
                            headers=fault("chunk_delay=0.05"))
    next(iter(stream))
    stream.close()
    assert runtime._pool.sync()._transport.in_use == 0  # type: ignore[attr-defined]
    assert runtime.call("Say", {"text": "after"}).endswith("after")  # the pool still works


def test_a_forked_child_gets_its_own_connections(make_runtime):
    import multiprocessing
    runtime = make_runtime(SAY)
    assert runtime.call("Say", {"text": "parent"}).endswith("parent")
    parent_client = runtime._pool.sync()

    def child(queue):  # type: ignore[no-untyped-def]
        fresh = runtime._pool.sync() is not parent_client
        queue.put((fresh, runtime.call("Say", {"text": "child"})))

    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    process = context.Process(target=child, args=(queue,))
    process.start()
    fresh, answer = queue.get(timeout=30)
    process.join(30)
    assert fresh and answer.endswith("child")


RETRIED = """
retry_policy Twice {
  max_retries 2
  strategy { type constant_delay, delay_ms 1 }
}
client<llm> Flaky {
  provider vertex-ai
  retry_policy Twice
  options { model gemini-2.5-flash, location us-central1, project_id p }
}
client<llm> Once {
  provider vertex-ai
  options { model gemini-2.5-flash, location us-central1, project_id p }
}
function Say(text: string) -> string {
  client Flaky
  prompt #"{{ text }}"#
}
function SayOnce(text: string) -> string {
  client Once
  prompt #"{{ text }}"#
}
"""


def test_a_503_that_outlived_its_retries_says_so(make_runtime, emulator):
    """The attempts list reads `client (model): status reason`, and the hint no longer says
    a retry policy would help once one already ran."""
    runtime = make_runtime(RETRIED)
    emulator.script([503, 503, 503])
    with pytest.raises(VertexError) as info:
        runtime.call("Say", {"text": "x"})
    text = str(info.value)
    assert "a retry_policy retries it" not in text and info.value.hint.startswith(
        "a transient Vertex problem that outlasted 3 tries")
    lines = text.split("attempts:\n", 1)[1].splitlines()
    assert len(lines) == 3 and all(line.startswith(f"  {i}. Flaky (gemini-2.5-flash): 503 "
                                                   "UNAVAILABLE: The service") for i, line in
                                   enumerate(lines, 1))
    assert "Vertex AI returned" not in text.split("attempts:", 1)[1]
    emulator.script([503])
    with pytest.raises(VertexError) as once:
        runtime.call("SayOnce", {"text": "x"})
    assert once.value.hint == "a transient Vertex problem: a retry_policy retries it"
