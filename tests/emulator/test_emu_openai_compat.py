"""The OpenAI-compatible MaaS endpoint: Llama, DeepSeek reasoning, Gemini as google/…."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from emu_helpers import openapi_path, sse_data

LLAMA = "meta/llama-3.3-70b-instruct-maas"


def _chat(model: str = LLAMA, text: str = "Hello, how are you?", **extra: Any) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "system", "content": "Be brief."},
                                         {"role": "user", "content": text}], **extra}


@pytest.mark.parametrize("version", ["v1", "v1beta1"])
def test_chat_completion_shape(client: httpx.Client, version: str) -> None:
    reply = client.post(openapi_path(version=version), json=_chat())
    assert reply.status_code == 200
    data = reply.json()
    assert data["object"] == "chat.completion" and data["model"] == LLAMA
    assert data["id"].startswith("chatcmpl-")
    choice = data["choices"][0]
    assert choice["message"] == {"role": "assistant",
                                 "content": f"[{LLAMA}] echo: Hello, how are you?"}
    assert choice["finish_reason"] == "stop"
    usage = data["usage"]
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]


def test_stream_ends_with_done(client: httpx.Client) -> None:
    reply = client.post(openapi_path(), json=_chat(stream=True))
    data = sse_data(reply.text)
    assert data[-1] == "[DONE]"
    chunks = [json.loads(d) for d in data[:-1]]
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    assert chunks[0]["choices"][0]["delta"]["role"] == "assistant"
    assert [c["choices"][0]["finish_reason"] for c in chunks].count("stop") == 1
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks)
    assert text == f"[{LLAMA}] echo: Hello, how are you?"


def test_include_usage_adds_a_usage_chunk(client: httpx.Client) -> None:
    body = _chat(stream=True, stream_options={"include_usage": True})
    chunks = [json.loads(d) for d in sse_data(client.post(openapi_path(), json=body).text)[:-1]]
    assert chunks[-1]["choices"] == [] and chunks[-1]["usage"]["total_tokens"] > 0


def test_deepseek_reasoning_content(client: httpx.Client) -> None:
    model = "deepseek-ai/deepseek-r1-0528-maas"
    message = client.post(openapi_path(), json=_chat(model)).json()["choices"][0]["message"]
    assert message["reasoning_content"] and message["content"].endswith("how are you?")
    stream = client.post(openapi_path(), json=_chat(model, stream=True))
    deltas = [json.loads(d)["choices"][0]["delta"] for d in sse_data(stream.text)[:-1]]
    kinds = [next(iter(k for k in d if k != "role"), None) for d in deltas[1:-1]]
    assert kinds.index("content") > kinds.index("reasoning_content")
    assert "content" not in kinds[: kinds.index("content")]


def test_llama_has_no_reasoning(client: httpx.Client) -> None:
    message = client.post(openapi_path(), json=_chat()).json()["choices"][0]["message"]
    assert "reasoning_content" not in message


def test_gemini_through_the_openai_route(client: httpx.Client) -> None:
    reply = client.post(openapi_path(location="global"), json=_chat("google/gemini-2.5-flash"))
    assert reply.status_code == 200
    assert reply.json()["choices"][0]["message"]["content"].startswith("[gemini-2.5-flash]")


def test_missing_model_is_400(client: httpx.Client) -> None:
    body = _chat()
    body.pop("model")
    reply = client.post(openapi_path(), json=body)
    assert reply.status_code == 400
    assert reply.json()["error"]["status"] == "INVALID_ARGUMENT"
    assert "model" in reply.json()["error"]["message"]


def test_unknown_model_is_404(client: httpx.Client) -> None:
    reply = client.post(openapi_path(), json=_chat("meta/llama-9-1t-maas"))
    assert reply.status_code == 404
    assert "publishers/meta/models/llama-9-1t-maas` was not found" in \
           reply.json()["error"]["message"]


def test_llama_has_no_global_endpoint(client: httpx.Client) -> None:
    assert client.post(openapi_path(location="global"), json=_chat()).status_code == 404


def test_bad_messages_are_400(client: httpx.Client) -> None:
    assert client.post(openapi_path(), json={"model": LLAMA, "messages": []}).status_code == 400
    bad_role = {"model": LLAMA, "messages": [{"role": "wizard", "content": "x"}]}
    assert client.post(openapi_path(), json=bad_role).status_code == 400


def test_max_tokens_cuts_with_length(client: httpx.Client) -> None:
    choice = client.post(openapi_path(), json=_chat(text="y" * 200, max_tokens=3)).json()
    assert choice["choices"][0]["finish_reason"] == "length"
