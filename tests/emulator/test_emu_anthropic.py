"""Claude on Vertex: message shape, named SSE events, count-tokens, Anthropic-envelope errors."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from emu_helpers import claude_body, claude_path, sse_events

from vdsl.emulator import Emulator


def _invalid(reply: httpx.Response) -> str:
    assert reply.status_code == 400, reply.text
    data = reply.json()
    assert data["type"] == "error" and data["request_id"].startswith("req_vrtx_")
    assert data["error"]["type"] == "invalid_request_error"
    return data["error"]["message"]


def test_message_shape(client: httpx.Client) -> None:
    reply = client.post(claude_path(), json=claude_body("Hello!"))
    assert reply.status_code == 200
    assert reply.headers["request-id"].startswith("req_vrtx_")
    data = reply.json()
    assert data["id"].startswith("msg_vrtx_")
    assert (data["type"], data["role"], data["stop_reason"]) == ("message", "assistant", "end_turn")
    assert data["model"] == "claude-sonnet-4-20250514"
    assert data["content"] == [{"type": "text",
                                "text": "[claude-sonnet-4@20250514] echo: Hello!"}]
    assert {"input_tokens", "output_tokens", "cache_read_input_tokens"} <= set(data["usage"])


def test_unversioned_alias_is_served(client: httpx.Client) -> None:
    assert client.post(claude_path("claude-opus-4-1"), json=claude_body()).status_code == 200


def test_stream_event_sequence(client: httpx.Client) -> None:
    body = claude_body("one two three four", stream=True)
    reply = client.post(claude_path(method="streamRawPredict"), json=body)
    events = sse_events(reply.text)
    names = [name for name, _ in events]
    assert names[:3] == ["message_start", "ping", "content_block_start"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert all(name == data["type"] for name, data in events)
    text = "".join(d["delta"]["text"] for n, d in events if n == "content_block_delta")
    assert text == "[claude-sonnet-4@20250514] echo: one two three four"
    delta = events[-2][1]
    assert delta["delta"]["stop_reason"] == "end_turn" and delta["usage"]["output_tokens"] > 0
    assert "[DONE]" not in reply.text


def test_thinking_blocks_when_enabled(client: httpx.Client, emulator: Emulator) -> None:
    emulator.add_fixture({"text": "Paris", "thoughts": "capital of France"})
    thinking = {"type": "enabled", "budget_tokens": 1024}
    body = claude_body(max_tokens=2048, thinking=thinking)
    content = client.post(claude_path(), json=body).json()["content"]
    assert content[0]["type"] == "thinking" and content[0]["thinking"] == "capital of France"
    assert content[0]["signature"] and content[1] == {"type": "text", "text": "Paris"}
    plain = client.post(claude_path(), json=claude_body()).json()["content"]
    assert [b["type"] for b in plain] == ["text"]
    stream = client.post(claude_path(method="streamRawPredict"), json={**body, "stream": True})
    deltas = [d["delta"]["type"] for n, d in sse_events(stream.text) if n == "content_block_delta"]
    assert deltas[0] == "thinking_delta" and "signature_delta" in deltas
    assert deltas[-1] == "text_delta"


@pytest.mark.parametrize(("change", "message"), [
    ({"model": "claude-sonnet-4@20250514"}, "model: Extra inputs are not permitted"),
    ({"anthropic_version": None}, "anthropic_version: Field required"),
    ({"anthropic_version": "2023-06-01"}, "anthropic_version: Input should be 'vertex-2023-10-16'"),
    ({"max_tokens": None}, "max_tokens: Field required"),
    ({"max_tokens": 10**6}, ("max_tokens: 1000000 > 64000, which is the maximum allowed number "
                            "of output tokens for claude-sonnet-4-20250514")),
    ({"messages": None}, "messages: Field required"),
    ({"messages": [{"role": "system", "content": "x"}]},
     "messages.0.role: Input should be 'user' or 'assistant'"),
    ({"thinking": {"type": "enabled", "budget_tokens": 100}},
     "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024"),
    ({"thinking": {"type": "enabled", "budget_tokens": 2048}},
     "max_tokens: `max_tokens` must be greater than `thinking.budget_tokens`"),
])
def test_body_rules(client: httpx.Client, change: dict[str, Any], message: str) -> None:
    body = {**claude_body(), **change}
    body = {k: v for k, v in body.items() if v is not None}
    assert _invalid(client.post(claude_path(), json=body)).startswith(message)


@pytest.mark.parametrize("kind", ["image", "document"])
def test_url_sources_are_rejected(client: httpx.Client, kind: str) -> None:
    content = [{"type": "text", "text": "look"},
               {"type": kind, "source": {"type": "url", "url": "https://example.com/x"}}]
    body = claude_body()
    body["messages"] = [{"role": "user", "content": content}]
    message = _invalid(client.post(claude_path(), json=body))
    expected = f"messages.0.content.1.{kind}.source.base64.data: URL sources are not supported"
    assert message == expected


def test_base64_image_is_fine(client: httpx.Client) -> None:
    content = [{"type": "image", "source": {"type": "base64", "media_type": "image/png",
                                            "data": "iVBORw0KGgo="}},
               {"type": "text", "text": "What is this?"}]
    body = claude_body()
    body["messages"] = [{"role": "user", "content": content}]
    reply = client.post(claude_path(), json=body)
    assert reply.json()["content"][0]["text"].endswith("echo: What is this?")


def test_thinking_on_a_model_without_it(client: httpx.Client) -> None:
    body = claude_body(max_tokens=4096, thinking={"type": "enabled", "budget_tokens": 1024})
    path = claude_path("claude-3-5-sonnet-v2@20241022")
    assert "does not support thinking" in _invalid(client.post(path, json=body))


def test_count_tokens(client: httpx.Client) -> None:
    path = claude_path("count-tokens")
    body = {"anthropic_version": "vertex-2023-10-16", "model": "claude-sonnet-4@20250514",
            "messages": [{"role": "user", "content": "12345678"}]}
    assert client.post(path, json=body).json() == {"input_tokens": 2}
    body.pop("model")
    assert _invalid(client.post(path, json=body)) == "model: Field required"
    body["model"] = "claude-9@1"
    assert client.post(path, json=body).status_code == 404


@pytest.mark.parametrize(("model", "location", "status"), [
    ("claude-sonnet-4-5@20250929", "global", 200),
    ("claude-3-haiku@20240307", "global", 404),
    ("claude-sonnet-4-5@20250929", "us", 200),
    ("claude-3-7-sonnet@20250219", "eu", 404),
    ("claude-3-sonnet@20240229", "us-east5", 404),
])
def test_where_models_are_served(client: httpx.Client, model: str, location: str,
                                 status: int) -> None:
    reply = client.post(claude_path(model, location=location), json=claude_body())
    assert reply.status_code == status
    if status == 404:
        assert f"/locations/{location}/publishers/anthropic/models/{model}`" \
               in reply.json()["error"]["message"]


def test_malformed_json_uses_anthropic_envelope(client: httpx.Client) -> None:
    reply = client.post(claude_path(), content=b'{"max_tokens": 1,',
                        headers={"content-type": "application/json"})
    assert "not valid JSON" in _invalid(reply)
