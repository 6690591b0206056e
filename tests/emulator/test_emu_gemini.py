"""Gemini routes: reply shapes, both stream forms, countTokens, and Vertex's request checks."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from emu_helpers import gemini_body, gemini_path, sse_data

from vdsl.emulator import Emulator


def _error(reply: httpx.Response) -> dict[str, Any]:
    return reply.json()["error"]


def test_generate_content_echoes_model_and_last_user_text(client: httpx.Client) -> None:
    body = {"contents": [{"role": "user", "parts": [{"text": "first"}]},
                         {"role": "model", "parts": [{"text": "ok"}]},
                         {"role": "user", "parts": [{"text": "second question"}]}]}
    reply = client.post(gemini_path(), json=body)
    assert reply.status_code == 200
    data = reply.json()
    candidate = data["candidates"][0]
    assert candidate["content"]["role"] == "model"
    assert candidate["content"]["parts"] == [{"text": "[gemini-2.5-flash] echo: second question"}]
    assert candidate["finishReason"] == "STOP"
    usage = data["usageMetadata"]
    assert usage["totalTokenCount"] == usage["promptTokenCount"] + usage["candidatesTokenCount"]
    assert data["modelVersion"] == "gemini-2.5-flash" and data["responseId"]


def test_replies_are_reproducible(client: httpx.Client) -> None:
    first, second = (client.post(gemini_path(), json=gemini_body()).json() for _ in range(2))
    first.pop("createTime"), second.pop("createTime")
    assert first == second


@pytest.mark.parametrize(("version", "location"), [("v1beta1", "global"), ("v1", "europe-west4")])
def test_versions_and_locations(client: httpx.Client, version: str, location: str) -> None:
    path = gemini_path(location=location, version=version)
    assert client.post(path, json=gemini_body()).status_code == 200


def test_sse_stream_framing_and_final_chunk(client: httpx.Client) -> None:
    path = gemini_path(method="streamGenerateContent") + "?alt=sse"
    reply = client.post(path, json=gemini_body("tell me a long story please"))
    assert reply.headers["content-type"].startswith("text/event-stream")
    assert "event:" not in reply.text and "[DONE]" not in reply.text
    chunks = [json.loads(d) for d in sse_data(reply.text)]
    assert len(chunks) > 1
    assert all(c["usageMetadata"] == {"trafficType": "ON_DEMAND"} for c in chunks[:-1])
    assert all("finishReason" not in c["candidates"][0] for c in chunks[:-1])
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"
    assert "totalTokenCount" in chunks[-1]["usageMetadata"]
    text = "".join(p["text"] for c in chunks for p in c["candidates"][0]["content"]["parts"])
    assert text == "[gemini-2.5-flash] echo: tell me a long story please"
    assert len({c["responseId"] for c in chunks}) == 1


def test_stream_without_alt_sse_is_a_json_array(client: httpx.Client) -> None:
    reply = client.post(gemini_path(method="streamGenerateContent"), json=gemini_body("a b c d"))
    chunks = json.loads(reply.text)
    assert isinstance(chunks, list) and len(chunks) > 1
    assert chunks[-1]["candidates"][0]["finishReason"] == "STOP"


def test_thought_parts_only_when_included(client: httpx.Client, emulator: Emulator) -> None:
    emulator.add_fixture({"text": "42", "thoughts": "6 times 7"}, model="gemini-2.5-pro")
    plain = client.post(gemini_path("gemini-2.5-pro"), json=gemini_body()).json()
    parts = plain["candidates"][0]["content"]["parts"]
    assert [p.get("thought") for p in parts] == [None]
    assert plain["usageMetadata"]["thoughtsTokenCount"] > 0
    config = {"thinkingConfig": {"includeThoughts": True}}
    shown = client.post(gemini_path("gemini-2.5-pro"),
                        json=gemini_body(generationConfig=config)).json()
    parts = shown["candidates"][0]["content"]["parts"]
    assert parts[0] == {"text": "6 times 7", "thought": True}
    assert parts[1]["text"] == "42" and parts[1]["thoughtSignature"]


def test_snake_case_fields_are_accepted(client: httpx.Client) -> None:
    body = {"system_instruction": {"parts": [{"text": "be brief"}]},
            "contents": [{"role": "user", "parts": [{"text": "hi"}]}],
            "generation_config": {"max_output_tokens": 100, "thinking_config":
                                  {"include_thoughts": True}},
            "safety_settings": [{"category": "HARM_CATEGORY_HATE_SPEECH",
                                 "threshold": "BLOCK_NONE"}]}
    reply = client.post(gemini_path(), json=body)
    assert reply.status_code == 200, reply.text
    assert reply.json()["candidates"][0]["content"]["parts"][0]["thought"] is True


def test_max_output_tokens_cuts_the_reply(client: httpx.Client) -> None:
    body = gemini_body("x" * 400, generationConfig={"maxOutputTokens": 5})
    candidate = client.post(gemini_path(), json=body).json()["candidates"][0]
    assert candidate["finishReason"] == "MAX_TOKENS"
    assert len(candidate["content"]["parts"][0]["text"]) == 20


def test_count_tokens(client: httpx.Client) -> None:
    reply = client.post(gemini_path(method="countTokens"), json=gemini_body("12345678"))
    data = reply.json()
    assert data["totalTokens"] == 2
    assert data["promptTokensDetails"] == [{"modality": "TEXT", "tokenCount": 2}]


def test_llama_on_the_gemini_style_route(client: httpx.Client) -> None:
    path = "/v1/projects/p/locations/us-central1/publishers/meta/models/" \
           "llama-3.3-70b-instruct-maas:generateContent"
    reply = client.post(path, json=gemini_body("hi"))
    assert reply.status_code == 200
    assert reply.json()["candidates"][0]["content"]["parts"][0]["text"].endswith("echo: hi")


def test_provisioned_throughput_header_sets_traffic_type(client: httpx.Client) -> None:
    reply = client.post(gemini_path(), json=gemini_body(),
                        headers={"X-Vertex-AI-LLM-Request-Type": "dedicated"})
    assert reply.json()["usageMetadata"]["trafficType"] == "PROVISIONED_THROUGHPUT"


# --- Vertex's checks ----------------------------------------------------------------------


@pytest.mark.parametrize("model", ["gemini-1.0-pro", "gemini-1.0-pro-002", "gemini-9-ultra",
                                   "claude-sonnet-4@20250514"])
def test_unknown_retired_or_foreign_model_is_404(client: httpx.Client, model: str) -> None:
    reply = client.post(gemini_path(model), json=gemini_body())
    assert reply.status_code == 404
    error = _error(reply)
    assert error["status"] == "NOT_FOUND"
    assert error["message"].startswith(
        f"Publisher Model `projects/proj/locations/us-central1/publishers/google/models/{model}`"
        " was not found or your project does not have access to it.")


def test_assistant_role_is_rejected(client: httpx.Client) -> None:
    body = {"contents": [{"role": "user", "parts": [{"text": "a"}]},
                         {"role": "assistant", "parts": [{"text": "b"}]}]}
    reply = client.post(gemini_path(), json=body)
    assert reply.status_code == 400
    assert _error(reply) == {"code": 400, "message": "Please use a valid role: user, model.",
                             "status": "INVALID_ARGUMENT"}


def test_system_turn_only_allowed_first(client: httpx.Client) -> None:
    system = {"role": "system", "parts": [{"text": "rules"}]}
    user = {"role": "user", "parts": [{"text": "hi"}]}
    assert client.post(gemini_path(), json={"contents": [system, user]}).status_code == 200
    late = client.post(gemini_path(), json={"contents": [user, system]})
    assert late.status_code == 400 and "valid role" in _error(late)["message"]


@pytest.mark.parametrize("body", [{}, {"contents": []}])
def test_empty_contents_are_rejected(client: httpx.Client, body: dict[str, Any]) -> None:
    reply = client.post(gemini_path(), json=body)
    assert reply.status_code == 400
    assert "empty contents field" in _error(reply)["message"]


def test_content_without_parts_is_rejected(client: httpx.Client) -> None:
    reply = client.post(gemini_path(), json={"contents": [{"role": "user", "parts": []}]})
    assert reply.status_code == 400 and "at least one parts field" in _error(reply)["message"]


@pytest.mark.parametrize(("setting", "field", "value"), [
    ({"category": "HARM_CATEGORY_VIOLENCE", "threshold": "BLOCK_NONE"}, "category",
     "HARM_CATEGORY_VIOLENCE"),
    ({"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ALL"}, "threshold",
     "BLOCK_ALL"),
    ({"category": "HARM_CATEGORY_HARASSMENT", "threshold": "OFF", "method": "VIBES"}, "method",
     "VIBES"),
])
def test_bad_safety_settings(client: httpx.Client, setting: dict[str, str], field: str,
                             value: str) -> None:
    reply = client.post(gemini_path(), json=gemini_body(safetySettings=[setting]))
    assert reply.status_code == 400
    error = _error(reply)
    assert error["message"].startswith(f"Invalid value at 'safety_settings[0].{field}' "
                                       "(type.googleapis.com/google.cloud.aiplatform.v1.")
    assert error["message"].endswith(f'"{value}"')
    assert error["details"][0]["fieldViolations"][0]["field"] == f"safety_settings[0].{field}"


@pytest.mark.parametrize(("config", "fragment"), [
    ({"maxTokens": 5}, 'Unknown name "maxTokens" at \'generation_config\': Cannot find field.'),
    ({"temperature": "hot"}, "Invalid value at 'generation_config.temperature' (TYPE_FLOAT)"),
    ({"temperature": 3}, "temperature value of 3 but the supported range is from 0"),
    ({"topP": 1.5}, "topP value of 1.5"),
    ({"maxOutputTokens": 100000}, "maxOutputTokens value of 100000"),
    ({"responseMimeType": "text/html"}, "response_mime_type of text/html"),
    ({"thinkingConfig": {"budget": 5}}, ('Unknown name "budget" at '
                                        "'generation_config.thinking_config'")),
])
def test_malformed_generation_config(client: httpx.Client, config: dict[str, Any],
                                     fragment: str) -> None:
    reply = client.post(gemini_path(), json=gemini_body(generationConfig=config))
    assert reply.status_code == 400
    assert fragment in _error(reply)["message"]


def test_pro_cannot_turn_thinking_off(client: httpx.Client) -> None:
    config = {"thinkingConfig": {"thinkingBudget": 0}}
    assert client.post(gemini_path(), json=gemini_body(generationConfig=config)).status_code == 200
    reply = client.post(gemini_path("gemini-2.5-pro"), json=gemini_body(generationConfig=config))
    assert reply.status_code == 400 and "only works in thinking mode" in _error(reply)["message"]


def test_unknown_top_level_field(client: httpx.Client) -> None:
    reply = client.post(gemini_path(), json=gemini_body(messages=[]))
    assert reply.status_code == 400
    assert _error(reply)["message"] == ('Invalid JSON payload received. Unknown name "messages": '
                                        "Cannot find field.")


def test_regions_checked_only_on_request() -> None:
    with Emulator(require_auth=False, check_regions=True) as emu:
        path = gemini_path(location="antarctica-south1")
        assert httpx.post(emu.url + path, json=gemini_body()).status_code == 404


def test_multi_region_location(client: httpx.Client) -> None:
    reply = client.post(gemini_path(location="eu"), json=gemini_body())
    assert reply.status_code == 200


def test_compute_tokens(client: httpx.Client) -> None:
    reply = client.post(gemini_path(method="computeTokens"), json=gemini_body("abcdefgh"))
    assert len(reply.json()["tokensInfo"][0]["tokens"]) == 2
