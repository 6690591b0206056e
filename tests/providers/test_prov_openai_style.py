"""The chat.completion families: Llama and DeepSeek on the MaaS endpoint, Mistral chat and
AI21 Jamba on rawPredict; their bodies, replies, streams and native error bodies."""

from __future__ import annotations

import json

import httpx
import pytest
from prov_helpers import PNG, check_golden, client, preview

from vdsl.errors import BlockedError, VertexError
from vdsl.providers.ai21 import Ai21Adapter
from vdsl.providers.base import Usage
from vdsl.providers.catalog import lookup
from vdsl.providers.mistral import MistralAdapter
from vdsl.providers.openai_compat import OpenAICompatAdapter, parse_chunk
from vdsl.runtime.failures import CallSite, http_error

LOOK = """
function Look(photo: image, question: string) -> string {
  client C
  prompt #"
    {{ _.role("system") }} Answer in one sentence.
    {{ _.role("user") }} {{ photo }} {{ question }}
  "#
}
"""
ARGS = {"photo": {"base64": PNG, "media_type": "image/png"}, "question": "What is it?"}
ASK = LOOK.replace("photo: image, ", "").replace("{{ photo }} ", "")
QUESTION = {"question": "What is it?"}


@pytest.mark.parametrize("model", ["meta/llama-4-maverick-17b-128e-instruct-maas",
                                   "meta/llama-3.2-90b-vision-instruct-maas",
                                   "mistral-small-2503"])
def test_vision_models_get_image_url_parts(model: str) -> None:
    info = lookup(model)
    assert info is not None
    request = preview(client(info, "max_tokens 512") + LOOK).build_request("Look", ARGS)
    messages = request.body["messages"]
    assert messages[0] == {"role": "system", "content": "Answer in one sentence."}
    assert messages[1]["content"] == [
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        {"type": "text", "text": "What is it?"}]
    check_golden(f"vision-{info.base_id}.json", request.redacted()["body"])


def test_maas_id_without_publisher_gets_it_from_catalog_or_option() -> None:
    info = lookup("meta/llama-3.3-70b-instruct-maas")
    assert info is not None
    source = client(info).replace(info.id, "llama-3.3-70b-instruct-maas") + ASK
    body = preview(source).build_request("Look", QUESTION).body
    assert body["model"] == "meta/llama-3.3-70b-instruct-maas"
    unknown = client(info).replace(info.id, "qwen3-coder-480b-a35b-instruct-maas").replace(
        "location", "publisher qwen\n    location") + ASK
    request = preview(unknown).build_request("Look", QUESTION)
    assert request.body["model"] == "qwen/qwen3-coder-480b-a35b-instruct-maas"
    assert "publisher" not in request.body
    assert request.url.endswith("/endpoints/openapi/chat/completions")


def test_maas_stream_asks_for_usage_but_rawpredict_families_do_not() -> None:
    for model, expected in (("deepseek-ai/deepseek-r1-0528-maas", {"include_usage": True}),
                            ("mistral-large-2411", None), ("jamba-1.5-mini@001", None)):
        info = lookup(model)
        assert info is not None
        body = preview(client(info) + ASK).build_request("Look", QUESTION, stream=True).body
        assert body["stream"] is True
        assert body.get("stream_options") == expected, model


def test_mistral_legacy_version_stays_in_the_url_only() -> None:
    info = lookup("mistral-large-2411")
    assert info is not None
    source = client(info).replace(info.id, "mistral-large@2407") + ASK
    request = preview(source).build_request("Look", QUESTION)
    assert request.url.endswith("/publishers/mistralai/models/mistral-large@2407:rawPredict")
    assert request.body["model"] == "mistral-large"


def test_jamba_keeps_its_version_in_the_body() -> None:
    info = lookup("jamba-1.5-large@001")
    assert info is not None
    request = preview(client(info) + ASK).build_request("Look", QUESTION, stream=True)
    assert request.url.endswith("/publishers/ai21/models/jamba-1.5-large@001:streamRawPredict")
    assert request.body["model"] == "jamba-1.5-large@001"


DEEPSEEK = {"choices": [{"index": 0, "finish_reason": "stop", "message": {
    "role": "assistant", "reasoning_content": "Count the r's", "content": "There are 3 r's."}}],
    "model": "deepseek-ai/deepseek-r1-0528-maas", "object": "chat.completion",
    "usage": {"prompt_tokens": 20, "completion_tokens": 180, "total_tokens": 200,
              "completion_tokens_details": {"reasoning_tokens": 150},
              "prompt_tokens_details": {"cached_tokens": 4}}}


def test_deepseek_reasoning_is_a_thought_and_its_tokens_are_split_out() -> None:
    completion = OpenAICompatAdapter().parse_response(DEEPSEEK)
    assert completion.text == "There are 3 r's." and completion.thoughts == ["Count the r's"]
    assert completion.usage == Usage(20, 30, 150, 4, 200)


def test_chunks_reasoning_content_then_done() -> None:
    first = parse_chunk(json.dumps({"choices": [{"index": 0, "delta": {
        "reasoning_content": "think"}, "finish_reason": None}]}))
    last = parse_chunk(json.dumps({"choices": [{"index": 0, "delta": {"content": "ok"},
                                                "finish_reason": "stop"}],
                                   "usage": {"prompt_tokens": 1, "completion_tokens": 2}}))
    assert first is not None and first.thought == "think" and not first.text
    assert last is not None and last.text == "ok" and last.finish_reason == "stop"
    assert last.usage == Usage(1, 2)
    assert parse_chunk("[DONE]") is None


def test_no_choices_is_blocked_and_an_error_chunk_raises() -> None:
    with pytest.raises(BlockedError):
        MistralAdapter().parse_response({"choices": []})
    with pytest.raises(VertexError, match="boom"):
        parse_chunk(json.dumps({"object": "error", "message": "boom", "type": "internal"}))


@pytest.mark.parametrize(("body", "status", "message"), [
    ({"object": "error", "message": "Prompt too long", "type": "invalid_request_error"},
     "invalid_request_error", "Prompt too long"),
    ({"message": "Input validation error"}, None, "Input validation error"),
    ({"detail": [{"loc": ["body", "messages"], "msg": "field required"}]},
     "invalid_request_error", "body.messages: field required"),
    ({"detail": "Not Found"}, None, "Not Found"),
    ({"error": {"message": "bad model", "type": "BadRequestError", "code": 400}},
     "BadRequestError", "bad model"),
    ([{"error": {"code": 429, "message": "Quota exceeded", "status": "RESOURCE_EXHAUSTED"}}],
     "RESOURCE_EXHAUSTED", "Quota exceeded"),
])
@pytest.mark.parametrize("adapter", [OpenAICompatAdapter(), MistralAdapter(), Ai21Adapter()],
                         ids=lambda a: a.family)
def test_publisher_error_bodies_map_to_the_common_tree(adapter, body, status, message) -> None:
    site = CallSite("C", "m", "us-central1", "https://x")
    error = http_error(400, json.dumps(body).encode(), "application/json", adapter, site)
    assert isinstance(error, VertexError)
    assert (error.vertex_status, error.message) == (status, message)


def test_deepseek_round_trip_keeps_reasoning_apart(make_runtime, emulator) -> None:
    info = lookup("deepseek-ai/deepseek-r1-0528-maas")
    assert info is not None
    emulator.add_fixture({"text": "3", "thoughts": "s-t-r-a-w"}, prompt="strawberry")
    runtime = make_runtime(client(info) + ASK)
    result = runtime.complete("Look", {"question": "How many r in strawberry?"})
    assert result.value == "3" and result.thoughts == ["s-t-r-a-w"]
    stream = runtime.stream("Look", {"question": "How many r in strawberry?"})
    events = list(stream)
    assert "".join(e.thought for e in events) == "s-t-r-a-w"
    assert stream.result().usage is not None and stream.result().usage.input_tokens


def test_vision_round_trip_on_llama_4(make_runtime, emulator) -> None:
    info = lookup("meta/llama-4-scout-17b-16e-instruct-maas")
    assert info is not None
    result = make_runtime(client(info) + LOOK).complete("Look", ARGS)
    assert result.value.endswith("What is it?")
    assert emulator.requests[-1].body["messages"][1]["content"][0]["type"] == "image_url"



@pytest.mark.parametrize("model", ["meta/llama-3.3-70b-instruct-maas", "mistral-large-2411",
                                   "jamba-1.5-mini@001"])
def test_emulator_rejects_an_image_for_a_text_only_model(model: str, emulator) -> None:
    info = lookup(model)
    assert info is not None
    request = preview(client(info) + ASK).build_request("Look", QUESTION)
    body = {**request.body, "messages": [{"role": "user", "content": [
        {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
        {"type": "text", "text": "hi"}]}]}
    path = "/" + request.url.split("/", 3)[3]
    reply = httpx.post(emulator.url + path, json=body,
                       headers={"authorization": f"Bearer {emulator.issue_token()}"})
    assert reply.status_code == 400
    assert reply.json()["error"]["message"].endswith("does not support image input.")
    vision = lookup("mistral-small-2503")
    assert vision is not None and "image" in vision.inputs
