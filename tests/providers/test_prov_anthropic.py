"""Claude on Vertex: the body BAML sends (with vdsl's fixes), media, thinking, role metadata,
named-event streams, in-stream errors and Anthropic's error envelope."""

from __future__ import annotations

import json

import pytest
from prov_helpers import PDF, PNG, check_golden, preview

from vdsl.errors import ConfigError, MediaError, VertexError
from vdsl.providers.anthropic import AnthropicAdapter
from vdsl.providers.base import Usage
from vdsl.providers.options import resolve_options
from vdsl.render import ChatMessage, MediaPart, RenderedPrompt, TextPart
from vdsl.runtime.failures import CallSite, http_error

CLAUDE = """
client<llm> Claude {
  provider vertex-ai
  options {
    model "claude-sonnet-4-5@20250929"
    location us-east5
    project_id test-project
    max_tokens 2048
    thinking { type enabled, budget_tokens 1024 }
    allowed_role_metadata ["cache_control"]
    headers { "anthropic-beta" "context-1m-2025-08-07" }
  }
}

function Look(photo: image, doc: pdf) -> string {
  client Claude
  prompt #"
    {{ _.role("system", cache_control={"type": "ephemeral"}) }} System A
    {{ _.role("user") }} hello {{ photo }} {{ doc }}
  "#
}
"""
ARGS = {"photo": {"base64": PNG, "media_type": "image/png"},
        "doc": {"base64": PDF, "media_type": "application/pdf"}}
ADAPTER = AnthropicAdapter()


def test_body_keys_follow_baml_order_with_vdsl_fixes() -> None:
    request = preview(CLAUDE).build_request("Look", ARGS)
    assert list(request.body) == ["max_tokens", "thinking", "anthropic_version", "system",
                                  "messages"]
    assert request.headers["anthropic-beta"] == "context-1m-2025-08-07"
    check_golden("claude-media-thinking-cache.json", request.redacted())


def test_stream_appends_stream_true_and_nothing_else() -> None:
    runtime = preview(CLAUDE)
    call, stream = runtime.build_request("Look", ARGS), runtime.build_request("Look", ARGS,
                                                                              stream=True)
    assert stream.body == {**call.body, "stream": True}
    assert list(stream.body)[-1] == "stream"
    assert stream.url.endswith(":streamRawPredict") and call.url.endswith(":rawPredict")


def test_defaults_come_from_the_catalog_and_unknown_models_get_4096() -> None:
    known = preview(CLAUDE.replace("max_tokens 2048\n", "").replace(
        "thinking { type enabled, budget_tokens 1024 }", "")).build_request("Look", ARGS)
    assert known.body["max_tokens"] == 8192 and "model" not in known.body
    unknown = preview(CLAUDE.replace("claude-sonnet-4-5@20250929", "claude-future-9")
                      .replace("max_tokens 2048\n", "")).build_request("Look", ARGS)
    assert unknown.body["max_tokens"] == 4096
    assert "/publishers/anthropic/models/claude-future-9:rawPredict" in unknown.url


def test_anthropic_version_option_wins() -> None:
    source = CLAUDE.replace("max_tokens 2048", 'max_tokens 2048\n    anthropic_version "x-1"')
    assert preview(source).build_request("Look", ARGS).body["anthropic_version"] == "x-1"


def _options(**extra: object):  # type: ignore[no-untyped-def]
    return resolve_options("C", {"model": "claude-opus-4-6", "location": "us-east5", **extra},
                           {})


def test_url_media_left_by_the_runtime_becomes_a_url_source_and_inline_is_asked() -> None:
    prompt = RenderedPrompt((ChatMessage("user", (MediaPart("image", url="https://x/a.png",
                                                            media_type="image/png"),)),))
    body = ADAPTER.body(prompt, _options(), False)
    assert body["messages"][0]["content"][0]["source"] == {"type": "url",
                                                           "url": "https://x/a.png"}
    assert ADAPTER.INLINE_MEDIA
    assert set(ADAPTER.media_options(_options()).media_url_handler.values()) == {"send_base64"}


def test_audio_and_system_media_are_clear_errors() -> None:
    audio = RenderedPrompt((ChatMessage("user", (MediaPart("audio", base64="AA",
                                                           media_type="audio/mp3"),)),))
    with pytest.raises(MediaError, match="accepts images and PDFs"):
        ADAPTER.body(audio, _options(), False)
    system = RenderedPrompt((ChatMessage("system", (MediaPart("image", base64=PNG,
                                                              media_type="image/png"),)),
                             ChatMessage("user", (TextPart("hi"),))), system_index=0)
    with pytest.raises(ConfigError, match="not in the system prompt"):
        ADAPTER.body(system, _options(), False)


REPLY = {"model": "claude-opus-4-6", "id": "msg_vrtx_01", "type": "message",
         "role": "assistant",
         "content": [{"type": "thinking", "thinking": "let me see", "signature": "c2ln"},
                     {"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}],
         "stop_reason": "end_turn", "stop_sequence": None,
         "usage": {"input_tokens": 9, "cache_creation_input_tokens": 2,
                   "cache_read_input_tokens": 5, "output_tokens": 24}}


def test_reply_joins_text_blocks_and_keeps_thinking_apart() -> None:
    completion = ADAPTER.parse_response(REPLY)
    assert completion.text == "Hi there"
    assert completion.thoughts == ["let me see"]
    assert completion.finish_reason == "end_turn"
    assert completion.usage == Usage(16, 24, None, 5, 40)


def test_refusal_without_text_is_blocked() -> None:
    from vdsl.errors import BlockedError
    with pytest.raises(BlockedError, match="refused"):
        ADAPTER.parse_response({**REPLY, "content": [], "stop_reason": "refusal"})


# The shape of a real captured Claude stream (docs/wire.md, "Claude") plus a ping and a
# thinking block.
STREAM = [
    ("message_start", {"type": "message_start", "message": {
        "id": "msg_vrtx_011", "type": "message", "role": "assistant", "model": "claude-sonnet-5",
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 10, "cache_creation_input_tokens": 28804,
                  "cache_read_input_tokens": 0, "output_tokens": 1}}}),
    ("ping", {"type": "ping"}),
    ("content_block_start", {"type": "content_block_start", "index": 0,
                             "content_block": {"type": "thinking", "thinking": ""}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 0,
                             "delta": {"type": "thinking_delta", "thinking": "hmm"}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 0,
                             "delta": {"type": "signature_delta", "signature": "c2ln"}}),
    ("content_block_stop", {"type": "content_block_stop", "index": 0}),
    ("content_block_start", {"type": "content_block_start", "index": 1,
                             "content_block": {"type": "text", "text": ""}}),
    ("content_block_delta", {"type": "content_block_delta", "index": 1,
                             "delta": {"type": "text_delta", "text": "ack"}}),
    ("content_block_stop", {"type": "content_block_stop", "index": 1}),
    ("message_delta", {"type": "message_delta", "delta": {"stop_reason": "end_turn",
                                                          "stop_sequence": None},
                       "usage": {"output_tokens": 4}}),
    ("message_stop", {"type": "message_stop"}),
]


def test_named_event_stream_reads_text_thoughts_finish_and_merged_usage() -> None:
    deltas = [ADAPTER.parse_event(name, json.dumps(data)) for name, data in STREAM]
    real = [d for d in deltas if d is not None]
    assert "".join(d.text for d in real) == "ack"
    assert "".join(d.thought for d in real) == "hmm"
    assert [d.finish_reason for d in real if d.finish_reason] == ["end_turn"]
    usage = None
    for delta in real:
        if delta.usage is not None:
            usage = delta.usage if usage is None else usage.merged(delta.usage)
    assert usage == Usage(28814, 4, None, 0, 28818)  # the total of the final counts


@pytest.mark.parametrize(("kind", "status"), [("overloaded_error", 529),
                                              ("rate_limit_error", 429),
                                              ("invalid_request_error", 400)])
def test_in_stream_error_is_a_vertex_error_with_the_message(kind: str, status: int) -> None:
    data = json.dumps({"type": "error", "error": {"type": kind, "message": "Overloaded"}})
    with pytest.raises(VertexError) as caught:
        ADAPTER.parse_event("error", data)
    assert caught.value.status == status and caught.value.vertex_status == kind
    assert caught.value.message == "Overloaded"


@pytest.mark.parametrize("wrapped", [False, True])
def test_anthropic_error_envelope_maps_to_the_common_tree(wrapped: bool) -> None:
    body = {"type": "error", "error": {"type": "invalid_request_error", "message":
            "messages.0.content.1.image.source.base64.data: URL sources are not supported"},
            "request_id": "req_vrtx_011"}
    raw = json.dumps([body] if wrapped else body).encode()
    site = CallSite("Claude", "claude-opus-4-6", "us-east5", "https://x")
    error = http_error(400, raw, "application/json", ADAPTER, site)
    assert error.status == 400 and error.vertex_status == "invalid_request_error"
    assert "URL sources are not supported" in error.message


def test_round_trip_with_media_thinking_and_cache_control(make_runtime, emulator) -> None:
    emulator.add_fixture({"text": "a cat", "thoughts": "pixels"}, prompt="hello")
    runtime = make_runtime(CLAUDE)
    result = runtime.complete("Look", ARGS)
    assert result.value == "a cat" and result.thoughts == ["pixels"]
    sent = emulator.requests[-1].body
    assert sent["system"][0]["cache_control"] == {"type": "ephemeral"}
    kinds = [b["type"] for b in sent["messages"][0]["content"]]
    assert kinds == ["text", "image", "document"]
    stream = runtime.stream("Look", ARGS)
    events = list(stream)
    assert "".join(e.delta for e in events) == "a cat"
    assert "".join(e.thought for e in events) == "pixels"
    assert stream.result().finish_reason == "end_turn"
